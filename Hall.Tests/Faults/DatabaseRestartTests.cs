using System.Diagnostics;
using Hall.Tests.Support;
using Npgsql;

namespace Hall.Tests.Faults;

/// <summary>PostgreSQL restarted under a load of issues and calls, on a cluster of the test's own; the server is not touched.</summary>
[TestFixture, NonParallelizable]
public sealed class DatabaseRestartTests
{
    [TestCase("fast")]
    [TestCase("immediate")]
    public async Task Commands_in_flight_get_a_retryable_error_service_returns_by_itself_and_nothing_acknowledged_is_lost(string mode)
    {
        var cluster = await PostgresCluster.PrivateClusterAsync("pgrestart");
        try
        {
            var cs = cluster.ConnectionString();
            var hall = await FaultHall.SeedAsync(cs, kiosks: 3, windows: 4);
            await using var server = await ServerProcess.StartAsync(cs);
            var clerks = await hall.OpenWindowsAsync(server.BaseAddress);
            var load = new HallLoad(server.BaseAddress, hall.KioskKeys, clerks, hall.Services);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(stop.Token);
            await FaultHall.WaitForAsync(() => Task.FromResult(load.Acknowledged >= 200), "200 commands acknowledged before the restart", 120);

            var clock = Stopwatch.StartNew();
            await cluster.RestartAsync(mode);
            var restartTook = clock.Elapsed;
            // The test's own pooled connections died with the restart too.
            NpgsqlConnection.ClearAllPools();
            var atRestart = load.Acknowledged;
            var back = await FaultHall.WaitForAsync(() => Task.FromResult(load.Acknowledged >= atRestart + 50), "commands acknowledged again after the restart, nobody touching the server", 120);
            await FaultHall.WaitForAsync(() => Task.FromResult(load.Acknowledged >= atRestart + 200), "200 more commands after the restart", 120);
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromMinutes(2));

            var unavailable = load.RetryableReplies.GetValueOrDefault("unavailable");
            TestContext.Out.WriteLine($"pg_ctl restart -m {mode} after {atRestart} acknowledged commands took {restartTook.TotalSeconds:F1} s; 50 more acknowledged {back.TotalSeconds:F1} s after it. "
                + $"{unavailable} replies 'unavailable' ({load.CutOff} commands refused at least once), {load.RetriedAndApplied} applied on a retry with the same id; "
                + $"{load.Acknowledged} commands acknowledged, {load.Issued.Count} tickets and {load.Calls.Count} calls, all found once.");

            // Every command got an answer from the server (no hub exception, no dropped connection) …
            Assert.That(load.NoAnswer, Is.Zero, () => string.Join("\n", load.NoAnswerReasons));
            Assert.That(unavailable, Is.GreaterThan(0), "the restart really hit commands in flight");
            Assert.That(load.FirstRetryable!.Code, Is.EqualTo("unavailable"));
            Assert.That(load.FirstRetryable.MessageZh, Does.Contain("稍后重试"));
            Assert.That(load.FirstRetryable.MessageEn, Does.Contain("retry"));
            // … and none was half-applied: what the clients were told is exactly what the database holds.
            await load.AssertConsistentAsync(cs, hall.HallId);
        }
        finally
        {
            await PostgresCluster.DropPrivateClusterAsync(cluster);
        }
    }
}
