using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>The business day turns at local midnight without any job; a command repeated with its id is applied once.</summary>
[TestFixture]
public sealed class RolloverAndRetryTests
{
    [Test]
    public async Task Numbers_restart_at_001_after_local_midnight_and_yesterdays_waiting_tickets_stay_behind()
    {
        // 23:50 in Shanghai on Monday 30 November; the hall is open all day so the night can be tested.
        await using var app = await HallApp.StartAsync("rollover", new DateTimeOffset(2026, 11, 30, 23, 50, 0, TimeSpan.FromHours(8)));
        await using var hall = await SeededHall.CreateAsync(app, openAllDay: true);
        var kiosk = await hall.DeviceAsync("kiosk");
        var clerk = await hall.ClerkAsync(1);
        var shebao = await app.ServiceIdAsync(hall.HallId, "shebao");
        var window1 = await app.WindowIdAsync(hall.HallId, 1);

        var late = new List<TicketIssued>();
        for (var i = 0; i < 3; i++)
        {
            late.Add((await kiosk.IssueAsync(shebao)).Ok());
        }
        Assert.That(late.Select(t => t.Ticket.Number), Is.EqualTo(new[] { "A001", "A002", "A003" }));
        Assert.That(late[0].Ticket.BusinessDate, Is.EqualTo(new DateOnly(2026, 11, 30)));

        app.Clock.Advance(TimeSpan.FromMinutes(15));
        var early = (await kiosk.IssueAsync(shebao)).Ok();
        Assert.That(early.Ticket.Number, Is.EqualTo("A001"), "a new business date starts at 001 again");
        Assert.That(early.Ticket.BusinessDate, Is.EqualTo(new DateOnly(2026, 12, 1)));
        Assert.That(early.PeopleAhead, Is.Zero, "yesterday's tickets are not ahead of today's");

        (await clerk.OpenAsync(window1)).Ok();
        var called = (await clerk.CallNextAsync(window1)).Ok();
        Assert.That(called.Ticket.TicketId, Is.EqualTo(early.Ticket.TicketId));
        (await clerk.NoShowAsync(window1, called.Ticket.TicketId)).Ok();
        Assert.That((await clerk.CallNextAsync(window1)).Error?.Code, Is.EqualTo("nobody_waiting"));
    }

    [Test]
    public async Task An_issue_repeated_with_the_same_command_id_returns_the_same_ticket_and_issues_one()
    {
        await using var app = await HallApp.StartAsync("retry");
        await using var hall = await SeededHall.CreateAsync(app);
        var kiosk = await hall.DeviceAsync("kiosk");
        var shebao = await app.ServiceIdAsync(hall.HallId, "shebao");
        var id = Guid.NewGuid();

        var replies = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => kiosk.IssueAsync(shebao, id: id)));
        var again = await kiosk.IssueAsync(shebao, id: id);

        Assert.That(replies.Append(again).Select(r => r.Ok().Ticket.Number).Distinct(), Is.EqualTo(new[] { "A001" }));
        await using var db = app.Db();
        Assert.That(await db.Tickets.CountAsync(), Is.EqualTo(1));
        Assert.That(await db.TicketEvents.CountAsync(), Is.EqualTo(1));
        Assert.That((await kiosk.IssueAsync(shebao)).Ok().Ticket.Number, Is.EqualTo("A002"), "a new command id is a new ticket");
    }

    [Test]
    public async Task A_call_repeated_with_the_same_command_id_does_not_call_a_second_ticket()
    {
        await using var app = await HallApp.StartAsync("retrycall");
        await using var hall = await SeededHall.CreateAsync(app);
        var kiosk = await hall.DeviceAsync("kiosk");
        var clerk = await hall.ClerkAsync(1);
        var shebao = await app.ServiceIdAsync(hall.HallId, "shebao");
        var window1 = await app.WindowIdAsync(hall.HallId, 1);
        (await kiosk.IssueAsync(shebao)).Ok();
        (await kiosk.IssueAsync(shebao)).Ok();
        (await clerk.OpenAsync(window1)).Ok();
        var id = Guid.NewGuid();

        var first = (await clerk.CallNextAsync(window1, id)).Ok();
        var retry = (await clerk.CallNextAsync(window1, id)).Ok();

        Assert.That(retry.Ticket.Number, Is.EqualTo(first.Ticket.Number));
        Assert.That(retry.CallId, Is.EqualTo(first.CallId));
        await using var db = app.Db();
        Assert.That(await db.Tickets.CountAsync(t => t.State == TicketState.Called), Is.EqualTo(1));
    }
}
