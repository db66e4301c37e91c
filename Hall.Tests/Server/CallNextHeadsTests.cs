using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// Call-next reads only the head of each (service, priority or not, transferred or not) group of the window's queue, not
/// the whole queue. Held here against the rule itself: before each call the whole queue is read from the database and
/// <see cref="TicketRules.CallNext"/> decides on all of it; the server must call the same ticket, through priorities,
/// transfers, two services and tickets past the ageing bound.
/// </summary>
[TestFixture]
public sealed class CallNextHeadsTests() : HallFixture("call-heads")
{
    [Test]
    public async Task Call_next_calls_what_the_rule_chooses_from_the_whole_queue()
    {
        await using var hall = await SeededHall.CreateAsync(App, "heads");
        int window;
        int windowNumber;
        List<int> services;
        await using (var db = App.Db())
        {
            var chosen = await db.WindowServices.Where(ws => db.Windows.Any(w => w.Id == ws.WindowId && w.HallId == hall.HallId))
                .GroupBy(ws => ws.WindowId).Where(g => g.Count() >= 2).Select(g => g.Key).OrderBy(id => id).FirstAsync();
            window = chosen;
            windowNumber = await db.Windows.Where(w => w.Id == chosen).Select(w => w.Number).SingleAsync();
            services = await db.WindowServices.Where(ws => ws.WindowId == chosen).OrderBy(ws => ws.Rank).Select(ws => ws.ServiceId).ToListAsync();
        }
        var clerk = await hall.ClerkAsync(windowNumber);
        var supervisor = await hall.StaffAsync("supervisor");
        var kiosk = await hall.DeviceAsync("kiosk");
        (await clerk.OpenAsync(window)).Ok();

        var random = new Random(7);
        var priorities = new[] { PriorityClass.Normal, PriorityClass.Normal, PriorityClass.Normal, PriorityClass.Elderly, PriorityClass.Disabled };
        async Task IssueSomeAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                (await kiosk.IssueAsync(services[random.Next(services.Count)], priorities[random.Next(priorities.Length)])).Ok();
            }
        }
        await IssueSomeAsync(12);
        // The first ones pass the ageing bound while more arrive.
        await using (var db = App.Db())
        {
            var ageing = await db.Halls.Where(h => h.Id == hall.HallId).Select(h => h.AgeingMinutes).SingleAsync();
            App.Clock.Advance(TimeSpan.FromMinutes(ageing + 1));
        }
        await IssueSomeAsync(24);
        // Two waiting tickets sent from the second service to the first: they go first there.
        await using (var db = App.Db())
        {
            var moved = await db.Tickets.Where(t => t.HallId == hall.HallId && t.ServiceId == services[1] && t.State == TicketState.Waiting).OrderByDescending(t => t.Id).Take(2).Select(t => t.Id).ToListAsync();
            foreach (var id in moved)
            {
                (await supervisor.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Transfer), new TransferCommand(Guid.NewGuid(), null, id, services[0], null))).Ok();
            }
        }

        var reasons = new HashSet<CallReason>();
        for (var call = 0; call < 30; call++)
        {
            long expected;
            await using (var db = App.Db())
            {
                var site = await db.Halls.AsNoTracking().Include(h => h.Calendar).SingleAsync(h => h.Id == hall.HallId);
                var now = App.Clock.GetUtcNow();
                var today = HallClock.BusinessDate(now, site.Zone);
                var row = await db.Windows.AsNoTracking().SingleAsync(w => w.Id == window);
                var session = await db.WindowSessions.AsNoTracking().SingleAsync(s => s.WindowId == window && s.ClosedAt == null);
                var current = await db.Tickets.AsNoTracking().Where(t => t.WindowId == window && (t.State == TicketState.Called || t.State == TicketState.Serving)).SingleOrDefaultAsync();
                var all = await db.Tickets.AsNoTracking().Where(t => t.HallId == hall.HallId && t.State == TicketState.Waiting).ToListAsync();
                var facts = new WindowFacts(window, session.Status, session.StaffId, services, row.NormalsSincePriority, current?.ToFacts());
                var decision = TicketRules.CallNext(facts, [.. all.Select(t => t.ToFacts())], site.Policy, today, now);
                Assert.That(decision.Refusal, Is.Null, $"call {call + 1}: the rule chooses");
                expected = decision.Value!.Ticket.Id;
            }
            var called = (await clerk.CallNextAsync(window)).Ok();
            Assert.That(called.Ticket.TicketId, Is.EqualTo(expected), $"call {call + 1}: {called.Reason}");
            reasons.Add(called.Reason);
            (await clerk.NoShowAsync(window, called.Ticket.TicketId)).Ok();
        }
        Assert.That(reasons, Is.SupersetOf(new[] { CallReason.Transferred, CallReason.Aged, CallReason.Priority, CallReason.InOrder }), "every way of choosing was met");
    }
}
