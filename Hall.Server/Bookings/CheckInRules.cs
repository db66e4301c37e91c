using Hall.Server.Queue;

namespace Hall.Server.Bookings;

/// <summary>How a booking is checked in: inside its window on time, or after it taken as a walk-in (the hall's setting).</summary>
public enum CheckInTiming
{
    /// <summary>Inside the check-in window: the ticket is a booking, called ahead of walk-ins once its slot begins.</summary>
    OnTime,
    /// <summary>After the check-in window, in a hall that takes latecomers as walk-ins: an ordinary ticket; the booking stays missed.</summary>
    LateWalkIn,
}

/// <summary>
/// 预约签到 — pure rules. A booking is checked in at a kiosk from <see cref="BookingRules.CheckInEarlyMinutes"/> before its slot's
/// start to <see cref="BookingRules.CheckInLateMinutes"/> after it (the check-in window). Too early, the citizen is told when to
/// come back; too late, the hall's <see cref="BookingRules.LateAsWalkIn"/> decides between an ordinary ticket and a refusal that
/// says why. After the window the booking is 爽约 whichever way (<see cref="BookingSweep"/>): a latecomer's ticket does not
/// undo that.
/// </summary>
public static class CheckInRules
{
    /// <summary>The first moment the booking can be checked in.</summary>
    public static DateTimeOffset Opens(DateOnly date, TimeOnly start, BookingRules rules, TimeZoneInfo zone) =>
        SlotPlan.Local(date, start, zone).AddMinutes(-rules.CheckInEarlyMinutes);

    /// <summary>The last moment the booking can be checked in on time; after it the booking is missed.</summary>
    public static DateTimeOffset Closes(DateOnly date, TimeOnly start, BookingRules rules, TimeZoneInfo zone) =>
        SlotPlan.Local(date, start, zone).AddMinutes(rules.CheckInLateMinutes);

    /// <summary>Whether the booking can be checked in at <paramref name="now"/>, and how; or why not.</summary>
    public static Decision<CheckInTiming> Decide(BookingState state, DateOnly date, TimeOnly start, TimeOnly end, BookingRules rules, TimeZoneInfo zone, DateTimeOffset now)
    {
        var today = HallClock.BusinessDate(now, zone);
        if (state == BookingState.Cancelled)
        {
            return BookingRefusals.CancelledBooking;
        }
        if (state == BookingState.CheckedIn)
        {
            return BookingRefusals.AlreadyCheckedIn;
        }
        if (date > today)
        {
            return BookingRefusals.NotToday(date, start, end);
        }
        var closes = Closes(date, start, rules, zone);
        if (date < today || state == BookingState.Missed || now > closes)
        {
            return date == today && rules.LateAsWalkIn ? CheckInTiming.LateWalkIn : BookingRefusals.TooLate(date, start, TimeOf(closes, zone));
        }
        var opens = Opens(date, start, rules, zone);
        if (now < opens)
        {
            return BookingRefusals.TooEarly(TimeOf(opens, zone), start, end);
        }
        return CheckInTiming.OnTime;
    }

    /// <summary>
    /// Which of a person's bookings of today an ID card (or a typed ID number) checks in: the earliest still bookable on time
    /// (inside its window or yet to open), else the latest one past its window, else one already checked in (to say so).
    /// Null when the person has none today but cancelled ones: they take a number as a walk-in.
    /// </summary>
    public static T? Choose<T>(IEnumerable<T> todays, Func<T, (BookingState State, DateOnly Date, TimeOnly Start)> of, BookingRules rules, TimeZoneInfo zone, DateTimeOffset now)
        where T : class =>
        todays
            .Select(b => (Booking: b, Facts: of(b)))
            .Where(x => x.Facts.State != BookingState.Cancelled)
            .Select(x => (x.Booking, x.Facts, Rank: x.Facts.State switch
            {
                BookingState.Booked when now <= Closes(x.Facts.Date, x.Facts.Start, rules, zone) => 0,
                BookingState.Booked or BookingState.Missed => 1,
                _ => 2,
            }))
            .OrderBy(x => x.Rank)
            .ThenBy(x => x.Rank == 1 ? -x.Facts.Start.Ticks : x.Facts.Start.Ticks)
            .Select(x => x.Booking)
            .FirstOrDefault();

    private static TimeOnly TimeOf(DateTimeOffset instant, TimeZoneInfo zone) => TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
}
