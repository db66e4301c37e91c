using Hall.Server.Contracts;
using Hall.Server.Queue;
using static Hall.Tests.Queue.QueueFixtures;

namespace Hall.Tests.Queue;

/// <summary>
/// Where a checked-in booking stands in the call order: ahead of walk-ins once its slot has begun, in the same 1 : 2 turn as
/// priority tickets (so walk-ins never starve), and a walk-in before then.
/// </summary>
public sealed class BookingCallOrderTests
{
    private static TicketFacts Booked(long id, DateTimeOffset checkedIn, DateTimeOffset slot, int serviceId = ServiceA) =>
        Waiting(id, serviceId, checkedIn) with { BookedFor = slot };

    private static List<(long Id, CallReason Reason)> CallAll(WindowFacts window, List<TicketFacts> waiting, DateTimeOffset now)
    {
        var calls = new List<(long, CallReason)>();
        while (TicketRules.CallNext(window, waiting, CallPolicy.Default, Today, now) is { Value: { } choice })
        {
            calls.Add((choice.Ticket.Id, choice.Reason));
            waiting.Remove(choice.Ticket);
            window = window with { NormalsSincePriority = choice.NormalsSincePriority };
        }
        return calls;
    }

    [Test]
    public void A_booking_whose_slot_has_begun_is_called_before_walk_ins_who_came_earlier()
    {
        var waiting = new List<TicketFacts>
        {
            Waiting(1, ServiceA, At(9, 40)),
            Waiting(2, ServiceA, At(9, 45)),
            Booked(3, checkedIn: At(9, 50), slot: At(10, 0)),
        };

        var choice = TicketRules.CallNext(Window(normalsSincePriority: 1000), waiting, CallPolicy.Default, Today, At(10, 1)).Value!;

        Assert.That((choice.Ticket.Id, choice.Reason, choice.NormalsSincePriority), Is.EqualTo((3L, CallReason.Booked, 0)));
    }

    [Test]
    public void Before_its_slot_a_checked_in_booking_waits_as_a_walk_in_does()
    {
        var waiting = new List<TicketFacts>
        {
            Waiting(1, ServiceA, At(9, 40)),
            Booked(2, checkedIn: At(9, 42), slot: At(10, 30)),
            Waiting(3, ServiceA, At(9, 45)),
        };

        // At 10:05 its slot has not begun: it is called in its place by arrival, as a normal ticket.
        Assert.That(CallAll(Window(normalsSincePriority: 1000), waiting, At(10, 5)), Is.EqualTo(new[]
        {
            (1L, CallReason.InOrder), (2L, CallReason.InOrder), (3L, CallReason.InOrder),
        }));
    }

    [Test]
    public void Bookings_and_priority_tickets_share_one_turn_so_walk_ins_are_two_calls_in_three()
    {
        var waiting = new List<TicketFacts>();
        for (var i = 0; i < 6; i++)
        {
            waiting.Add(Waiting(10 + i, ServiceA, At(9, 30 + i)));
            waiting.Add(Booked(20 + i, checkedIn: At(9, 50), slot: At(10, 0)));
        }
        waiting.Add(Waiting(30, ServiceA, At(9, 55), PriorityClass.Elderly));

        var calls = CallAll(Window(normalsSincePriority: 1000), waiting, At(10, 10));

        Assert.That(calls.Take(9).Select(c => c.Reason), Is.EqualTo(new[]
        {
            CallReason.Priority, CallReason.InOrder, CallReason.InOrder,
            CallReason.Booked, CallReason.InOrder, CallReason.InOrder,
            CallReason.Booked, CallReason.InOrder, CallReason.InOrder,
        }), "one preferred ticket, then two walk-ins, while walk-ins wait");
        // Among the preferred, the order is by when each became preferred: the elderly citizen at 9:55, the bookings at 10:00.
        Assert.That(calls[0], Is.EqualTo((30L, CallReason.Priority)), "the priority ticket, preferred since 9:55, before bookings preferred since 10:00");
        Assert.That(calls.Select(c => c.Id), Is.EquivalentTo(new long[] { 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25, 30 }), "everyone is called");
    }

    [Test]
    public void A_walk_ins_people_ahead_count_the_bookings_that_will_go_first()
    {
        var waiting = new List<TicketFacts>
        {
            Booked(1, checkedIn: At(9, 50), slot: At(10, 0)),
            Booked(2, checkedIn: At(9, 51), slot: At(10, 0)),
            Waiting(3, ServiceA, At(9, 52)),
            Waiting(4, ServiceA, At(9, 53)),
            Waiting(5, ServiceA, At(9, 54)),
        };
        var walkIn = Waiting(6, ServiceA, At(10, 2));

        var position = TicketRules.Position(walkIn, [Window(normalsSincePriority: 1000)], waiting, CallPolicy.Default, Today, At(10, 2))!;

        // Calls: booking 1, 3, 4, booking 2, 5, then the newcomer.
        Assert.That(position.CallsBefore, Is.EqualTo(5));
    }

    /// <summary>One citizen of the simulated morning.</summary>
    private sealed record Citizen(long Id, bool Booking, DateTimeOffset Arrives, DateTimeOffset? Slot);

