using Hall.Server.Contracts;
using Hall.Server.Tickets;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>A citizen's whole visit, seen by a kiosk, a clerk's console, a lobby display and an evaluator over real sockets.</summary>
[TestFixture]
public sealed class CitizenJourneyTests() : HallFixture("journey")
{



    [Test]
    public async Task A_citizen_is_issued_called_recalled_served_finished_and_rates_and_the_lobby_sees_each_step_in_order()
    {
        var display = await Seeded.DeviceAsync("display");
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk = await Seeded.ClerkAsync(1);
        var evaluator = await Seeded.EvaluatorAsync(1);
        await display.WaitForAsync(d => !d.Snapshots.IsEmpty, "the display's snapshot");
        var snapshot = display.Snapshots.Single();
        var shebao = await App.ServiceIdAsync(Seeded.HallId, "shebao");
        var window1 = await App.WindowIdAsync(Seeded.HallId, 1);
        Assert.That(snapshot.HallName, Is.EqualTo("新县市民之家"));
        Assert.That(snapshot.Services.Single(s => s.ServiceId == shebao).Waiting, Is.Zero);
        Assert.That(snapshot.Windows.Single(w => w.WindowId == window1).Status, Is.EqualTo(WindowStatus.Closed));

        var issued = (await kiosk.IssueAsync(shebao)).Ok();
        Assert.That(issued.Ticket.Number, Is.EqualTo("A001"));
        Assert.That(issued.PeopleAhead, Is.Zero);
        await display.WaitForAsync(d => d.ServiceMessages.Any(s => s.ServiceId == shebao && s.Waiting == 1), "A: 1 waiting");

        // Each step waits for the lobby to see it: a window's states within one interval are coalesced to the latest.
        var opened = (await clerk.OpenAsync(window1)).Ok();
        await display.WaitForAsync(d => d.WindowMessages.Any(w => w.WindowId == window1 && w.Version >= opened.Version), "window 1 open");
        var called = (await clerk.CallNextAsync(window1)).Ok();
        Assert.That(called.Ticket.Number, Is.EqualTo("A001"));
        Assert.That(called.Reason, Is.EqualTo(CallReason.InOrder));
        await display.WaitForAsync(d => d.Calls.Any(c => c.CallId == called.CallId), "the call on the lobby screen");
        var call = display.Calls.Single(c => c.CallId == called.CallId);
        Assert.That((call.TicketNumber, call.WindowNumber, call.ServiceName, call.IsRecall), Is.EqualTo(("A001", 1, "社保业务", false)));
        await display.Connection.InvokeAsync(nameof(IHallHub.AckCall), call.CallId);
        await display.WaitForAsync(d => d.WindowMessages.Any(w => w.WindowId == window1 && w.Version >= called.Ticket.Version), "window 1 calling A001");

        var recalled = (await clerk.RecallAsync(window1, issued.Ticket.TicketId)).Ok();
        Assert.That(recalled.Ticket.CallCount, Is.EqualTo(2));
        await display.WaitForAsync(d => d.Calls.Any(c => c.CallId == recalled.CallId && c.IsRecall), "the recall on the lobby screen");
        await display.WaitForAsync(d => d.WindowMessages.Any(w => w.WindowId == window1 && w.Version >= recalled.Ticket.Version), "window 1 calling A001 again");

        var started = (await clerk.StartAsync(window1, issued.Ticket.TicketId)).Ok();
        await display.WaitForAsync(d => d.WindowMessages.Any(w => w.WindowId == window1 && w.Version >= started.Version), "window 1 serving A001");
        var finished = (await clerk.FinishAsync(window1, issued.Ticket.TicketId, "办结", acceptance: AcceptanceMode.OnPromise)).Ok();
        Assert.That(finished.State, Is.EqualTo(TicketState.Finished));
        var rated = (await evaluator.RateAsync(issued.Ticket.TicketId, RatingLevel.VerySatisfied)).Ok();
        Assert.That(rated.State, Is.EqualTo(TicketState.Finished));

        await display.WaitForAsync(d => d.WindowMessages.Any(w => w.WindowId == window1 && w.CurrentTicketId is null && w.Version >= finished.Version), "window 1 free again");
        var serviceVersions = display.ServiceMessages.Where(s => s.ServiceId == shebao).Select(s => (s.Waiting, s.Version)).ToList();
        Assert.That(serviceVersions.Select(s => s.Waiting), Is.EqualTo(new[] { 1, 0 }), "A: 1 waiting after the issue, 0 after the call");
        Assert.That(serviceVersions.Select(s => s.Version), Is.Ordered.Ascending.And.All.GreaterThan(snapshot.Version));
        var windowStates = display.WindowMessages.Where(w => w.WindowId == window1).ToList();
        Assert.That(windowStates.Select(w => w.CurrentTicketState), Is.EqualTo(new TicketState?[] { null, TicketState.Called, TicketState.Called, TicketState.Serving, null }));
        Assert.That(windowStates.Select(w => w.Version), Is.Ordered.Ascending);

        await using var db = App.Db();
        var log = await db.TicketEvents.Where(e => e.TicketId == issued.Ticket.TicketId).OrderBy(e => e.Id).ToListAsync();
        Assert.That(log.Select(e => e.Kind), Is.EqualTo(new[]
        {
            TicketEventKind.Issued, TicketEventKind.Called, TicketEventKind.Recalled, TicketEventKind.Started, TicketEventKind.Finished, TicketEventKind.Rated,
        }));
        Assert.That(log.Select(e => e.ToState), Is.EqualTo(new[]
        {
            TicketState.Waiting, TicketState.Called, TicketState.Called, TicketState.Serving, TicketState.Finished, TicketState.Finished,
        }));
        Assert.That(log[4].Outcome, Is.EqualTo("办结"));
        Assert.That(await db.Tickets.Where(t => t.Id == issued.Ticket.TicketId).Select(t => t.Acceptance).SingleAsync(), Is.EqualTo(AcceptanceMode.OnPromise));
        Assert.That(log.Skip(1).Take(4).Select(e => e.WindowId), Is.All.EqualTo(window1));
        var rating = await db.Ratings.SingleAsync(r => r.TicketId == issued.Ticket.TicketId);
        Assert.That(rating.Level, Is.EqualTo(RatingLevel.VerySatisfied));
    }

