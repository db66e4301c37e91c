using System.Diagnostics;
using Hall.Tests.Support;

namespace Hall.Tests.Faults;

/// <summary>Hall.Server killed with SIGKILL in the middle of a load of issues and calls, and started again on its address.</summary>
[TestFixture, NonParallelizable]
public sealed class CrashTests
{
    [Test]
    public async Task After_a_kill_minus_9_under_load_every_acknowledged_ticket_exists_once_the_log_matches_and_the_devices_resync_by_themselves()
    {
        var cs = await PostgresCluster.NewDatabaseAsync("crash");
        var hall = await FaultHall.SeedAsync(cs, kiosks: 3, windows: 4);
        var port = ServerProcess.FreePort();
        var server = await ServerProcess.StartAsync(cs, port);
        var cache = Directory.CreateTempSubdirectory("hall-crash-display-").FullName;
        try
        {
            var clerks = await hall.OpenWindowsAsync(server.BaseAddress);
            await using var display = await AgentProcess.StartAsync("Hall.Display", new Dictionary<string, string>
            {
                ["Display__Server"] = server.BaseAddress.ToString(),
                ["Display__DeviceKey"] = hall.Credentials.DeviceKeys["display"],
                ["Display__MediaCacheFolder"] = cache,
            });
            await using var kiosk = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
            {
                ["Kiosk__Server"] = server.BaseAddress.ToString(),
                ["Kiosk__DeviceKey"] = hall.Credentials.DeviceKeys["kiosk"],
            });
            await FaultHall.WaitForAsync(async () => (await FaultHall.AgentViewAsync(display, "/api/board")).Link == "online"
                && (await FaultHall.AgentViewAsync(kiosk, "/api/state")).Link == "online", "the display and the kiosk online");

            var load = new HallLoad(server.BaseAddress, hall.KioskKeys, clerks, hall.Services);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(stop.Token);
            await FaultHall.WaitForAsync(() => Task.FromResult(load.Acknowledged >= 200), "200 commands acknowledged before the kill", 120);

            var before = load.Acknowledged;
            await server.KillAsync();
            var down = Stopwatch.StartNew();
            var noticed = await FaultHall.WaitForAsync(async () => (await FaultHall.AgentViewAsync(display, "/api/board")).Link != "online"
                && (await FaultHall.AgentViewAsync(kiosk, "/api/state")).Link != "online", "the devices notice the server is gone");
            Assert.That(load.Acknowledged - before, Is.LessThanOrEqualTo(hall.KioskKeys.Count + clerks.Count), "nothing is acknowledged by a dead server (at most the answers already on their way)");

            await server.DisposeAsync();
            server = await ServerProcess.StartAsync(cs, port);
            var restartedAfter = down.Elapsed;
            var reconnected = await FaultHall.WaitForAsync(async () => (await FaultHall.AgentViewAsync(display, "/api/board")).Link == "online"
                && (await FaultHall.AgentViewAsync(kiosk, "/api/state")).Link == "online", "the devices reconnect by themselves");

            var atRestart = load.Acknowledged;
            await FaultHall.WaitForAsync(() => Task.FromResult(load.Acknowledged >= atRestart + 200), "200 more commands after the restart", 120);
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromMinutes(2));

            // The devices show exactly what a device connecting now is told.
            var snapshot = await hall.SnapshotAsync(server.BaseAddress);
            var truth = snapshot.Services.ToDictionary(s => s.ServiceId, s => s.Waiting);
            var resynced = await FaultHall.WaitForAsync(async () =>
                Same((await FaultHall.AgentViewAsync(display, "/api/board")).Waiting, truth) && Same((await FaultHall.AgentViewAsync(kiosk, "/api/state")).Waiting, truth),
                "the display's and the kiosk's queues equal the server's");

            await load.AssertConsistentAsync(cs, hall.HallId);
            TestContext.Out.WriteLine($"kill -9 after {before} acknowledged commands; devices noticed in {noticed.TotalSeconds:F1} s; server back after {restartedAfter.TotalSeconds:F1} s; "
                + $"devices online again {reconnected.TotalSeconds:F1} s after it answered /health; queues equal {resynced.TotalSeconds:F1} s after the load stopped. "
                + $"{load.Acknowledged} commands acknowledged, {load.Issued.Count} tickets and {load.Calls.Count} calls, all found once; {load.CutOff} commands cut off by the kill, "
                + $"{load.RetriedAndApplied} commands applied on a retry with the same id; retryable refusals: {string.Join(", ", load.RetryableReplies.Select(r => $"{r.Key} {r.Value}"))}.");
            Assert.That(load.CutOff, Is.GreaterThan(0), "the kill really cut commands in flight");
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(cache, recursive: true);
        }
    }

    private static bool Same(Dictionary<int, int> shown, Dictionary<int, int> truth) =>
        shown.Count > 0 && shown.All(s => truth.TryGetValue(s.Key, out var n) && n == s.Value);
}
