using Hall.Server.Queue;
using static Hall.Tests.Queue.QueueFixtures;

namespace Hall.Tests.Queue;

public sealed class HallClockTests
{
    private static readonly DateOnly Friday = new(2026, 11, 27);
    private static readonly DateOnly Saturday = new(2026, 11, 28);
    private static readonly DateOnly Sunday = new(2026, 11, 29);
    private static readonly DateOnly NationalDay = new(2026, 10, 1);

    private static readonly TimeRange Morning = new(new TimeOnly(9, 0), new TimeOnly(12, 0));

    private static Refusal? CheckOpen(DateTimeOffset now, WeeklyHours? serviceHours = null, params CalendarDay[] calendar) =>
        HallClock.CheckOpen(now, Shanghai, WeeklyHours.CountyDefault, serviceHours, calendar);

    [Test]
    public void Half_past_four_utc_is_half_past_midnight_the_next_day_in_shanghai()
    {
        var date = HallClock.BusinessDate(new DateTimeOffset(2026, 11, 27, 16, 30, 0, TimeSpan.Zero), Shanghai);

        Assert.That(date, Is.EqualTo(new DateOnly(2026, 11, 28)));
    }

    [Test]
    public void One_second_before_local_midnight_is_still_the_same_business_date()
    {
        var date = HallClock.BusinessDate(new DateTimeOffset(2026, 11, 27, 15, 59, 59, TimeSpan.Zero), Shanghai);

        Assert.That(date, Is.EqualTo(new DateOnly(2026, 11, 27)));
    }

    [Test]
    public void The_business_date_changes_at_local_midnight()
    {
        var date = HallClock.BusinessDate(new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero), Shanghai);

