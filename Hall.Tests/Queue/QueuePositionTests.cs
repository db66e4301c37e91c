using Hall.Server.Contracts;
using Hall.Server.Queue;
using static Hall.Tests.Queue.QueueFixtures;

namespace Hall.Tests.Queue;

/// <summary>
/// What a waiting citizen is told (前面还有 N 人 · 约 M 分钟) is where the real call order puts the ticket: each test checks
/// <see cref="TicketRules.Position"/> against the hall calling next again and again on the same facts.
/// </summary>
public sealed class QueuePositionTests
{
    private static readonly CallPolicy Policy = CallPolicy.Default;

    /// <summary>A window that has just called a priority ticket: two normal ones come before the next priority one.</summary>
    private static WindowFacts JustCalledPriority(int id = 1, IReadOnlyList<int>? serviceIds = null) =>
        Window(id: id, serviceIds: serviceIds, normalsSincePriority: 0);

    /// <summary>
    /// The hall as it happens: each open window in turn (free ones first, then busy ones, by id) calls next with
    /// <see cref="TicketRules.CallNext"/> on everything still waiting, its normal count written back after each call, until
    /// nobody is left. For each called ticket, the calls made before it by windows that could have taken it.
    /// </summary>
    private static Dictionary<long, int> CallsBeforeByCallingNext(IReadOnlyList<WindowFacts> windows, IReadOnlyList<TicketFacts> waiting, CallPolicy? policy = null, DateTimeOffset? now = null)
    {
        var open = windows.Where(w => w.Status == WindowStatus.Open).OrderBy(w => w.Current is not null).ThenBy(w => w.Id).Select(w => w with { Current = null }).ToList();
        var left = waiting.ToList();
        var calls = new List<(WindowFacts Window, TicketFacts Ticket)>();
        for (var anyone = true; anyone;)
        {
            anyone = false;
            for (var i = 0; i < open.Count; i++)
            {
                if (TicketRules.CallNext(open[i], left, policy ?? Policy, Today, now ?? Now).Value is not { } choice)
                {
                    continue;
                }
                anyone = true;
                calls.Add((open[i], choice.Ticket));
                left.Remove(choice.Ticket);
                open[i] = open[i] with { NormalsSincePriority = choice.NormalsSincePriority };
            }
        }
        return calls
            .Select((call, k) => (call.Ticket.Id, Before: calls.Take(k).Count(before => TicketRules.IsForWindow(call.Ticket, before.Window, Today))))
            .ToDictionary(c => c.Id, c => c.Before);
    }

    private static QueuePosition PositionOf(TicketFacts ticket, IReadOnlyList<WindowFacts> windows, IReadOnlyList<TicketFacts> waiting) =>
        TicketRules.Position(ticket, windows, waiting, Policy, Today, Now)!;

    private static TicketFacts[] FiveNormalTickets() =>
        [.. Enumerable.Range(1, 5).Select(i => Waiting(i, ServiceA, At(9, 30 + i)))];

    [Test]
    public void A_priority_ticket_behind_five_normal_ones_is_told_the_place_it_is_really_called_at()
    {
        var window = JustCalledPriority();
        var elderly = Waiting(6, ServiceA, At(9, 40), PriorityClass.Elderly);
        TicketFacts[] waiting = [.. FiveNormalTickets(), elderly];

        var position = PositionOf(elderly, [window], waiting);

        // Two normal tickets, then the priority one (1 : 2): called third, not sixth.
        Assert.That(position, Is.EqualTo(new QueuePosition(CallsBefore: 2, Windows: 1)));
        Assert.That(position.CallsBefore, Is.EqualTo(CallsBeforeByCallingNext([window], waiting)[elderly.Id]));
        Assert.That(TicketRules.EstimateWaitMinutes(position, QuietRate(defaultHandlingMinutes: 10)), Is.EqualTo(20));
    }

    [Test]
    public void The_normal_tickets_behind_a_priority_one_count_it_ahead_of_them()
    {
        var window = JustCalledPriority();
        var elderly = Waiting(6, ServiceA, At(9, 40), PriorityClass.Elderly);
        TicketFacts[] waiting = [.. FiveNormalTickets(), elderly];

        var order = TicketRules.CallOrder([window], waiting, Policy, Today, Now);

        Assert.That(waiting.Select(t => order[t.Id].CallsBefore), Is.EqualTo(new[] { 0, 1, 3, 4, 5, 2 }));
        Assert.That(order.ToDictionary(p => p.Key, p => p.Value.CallsBefore), Is.EqualTo(CallsBeforeByCallingNext([window], waiting)));
    }

