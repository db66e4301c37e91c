namespace Hall.Server.Operations;

/// <summary>The loop of Hall's background jobs: a round now, then one each period of the (possibly fake) clock.</summary>
public static class Periodic
{
    /// <summary>
    /// Runs <paramref name="round"/> now and then every <paramref name="every"/> until <paramref name="ct"/> stops it; a
    /// round that fails (the database away, say) is logged as <paramref name="failed"/> and the next round runs on time.
    /// </summary>
    public static async Task RunAsync(TimeSpan every, TimeProvider clock, ILogger log, string failed, Func<CancellationToken, Task> round, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(every, clock);
        do
        {
            try
            {
                await round(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "{Failed}", failed);
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }
}