    /// <summary>
    /// A busy morning, minute by minute: two windows of one service, 8 minutes a citizen; eight walk-ins at 9:00 and one every
    /// six minutes after; two bookings per half-hour slot from 9:00 to 11:30, one checking in ten minutes before its slot and one
    /// five minutes after it begins. Each window calls the next as soon as it is free, with the real rule. Returns each
    /// citizen's wait (a booking's from the later of its arrival and its slot's start) and each window's calls.
    /// </summary>
    private static (Dictionary<long, double> Waits, List<List<(bool Preferred, bool WalkInWaiting)>> Calls) Morning(IReadOnlyList<Citizen> citizens, bool bookingRule)
    {
        var open = At(9, 0);
        var waits = new Dictionary<long, double>();
        var windows = new[] { Window(1, normalsSincePriority: 1000), Window(2, normalsSincePriority: 1000) };
        var freeAt = new[] { open, open };
        var calls = new List<List<(bool, bool)>> { new(), new() };
        var queued = new List<TicketFacts>();
        var byId = citizens.ToDictionary(c => c.Id);
        for (var now = open; waits.Count < citizens.Count; now = now.AddMinutes(1))
        {
            Assert.That(now, Is.LessThan(At(17, 0)), "the morning's queue never emptied");
            queued.AddRange(citizens.Where(c => c.Arrives == now || (c.Arrives < open && now == open))
                .Select(c => Waiting(c.Id, ServiceA, now) with { BookedFor = bookingRule ? c.Slot : null }));
            for (var w = 0; w < windows.Length; w++)
            {
                if (freeAt[w] > now || TicketRules.CallNext(windows[w], queued, CallPolicy.Default, Today, now) is not { Value: { } choice })
                {
                    continue;
                }
                var walkInWaiting = queued.Any(t => !t.IsPreferred(now));
                calls[w].Add((choice.Ticket.IsPreferred(now), walkInWaiting));
                queued.Remove(choice.Ticket);
                windows[w] = windows[w] with { NormalsSincePriority = choice.NormalsSincePriority };
                freeAt[w] = now.AddMinutes(8);
                var citizen = byId[choice.Ticket.Id];
                var from = citizen.Slot is { } slot && slot > citizen.Arrives ? slot : citizen.Arrives;
                waits[citizen.Id] = Math.Max(0, (now - from).TotalMinutes);
            }
        }
        return (waits, calls);
    }

    private static List<Citizen> MorningCitizens()
    {
        var citizens = new List<Citizen>();
        long id = 1;
        for (var i = 0; i < 8; i++)
        {
            citizens.Add(new(id++, false, At(9, 0), null));
        }
        for (var t = At(9, 6); t <= At(11, 30); t = t.AddMinutes(6))
        {
            citizens.Add(new(id++, false, t, null));
        }
        for (var slot = At(9, 0); slot <= At(11, 30); slot = slot.AddMinutes(30))
        {
            citizens.Add(new(id++, true, slot.AddMinutes(-10), slot));
            citizens.Add(new(id++, true, slot.AddMinutes(5), slot));
        }
        return citizens;
    }

    [Test]
    public void On_a_busy_morning_booked_citizens_wait_less_than_walk_ins_and_walk_ins_keep_two_calls_in_three()
    {
        var citizens = MorningCitizens();
        var (waits, calls) = Morning(citizens, bookingRule: true);
        var (plain, _) = Morning(citizens, bookingRule: false);
        double Mean(Dictionary<long, double> w, bool booking) => citizens.Where(c => c.Booking == booking).Average(c => w[c.Id]);
        double Max(Dictionary<long, double> w, bool booking) => citizens.Where(c => c.Booking == booking).Max(c => w[c.Id]);

        TestContext.Out.WriteLine($"{citizens.Count(c => !c.Booking)} walk-ins, {citizens.Count(c => c.Booking)} bookings, 2 windows at 8 min each");
        TestContext.Out.WriteLine("rule                      booked mean / max    walk-in mean / max (minutes)");
        TestContext.Out.WriteLine($"bookings go first         {Mean(waits, true),6:F1} / {Max(waits, true),4:F0}        {Mean(waits, false),6:F1} / {Max(waits, false),4:F0}");
        TestContext.Out.WriteLine($"first come, first served  {Mean(plain, true),6:F1} / {Max(plain, true),4:F0}        {Mean(plain, false),6:F1} / {Max(plain, false),4:F0}");

        Assert.Multiple(() =>
        {
            Assert.That(Mean(waits, true), Is.LessThan(Mean(waits, false) / 2), "booked citizens wait less than half as long as walk-ins");
            Assert.That(Max(waits, true), Is.LessThanOrEqualTo(15), "no booked citizen waits more than a quarter of an hour past their slot's start");
            Assert.That(Mean(waits, true), Is.LessThan(Mean(plain, true)), "it is the rule that shortens their wait: first come, first served they wait longer");
            Assert.That(Max(waits, false), Is.LessThan(Max(plain, false) + 25), "walk-ins pay for it in minutes, not hours");
            // Never two preferred calls in a row at a window while a walk-in waits: the 1 : 2 bound of priority tickets.
            foreach (var window in calls)
            {
                for (var i = 1; i < window.Count; i++)
                {
                    Assert.That(window[i].Preferred && window[i - 1].Preferred && window[i].WalkInWaiting, Is.False, $"call {i + 1}: two preferred in a row while a walk-in waited");
                }
            }
        });
    }
}
