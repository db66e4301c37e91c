using Hall.Server.Contracts;
using Hall.Server.Queue;
using static Hall.Tests.Queue.QueueFixtures;

namespace Hall.Tests.Queue;

public sealed class CallNextTests
{
    private static readonly CallPolicy Policy = CallPolicy.Default;

    private static Decision<CallChoice> CallNext(WindowFacts window, IReadOnlyList<TicketFacts> waiting, DateTimeOffset? now = null, CallPolicy? policy = null) =>
        TicketRules.CallNext(window, waiting, policy ?? Policy, Today, now ?? Now);

    private static long ChosenId(Decision<CallChoice> decision)
    {
        Assert.That(decision.Refusal, Is.Null, () => $"refused: {decision.Refusal?.Code}");
        return decision.Value!.Ticket.Id;
    }

    [Test]
    public void Call_next_takes_the_only_waiting_ticket()
    {
        var choice = CallNext(Window(), [Waiting(1, ServiceA, At(9, 30))]);

        Assert.That(ChosenId(choice), Is.EqualTo(1));
        Assert.That(choice.Value!.Reason, Is.EqualTo(CallReason.InOrder));
    }

    [Test]
    public void Call_next_takes_a_ticket_transferred_to_this_window_before_older_tickets()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(9, 10)),
            Waiting(2, ServiceC, At(9, 50), transferred: true, targetWindowId: 1),
        };

        var choice = CallNext(Window(id: 1), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(2));
        Assert.That(choice.Value!.Reason, Is.EqualTo(CallReason.Transferred));
    }

    [Test]
    public void Call_next_takes_a_ticket_transferred_into_one_of_its_services_first()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(9, 10)),
            Waiting(2, ServiceB, At(9, 50), transferred: true),
        };

        var choice = CallNext(Window(serviceIds: [ServiceA, ServiceB]), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(2));
        Assert.That(choice.Value!.Reason, Is.EqualTo(CallReason.Transferred));
    }

    [Test]
    public void Transferred_tickets_are_called_oldest_first()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(9, 40), transferred: true),
            Waiting(2, ServiceC, At(9, 20), transferred: true, targetWindowId: 1),
            Waiting(3, ServiceA, At(9, 30), transferred: true),
        };

        var choice = CallNext(Window(id: 1), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(2));
    }

    [Test]
    public void Call_next_never_takes_a_ticket_transferred_to_another_window()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(9, 10), transferred: true, targetWindowId: 2),
            Waiting(2, ServiceA, At(9, 50)),
        };

        var choice = CallNext(Window(id: 1), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(2));
    }

    [Test]
    public void Call_next_finds_nobody_when_the_only_ticket_is_sent_to_another_window()
    {
        var choice = CallNext(Window(id: 1), [Waiting(1, ServiceA, At(9, 10), transferred: true, targetWindowId: 2)]);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.NobodyWaiting));
    }

    [Test]
    public void Call_next_ignores_a_ticket_transferred_into_a_service_the_window_does_not_serve()
    {
        var choice = CallNext(Window(serviceIds: [ServiceA]), [Waiting(1, ServiceB, At(9, 10), transferred: true)]);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.NobodyWaiting));
    }

    [Test]
    public void A_transferred_ticket_goes_before_an_aged_ticket()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(8, 0)),
            Waiting(2, ServiceA, At(9, 50), transferred: true),
        };

        var choice = CallNext(Window(), waiting, now: At(10, 0));

        Assert.That(ChosenId(choice), Is.EqualTo(2));
    }

    [Test]
    public void A_ticket_past_the_ageing_bound_goes_before_a_priority_ticket_whose_turn_it_is()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(10, 30), PriorityClass.Elderly),
            Waiting(2, ServiceA, At(9, 55)),
        };

        var choice = CallNext(Window(normalsSincePriority: 1000), waiting, now: At(11, 0));

        Assert.That(ChosenId(choice), Is.EqualTo(2));
        Assert.That(choice.Value!.Reason, Is.EqualTo(CallReason.Aged));
    }

    [Test]
    public void An_aged_ticket_in_the_windows_last_service_goes_before_a_fresh_one_in_its_first()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(10, 50)),
            Waiting(2, ServiceB, At(9, 30)),
        };

        var choice = CallNext(Window(serviceIds: [ServiceA, ServiceB]), waiting, now: At(10, 55));

        Assert.That(ChosenId(choice), Is.EqualTo(2));
        Assert.That(choice.Value!.Reason, Is.EqualTo(CallReason.Aged));
    }

    [Test]
    public void Aged_tickets_are_called_oldest_first()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(9, 20)),
            Waiting(2, ServiceB, At(9, 5)),
            Waiting(3, ServiceA, At(9, 10)),
        };

        var choice = CallNext(Window(serviceIds: [ServiceA, ServiceB]), waiting, now: At(11, 0));

        Assert.That(ChosenId(choice), Is.EqualTo(2));
    }

    [Test]
    public void A_ticket_waiting_exactly_the_ageing_bound_is_aged()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceB, At(9, 0)),
            Waiting(2, ServiceA, At(9, 30)),
        };

        var choice = CallNext(Window(serviceIds: [ServiceA, ServiceB]), waiting, now: At(10, 0));

        Assert.That(ChosenId(choice), Is.EqualTo(1));
        Assert.That(choice.Value!.Reason, Is.EqualTo(CallReason.Aged));
    }

    [Test]
    public void A_ticket_one_second_short_of_the_ageing_bound_keeps_its_service_order()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceB, At(9, 0, 1)),
            Waiting(2, ServiceA, At(9, 30)),
        };

        var choice = CallNext(Window(serviceIds: [ServiceA, ServiceB]), waiting, now: At(10, 0));

        Assert.That(ChosenId(choice), Is.EqualTo(2));
        Assert.That(choice.Value!.Reason, Is.EqualTo(CallReason.InOrder));
    }

    [Test]
    public void A_new_window_calls_a_waiting_priority_ticket_first()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(9, 10)),
            Waiting(2, ServiceA, At(9, 50), PriorityClass.Pregnant),
        };

        var choice = CallNext(Window(normalsSincePriority: 1000), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(2));
        Assert.That(choice.Value!.Reason, Is.EqualTo(CallReason.Priority));
    }

    [Test]
    public void A_priority_ticket_waits_while_the_window_has_called_fewer_normals_than_the_ratio()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(9, 10), PriorityClass.Elderly),
            Waiting(2, ServiceA, At(9, 50)),
        };

        var choice = CallNext(Window(normalsSincePriority: 1), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(2));
        Assert.That(choice.Value!.Reason, Is.EqualTo(CallReason.InOrder));
    }

    [Test]
    public void A_priority_ticket_is_called_after_the_ratio_of_normals()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(9, 10)),
            Waiting(2, ServiceA, At(9, 50), PriorityClass.Military),
        };

        var choice = CallNext(Window(normalsSincePriority: 2), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(2));
        Assert.That(choice.Value!.Reason, Is.EqualTo(CallReason.Priority));
    }

    [Test]
    public void Calling_a_priority_ticket_resets_the_windows_normal_count()
    {
        var choice = CallNext(Window(normalsSincePriority: 2), [Waiting(1, ServiceA, At(9, 10), PriorityClass.Disabled)]);

        Assert.That(choice.Value!.NormalsSincePriority, Is.Zero);
    }

    [Test]
    public void Calling_a_normal_ticket_adds_one_to_the_windows_normal_count()
    {
        var choice = CallNext(Window(normalsSincePriority: 1), [Waiting(1, ServiceA, At(9, 10))]);

        Assert.That(choice.Value!.NormalsSincePriority, Is.EqualTo(2));
    }

    [Test]
    public void The_normal_count_of_a_new_window_does_not_grow_without_bound()
    {
        var choice = CallNext(Window(normalsSincePriority: 1000), [Waiting(1, ServiceA, At(9, 10))]);

        Assert.That(choice.Value!.NormalsSincePriority, Is.EqualTo(1000));
    }

    [Test]
    public void A_priority_ticket_is_called_when_no_normal_ticket_waits_even_before_its_turn()
    {
        var choice = CallNext(Window(normalsSincePriority: 0), [Waiting(1, ServiceA, At(9, 10), PriorityClass.Elderly)]);

        Assert.That(ChosenId(choice), Is.EqualTo(1));
        Assert.That(choice.Value!.NormalsSincePriority, Is.Zero);
    }

    [Test]
    public void The_priority_turn_is_counted_per_window()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(9, 10)),
            Waiting(2, ServiceA, At(9, 20), PriorityClass.Elderly),
        };

        var busyWindow = CallNext(Window(id: 1, normalsSincePriority: 2), waiting);
        var windowThatJustCalledPriority = CallNext(Window(id: 2, normalsSincePriority: 0), waiting);

        Assert.That(ChosenId(busyWindow), Is.EqualTo(2));
        Assert.That(ChosenId(windowThatJustCalledPriority), Is.EqualTo(1));
    }

    [Test]
    public void With_a_ratio_of_one_priority_and_normal_alternate()
    {
        var policy = CallPolicy.Default with { NormalPerPriority = 1 };

        var choice = CallNext(Window(normalsSincePriority: 1), [Waiting(1, ServiceA, At(9, 10)), Waiting(2, ServiceA, At(9, 20), PriorityClass.Elderly)], policy: policy);

        Assert.That(ChosenId(choice), Is.EqualTo(2));
    }

    [Test]
    public void The_windows_first_service_is_served_before_its_second_whatever_the_arrival()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(9, 10)),
            Waiting(2, ServiceB, At(9, 50)),
        };

        var choice = CallNext(Window(serviceIds: [ServiceB, ServiceA]), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(2));
    }

    [Test]
    public void The_second_service_is_served_when_the_first_has_nobody()
    {
        var waiting = new[] { Waiting(1, ServiceB, At(9, 50)) };

        var choice = CallNext(Window(serviceIds: [ServiceA, ServiceB]), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(1));
    }

    [Test]
    public void Within_a_service_the_first_to_come_is_the_first_called()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(9, 40)),
            Waiting(2, ServiceA, At(9, 20)),
            Waiting(3, ServiceA, At(9, 30)),
        };

        var choice = CallNext(Window(), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(2));
    }

    [Test]
    public void Tickets_queued_at_the_same_moment_are_called_by_id()
    {
        var waiting = new[]
        {
            Waiting(8, ServiceA, At(9, 30)),
            Waiting(5, ServiceA, At(9, 30)),
        };

        var choice = CallNext(Window(), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(5));
    }

    [Test]
    public void The_priority_turn_takes_the_priority_ticket_of_the_windows_first_service()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceB, At(9, 10), PriorityClass.Elderly),
            Waiting(2, ServiceA, At(9, 40), PriorityClass.Disabled),
            Waiting(3, ServiceA, At(9, 5)),
        };

        var choice = CallNext(Window(serviceIds: [ServiceA, ServiceB], normalsSincePriority: 2), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(2));
    }

    [Test]
    public void Yesterdays_waiting_tickets_are_never_called()
    {
        var waiting = new[]
        {
            Waiting(1, ServiceA, At(9, 10, date: Yesterday), businessDate: Yesterday),
            Waiting(2, ServiceA, At(9, 50)),
        };

        var choice = CallNext(Window(), waiting);

        Assert.That(ChosenId(choice), Is.EqualTo(2));
    }

    [Test]
    public void Call_next_finds_nobody_when_only_yesterdays_tickets_wait()
    {
        var choice = CallNext(Window(), [Waiting(1, ServiceA, At(15, 0, date: Yesterday), businessDate: Yesterday)]);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.NobodyWaiting));
    }

    [Test]
    public void Call_next_ignores_tickets_that_are_no_longer_waiting()
    {
        var noShow = Waiting(1, ServiceA, At(9, 10)) with { State = TicketState.NoShow };
        var calledElsewhere = Waiting(2, ServiceA, At(9, 20)) with { State = TicketState.Called, WindowId = 2 };

        var choice = CallNext(Window(), [noShow, calledElsewhere, Waiting(3, ServiceA, At(9, 30))]);

        Assert.That(ChosenId(choice), Is.EqualTo(3));
    }

    [Test]
    public void Call_next_ignores_services_the_window_does_not_serve()
    {
        var choice = CallNext(Window(serviceIds: [ServiceA]), [Waiting(1, ServiceB, At(9, 10))]);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.NobodyWaiting));
    }

    [Test]
    public void Call_next_finds_nobody_in_an_empty_queue()
    {
        var choice = CallNext(Window(), []);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.NobodyWaiting));
        Assert.That(choice.Value, Is.Null);
    }

    [Test]
    public void Call_next_refuses_a_paused_window()
    {
        var choice = CallNext(Window(status: WindowStatus.Paused), [Waiting(1, ServiceA, At(9, 10))]);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.WindowPaused));
    }

    [Test]
    public void Call_next_refuses_a_closed_window()
    {
        var choice = CallNext(Window(status: WindowStatus.Closed), [Waiting(1, ServiceA, At(9, 10))]);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.WindowClosed));
    }

    [Test]
    public void Call_next_refuses_while_the_window_is_serving_a_ticket()
    {
        var choice = CallNext(Window(current: Serving(9, windowId: 1)), [Waiting(1, ServiceA, At(9, 10))]);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.WindowBusy));
    }

    [Test]
    public void Call_next_refuses_while_the_called_ticket_still_has_calls_left()
    {
        var choice = CallNext(Window(current: Called(9, windowId: 1, callCount: 2)), [Waiting(1, ServiceA, At(9, 10))]);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.WindowBusy));
    }

    [Test]
    public void Call_next_closes_a_ticket_called_three_times_as_a_no_show()
    {
        var current = Called(9, windowId: 1, callCount: 3);

        var choice = CallNext(Window(current: current), [Waiting(1, ServiceA, At(9, 10))]);

        Assert.That(ChosenId(choice), Is.EqualTo(1));
        Assert.That(choice.Value!.AutoNoShow, Is.EqualTo(current));
    }

    [Test]
    public void Call_next_from_an_idle_window_closes_nothing_as_a_no_show()
    {
        var choice = CallNext(Window(current: null), [Waiting(1, ServiceA, At(9, 10))]);

        Assert.That(choice.Value!.AutoNoShow, Is.Null);
    }

    [Test]
    public void Call_next_refuses_a_serving_ticket_however_often_it_was_called()
    {
        var serving = Serving(9, windowId: 1) with { CallCount = 3 };

        var choice = CallNext(Window(current: serving), [Waiting(1, ServiceA, At(9, 10))]);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.WindowBusy));
    }

    [Test]
    public void Without_automatic_no_show_a_called_ticket_keeps_the_window_busy()
    {
        var policy = CallPolicy.Default with { AutoNoShowAfterCalls = 0 };

        var choice = CallNext(Window(current: Called(9, windowId: 1, callCount: 5)), [Waiting(1, ServiceA, At(9, 10))], policy: policy);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.WindowBusy));
    }

    [Test]
    public void A_paused_window_is_refused_before_looking_at_its_current_ticket()
    {
        var choice = CallNext(Window(status: WindowStatus.Paused, current: Serving(9, windowId: 1)), [Waiting(1, ServiceA, At(9, 10))]);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.WindowPaused));
    }
}
