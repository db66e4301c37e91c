using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// Lobby displays acknowledging calls all at once (the server writes the acknowledgements that arrive together in one
/// statement): each is recorded once and answered only when recorded, and an id a display may not acknowledge changes nothing.
/// </summary>
[TestFixture]
public sealed class CallAckTests() : HallFixture("call-acks")
{
    /// <summary>New lobby displays of the seeded hall, connected, with their device ids.</summary>
    private async Task<List<(HubClient Screen, int DeviceId, string Key)>> DisplaysAsync(string name, int count)
    {
        var displays = new List<(HubClient, int, string)>();
        for (var i = 1; i <= count; i++)
        {
            var key = await App.CreateDeviceAsync(Seeded.HallId, $"{name}{i}号屏", DeviceRole.Display);
            await using var db = App.Db();
            var id = await db.Devices.Where(d => d.Name == $"{name}{i}号屏").Select(d => d.Id).SingleAsync();
            displays.Add((await App.ConnectAsync(key), id, key));
        }
        return displays;
    }

    private async Task<Dictionary<int, List<long>>> AcksAsync(IEnumerable<int> deviceIds)
    {
        await using var db = App.Db();
        var ids = deviceIds.ToList();
        var rows = await db.DisplayCallAcks.Where(a => ids.Contains(a.DeviceId)).ToListAsync();
        return ids.ToDictionary(id => id, id => rows.Where(r => r.DeviceId == id).Select(r => r.CallId).Order().ToList());
    }