    [Test]
    public void A_priority_ticket_at_a_window_due_for_one_is_called_first()
    {
        var window = Window(normalsSincePriority: 1000);
        var elderly = Waiting(6, ServiceA, At(9, 40), PriorityClass.Elderly);
        TicketFacts[] waiting = [.. FiveNormalTickets(), elderly];

        Assert.That(PositionOf(elderly, [window], waiting).CallsBefore, Is.Zero);
        Assert.That(CallsBeforeByCallingNext([window], waiting)[elderly.Id], Is.Zero);
    }

    [Test]
    public void A_new_ticket_not_yet_in_the_queue_is_placed_as_if_it_were()
    {
        var window = JustCalledPriority();
        var elderly = Waiting(6, ServiceA, At(9, 40), PriorityClass.Elderly);

        Assert.That(PositionOf(elderly, [window], FiveNormalTickets()), Is.EqualTo(PositionOf(elderly, [window], [.. FiveNormalTickets(), elderly])));
    }

    [Test]
    public void A_ticket_transferred_into_the_service_goes_before_everyone_waiting_there()
    {
        var window = Window();
        var transferred = Waiting(6, ServiceA, At(9, 50), transferred: true);
        var after = Waiting(7, ServiceA, At(9, 51));
        TicketFacts[] waiting = [.. FiveNormalTickets(), transferred, after];

        var order = TicketRules.CallOrder([window], waiting, Policy, Today, Now);

        Assert.That((order[transferred.Id].CallsBefore, order[after.Id].CallsBefore), Is.EqualTo((0, 6)));
        Assert.That(order.ToDictionary(p => p.Key, p => p.Value.CallsBefore), Is.EqualTo(CallsBeforeByCallingNext([window], waiting)));
    }

    [Test]
    public void A_ticket_sent_to_one_window_counts_only_that_windows_calls()
    {
        // Windows 1 and 2 both serve A; the ticket was sent to window 2, which is busy and calls after window 1.
        WindowFacts[] windows = [Window(id: 1), Window(id: 2, current: Serving(90, windowId: 2))];
        var sent = Waiting(6, ServiceC, At(9, 55), transferred: true, targetWindowId: 2);
        TicketFacts[] waiting = [.. FiveNormalTickets(), sent];

        var position = PositionOf(sent, windows, waiting);

        Assert.That(position, Is.EqualTo(new QueuePosition(CallsBefore: 0, Windows: 1)), "window 1's call of A001 is not ahead of it");
        Assert.That(position.CallsBefore, Is.EqualTo(CallsBeforeByCallingNext(windows, waiting)[sent.Id]));
    }

    [Test]
    public void A_window_serving_two_services_takes_its_first_service_before_an_older_ticket_of_its_second()
    {
        // Window 2 serves A, then B: the B ticket that came first waits until no A ticket is left.
        var window = Window(id: 2, serviceIds: [ServiceA, ServiceB]);
        var b = Waiting(10, ServiceB, At(9, 20));
        TicketFacts[] waiting = [b, .. FiveNormalTickets()];

        var position = PositionOf(b, [window], waiting);

        Assert.That(position, Is.EqualTo(new QueuePosition(CallsBefore: 5, Windows: 1)));
        Assert.That(position.CallsBefore, Is.EqualTo(CallsBeforeByCallingNext([window], waiting)[b.Id]));
    }

    [Test]
    public void Another_window_taking_the_shared_service_brings_the_second_service_forward()
    {
        // Window 1 serves A only and takes A tickets that window 2 would otherwise call before the B ticket.
        WindowFacts[] windows = [Window(id: 1, serviceIds: [ServiceA]), Window(id: 2, serviceIds: [ServiceA, ServiceB])];
        var b = Waiting(10, ServiceB, At(9, 20));
        TicketFacts[] waiting = [b, .. FiveNormalTickets()];

        var position = PositionOf(b, windows, waiting);

        // Window 1 takes A001, A003, A005 and window 2 A002, A004, then B: only window 2's two calls were before it.
        Assert.That(position, Is.EqualTo(new QueuePosition(CallsBefore: 2, Windows: 1)));
        Assert.That(position.CallsBefore, Is.EqualTo(CallsBeforeByCallingNext(windows, waiting)[b.Id]));
    }

    [Test]
    public void Two_windows_of_one_service_share_the_calls_and_the_estimate()
    {
        WindowFacts[] windows = [Window(id: 1), Window(id: 2)];
        var mine = Waiting(6, ServiceA, At(9, 40));
        TicketFacts[] waiting = [.. FiveNormalTickets(), mine];

        var position = PositionOf(mine, windows, waiting);

        Assert.That(position, Is.EqualTo(new QueuePosition(CallsBefore: 5, Windows: 2)));
        Assert.That(TicketRules.EstimateWaitMinutes(position, QuietRate(defaultHandlingMinutes: 10)), Is.EqualTo(25));
        Assert.That(position.CallsBefore, Is.EqualTo(CallsBeforeByCallingNext(windows, waiting)[mine.Id]));
    }

