using Hall.Server.Contracts;
using Hall.Server.Queue;
using static Hall.Tests.Queue.QueueFixtures;

namespace Hall.Tests.Queue;

public sealed class TicketLifecycleTests
{
    private static readonly CallPolicy Policy = CallPolicy.Default;

    private static readonly IReadOnlyList<string> Outcomes = ["办结", "已受理", "补正材料", "退回补正", "不予受理", "咨询"];

    [Test]
    public void Call_ticket_calls_a_waiting_ticket_of_a_service_the_window_does_not_serve()
    {
        var ticket = Waiting(4, ServiceC, At(9, 30));

        var choice = TicketRules.CallTicket(Window(serviceIds: [ServiceA]), ticket, Policy, Today, Now);

        Assert.That(choice.Value!.Ticket, Is.EqualTo(ticket));
        Assert.That(choice.Value.Reason, Is.EqualTo(CallReason.Specific));
    }

    [Test]
    public void Call_ticket_refuses_a_ticket_that_is_not_waiting()
    {
        var choice = TicketRules.CallTicket(Window(), Ticket(4, TicketState.NoShow), Policy, Today, Now);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.TicketNotWaiting));
    }

    [Test]
    public void Call_ticket_refuses_yesterdays_ticket()
    {
        var choice = TicketRules.CallTicket(Window(), Waiting(4, ServiceA, At(9, 30, date: Yesterday), businessDate: Yesterday), Policy, Today, Now);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.TicketFromAnotherDay));
    }

    [Test]
    public void Call_ticket_refuses_a_paused_window()
    {
        var choice = TicketRules.CallTicket(Window(status: WindowStatus.Paused), Waiting(4, ServiceA, At(9, 30)), Policy, Today, Now);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.WindowPaused));
    }

    [Test]
    public void Call_ticket_refuses_a_busy_window()
    {
        var choice = TicketRules.CallTicket(Window(current: Serving(9, windowId: 1)), Waiting(4, ServiceA, At(9, 30)), Policy, Today, Now);

        Assert.That(choice.Refusal, Is.EqualTo(Refusal.WindowBusy));
    }

    [Test]
    public void Call_ticket_closes_a_ticket_called_three_times_as_a_no_show()
    {
        var current = Called(9, windowId: 1, callCount: 3);

        var choice = TicketRules.CallTicket(Window(current: current), Waiting(4, ServiceA, At(9, 30)), Policy, Today, Now);

        Assert.That(choice.Value!.AutoNoShow, Is.EqualTo(current));
    }

    [Test]
    public void Calling_a_priority_ticket_by_number_resets_the_windows_normal_count()
    {
        var choice = TicketRules.CallTicket(Window(normalsSincePriority: 1), Waiting(4, ServiceA, At(9, 30), PriorityClass.Elderly), Policy, Today, Now);

        Assert.That(choice.Value!.NormalsSincePriority, Is.Zero);
    }

    [Test]
    public void Calling_a_normal_ticket_by_number_counts_as_a_normal()
    {
        var choice = TicketRules.CallTicket(Window(normalsSincePriority: 1), Waiting(4, ServiceA, At(9, 30)), Policy, Today, Now);

        Assert.That(choice.Value!.NormalsSincePriority, Is.EqualTo(2));
    }

    [TestCase(1)]
    [TestCase(2)]
    public void Recall_is_allowed_while_recalls_are_left(int callCount)
    {
        Assert.That(TicketRules.Recall(Window(id: 1), Called(4, windowId: 1, callCount), Policy), Is.Null);
    }

    [Test]
    public void Recall_refuses_after_the_maximum_number_of_recalls()
    {
        // First call plus two recalls.
        var refusal = TicketRules.Recall(Window(id: 1), Called(4, windowId: 1, callCount: 3), Policy);

        Assert.That(refusal, Is.EqualTo(Refusal.RecallLimitReached));
    }

    [Test]
    public void Recall_refuses_every_recall_when_the_hall_allows_none()
    {
        var refusal = TicketRules.Recall(Window(id: 1), Called(4, windowId: 1, callCount: 1), Policy with { MaxRecalls = 0 });

        Assert.That(refusal, Is.EqualTo(Refusal.RecallLimitReached));
    }

    [Test]
    public void Recall_refuses_a_ticket_called_to_another_window()
    {
        var refusal = TicketRules.Recall(Window(id: 1), Called(4, windowId: 2), Policy);

        Assert.That(refusal, Is.EqualTo(Refusal.TicketNotCalled));
    }

    [Test]
    public void Recall_refuses_a_ticket_already_being_served()
    {
        var refusal = TicketRules.Recall(Window(id: 1), Serving(4, windowId: 1), Policy);

        Assert.That(refusal, Is.EqualTo(Refusal.TicketNotCalled));
    }

    [Test]
    public void Recall_refuses_a_closed_window()
    {
        var refusal = TicketRules.Recall(Window(id: 1, status: WindowStatus.Closed), Called(4, windowId: 1), Policy);

        Assert.That(refusal, Is.EqualTo(Refusal.WindowClosed));
    }

    [Test]
    public void No_show_closes_a_ticket_called_to_this_window()
    {
        Assert.That(TicketRules.NoShow(Window(id: 1), Called(4, windowId: 1)), Is.Null);
    }

    [Test]
    public void No_show_refuses_a_ticket_called_to_another_window()
    {
        Assert.That(TicketRules.NoShow(Window(id: 1), Called(4, windowId: 2)), Is.EqualTo(Refusal.TicketNotCalled));
    }

    [Test]
    public void No_show_refuses_a_ticket_being_served()
    {
        Assert.That(TicketRules.NoShow(Window(id: 1), Serving(4, windowId: 1)), Is.EqualTo(Refusal.TicketNotCalled));
    }

    [Test]
    public void Start_serves_a_ticket_called_to_this_window()
    {
        Assert.That(TicketRules.Start(Window(id: 1), Called(4, windowId: 1)), Is.Null);
    }

    [Test]
    public void Start_refuses_a_ticket_still_waiting()
    {
        Assert.That(TicketRules.Start(Window(id: 1), Waiting(4, ServiceA, At(9, 30))), Is.EqualTo(Refusal.TicketNotCalled));
    }

    [Test]
    public void Start_refuses_a_ticket_called_to_another_window()
    {
        Assert.That(TicketRules.Start(Window(id: 1), Called(4, windowId: 2)), Is.EqualTo(Refusal.TicketNotCalled));
    }

    [Test]
    public void Finish_accepts_an_outcome_from_the_halls_list()
    {
        Assert.That(TicketRules.Finish(Window(id: 1), Serving(4, windowId: 1), "补正材料", AcceptanceMode.Normal, Outcomes), Is.Null);
    }

    [Test]
    public void Finish_refuses_an_outcome_not_in_the_halls_list()
    {
        Assert.That(TicketRules.Finish(Window(id: 1), Serving(4, windowId: 1), "随便", AcceptanceMode.Normal, Outcomes), Is.EqualTo(Refusal.UnknownOutcome));
    }

    [Test]
    public void Finish_refuses_a_ticket_only_called()
    {
        Assert.That(TicketRules.Finish(Window(id: 1), Called(4, windowId: 1), "办结", AcceptanceMode.Normal, Outcomes), Is.EqualTo(Refusal.TicketNotServing));
    }

    [TestCase(AcceptanceMode.MaterialsToFollow, null, 1, "missing_materials_required")]
    [TestCase(AcceptanceMode.MaterialsToFollow, "  ", 1, "missing_materials_required")]
    [TestCase(AcceptanceMode.MaterialsToFollow, "户口簿复印件", null, "correction_deadline_required")]
    [TestCase(AcceptanceMode.OnPromise, null, null, "promise_deadline_required")]
    [TestCase(AcceptanceMode.MaterialsToFollow, "户口簿复印件", -1, "deadline_in_the_past")]
    [TestCase(AcceptanceMode.OnPromise, null, -1, "deadline_in_the_past")]
    [TestCase(AcceptanceMode.MaterialsToFollow, "户口簿复印件", 0, null)]
    [TestCase(AcceptanceMode.OnPromise, null, 30, null)]
    [TestCase(AcceptanceMode.Normal, null, null, null)]
    public void Finish_with_materials_to_follow_or_a_promise_needs_its_details(AcceptanceMode acceptance, string? materials, int? daysFromToday, string? refusal)
    {
        var details = new FinishDetails(materials, daysFromToday is { } days ? Today.AddDays(days) : null, "备注");

        Assert.That(TicketRules.FinishDetails(acceptance, details, Today)?.Code, Is.EqualTo(refusal));
    }

    [TestCase("办结", AcceptanceMode.MaterialsToFollow, null)]
    [TestCase("已受理", AcceptanceMode.OnPromise, null)]
    [TestCase("咨询", AcceptanceMode.Normal, null)]
    [TestCase("咨询", AcceptanceMode.OnPromise, "acceptance_without_case")]
    [TestCase("退回补正", AcceptanceMode.MaterialsToFollow, "acceptance_without_case")]
    [TestCase("不予受理", AcceptanceMode.OnPromise, "acceptance_without_case")]
    [TestCase("办结", (AcceptanceMode)7, "invalid_command")]
    public void Acceptance_goes_only_with_an_outcome_that_accepts_a_case(string outcome, AcceptanceMode acceptance, string? refusal)
    {
        Assert.That(TicketRules.Finish(Window(id: 1), Serving(4, windowId: 1), outcome, acceptance, Outcomes)?.Code, Is.EqualTo(refusal));
    }

    [Test]
    public void Finish_with_materials_to_follow_refuses_a_missing_form()
    {
        Assert.That(TicketRules.FinishDetails(AcceptanceMode.MaterialsToFollow, null, Today), Is.EqualTo(Refusal.MissingMaterialsRequired));
    }

    [Test]
    public void Finish_with_materials_to_follow_refuses_a_note_too_long()
    {
        var details = new FinishDetails("户口簿复印件", Today, new string('长', TicketRules.MaxTextLength + 1));

        Assert.That(TicketRules.FinishDetails(AcceptanceMode.MaterialsToFollow, details, Today), Is.EqualTo(Refusal.TextTooLong));
    }

    [Test]
    public void Finish_refuses_a_ticket_served_at_another_window()
    {
        Assert.That(TicketRules.Finish(Window(id: 1), Serving(4, windowId: 2), "办结", AcceptanceMode.Normal, Outcomes), Is.EqualTo(Refusal.TicketNotServing));
    }

    [Test]
    public void Requeue_refuses_a_ticket_that_is_not_a_no_show()
    {
        var requeued = TicketRules.Requeue(Called(4, windowId: 1), [], 3, Today, Now);

        Assert.That(requeued.Refusal, Is.EqualTo(Refusal.TicketNotNoShow));
    }

    [Test]
    public void Requeue_refuses_yesterdays_no_show()
    {
        var requeued = TicketRules.Requeue(Ticket(4, TicketState.NoShow, businessDate: Yesterday), [], 3, Today, Now);

        Assert.That(requeued.Refusal, Is.EqualTo(Refusal.TicketFromAnotherDay));
    }

    [Test]
    public void Requeue_places_the_no_show_behind_the_third_waiting_ticket()
    {
        // Given out of order, as a caller might.
        IReadOnlyList<DateTimeOffset> waiting = [At(9, 34), At(9, 31), At(9, 33), At(9, 30), At(9, 32)];

        var requeued = TicketRules.Requeue(Ticket(4, TicketState.NoShow), waiting, 3, Today, Now);

        Assert.That(requeued.Value, Is.GreaterThan(At(9, 32)));
        Assert.That(requeued.Value, Is.LessThan(At(9, 33)));
    }

    [Test]
    public void Requeue_places_the_no_show_behind_the_last_when_exactly_that_many_wait()
    {
        var requeued = TicketRules.Requeue(Ticket(4, TicketState.NoShow), [At(9, 30), At(9, 31), At(9, 32)], 3, Today, Now);

        Assert.That(requeued.Value, Is.GreaterThan(At(9, 32)));
        Assert.That(requeued.Value, Is.LessThan(Now));
    }

    [Test]
    public void Requeue_places_the_no_show_at_the_end_when_fewer_wait()
    {
        var requeued = TicketRules.Requeue(Ticket(4, TicketState.NoShow), [At(9, 30), At(9, 31)], 3, Today, Now);

        Assert.That(requeued.Value, Is.EqualTo(Now));
    }

    [Test]
    public void Requeue_places_the_no_show_at_the_end_when_nobody_waits()
    {
        var requeued = TicketRules.Requeue(Ticket(4, TicketState.NoShow), [], 3, Today, Now);

        Assert.That(requeued.Value, Is.EqualTo(Now));
    }

    [Test]
    public void Requeue_with_no_places_back_puts_the_no_show_at_the_head()
    {
        var requeued = TicketRules.Requeue(Ticket(4, TicketState.NoShow), [At(9, 31), At(9, 30)], 0, Today, Now);

        Assert.That(requeued.Value, Is.LessThan(At(9, 30)));
        Assert.That(requeued.Value, Is.GreaterThan(At(9, 29)));
    }

    [Test]
    public void Transfer_refuses_without_a_target()
    {
        var refusal = TicketRules.Transfer(Window(id: 1), Called(4, windowId: 1), toServiceId: null, toWindowId: null, Today);

        Assert.That(refusal, Is.EqualTo(Refusal.TransferTargetMissing));
    }

    [Test]
    public void Transfer_refuses_two_targets()
    {
        var refusal = TicketRules.Transfer(Window(id: 1), Called(4, windowId: 1), toServiceId: ServiceB, toWindowId: 2, Today);

        Assert.That(refusal, Is.EqualTo(Refusal.TransferTargetMissing));
    }

    [Test]
    public void A_window_transfers_its_called_ticket_to_another_service()
    {
        var refusal = TicketRules.Transfer(Window(id: 1), Called(4, windowId: 1), toServiceId: ServiceB, toWindowId: null, Today);

        Assert.That(refusal, Is.Null);
    }

    [Test]
    public void A_window_transfers_the_ticket_it_is_serving_to_another_window()
    {
        var refusal = TicketRules.Transfer(Window(id: 1), Serving(4, windowId: 1), toServiceId: null, toWindowId: 2, Today);

        Assert.That(refusal, Is.Null);
    }

    [Test]
    public void A_window_cannot_transfer_a_ticket_called_to_another_window()
    {
        var refusal = TicketRules.Transfer(Window(id: 1), Called(4, windowId: 2), toServiceId: ServiceB, toWindowId: null, Today);

        Assert.That(refusal, Is.EqualTo(Refusal.TicketNotCalled));
    }

    [Test]
    public void A_window_cannot_transfer_a_ticket_still_waiting()
    {
        var refusal = TicketRules.Transfer(Window(id: 1), Waiting(4, ServiceA, At(9, 30)), toServiceId: ServiceB, toWindowId: null, Today);

        Assert.That(refusal, Is.EqualTo(Refusal.TicketNotCalled));
    }

    [Test]
    public void A_supervisor_transfers_a_waiting_ticket_to_another_service()
    {
        var refusal = TicketRules.Transfer(null, Waiting(4, ServiceA, At(9, 30)), toServiceId: ServiceB, toWindowId: null, Today);

        Assert.That(refusal, Is.Null);
    }

    [Test]
    public void A_supervisor_sends_a_waiting_ticket_to_a_window()
    {
        var refusal = TicketRules.Transfer(null, Waiting(4, ServiceA, At(9, 30)), toServiceId: null, toWindowId: 2, Today);

        Assert.That(refusal, Is.Null);
    }

    [Test]
    public void A_supervisor_cannot_transfer_a_ticket_that_is_not_waiting()
    {
        var refusal = TicketRules.Transfer(null, Called(4, windowId: 1), toServiceId: ServiceB, toWindowId: null, Today);

        Assert.That(refusal, Is.EqualTo(Refusal.TicketNotWaiting));
    }

    [Test]
    public void A_supervisor_cannot_transfer_a_ticket_into_its_own_service()
    {
        var refusal = TicketRules.Transfer(null, Waiting(4, ServiceA, At(9, 30)), toServiceId: ServiceA, toWindowId: null, Today);

        Assert.That(refusal, Is.EqualTo(Refusal.TransferToSameService));
    }

    [Test]
    public void Transfer_refuses_yesterdays_ticket()
    {
        var refusal = TicketRules.Transfer(null, Waiting(4, ServiceA, At(9, 30, date: Yesterday), businessDate: Yesterday), toServiceId: ServiceB, toWindowId: null, Today);

        Assert.That(refusal, Is.EqualTo(Refusal.TicketFromAnotherDay));
    }

    [TestCase(TicketState.Waiting)]
    [TestCase(TicketState.Called)]
    [TestCase(TicketState.NoShow)]
    public void Cancel_accepts_an_open_ticket_with_a_reason(TicketState state)
    {
        Assert.That(TicketRules.Cancel(Ticket(4, state, windowId: 1), "群众主动放弃"), Is.Null);
    }

    [TestCase(TicketState.Finished)]
    [TestCase(TicketState.Cancelled)]
    [TestCase(TicketState.Voided)]
    public void Cancel_refuses_a_closed_ticket(TicketState state)
    {
        Assert.That(TicketRules.Cancel(Ticket(4, state), "重复取号"), Is.EqualTo(Refusal.TicketClosed));
    }

    [Test]
    public void Cancel_refuses_a_ticket_being_served()
    {
        Assert.That(TicketRules.Cancel(Serving(4, windowId: 1), "群众主动放弃"), Is.EqualTo(Refusal.TicketInService));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void Cancel_requires_a_reason(string? reason)
    {
        Assert.That(TicketRules.Cancel(Waiting(4, ServiceA, At(9, 30)), reason), Is.EqualTo(Refusal.ReasonRequired));
    }

    [Test]
    public void Cancel_accepts_a_reason_of_exactly_the_maximum_length()
    {
        Assert.That(TicketRules.Cancel(Waiting(4, ServiceA, At(9, 30)), new string('因', TicketRules.MaxTextLength)), Is.Null);
    }

    [Test]
    public void Cancel_refuses_a_reason_longer_than_the_maximum()
    {
        var refusal = TicketRules.Cancel(Waiting(4, ServiceA, At(9, 30)), new string('因', TicketRules.MaxTextLength + 1));

        Assert.That(refusal, Is.EqualTo(Refusal.TextTooLong));
    }

    [TestCase(0, true)]
    [TestCase(23 * 60 + 59, true)]
    [TestCase(24 * 60, true)]
    [TestCase(24 * 60 + 1, false)]
    [TestCase(30 * 24 * 60, false)]
    public void A_rating_is_taken_only_within_the_limit_after_finishing(int minutesLater, bool taken)
    {
        var finished = new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));
        var refusal = TicketRules.RatingInTime(finished, finished.AddMinutes(minutesLater), TimeSpan.FromHours(24));
        Assert.That(refusal, taken ? Is.Null : Is.EqualTo(Refusal.RatingTooLate));
    }

    [TestCase(RatingLevel.VeryDissatisfied)]
    [TestCase(RatingLevel.Dissatisfied)]
    [TestCase(RatingLevel.Basic)]
    [TestCase(RatingLevel.Satisfied)]
    [TestCase(RatingLevel.VerySatisfied)]
    public void Rate_accepts_each_of_the_five_levels_for_a_finished_ticket(RatingLevel level)
    {
        Assert.That(TicketRules.Rate(Ticket(4, TicketState.Finished), alreadyRated: false, level, reasons: null), Is.Null);
    }

    [TestCase(0)]
    [TestCase(6)]
    [TestCase(-1)]
    public void Rate_refuses_a_level_outside_one_to_five(int level)
    {
        var refusal = TicketRules.Rate(Ticket(4, TicketState.Finished), alreadyRated: false, (RatingLevel)level, reasons: null);

        Assert.That(refusal, Is.EqualTo(Refusal.InvalidRatingLevel));
    }

    [TestCase(TicketState.Waiting)]
    [TestCase(TicketState.Serving)]
    [TestCase(TicketState.Cancelled)]
    public void Rate_refuses_a_ticket_that_is_not_finished(TicketState state)
    {
        var refusal = TicketRules.Rate(Ticket(4, state), alreadyRated: false, RatingLevel.Satisfied, reasons: null);

        Assert.That(refusal, Is.EqualTo(Refusal.TicketNotFinished));
    }

    [Test]
    public void Rate_refuses_a_second_rating()
    {
        var refusal = TicketRules.Rate(Ticket(4, TicketState.Finished), alreadyRated: true, RatingLevel.Satisfied, reasons: null);

        Assert.That(refusal, Is.EqualTo(Refusal.AlreadyRated));
    }

    [Test]
    public void Rate_accepts_every_national_reason_with_a_bad_level()
    {
        var reasons = RatingReasons.National.Select(r => r.Zh).ToList();

        Assert.That(reasons, Has.Count.EqualTo(9));
        Assert.That(TicketRules.Rate(Ticket(4, TicketState.Finished), alreadyRated: false, RatingLevel.VeryDissatisfied, reasons), Is.Null);
    }

    [Test]
    public void Rate_refuses_a_reason_of_its_own_and_reasons_with_a_good_level()
    {
        Assert.That(TicketRules.Rate(Ticket(4, TicketState.Finished), alreadyRated: false, RatingLevel.Dissatisfied, ["等候时间长", "空调太冷"]), Is.EqualTo(Refusal.UnknownRatingReason));
        Assert.That(TicketRules.Rate(Ticket(4, TicketState.Finished), alreadyRated: false, RatingLevel.Basic, ["等候时间长"]), Is.EqualTo(Refusal.ReasonsOnlyForBadRating));
    }

    [Test]
    public void Rate_refuses_more_than_twenty_reasons()
    {
        var reasons = Enumerable.Range(1, 21).Select(i => $"原因{i}").ToList();

        var refusal = TicketRules.Rate(Ticket(4, TicketState.Finished), alreadyRated: false, RatingLevel.Dissatisfied, reasons);

        Assert.That(refusal, Is.EqualTo(Refusal.TextTooLong));
    }

    [Test]
    public void Rate_refuses_a_reason_longer_than_the_maximum()
    {
        var refusal = TicketRules.Rate(Ticket(4, TicketState.Finished), alreadyRated: false, RatingLevel.Dissatisfied, [new string('慢', TicketRules.MaxTextLength + 1)]);

        Assert.That(refusal, Is.EqualTo(Refusal.TextTooLong));
    }

    [Test]
    public void Rate_refuses_a_blank_reason()
    {
        var refusal = TicketRules.Rate(Ticket(4, TicketState.Finished), alreadyRated: false, RatingLevel.Dissatisfied, ["  "]);

        Assert.That(refusal, Is.EqualTo(Refusal.ReasonRequired));
    }
}
