using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// Figures a person could inflate (issue 15): a rating long after the service, and a window taken from a colleague who
/// is still at it (their business counted as someone else's).
/// </summary>
[TestFixture]
public sealed class FigureInflationTests
{
    [Test]
    public async Task A_ticket_finished_more_than_a_day_ago_can_no_longer_be_rated_and_no_rating_is_stored()
    {
        await using var app = await HallApp.StartAsync("inflation-rating");
        await using var hall = await SeededHall.CreateAsync(app, openAllDay: true);
        var kiosk = await hall.DeviceAsync("kiosk");
        var clerk = await hall.ClerkAsync(6);
        var evaluator = await hall.EvaluatorAsync(6);
        var service = await app.ServiceIdAsync(hall.HallId, "huzheng");
        var window = await app.WindowIdAsync(hall.HallId, 6);
        (await clerk.OpenAsync(window)).Ok();
        var served = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            (await kiosk.IssueAsync(service)).Ok();
            var called = (await clerk.CallNextAsync(window)).Ok();
            (await clerk.StartAsync(window, called.Ticket.TicketId)).Ok();
            (await clerk.FinishAsync(window, called.Ticket.TicketId)).Ok();
            served.Add(called.Ticket.TicketId);
        }
        app.Clock.Advance(TimeSpan.FromHours(23));
        (await evaluator.RateAsync(served[0], RatingLevel.Satisfied)).Ok();
        app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var late = await evaluator.RateAsync(served[1], RatingLevel.VerySatisfied);
        Assert.That(late.Error?.Code, Is.EqualTo("rating_too_late"));
        Assert.That(late.Error!.MessageZh, Does.Contain("评价时限"));
        await using var db = app.Db();
        Assert.That(await db.Ratings.Select(r => r.TicketId).ToListAsync(), Is.EqualTo(new[] { served[0] }));
    }

    [Test]
    public async Task A_clerk_cannot_take_over_the_window_of_a_colleague_still_signed_in_a_supervisor_can_and_it_is_audited()
    {
        await using var app = await HallApp.StartAsync("inflation-takeover");
        await using var hall = await SeededHall.CreateAsync(app, openAllDay: true);
        var holder = await hall.ClerkAsync(6);
        var colleague = await hall.ClerkAsync(7);
        var supervisor = await hall.StaffAsync("supervisor");
        var window = await app.WindowIdAsync(hall.HallId, 6);
        (await holder.OpenAsync(window)).Ok();

        var refused = await colleague.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.TakeOverWindow), new WindowCommand(Guid.NewGuid(), window));
        Assert.That(refused.Error?.Code, Is.EqualTo("holder_signed_in"));
        await using (var db = app.Db())
        {
            var holderId = await db.WindowSessions.Where(s => s.WindowId == window && s.ClosedAt == null).Select(s => s.StaffId).SingleAsync();
            Assert.That(await db.Staff.Where(s => s.Id == holderId).Select(s => s.Login).SingleAsync(), Does.EndWith("clerk06"));
            Assert.That(await db.AuditEntries.CountAsync(a => a.Action == "window.takeover"), Is.Zero);
        }

        (await supervisor.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.TakeOverWindow), new WindowCommand(Guid.NewGuid(), window))).Ok();
        await using (var db = app.Db())
        {
            var audit = await db.AuditEntries.SingleAsync(a => a.Action == "window.takeover");
            Assert.That(audit.Subject, Is.EqualTo($"window:{window}"));
        }

        // Once the holder has been idle past the timeout (gone without closing), a colleague may take over.
        var away = await hall.ClerkAsync(8);
        (await away.OpenAsync(await app.WindowIdAsync(hall.HallId, 8))).Ok();
        app.Clock.Advance(TimeSpan.FromMinutes(31));
        (await colleague.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.TakeOverWindow), new WindowCommand(Guid.NewGuid(), await app.WindowIdAsync(hall.HallId, 8)))).Ok();
    }
}
