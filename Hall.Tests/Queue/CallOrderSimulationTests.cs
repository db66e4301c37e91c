using Hall.Server.Contracts;
using Hall.Server.Queue;
using static Hall.Tests.Queue.QueueFixtures;

namespace Hall.Tests.Queue;

/// <summary>One window calls again and again until nobody waits for it; the order is what a person in the hall would expect.</summary>
public sealed class CallOrderSimulationTests
{
    private sealed record Queued(string Number, TicketFacts Ticket);

    private static Queued Q(string number, long id, int serviceId, DateTimeOffset queuedAt, PriorityClass priority = PriorityClass.Normal, bool transferred = false, int? targetWindowId = null, DateOnly? businessDate = null) =>
        new(number, Waiting(id, serviceId, queuedAt, priority, transferred, targetWindowId, businessDate));

    /// <summary>Calls next until the window finds nobody, feeding each call's normal count back into the window, as the service does.</summary>
    private static List<(string Number, CallReason Reason)> CallUntilNobodyWaits(WindowFacts window, IReadOnlyList<Queued> queue, Func<int, DateTimeOffset> clock, CallPolicy? policy = null)
    {
        var numbers = queue.ToDictionary(q => q.Ticket.Id, q => q.Number);
        var waiting = queue.Select(q => q.Ticket).ToList();
        var calls = new List<(string, CallReason)>();
        for (var call = 0; call <= queue.Count; call++)
        {
            var decision = TicketRules.CallNext(window, waiting, policy ?? CallPolicy.Default, Today, clock(call));
            if (decision.Refusal is { } refusal)
            {
                Assert.That(refusal, Is.EqualTo(Refusal.NobodyWaiting));
                return calls;
            }
            var choice = decision.Value!;
            calls.Add((numbers[choice.Ticket.Id], choice.Reason));
            waiting.Remove(choice.Ticket);
            window = window with { NormalsSincePriority = choice.NormalsSincePriority };
        }
        Assert.Fail("the window kept calling after the queue was empty");
        return calls;
    }

    [Test]
    public void A_fresh_window_interleaves_one_priority_after_every_two_normals()
    {
        var queue = new[]
        {
            Q("A001", 1, ServiceA, At(9, 30)),
            Q("A002", 2, ServiceA, At(9, 31)),
            Q("A003", 3, ServiceA, At(9, 32), PriorityClass.Elderly),
            Q("A004", 4, ServiceA, At(9, 33)),
            Q("A005", 5, ServiceA, At(9, 34)),
            Q("A006", 6, ServiceA, At(9, 35)),
            Q("A007", 7, ServiceA, At(9, 36), PriorityClass.Disabled),
            Q("A008", 8, ServiceA, At(9, 37), PriorityClass.Pregnant),
            Q("A009", 9, ServiceA, At(9, 38)),
            Q("A010", 10, ServiceA, At(9, 39)),
            Q("A011", 11, ServiceA, At(9, 40), PriorityClass.Military),
            Q("A012", 12, ServiceA, At(9, 41)),
        };

        var calls = CallUntilNobodyWaits(Window(normalsSincePriority: 1000), queue, _ => At(10, 0));

        Assert.That(calls.Select(c => c.Number), Is.EqualTo(new[]
        {
            "A003", "A001", "A002",
            "A007", "A004", "A005",
            "A008", "A006", "A009",
            "A011", "A010", "A012",
        }));
    }

    [Test]
    public void Priority_tickets_are_not_held_back_when_no_normal_ticket_waits()
    {
        var queue = new[]
        {
            Q("A001", 1, ServiceA, At(9, 30), PriorityClass.Elderly),
            Q("A002", 2, ServiceA, At(9, 31), PriorityClass.Elderly),
            Q("A003", 3, ServiceA, At(9, 32), PriorityClass.Elderly),
            Q("A004", 4, ServiceA, At(9, 33)),
        };

        var calls = CallUntilNobodyWaits(Window(normalsSincePriority: 1000), queue, _ => At(10, 0));

        Assert.That(calls.Select(c => c.Number), Is.EqualTo(new[] { "A001", "A004", "A002", "A003" }));
    }

    [Test]
    public void A_morning_at_a_window_serving_two_services()
    {
        // Window 1 serves A then B. One call every five minutes from 10:00; tickets age after 60 minutes.
        var queue = new[]
        {
            Q("A001", 1, ServiceA, At(9, 20)),
            Q("A002", 2, ServiceA, At(9, 25), PriorityClass.Elderly),
            Q("B001", 3, ServiceB, At(9, 2)),
            Q("A003", 4, ServiceA, At(9, 30)),
            Q("A004", 5, ServiceA, At(9, 35)),
            Q("B002", 6, ServiceB, At(9, 36), PriorityClass.Pregnant),
            Q("A005", 7, ServiceA, At(9, 40)),
            Q("A006", 8, ServiceA, At(9, 42), PriorityClass.Disabled),
            Q("B003", 9, ServiceB, At(9, 45)),
            Q("C001", 10, ServiceC, At(9, 10), transferred: true, targetWindowId: 1),
            Q("A007", 11, ServiceA, At(9, 50)),
            Q("C002", 12, ServiceC, At(9, 15)),
            Q("A099", 13, ServiceA, At(16, 0, date: Yesterday), businessDate: Yesterday),
        };

        var calls = CallUntilNobodyWaits(Window(id: 1, serviceIds: [ServiceA, ServiceB], normalsSincePriority: 1000), queue, call => At(10, 0).AddMinutes(5 * call));

        Assert.That(calls, Is.EqualTo(new[]
        {
            ("C001", CallReason.Transferred),
            ("B001", CallReason.Aged),
            ("A002", CallReason.Priority),
            ("A001", CallReason.InOrder),
            ("A003", CallReason.InOrder),
            ("A006", CallReason.Priority),
            ("A004", CallReason.InOrder),
            ("A005", CallReason.InOrder),
            ("B002", CallReason.Aged),
            ("B003", CallReason.Aged),
            ("A007", CallReason.Aged),
        }));
    }

    [Test]
    public void A_returning_no_show_is_called_after_the_three_tickets_ahead_of_it()
    {
        var ahead = new[]
        {
            Q("A002", 2, ServiceA, At(9, 30)),
            Q("A003", 3, ServiceA, At(9, 31)),
            Q("A004", 4, ServiceA, At(9, 32)),
            Q("A005", 5, ServiceA, At(9, 33)),
            Q("A006", 6, ServiceA, At(9, 34)),
        };
        var noShow = Waiting(1, ServiceA, At(9, 20)) with { State = TicketState.NoShow, WindowId = 1, CallCount = 3 };

        var requeued = TicketRules.Requeue(noShow, [.. ahead.Select(q => q.Ticket.QueuedAt)], placesBack: 3, Today, At(10, 0));
        var back = new Queued("A001", Waiting(1, ServiceA, requeued.Value));
        var calls = CallUntilNobodyWaits(Window(), [.. ahead, back], _ => At(10, 0));

        Assert.That(calls.Select(c => c.Number), Is.EqualTo(new[] { "A002", "A003", "A004", "A001", "A005", "A006" }));
    }
}
