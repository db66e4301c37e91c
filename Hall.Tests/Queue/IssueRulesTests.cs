using Hall.Server.Contracts;
using Hall.Server.Queue;
using static Hall.Tests.Queue.QueueFixtures;

namespace Hall.Tests.Queue;

public sealed class IssueRulesTests
{
    private static Decision<NewTicket> Issue(
        ServiceFacts? service = null,
        PriorityClass priority = PriorityClass.Normal,
        HallCalendar? calendar = null,
        int lastNumberToday = 0,
        int callsBefore = 0,
        int windows = 1,
        QueueRate? rate = null,
        DateTimeOffset? now = null) =>
        TicketRules.Issue(service ?? Service(), priority, calendar ?? Calendar(), lastNumberToday, new QueuePosition(callsBefore, windows), rate ?? QuietRate(), now ?? Now);

    [Test]
    public void The_first_ticket_of_the_day_is_number_001()
    {
        var issued = Issue(lastNumberToday: 0);

        Assert.That(issued.Refusal, Is.Null);
        Assert.That(issued.Value!.Number, Is.EqualTo("A001"));
        Assert.That(issued.Value.Sequence, Is.EqualTo(1));
    }

    [Test]
    public void The_number_is_the_service_prefix_and_three_digits()
    {
        var issued = Issue(service: Service(prefix: 'B'), lastNumberToday: 41);

        Assert.That(issued.Value!.Number, Is.EqualTo("B042"));
    }

    [Test]
    public void The_sequence_follows_the_last_number_issued_today()
    {
        var issued = Issue(lastNumberToday: 117);

        Assert.That(issued.Value!.Sequence, Is.EqualTo(118));
        Assert.That(issued.Value.Number, Is.EqualTo("A118"));
    }

    [TestCase('A', 1, "A001")]
    [TestCase('B', 42, "B042")]
    [TestCase('C', 999, "C999")]
    public void Format_number_pads_the_sequence_to_three_digits(char prefix, int sequence, string expected)
    {
        Assert.That(TicketRules.FormatNumber(prefix, sequence), Is.EqualTo(expected));
    }

    [Test]
    public void The_last_ticket_under_the_daily_cap_is_issued()
    {
        var issued = Issue(service: Service(dailyCap: 50), lastNumberToday: 49);

        Assert.That(issued.Refusal, Is.Null);
        Assert.That(issued.Value!.Number, Is.EqualTo("A050"));
    }