    [Test]
    public async Task A_display_that_reconnects_gets_the_calls_it_did_not_acknowledge_and_not_the_ones_it_did()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk = await Seeded.ClerkAsync(3);
        var window3 = await App.WindowIdAsync(Seeded.HallId, 3);
        var yibao = await App.ServiceIdAsync(Seeded.HallId, "yibao");
        var display = await Seeded.DeviceAsync("display");
        (await clerk.OpenAsync(window3)).Ok();
        var first = (await kiosk.IssueAsync(yibao)).Ok();
        var second = (await kiosk.IssueAsync(yibao)).Ok();
        var call1 = (await clerk.CallNextAsync(window3)).Ok();
        await display.WaitForAsync(d => d.Calls.Any(c => c.CallId == call1.CallId), "first call");
        await display.Connection.InvokeAsync(nameof(IHallHub.AckCall), call1.CallId);
        (await clerk.NoShowAsync(window3, first.Ticket.TicketId)).Ok();
        await display.DisposeAsync();

        var call2 = (await clerk.CallNextAsync(window3)).Ok();
        Assert.That(call2.Ticket.TicketId, Is.EqualTo(second.Ticket.TicketId));

        var again = await Seeded.DeviceAsync("display");
        await again.WaitForAsync(d => d.Calls.Any(c => c.CallId == call2.CallId), "the call made while the display was away");
        Assert.That(again.Calls.Select(c => c.CallId), Does.Not.Contain(call1.CallId), "an acknowledged call is not announced again");
        var snapshot = again.Snapshots.Single();
        Assert.That(snapshot.Windows.Single(w => w.WindowId == window3).CurrentTicketNumber, Is.EqualTo(second.Ticket.Number));
    }
}
