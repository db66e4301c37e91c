using Hall.Server.Queue;

namespace Hall.Server.Bookings;

/// <summary>One bookable slot of a service on a business date, hall-local.</summary>
public sealed record Slot(DateOnly Date, TimeOnly Start, TimeOnly End);

/// <summary>
/// Which slots a schedule offers and when they can be booked — pure rules over the hall's opening hours and calendar.
/// A slot is a whole <see cref="SlotSchedule.SlotMinutes"/> inside one opening range (a range's remainder shorter than a slot
/// offers none, and no slot spans the lunch break). A date is released <see cref="SlotSchedule.DaysAhead"/> calendar days
/// ahead at <see cref="SlotSchedule.ReleaseAt"/>; a slot closes <see cref="BookingRules.CloseMinutesBefore"/> minutes before it starts.
/// </summary>
public static class SlotPlan
{
    /// <summary>The slots of <paramref name="date"/>, in order; none on a date the hall or the service is closed.</summary>
    public static IReadOnlyList<Slot> SlotsOn(DateOnly date, SlotSchedule schedule, WeeklyHours hallHours, WeeklyHours? serviceHours, IReadOnlyList<CalendarDay> calendar)
    {
        var slots = new List<Slot>();
        if (schedule.SlotMinutes <= 0)
        {
            return slots;
        }
        var length = TimeSpan.FromMinutes(schedule.SlotMinutes);
        foreach (var range in HallClock.RangesOn(date, hallHours, serviceHours, calendar))
        {
            for (var start = range.From; range.To.ToTimeSpan() - start.ToTimeSpan() >= length; start = start.Add(length))
            {
                slots.Add(new Slot(date, start, start.Add(length)));
            }
        }
        return slots;
    }

    /// <summary>The first moment a booking for <paramref name="date"/> may be made: <c>DaysAhead</c> days before it, at the release time.</summary>
    public static DateTimeOffset ReleasedAt(DateOnly date, SlotSchedule schedule, TimeZoneInfo zone) =>
        Local(date.AddDays(-schedule.DaysAhead), schedule.ReleaseAt, zone);

    /// <summary>The last moment the slot may be booked.</summary>
    public static DateTimeOffset ClosesAt(Slot slot, BookingRules rules, TimeZoneInfo zone) =>
        Local(slot.Date, slot.Start, zone).AddMinutes(-rules.CloseMinutesBefore);

    /// <summary>Why <paramref name="slot"/> cannot be booked at <paramref name="now"/>, or null when it can.</summary>
    public static Refusal? Bookable(Slot slot, SlotSchedule schedule, BookingRules rules, TimeZoneInfo zone, DateTimeOffset now) =>
        now < ReleasedAt(slot.Date, schedule, zone) ? BookingRefusals.NotReleased
        : now > ClosesAt(slot, rules, zone) ? BookingRefusals.SlotClosed
        : null;

    /// <summary>The slot's start as an instant.</summary>
    public static DateTimeOffset Local(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(time);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
