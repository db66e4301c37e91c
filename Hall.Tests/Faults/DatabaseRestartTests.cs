using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Data;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static Hall.Tests.Kiosk.EscPosDecoder;

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

    [Test]
    public async Task A_ticket_asked_at_a_kiosk_while_the_database_is_away_is_issued_and_printed_once_when_it_returns()
    {
        var cluster = await PostgresCluster.PrivateClusterAsync("kioskretry");
        try
        {
            var cs = cluster.ConnectionString();
            var hall = await FaultHall.SeedAsync(cs, kiosks: 0, windows: 1);
            await using var server = await ServerProcess.StartAsync(cs);
            await using var printer = await FakeSerialPrinter.StartAsync();
            await using var kiosk = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
            {
                ["Kiosk__Server"] = server.BaseAddress.ToString(),
                ["Kiosk__DeviceKey"] = hall.Credentials.DeviceKeys["kiosk"],
                ["Kiosk__Printer__PortName"] = printer.PortPath,
                ["Kiosk__PrinterCheckSeconds"] = "0.5",
                // Long enough for a cluster start on a loaded machine; the default (5 s) covers a restart.
                ["Kiosk__RetrySeconds"] = "120",
            });
            using var http = new HttpClient { BaseAddress = kiosk.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
            await FaultHall.WaitForAsync(async () => (await FaultHall.AgentViewAsync(kiosk, "/api/state")).Link == "online", "the kiosk online");
            await FaultHall.WaitForAsync(async () =>
            {
                using var state = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/state", UriKind.Relative)));
                return !state.RootElement.GetProperty("outOfService").GetBoolean();
            }, "the kiosk in service (its printer seen)");

            await cluster.StopAsync();
            NpgsqlConnection.ClearAllPools();
            var refusalsBefore = Refusals(server);
            // A citizen taps 取号 while the database is away: the server refuses it (not taken), the kiosk asks again.
            var asked = http.PostAsJsonAsync(new Uri("/api/tickets", UriKind.Relative), new { serviceId = hall.Services[0], priority = "Normal" });
            await FaultHall.WaitForAsync(() => Task.FromResult(Refusals(server) >= refusalsBefore + 2), "the server refused the issue twice (database away)");
            Assert.That(asked.IsCompleted, Is.False, "the citizen is not told anything yet");
            Assert.That(printer.Printed, Is.Empty, "nothing printed the server did not issue");

            cluster = await EmbeddedPostgres.StartAsync(cluster.Folder);
            var answer = await asked;
            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), await answer.Content.ReadAsStringAsync());
            var number = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString();
            await FaultHall.WaitForAsync(() => Task.FromResult(printer.Printed is [.., 0x1D, (byte)'V', _, _]), "the ticket printed");
            var printed = Decode(printer.Printed).OfType<Text>().Select(t => t.Value).ToList();
            Assert.That(printed.Count(l => l == number), Is.EqualTo(1), "printed once, with the number issued");
            await using var db = PostgresCluster.Context(cs);
            var tickets = await db.Tickets.AsNoTracking().Where(t => t.HallId == hall.HallId).ToListAsync();
            Assert.That(tickets.Select(t => t.Number), Is.EqualTo(new[] { number }), "one ticket, issued once although asked for several times");
            TestContext.Out.WriteLine($"the kiosk asked {Refusals(server) - refusalsBefore + 1} times; ticket {number} issued once and printed once.");
        }
        finally
        {
            await PostgresCluster.DropPrivateClusterAsync(cluster);
        }
    }

    private static int Refusals(ServerProcess server) => server.Output.Count(l => l.Contains("Command issue", StringComparison.Ordinal) && l.Contains("database unavailable", StringComparison.Ordinal));
}