    [Test]
    public void A_ticket_past_the_ageing_bound_goes_first()
    {
        var window = Window(id: 2, serviceIds: [ServiceA, ServiceB]);
        var old = Waiting(10, ServiceB, At(8, 50));
        TicketFacts[] waiting = [.. FiveNormalTickets(), old];

        Assert.That(PositionOf(old, [window], waiting).CallsBefore, Is.Zero);
        Assert.That(CallsBeforeByCallingNext([window], waiting)[old.Id], Is.Zero);
    }

    [TestCase(WindowStatus.Closed)]
    [TestCase(WindowStatus.Paused)]
    public void With_no_open_window_the_ticket_keeps_its_place_in_line_and_has_no_estimate(WindowStatus status)
    {
        var window = Window(status: status, normalsSincePriority: 0);
        var mine = Waiting(6, ServiceA, At(9, 40));
        TicketFacts[] waiting = [.. FiveNormalTickets(), mine];

        var position = PositionOf(mine, [window], waiting);

        Assert.That(position, Is.EqualTo(new QueuePosition(CallsBefore: 5, Windows: 0)));
        Assert.That(TicketRules.EstimateWaitMinutes(position, new QueueRate(StartedLastHour: 12, OpenWindows: 1, DefaultHandlingMinutes: 10)), Is.Null);
    }

    [Test]
    public void An_open_window_of_another_service_does_not_serve_the_ticket()
    {
        var window = Window(serviceIds: [ServiceB]);
        var mine = Waiting(6, ServiceA, At(9, 40));

        var position = PositionOf(mine, [window], [.. FiveNormalTickets(), mine, Waiting(7, ServiceB, At(9, 10))]);

        Assert.That(position, Is.EqualTo(new QueuePosition(CallsBefore: 5, Windows: 0)));
    }

    [Test]
    public void Yesterdays_tickets_and_tickets_not_waiting_have_no_place()
    {
        var window = Window();
        var yesterday = Waiting(1, ServiceA, At(16, 0, date: Yesterday), businessDate: Yesterday);
        var called = Called(2, windowId: 1);
        var mine = Waiting(3, ServiceA, At(9, 40));

        var order = TicketRules.CallOrder([window], [yesterday, called, mine], Policy, Today, Now);

        Assert.That(order.Keys, Is.EqualTo(new[] { mine.Id }));
        Assert.That(order[mine.Id].CallsBefore, Is.Zero);
    }

    [Test]
    public void Random_halls_are_told_what_calling_next_again_and_again_does()
    {
        var policy = CallPolicy.Default with { NormalPerPriority = 2 };
        for (var seed = 1; seed <= 400; seed++)
        {
            var random = new Random(seed);
            var windows = Enumerable.Range(1, random.Next(1, 5)).Select(id =>
            {
                var services = new[] { ServiceA, ServiceB, ServiceC }.OrderBy(_ => random.Next()).Take(random.Next(0, 4)).ToArray();
                var status = random.Next(6) switch { 0 => WindowStatus.Closed, 1 => WindowStatus.Paused, _ => WindowStatus.Open };
                var current = status == WindowStatus.Open && random.Next(3) == 0 ? Serving(100 + id, id) : null;
                return Window(id: id, status: status, serviceIds: services, normalsSincePriority: random.Next(4) == 0 ? 1000 : random.Next(0, 3), current: current);
            }).ToList();
            var waiting = Enumerable.Range(1, random.Next(0, 40)).Select(id =>
            {
                var target = random.Next(10) == 0 ? random.Next(1, 6) : (int?)null;
                return Waiting(
                    id,
                    random.Next(1, 4),
                    At(8, 30).AddMinutes(random.Next(0, 90)),
                    random.Next(5) == 0 ? PriorityClass.Elderly : PriorityClass.Normal,
                    transferred: target is not null || random.Next(12) == 0,
                    targetWindowId: target,
                    businessDate: random.Next(30) == 0 ? Yesterday : null);
            }).ToList();

            var order = TicketRules.CallOrder(windows, waiting, policy, Today, Now);
            var expected = CallsBeforeByCallingNext(windows, waiting, policy);

            var served = order.Where(p => p.Value.Windows > 0).ToDictionary(p => p.Key, p => p.Value.CallsBefore);
            Assert.That(served, Is.EqualTo(expected), $"seed {seed}");
            foreach (var (id, position) in order)
            {
                var ticket = waiting.Single(t => t.Id == id);
                Assert.That(position.Windows, Is.EqualTo(windows.Count(w => w.Status == WindowStatus.Open && TicketRules.IsForWindow(ticket, w, Today))), $"seed {seed}, ticket {id}");
            }
            Assert.That(order.Keys, Is.EquivalentTo(waiting.Where(t => t.BusinessDate == Today).Select(t => t.Id)), $"seed {seed}: every ticket of today has a place");
        }
    }
}