    [Test]
    public async Task Displays_acknowledging_the_same_call_at_once_are_each_recorded_once_and_not_sent_that_call_again_after_a_reconnect()
    {
        var displays = await DisplaysAsync("同时确认", 24);
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk = await Seeded.ClerkAsync(4);
        var window4 = await App.WindowIdAsync(Seeded.HallId, 4);
        (await clerk.OpenAsync(window4)).Ok();
        var ticket = (await kiosk.IssueAsync(await App.ServiceIdAsync(Seeded.HallId, "budongchan"))).Ok();
        var call = (await clerk.CallNextAsync(window4)).Ok();
        foreach (var (screen, _, _) in displays)
        {
            await screen.WaitForAsync(s => s.Calls.Any(c => c.CallId == call.CallId), "the call on every screen");
        }

        // Every display acknowledges at the same moment, and each is answered.
        await Task.WhenAll(displays.Select(d => d.Screen.Connection.InvokeAsync(nameof(IHallHub.AckCall), call.CallId)));
        Assert.That((await AcksAsync(displays.Select(d => d.DeviceId))).Values, Has.All.EqualTo(new[] { call.CallId }), "one row per display");

        // A recall nobody acknowledges: after a reconnect every display is sent the recall again, and not the call it acknowledged.
        var recall = (await clerk.RecallAsync(window4, ticket.Ticket.TicketId)).Ok();
        foreach (var (screen, _, _) in displays)
        {
            await screen.DisposeAsync();
        }
        var again = new List<HubClient>();
        try
        {
            foreach (var (_, _, key) in displays)
            {
                again.Add(await App.ConnectAsync(key));
            }
            foreach (var screen in again)
            {
                // The missed calls are sent in order, so the acknowledged call would have come before the recall.
                await screen.WaitForAsync(s => s.Calls.Any(c => c.CallId == recall.CallId), "the recall sent again after the reconnect");
                Assert.That(screen.Calls.Select(c => c.CallId), Does.Not.Contain(call.CallId), "an acknowledged call is not sent again");
            }
        }
        finally
        {
            foreach (var screen in again)
            {
                await screen.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task Acknowledgements_of_foreign_unknown_repeated_and_non_call_ids_arriving_with_valid_ones_change_nothing_and_are_answered_as_before()
    {
        await using var other = await SeededHall.CreateAsync(App, "other");
        var displays = await DisplaysAsync("混合确认", 6);
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk = await Seeded.ClerkAsync(12);
        var window12 = await App.WindowIdAsync(Seeded.HallId, 12);
        (await clerk.OpenAsync(window12)).Ok();
        var ticket = (await kiosk.IssueAsync(await App.ServiceIdAsync(Seeded.HallId, "minzheng"))).Ok();
        var call = (await clerk.CallNextAsync(window12)).Ok();
        // A call of the other hall, and an event of this hall that is no call (the ticket's issue).
        var otherClerk = await other.ClerkAsync(1);
        var otherWindow = await App.WindowIdAsync(other.HallId, 1);
        (await otherClerk.OpenAsync(otherWindow)).Ok();
        (await (await other.DeviceAsync("kiosk")).IssueAsync(await App.ServiceIdAsync(other.HallId, "shebao"))).Ok();
        var foreignCall = (await otherClerk.CallNextAsync(otherWindow)).Ok();
        long issuedEvent;
        int acksBefore;
        await using (var db = App.Db())
        {
            issuedEvent = await db.TicketEvents.Where(e => e.TicketId == ticket.Ticket.TicketId && e.Kind == Hall.Server.Tickets.TicketEventKind.Issued).Select(e => e.Id).SingleAsync();
            acksBefore = await db.DisplayCallAcks.CountAsync();
        }
        var unknown = new[] { foreignCall.CallId + 1_000_000, 0L, -1L, long.MaxValue };

        // All at once, so they meet in the server's batches: the valid one three times over from every display, the others once each.
        var acks = displays.SelectMany(d => new[] { call.CallId, call.CallId, call.CallId, foreignCall.CallId, issuedEvent }.Concat(unknown)
            .Select(id => d.Screen.Connection.InvokeAsync(nameof(IHallHub.AckCall), id))).ToList();
        var notADisplay = clerk.Connection.InvokeAsync(nameof(IHallHub.AckCall), call.CallId);
        var refused = Assert.ThrowsAsync<HubException>(() => notADisplay);
        Assert.That(refused!.Message, Does.EndWith("forbidden"), "a clerk is refused, as before");
        // A display is answered for every id it sends, as before: it cannot tell an id it may not acknowledge from one it may.
        await Task.WhenAll(acks);

        Assert.That((await AcksAsync(displays.Select(d => d.DeviceId))).Values, Has.All.EqualTo(new[] { call.CallId }), "only the valid call, once per display");
        await using (var db = App.Db())
        {
            Assert.That(await db.DisplayCallAcks.CountAsync(), Is.EqualTo(acksBefore + displays.Count), "no other row anywhere");
            Assert.That(await db.DisplayCallAcks.AnyAsync(a => a.CallId == foreignCall.CallId), Is.False);
        }
        foreach (var (screen, _, _) in displays)
        {
            await screen.DisposeAsync();
        }
    }

    [Test]
    public async Task A_server_stopping_while_displays_acknowledge_answers_each_acknowledgement_and_every_one_answered_as_done_is_stored()
    {
        var app = await HallApp.StartAsync("call-acks-stop");
        var hall = await SeededHall.CreateAsync(app);
        var screens = new List<(HubClient Screen, int DeviceId)>();
        for (var i = 1; i <= 12; i++)
        {
            var key = await app.CreateDeviceAsync(hall.HallId, $"停机确认{i}号屏", DeviceRole.Display);
            await using var db = app.Db();
            screens.Add((await app.ConnectAsync(key), await db.Devices.Where(d => d.Name == $"停机确认{i}号屏").Select(d => d.Id).SingleAsync()));
        }
        var clerk = await hall.ClerkAsync(1);
        var window1 = await app.WindowIdAsync(hall.HallId, 1);
        (await clerk.OpenAsync(window1)).Ok();
        (await (await hall.DeviceAsync("kiosk")).IssueAsync(await app.ServiceIdAsync(hall.HallId, "shebao"))).Ok();
        var call = (await clerk.CallNextAsync(window1)).Ok();
        foreach (var (screen, _) in screens)
        {
            await screen.WaitForAsync(s => s.Calls.Any(c => c.CallId == call.CallId), "the call on every screen");
        }

        var acks = screens.Select(s => s.Screen.Connection.InvokeAsync(nameof(IHallHub.AckCall), call.CallId)).ToList();
        await hall.DisposeAsync();
        await app.DisposeAsync();
        // Each acknowledgement is answered (done, or failed with the connection): none waits for ever.
        var done = new List<int>();
        foreach (var (ack, (_, deviceId)) in acks.Zip(screens))
        {
            try
            {
                await ack;
                done.Add(deviceId);
            }
            catch (Exception e) when (e is HubException or InvalidOperationException or OperationCanceledException or IOException or System.Net.WebSockets.WebSocketException)
            {
            }
        }
        foreach (var (screen, _) in screens)
        {
            await screen.DisposeAsync();
        }
        await using var after = PostgresCluster.Context(app.ConnectionString);
        var stored = await after.DisplayCallAcks.Where(a => a.CallId == call.CallId).Select(a => a.DeviceId).ToListAsync();
        Assert.That(stored, Is.SupersetOf(done), "an acknowledgement answered as done survives the server's stop");
        TestContext.Out.WriteLine($"{done.Count} of {screens.Count} acknowledgements answered as done before the stop, {stored.Count} stored.");
    }
}
