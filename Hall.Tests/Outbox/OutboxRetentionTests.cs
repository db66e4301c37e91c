using System.Text;
using Hall.Server.Complaints;
using Hall.Server.Contracts;
using Hall.Server.Outbox;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ComplaintSteps = Hall.Server.Complaints.Complaints;

namespace Hall.Tests.Outbox;

/// <summary>
/// The outbox's retention on real PostgreSQL with the fake clock: 91 days on, the messages delivered on day 0 (a ticket's
/// four events, a complaint's registration) are gone, while the one delivered 11 days ago, a paused endpoint's waiting one
/// and an unreachable endpoint's given-up one stay, 91 days old or not; the page's counts are of what stays; the
/// complaint's later event, whose earlier one was deleted, still goes out, and the paused endpoint gets its ticket event on resume.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class OutboxRetentionTests
{
    private static readonly string[] Lifecycle = ["ticket.issued", "ticket.called", "ticket.finished", "ticket.rated"];

    [Test]
    public async Task Messages_delivered_more_than_90_days_ago_are_deleted_and_nothing_else()
    {
        await using var receiver = new StandInReceiver("/county/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await receiver.StartAsync();
        await using var screen = new StandInReceiver("/screen/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await screen.StartAsync();
        // Never started: nothing listens there, every attempt fails.
        await using var down = new StandInReceiver("/down/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await using var app = await HallApp.StartAsync("outbox-retention", settings: new Dictionary<string, string?> { ["Hall:Outbox:MaxAttempts"] = "2" });
        await using var hall = await SeededHall.CreateAsync(app, openAllDay: true);
        await using var kit = await OutboxTestKit.StartAsync(app, hall);
        var outbox = app.Services.GetRequiredService<OutboxAdmin>();
        var complaints = app.Services.GetRequiredService<ComplaintSteps>();
        Actor admin, supervisor;
        string department;
        await using (var db = app.Db())
        {
            var a = await db.Staff.FirstAsync(s => s.HallId == hall.HallId && s.Role == StaffRole.Admin);
            admin = new Actor(ActorKind.Staff, a.Id, hall.HallId, a.Name, a.Role, null, null);
            var lead = await db.Staff.FirstAsync(s => s.HallId == hall.HallId && s.Role == StaffRole.Supervisor);
            supervisor = new Actor(ActorKind.Staff, lead.Id, hall.HallId, lead.Name, StaffRole.Supervisor, null, null);
            department = (await ComplaintSteps.DepartmentsAsync(db, hall.HallId, default))[0];
        }
        var (secret, refused) = await outbox.RegisterAsync(admin, receiver.Url, [.. Lifecycle, "complaint.*"], default);
        Assert.That(refused, Is.Null);
        receiver.Secret = Encoding.UTF8.GetBytes(secret!);
        Assert.That((await outbox.RegisterAsync(admin, down.Url, ["ticket.issued"], default)).Refusal, Is.Null);
        Assert.That((await outbox.RegisterAsync(admin, screen.Url, ["ticket.issued"], default)).Refusal, Is.Null);
        var endpoints = (await outbox.EndpointsAsync(hall.HallId, default)).Select(e => e.Id).ToList();
        var (county, unreachable, paused) = (endpoints[0], endpoints[1], endpoints[2]);

        // Day 0: a ticket's life and a complaint; the screen's endpoint is paused before anything is sent to it.
        var (_, first, _) = await kit.RateAsync(RatingLevel.Satisfied);
        Assert.That(await outbox.SetActiveAsync(admin, paused, false, default), Is.Null);
        var (complaint, notRegistered) = await complaints.RegisterAsync(supervisor,
            new ComplaintForm(ComplaintChannel.Phone, "王五", "13812345678", ComplaintCategory.Waiting, "上午等候一个多小时", department), default);
        Assert.That(notRegistered, Is.Null);
        await kit.SettleAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(10));
        await kit.SettleAsync();

        // Day 80: another complaint (staff sessions do not last 80 days; the complaint steps are the supervisor's, in-process).
        app.Clock.Advance(TimeSpan.FromDays(80));
        var (recent, _) = await complaints.RegisterAsync(supervisor,
            new ComplaintForm(ComplaintChannel.Window, "赵六", "13912345678", ComplaintCategory.Attitude, "窗口态度", department), default);
        await kit.SettleAsync();
        var before = await RowsAsync(app);
        Assert.That(before, Is.EquivalentTo(new[]
        {
            (county, $"ticket:{first}", "sent", 4), (county, $"complaint:{complaint!.Id}", "sent", 1), (county, $"complaint:{recent!.Id}", "sent", 1),
            (unreachable, $"ticket:{first}", "failed", 1), (paused, $"ticket:{first}", "pending", 1),
        }));

        // Day 91: the day-0 deliveries are past the 90 days.
        app.Clock.Advance(TimeSpan.FromDays(11));
        var retention = app.Services.GetRequiredService<OutboxRetention>();
        Assert.That(retention.RetentionDays, Is.EqualTo(90));
        // The job's own timer may be running it on the moved clock: run until this call ran it itself.
        while (await retention.DeleteOldAsync(default) is null)
        {
            await Task.Delay(50);
        }
        Assert.That(await RowsAsync(app), Is.EquivalentTo(new[]
        {
            (county, $"complaint:{recent.Id}", "sent", 1), (unreachable, $"ticket:{first}", "failed", 1), (paused, $"ticket:{first}", "pending", 1),
        }), "only what was delivered more than 90 days ago is gone; waiting and given-up messages stay, however old");
        var counts = (await outbox.EndpointsAsync(hall.HallId, default)).ToDictionary(e => e.Id, e => e.Counts);
        Assert.That((counts[county], counts[unreachable], counts[paused]), Is.EqualTo((new OutboxCounts(0, 1, 0), new OutboxCounts(0, 0, 1), new OutboxCounts(1, 0, 0))));
        Assert.That(await outbox.CountsAsync(hall.HallId, OutboxChannels.Webhook, null, default), Is.EqualTo(new OutboxCounts(1, 1, 1)));

        // The complaint's next step goes out although its first event's row is gone; the paused endpoint's held event goes once resumed.
        var posted = receiver.Posts.Count;
        Assert.That(await complaints.AssignAsync(supervisor, complaint.Id, department, null, default), Is.Null);
        Assert.That(await outbox.SetActiveAsync(admin, paused, true, default), Is.Null);
        await kit.SettleAsync();
        Assert.That(receiver.Posts.Skip(posted).Select(p => (p.Json.GetProperty("type").GetString(), p.Status)), Is.EqualTo(new[] { ("complaint.assigned", 200) }));
        Assert.That(screen.Accepted.Select(p => (p.Json.GetProperty("type").GetString(), p.Json.GetProperty("data").GetProperty("ticketId").GetInt64())),
            Is.EqualTo(new[] { ("ticket.issued", first) }), "held while paused, sent 91 days later on resume");
    }

    /// <summary>The webhook rows by endpoint, subject and state, with how many.</summary>
    private static async Task<List<(int, string, string, int)>> RowsAsync(HallApp app)
    {
        await using var db = app.Db();
        var rows = await db.Outbox.AsNoTracking().Where(m => m.Channel == OutboxChannels.Webhook)
            .GroupBy(m => new { m.EndpointId, m.SubjectKey, m.State }).Select(g => new { g.Key.EndpointId, g.Key.SubjectKey, g.Key.State, Count = g.Count() }).ToListAsync();
        return [.. rows.Select(r => (r.EndpointId!.Value, r.SubjectKey, r.State, r.Count))];
    }
}
