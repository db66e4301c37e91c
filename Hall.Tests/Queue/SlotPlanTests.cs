using Hall.Server.Bookings;
using Hall.Server.Queue;
using static Hall.Tests.Queue.QueueFixtures;

namespace Hall.Tests.Queue;

/// <summary>Which slots a service offers on a date and when they can be booked: the hall's hours, lunch break and calendar decide.</summary>
public sealed class SlotPlanTests
{
    private static readonly DateOnly Friday = new(2026, 11, 27);
    private static readonly DateOnly Saturday = new(2026, 11, 28);
    private static readonly DateOnly NationalDay = new(2026, 10, 1);

    private static IReadOnlyList<Slot> Slots(DateOnly date, int minutes, params CalendarDay[] calendar) =>
        SlotPlan.SlotsOn(date, new SlotSchedule { SlotMinutes = minutes }, WeeklyHours.CountyDefault, null, calendar);

    private static string Starts(IEnumerable<Slot> slots) => string.Join(" ", slots.Select(s => s.Start.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)));

    [Test]
    public void Half_hour_slots_fill_the_morning_and_the_afternoon_and_none_spans_lunch()
    {
        var slots = Slots(Friday, 30);
        Assert.That(Starts(slots), Is.EqualTo("09:00 09:30 10:00 10:30 11:00 11:30 13:30 14:00 14:30 15:00 15:30 16:00 16:30 17:00"));
        Assert.That(slots[5].End, Is.EqualTo(new TimeOnly(12, 0)));
        Assert.That(slots[^1].End, Is.EqualTo(new TimeOnly(17, 30)));
    }

    [Test]
    public void A_remainder_shorter_than_a_slot_offers_none()
    {
        // 09:00–12:00 holds four 45-minute slots exactly; 13:30–17:30 holds five, the last 15 minutes none.
        Assert.That(Starts(Slots(Friday, 45)), Is.EqualTo("09:00 09:45 10:30 11:15 13:30 14:15 15:00 15:45 16:30"));
    }

    [Test]
    public void Holidays_offer_no_slots_and_a_make_up_saturday_offers_a_workday()
    {
        Assert.That(Slots(Saturday, 30), Is.Empty, "the hall is closed on Saturdays");
        Assert.That(Slots(NationalDay, 30, new CalendarDay(NationalDay, false, "国庆节")), Is.Empty);
        Assert.That(Slots(Saturday, 30, new CalendarDay(Saturday, true, "调休上班")), Has.Count.EqualTo(14));
    }

    [Test]
    public void A_date_opens_days_ahead_at_the_release_time_and_a_slot_closes_before_it_starts()
    {
        var schedule = new SlotSchedule { SlotMinutes = 30, DaysAhead = 7, ReleaseAt = new TimeOnly(8, 0) };
        var rules = new BookingRules { CloseMinutesBefore = 30 };
        var slot = new Slot(Friday, new TimeOnly(9, 0), new TimeOnly(9, 30));
        DateTimeOffset At(int day, int hour, int minute) => new(2026, 11, day, hour, minute, 0, TimeSpan.FromHours(8));
        Assert.That(SlotPlan.Bookable(slot, schedule, rules, Shanghai, At(20, 7, 59)), Is.EqualTo(BookingRefusals.NotReleased));
        Assert.That(SlotPlan.Bookable(slot, schedule, rules, Shanghai, At(20, 8, 0)), Is.Null, "released on the 20th at 08:00");
        Assert.That(SlotPlan.Bookable(slot, schedule, rules, Shanghai, At(27, 8, 30)), Is.Null, "half an hour before 09:00 is the last moment");
        Assert.That(SlotPlan.Bookable(slot, schedule, rules, Shanghai, At(27, 8, 31)), Is.EqualTo(BookingRefusals.SlotClosed));
    }

    [Test]
    public void A_booking_code_is_eight_unambiguous_characters_typed_in_any_case_with_or_without_its_dash()
    {
        var codes = Enumerable.Range(0, 2000).Select(_ => BookingCodes.New()).ToList();
        Assert.That(codes.All(c => c.Length == 8 && c.All(ch => BookingCodes.Alphabet.Contains(ch, StringComparison.Ordinal))), Is.True);
        Assert.That(codes.Any(c => c.Any(ch => ch is '0' or 'O' or '1' or 'I' or 'L')), Is.False);
        Assert.That(codes.Distinct().Count(), Is.EqualTo(2000), "random, not a sequence");
        var code = codes[0];
        Assert.That(BookingCodes.Normalize(BookingCodes.Display(code).ToLowerInvariant()), Is.EqualTo(code));
        Assert.That(BookingCodes.Normalize("ABCD-EFG0"), Is.Null, "0 is never in a code");
        Assert.That(BookingService.MaskName("王小华"), Is.EqualTo("王*华"));
        Assert.That(BookingService.MaskName("欧阳娜娜"), Is.EqualTo("欧**娜"));
        Assert.That(BookingService.MaskName("李明"), Is.EqualTo("李*"));
    }
}
