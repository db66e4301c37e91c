namespace Hall.Display.Agent;

/// <summary>Wakes the media and voice sync at once: after each connect, and when the server says playlists or voice settings changed.</summary>
public sealed class SyncSignal : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    public void Dispose() => _wake.Dispose();

    /// <summary>True when woken, false when the time ran out.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);
}
