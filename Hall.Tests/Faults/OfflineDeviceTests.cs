using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Server.Devices;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hall.Tests.Faults;

/// <summary>
/// The lobby screen and a kiosk cut off from the server for 60 s (a relay in between drops and refuses their
/// connections; both agents and the server keep running) while the hall goes on. One real minute: there is no clock
/// seam in the agents' reconnect loop, and a minute is what the requirement names.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class OfflineDeviceTests
{
    [Test]
    public async Task A_display_and_a_kiosk_offline_for_60_s_show_the_exact_state_afterwards_announce_each_call_once_and_print_nothing_meanwhile()
    {
        await using var server = await HallApp.StartAsync("offline-devices");
        await using var hall = await SeededHall.CreateAsync(server);
        await using var relay = new TcpRelay(server.BaseAddress);
        await using var printer = await FakeSerialPrinter.StartAsync();
        var cache = Directory.CreateTempSubdirectory("hall-offline-display-").FullName;
        try
        {
            await using var display = await AgentProcess.StartAsync("Hall.Display", new Dictionary<string, string>
            {
                ["Display__Server"] = relay.Address.ToString(),
                ["Display__DeviceKey"] = hall.Credentials.DeviceKeys["display"],
                ["Display__MediaCacheFolder"] = cache,
            });
            await using var kiosk = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
            {
                ["Kiosk__Server"] = relay.Address.ToString(),
                ["Kiosk__DeviceKey"] = hall.Credentials.DeviceKeys["kiosk"],
                ["Kiosk__Printer__PortName"] = printer.PortPath,
                ["Kiosk__PrinterCheckSeconds"] = "0.5",
            });
            using var displayHttp = new HttpClient { BaseAddress = display.BaseAddress };
            using var kioskHttp = new HttpClient { BaseAddress = kiosk.BaseAddress };
            await FaultHall.WaitForAsync(async () => await LinkAsync(display) == "Online" && await LinkAsync(kiosk) == "Online", "both devices online");

            var supervisor = await hall.StaffAsync("supervisor");
            await using var otherKiosk = await server.ConnectAsync(await server.CreateDeviceAsync(hall.HallId, "二楼取号机", DeviceRole.Kiosk));
            var shebao = await server.ServiceIdAsync(hall.HallId, "shebao");
            var window1 = await server.WindowIdAsync(hall.HallId, 1);
            var window2 = await server.WindowIdAsync(hall.HallId, 2);
            (await supervisor.OpenAsync(window1)).Ok();
            (await supervisor.OpenAsync(window2)).Ok();

            // Before: a ticket from the agent's kiosk (printed) is called, and the lobby announces it.
            Assert.That((await IssueAsync(kioskHttp, shebao)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await FaultHall.WaitForAsync(() => Task.FromResult(printer.Printed.Length > 0), "the ticket printed");
            var first = (await supervisor.CallNextAsync(window1)).Ok();
            await FaultHall.WaitForAsync(async () => (await AnnouncementsAsync(displayHttp, 0)).Count == 1, "the first call announced");
            var announced = await AnnouncementsAsync(displayHttp, 0);
            Assert.That(announced.Select(a => a.CallId), Is.EqualTo(new[] { first.CallId }));
            await DoneAsync(displayHttp, announced);
            var lastSeq = announced[^1].Seq;

            relay.Cut();
            var offline = Stopwatch.StartNew();
            await FaultHall.WaitForAsync(async () => await LinkAsync(display) != "Online" && await LinkAsync(kiosk) != "Online", "both devices know they are offline");
            printer.ClearPrinted();

            // Meanwhile: a citizen at the cut-off kiosk is refused and nothing is printed; the hall goes on without it.
            var refused = await IssueAsync(kioskHttp, shebao);
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("暂时无法连接服务器"));
            using (var state = JsonDocument.Parse(await kioskHttp.GetStringAsync(new Uri("/api/state", UriKind.Relative))))
            {
                Assert.That(state.RootElement.GetProperty("outOfService").GetBoolean(), Is.True, "the touch page shows 暂停取号");
            }
            for (var i = 0; i < 3; i++)
            {
                (await otherKiosk.IssueAsync(shebao)).Ok();
            }
            (await supervisor.NoShowAsync(window1, first.Ticket.TicketId)).Ok();
            var made = new List<TicketCalled> { (await supervisor.CallNextAsync(window1)).Ok(), (await supervisor.CallNextAsync(window2)).Ok() };
            made.Add((await supervisor.RecallAsync(window2, made[1].Ticket.TicketId)).Ok());
            var boardWhileAway = await FaultHall.AgentViewAsync(display, "/api/board");
            Assert.That(boardWhileAway.Link, Is.Not.EqualTo("online"), "the board says it is offline (its marker), and keeps the last state");

            var wait = TimeSpan.FromSeconds(60) - offline.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            Assert.That(printer.Printed, Is.Empty, "the kiosk printed nothing while offline");
            relay.Restore();
            var restored = Stopwatch.StartNew();
            var back = await FaultHall.WaitForAsync(async () => await LinkAsync(display) == "Online" && await LinkAsync(kiosk) == "Online", "both devices online again by themselves");

            // The exact state afterwards: what a device connecting now is told.
            HallSnapshot snapshot;
            await using (var probe = await server.ConnectAsync(hall.Credentials.DeviceKeys["display"]))
            {
                snapshot = await probe.Connection.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot));
            }
            var waiting = snapshot.Services.ToDictionary(s => s.ServiceId, s => s.Waiting);
            await FaultHall.WaitForAsync(async () =>
                (await FaultHall.AgentViewAsync(display, "/api/board")).Waiting.All(s => waiting[s.Key] == s.Value)
                && (await FaultHall.AgentViewAsync(kiosk, "/api/state")).Waiting.All(s => waiting[s.Key] == s.Value), "the board's and the kiosk's queues equal the server's");
            var calls = await RecentCallIdsAsync(displayHttp);
            Assert.That(calls, Is.SupersetOf(made.Select(c => c.CallId)), "the calls made meanwhile are on the board");
            Assert.That(snapshot.RecentCalls.Select(c => c.CallId), Is.SupersetOf(calls), "and nothing the server does not have");

            // Each call made meanwhile announced once (the recall is a call of its own); nothing said before repeated.
            await FaultHall.WaitForAsync(async () => (await AnnouncementsAsync(displayHttp, lastSeq)).Count >= made.Count, "the calls made meanwhile queued for announcing");
            await Task.Delay(2000);
            var after = await AnnouncementsAsync(displayHttp, lastSeq);
            Assert.That(after.Select(a => a.CallId), Is.EquivalentTo(made.Select(c => c.CallId)));
            await DoneAsync(displayHttp, after);
            Assert.That(await AnnouncementsAsync(displayHttp, after[^1].Seq), Is.Empty, "acknowledged, none comes again");

            // And the kiosk issues and prints again.
            Assert.That((await IssueAsync(kioskHttp, shebao)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await FaultHall.WaitForAsync(() => Task.FromResult(printer.Printed.Length > 0), "the next ticket printed");
            TestContext.Out.WriteLine($"offline {offline.Elapsed.TotalSeconds - restored.Elapsed.TotalSeconds:F0} s; both devices online {back.TotalSeconds:F1} s after the network returned "
                + "(the agents' reconnect backoff is capped at 15 s + jitter).");
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    private sealed record Announcement(long Seq, long CallId);

    private static async Task<string> LinkAsync(AgentProcess agent)
    {
        using var http = new HttpClient { BaseAddress = agent.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri("/health", UriKind.Relative)));
        return json.RootElement.GetProperty("link").GetString()!;
    }

    private static Task<HttpResponseMessage> IssueAsync(HttpClient kiosk, int serviceId) =>
        kiosk.PostAsJsonAsync(new Uri("/api/tickets", UriKind.Relative), new { serviceId, priority = "Normal" });

    /// <summary>What the lobby page would speak next, as it asks the agent.</summary>
    private static async Task<List<Announcement>> AnnouncementsAsync(HttpClient display, long after)
    {
        using var json = JsonDocument.Parse(await display.GetStringAsync(new Uri($"/api/announcements?after={after}", UriKind.Relative)));
        return [.. json.RootElement.EnumerateArray().Select(a => new Announcement(a.GetProperty("seq").GetInt64(), a.GetProperty("callId").GetInt64()))];
    }

    /// <summary>Spoken: the page tells the agent, which acknowledges the call to the server.</summary>
    private static async Task DoneAsync(HttpClient display, IEnumerable<Announcement> announcements)
    {
        foreach (var a in announcements)
        {
            (await display.PostAsync(new Uri($"/api/announcements/{a.Seq}/done", UriKind.Relative), null)).EnsureSuccessStatusCode();
        }
    }

    private static async Task<List<long>> RecentCallIdsAsync(HttpClient display)
    {
        using var json = JsonDocument.Parse(await display.GetStringAsync(new Uri("/api/board", UriKind.Relative)));
        return [.. json.RootElement.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("callId").GetInt64())];
    }
}