    [Test]
    public void Issue_refuses_once_the_daily_cap_is_reached()
    {
        var issued = Issue(service: Service(dailyCap: 50), lastNumberToday: 50);

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.DailyCapReached));
        Assert.That(issued.Value, Is.Null);
    }

    [Test]
    public void Number_999_is_still_issued_when_the_cap_is_higher()
    {
        var issued = Issue(service: Service(dailyCap: 2000), lastNumberToday: 998);

        Assert.That(issued.Value!.Number, Is.EqualTo("A999"));
    }

    [Test]
    public void The_daily_cap_never_goes_beyond_999_whatever_the_service_says()
    {
        var issued = Issue(service: Service(dailyCap: 2000), lastNumberToday: 999);

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.DailyCapReached));
    }

    [Test]
    public void Issue_refuses_during_the_lunch_break()
    {
        var issued = Issue(now: At(12, 30));

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.OutsideOpeningHours));
    }

    [Test]
    public void Issue_refuses_a_minute_before_opening()
    {
        var issued = Issue(now: At(8, 59));

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.OutsideOpeningHours));
    }

    [Test]
    public void Issue_accepts_at_the_opening_minute()
    {
        var issued = Issue(now: At(9, 0));

        Assert.That(issued.Refusal, Is.Null);
    }

    [Test]
    public void Issue_refuses_at_closing_time_because_the_end_is_exclusive()
    {
        var issued = Issue(now: At(17, 30));

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.OutsideOpeningHours));
    }

    [Test]
    public void Issue_refuses_on_an_ordinary_sunday()
    {
        var issued = Issue(now: At(10, 0, date: new DateOnly(2026, 11, 29)));

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.HallClosedToday));
    }

    [Test]
    public void Issue_refuses_on_a_holiday_from_the_calendar()
    {
        var nationalDay = new DateOnly(2026, 10, 1);
        var calendar = Calendar(new CalendarDay(nationalDay, Open: false, "国庆节"));

        var issued = Issue(calendar: calendar, now: At(10, 0, date: nationalDay));

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.HallClosedToday));
    }

    [Test]
    public void Issue_accepts_on_a_make_up_saturday()
    {
        var saturday = new DateOnly(2026, 11, 28);
        var calendar = Calendar(new CalendarDay(saturday, Open: true, "调休"));

        var issued = Issue(calendar: calendar, now: At(10, 0, date: saturday));

        Assert.That(issued.Refusal, Is.Null);
        Assert.That(issued.Value!.BusinessDate, Is.EqualTo(saturday));
    }

    [Test]
    public void A_make_up_saturday_uses_mondays_hours()
    {
        var saturday = new DateOnly(2026, 11, 28);
        var early = new TimeRange(new TimeOnly(8, 0), new TimeOnly(12, 0));
        var late = new TimeRange(new TimeOnly(9, 0), new TimeOnly(12, 0));
        var hours = new WeeklyHours(
        [
            new DayHours(DayOfWeek.Monday, [early]),
            new DayHours(DayOfWeek.Friday, [late]),
        ]);
        var calendar = new HallCalendar(Shanghai, hours, [new CalendarDay(saturday, Open: true, "调休")]);

        var issued = Issue(calendar: calendar, now: At(8, 30, date: saturday));

        Assert.That(issued.Refusal, Is.Null);
    }

    [Test]
    public void A_make_up_saturday_is_closed_outside_mondays_hours()
    {
        var saturday = new DateOnly(2026, 11, 28);
        var calendar = Calendar(new CalendarDay(saturday, Open: true, "调休"));

        var issued = Issue(calendar: calendar, now: At(12, 30, date: saturday));

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.OutsideOpeningHours));
    }

    [Test]
    public void The_business_date_is_the_halls_local_date()
    {
        // 16:30 UTC on the 27th is 00:30 on the 28th in Shanghai.
        var issued = Issue(service: Service(hours: AllDay), now: new DateTimeOffset(2026, 11, 27, 16, 30, 0, TimeSpan.Zero));

        Assert.That(issued.Value!.BusinessDate, Is.EqualTo(new DateOnly(2026, 11, 28)));
    }

    [Test]
    public void Opening_hours_are_read_on_the_halls_clock_not_utc()
    {
        // 01:30 UTC is 09:30 in Shanghai: open, although 01:30 is not.
        var issued = Issue(now: new DateTimeOffset(2026, 11, 27, 1, 30, 0, TimeSpan.Zero));

        Assert.That(issued.Refusal, Is.Null);
    }

    [Test]
    public void Closing_time_is_read_on_the_halls_clock_not_utc()
    {
        // 09:30 UTC is 17:30 in Shanghai: closed, although 09:30 is open.
        var issued = Issue(now: new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.Zero));

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.OutsideOpeningHours));
    }

    [Test]
    public void A_service_with_its_own_hours_is_closed_when_they_end()
    {
        var morningsOnly = WeeklyHours.Weekdays(new TimeRange(new TimeOnly(9, 0), new TimeOnly(11, 0)));

        var issued = Issue(service: Service(hours: morningsOnly), now: At(11, 30));

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.OutsideOpeningHours));
    }

    [Test]
    public void Issue_refuses_an_inactive_service()
    {
        var issued = Issue(service: Service(active: false));

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.ServiceInactive));
    }

    [Test]
    public void Issue_refuses_a_priority_ticket_when_the_service_takes_none()
    {
        var issued = Issue(service: Service(acceptsPriority: false), priority: PriorityClass.Elderly);

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.PriorityNotAccepted));
    }

    [Test]
    public void Issue_gives_a_normal_ticket_in_a_service_without_priority()
    {
        var issued = Issue(service: Service(acceptsPriority: false), priority: PriorityClass.Normal);

        Assert.That(issued.Refusal, Is.Null);
    }

    [TestCase(PriorityClass.Elderly)]
    [TestCase(PriorityClass.Disabled)]
    [TestCase(PriorityClass.Military)]
    [TestCase(PriorityClass.Pregnant)]
    public void Issue_gives_a_priority_ticket_when_the_service_takes_priority(PriorityClass priority)
    {
        var issued = Issue(service: Service(acceptsPriority: true), priority: priority);

        Assert.That(issued.Refusal, Is.Null);
    }

    [Test]
    public void Issue_refuses_an_unknown_priority_class()
    {
        var issued = Issue(priority: (PriorityClass)99);

        Assert.That(issued.Refusal, Is.EqualTo(Refusal.InvalidCommand));
    }

    [Test]
    public void The_citizen_is_told_how_many_calls_come_before_the_ticket()
    {
        var issued = Issue(callsBefore: 7);

        Assert.That(issued.Value!.PeopleAhead, Is.EqualTo(7));
    }

    [Test]
    public void The_estimated_wait_comes_from_the_last_hour_when_at_least_three_started()
    {
        // 12 started in the last hour = one every 5 minutes; 6 ahead = 30 minutes.
        var issued = Issue(callsBefore: 6, rate: new QueueRate(StartedLastHour: 12, OpenWindows: 1, DefaultHandlingMinutes: 20));

        Assert.That(issued.Value!.EstimatedWaitMinutes, Is.EqualTo(30));
    }

    [Test]
    public void Estimated_wait_uses_the_last_hour_from_exactly_three_started()
    {
        var minutes = TicketRules.EstimateWaitMinutes(4, new QueueRate(StartedLastHour: 3, OpenWindows: 5, DefaultHandlingMinutes: 1));

        Assert.That(minutes, Is.EqualTo(80));
    }

    [Test]
    public void Estimated_wait_uses_the_default_handling_time_over_open_windows_below_three_started()
    {
        var minutes = TicketRules.EstimateWaitMinutes(5, new QueueRate(StartedLastHour: 2, OpenWindows: 2, DefaultHandlingMinutes: 10));

        Assert.That(minutes, Is.EqualTo(25));
    }

    [Test]
    public void Estimated_wait_rounds_up_to_whole_minutes()
    {
        var minutes = TicketRules.EstimateWaitMinutes(1, new QueueRate(StartedLastHour: 0, OpenWindows: 2, DefaultHandlingMinutes: 15));

        Assert.That(minutes, Is.EqualTo(8));
    }

    [Test]
    public void No_wait_is_estimated_when_no_window_is_open()
    {
        var minutes = TicketRules.EstimateWaitMinutes(3, new QueueRate(StartedLastHour: 12, OpenWindows: 0, DefaultHandlingMinutes: 10));

        Assert.That(minutes, Is.Null);
    }

    [Test]
    public void A_ticket_no_open_window_can_take_is_told_its_place_in_line_and_no_wait()
    {
        var issued = Issue(callsBefore: 6, windows: 0, rate: new QueueRate(StartedLastHour: 12, OpenWindows: 2, DefaultHandlingMinutes: 10));

        Assert.That((issued.Value!.PeopleAhead, issued.Value.EstimatedWaitMinutes), Is.EqualTo((6, (int?)null)));
    }

    [Test]
    public void The_default_handling_time_is_spread_over_the_open_windows_that_can_take_the_ticket()
    {
        // The service has three windows open, but only two of them can take this ticket.
        var minutes = TicketRules.EstimateWaitMinutes(new QueuePosition(CallsBefore: 4, Windows: 2), new QueueRate(StartedLastHour: 0, OpenWindows: 3, DefaultHandlingMinutes: 10));

        Assert.That(minutes, Is.EqualTo(20));
    }

    [Test]
    public void Nobody_ahead_means_no_wait()
    {
        var issued = Issue(callsBefore: 0, rate: new QueueRate(StartedLastHour: 0, OpenWindows: 1, DefaultHandlingMinutes: 10));

        Assert.That(issued.Value!.EstimatedWaitMinutes, Is.Zero);
    }
}