        Assert.That(date, Is.EqualTo(new DateOnly(2026, 11, 28)));
    }

    [Test]
    public void Local_time_carries_the_halls_offset()
    {
        var local = HallClock.ToLocal(new DateTimeOffset(2026, 11, 27, 1, 30, 0, TimeSpan.Zero), Shanghai);

        Assert.That(local.Offset, Is.EqualTo(TimeSpan.FromHours(8)));
        Assert.That(local.Hour, Is.EqualTo(9));
    }

    [Test]
    public void An_ordinary_weekday_has_the_halls_weekly_hours()
    {
        var ranges = HallClock.RangesOn(Friday, WeeklyHours.CountyDefault, null, []);

        Assert.That(ranges, Is.EqualTo(CountyRanges));
    }

    [Test]
    public void An_ordinary_saturday_has_no_hours()
    {
        Assert.That(HallClock.RangesOn(Saturday, WeeklyHours.CountyDefault, null, []), Is.Empty);
    }

    [Test]
    public void A_holiday_from_the_calendar_has_no_hours()
    {
        var ranges = HallClock.RangesOn(NationalDay, WeeklyHours.CountyDefault, null, [new CalendarDay(NationalDay, Open: false, "国庆节")]);

        Assert.That(ranges, Is.Empty);
    }

    [Test]
    public void A_holiday_closes_a_service_with_its_own_hours_too()
    {
        var ranges = HallClock.RangesOn(NationalDay, WeeklyHours.CountyDefault, WeeklyHours.Weekdays(Morning), [new CalendarDay(NationalDay, Open: false, "国庆节")]);

        Assert.That(ranges, Is.Empty);
    }

    [Test]
    public void A_make_up_saturday_without_its_own_ranges_has_mondays_hours()
    {
        var early = new TimeRange(new TimeOnly(8, 0), new TimeOnly(12, 0));
        var hours = new WeeklyHours([new DayHours(DayOfWeek.Monday, [early]), new DayHours(DayOfWeek.Friday, [Morning])]);

        var ranges = HallClock.RangesOn(Saturday, hours, null, [new CalendarDay(Saturday, Open: true, "调休")]);

        Assert.That(ranges, Is.EqualTo(new[] { early }));
    }

    [Test]
    public void A_make_up_day_with_its_own_ranges_uses_them()
    {
        var ranges = HallClock.RangesOn(Saturday, WeeklyHours.CountyDefault, null, [new CalendarDay(Saturday, Open: true, "调休", [Morning])]);

        Assert.That(ranges, Is.EqualTo(new[] { Morning }));
    }

    [Test]
    public void A_service_with_its_own_hours_uses_its_mondays_on_a_make_up_saturday()
    {
        var serviceHours = WeeklyHours.Weekdays(Morning);

        var ranges = HallClock.RangesOn(Saturday, WeeklyHours.CountyDefault, serviceHours, [new CalendarDay(Saturday, Open: true, "调休")]);

        Assert.That(ranges, Is.EqualTo(new[] { Morning }));
    }

    [Test]
    public void A_service_with_its_own_hours_ignores_the_halls()
    {
        var ranges = HallClock.RangesOn(Friday, WeeklyHours.CountyDefault, WeeklyHours.Weekdays(Morning), []);

        Assert.That(ranges, Is.EqualTo(new[] { Morning }));
    }

    [Test]
    public void A_calendar_entry_for_another_date_changes_nothing()
    {
        var ranges = HallClock.RangesOn(Friday, WeeklyHours.CountyDefault, null, [new CalendarDay(NationalDay, Open: false, "国庆节")]);

        Assert.That(ranges, Is.EqualTo(CountyRanges));
    }

    [Test]
    public void The_hall_is_open_in_the_morning()
    {
        Assert.That(CheckOpen(At(10, 0)), Is.Null);
    }

    [Test]
    public void The_hall_is_open_at_half_past_one_when_the_afternoon_starts()
    {
        Assert.That(CheckOpen(At(13, 30)), Is.Null);
    }

    [Test]
    public void The_hall_is_open_in_the_last_minute_before_closing()
    {
        Assert.That(CheckOpen(At(17, 29, 59)), Is.Null);
    }

    [Test]
    public void Noon_is_outside_opening_hours()
    {
        Assert.That(CheckOpen(At(12, 0)), Is.EqualTo(Refusal.OutsideOpeningHours));
    }

    [Test]
    public void One_second_before_nine_is_outside_opening_hours()
    {
        Assert.That(CheckOpen(At(8, 59, 59)), Is.EqualTo(Refusal.OutsideOpeningHours));
    }

    [Test]
    public void A_sunday_is_a_closed_day_not_just_outside_hours()
    {
        Assert.That(CheckOpen(At(10, 0, date: Sunday)), Is.EqualTo(Refusal.HallClosedToday));
    }

    [Test]
    public void A_weekday_holiday_is_closed_at_ten_in_the_morning()
    {
        var refusal = CheckOpen(At(10, 0, date: NationalDay), null, new CalendarDay(NationalDay, Open: false, "国庆节"));

        Assert.That(refusal, Is.EqualTo(Refusal.HallClosedToday));
    }

    [Test]
    public void A_make_up_saturday_is_open_at_ten_in_the_morning()
    {
        var refusal = CheckOpen(At(10, 0, date: Saturday), null, new CalendarDay(Saturday, Open: true, "调休"));

        Assert.That(refusal, Is.Null);
    }

    [Test]
    public void Weekday_hours_leave_the_weekend_empty()
    {
        var hours = WeeklyHours.Weekdays(Morning);

        Assert.That(hours.On(DayOfWeek.Saturday), Is.Empty);
        Assert.That(hours.On(DayOfWeek.Sunday), Is.Empty);
        Assert.That(hours.On(DayOfWeek.Wednesday), Is.EqualTo(new[] { Morning }));
    }

    [Test]
    public void A_time_range_includes_its_start_and_excludes_its_end()
    {
        Assert.That(Morning.Contains(new TimeOnly(9, 0)), Is.True);
        Assert.That(Morning.Contains(new TimeOnly(12, 0)), Is.False);
    }
}
