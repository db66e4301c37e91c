namespace Hall.Server.Queue;

/// <summary>A span of the day, e.g. 09:00–12:00. The end is exclusive.</summary>
public sealed record TimeRange(TimeOnly From, TimeOnly To)
{
    public bool Contains(TimeOnly t) => t >= From && t < To;
}

/// <summary>The hours of one day of the week.</summary>
public sealed record DayHours(DayOfWeek Day, IReadOnlyList<TimeRange> Ranges);

/// <summary>A date that overrides the weekday rule: a holiday (closed) or a 调休 make-up day (open).</summary>
public sealed record CalendarDay(DateOnly Date, bool Open, string? Note, IReadOnlyList<TimeRange>? Ranges = null);

/// <summary>Weekly opening hours. A make-up working day without its own ranges uses Monday's.</summary>
public sealed record WeeklyHours(IReadOnlyList<DayHours> Days)
{
    public IReadOnlyList<TimeRange> On(DayOfWeek day) =>
        Days.FirstOrDefault(d => d.Day == day)?.Ranges ?? [];

    /// <summary>9:00–12:00 and 13:30–17:30, Monday to Friday.</summary>
    public static WeeklyHours Weekdays(params TimeRange[] ranges) =>
        new([.. Enum.GetValues<DayOfWeek>()
            .Where(d => d is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            .Select(d => new DayHours(d, ranges))]);

    public static readonly WeeklyHours CountyDefault = Weekdays(
        new TimeRange(new TimeOnly(9, 0), new TimeOnly(12, 0)),
        new TimeRange(new TimeOnly(13, 30), new TimeOnly(17, 30)));
}

/// <summary>The hall's clock rules: business date in its own time zone, and whether a service is open.</summary>
public static class HallClock
{
    public static DateTimeOffset ToLocal(DateTimeOffset now, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(now, zone);

    /// <summary>The hall's local date: ticket numbers restart when it changes, with no job.</summary>
    public static DateOnly BusinessDate(DateTimeOffset now, TimeZoneInfo zone) => DateOnly.FromDateTime(ToLocal(now, zone).DateTime);

    /// <summary>The ranges a service is open on a date: the calendar decides whether the day is open, then the service's (or hall's) hours apply.</summary>
    /// <summary>The <paramref name="days"/>-th working day after <paramref name="from"/> (a day the hall opens, by its calendar).</summary>
    public static DateOnly AddWorkingDays(DateOnly from, int days, WeeklyHours hallHours, IReadOnlyList<CalendarDay> calendar)
    {
        var date = from;
        for (var counted = 0; counted < days;)
        {
            date = date.AddDays(1);
            if (RangesOn(date, hallHours, null, calendar).Count > 0)
            {
                counted++;
            }
            if (date > from.AddYears(1))
            {
                break;
            }
        }
        return date;
    }

    public static IReadOnlyList<TimeRange> RangesOn(DateOnly date, WeeklyHours hallHours, WeeklyHours? serviceHours, IReadOnlyList<CalendarDay> calendar)
    {
        var hours = serviceHours ?? hallHours;
        var special = calendar.FirstOrDefault(c => c.Date == date);
        if (special is null)
        {
            return hours.On(date.DayOfWeek);
        }
        if (!special.Open)
        {
            return [];
        }
        if (serviceHours is null && special.Ranges is { Count: > 0 })
        {
            return special.Ranges;
        }
        var sameDay = hours.On(date.DayOfWeek);
        return sameDay.Count > 0 ? sameDay : hours.On(DayOfWeek.Monday);
    }

    public static Refusal? CheckOpen(DateTimeOffset now, TimeZoneInfo zone, WeeklyHours hallHours, WeeklyHours? serviceHours, IReadOnlyList<CalendarDay> calendar)
    {
        var local = ToLocal(now, zone);
        var ranges = RangesOn(DateOnly.FromDateTime(local.DateTime), hallHours, serviceHours, calendar);
        if (ranges.Count == 0)
        {
            return Refusal.HallClosedToday;
        }
        var time = TimeOnly.FromDateTime(local.DateTime);
        return ranges.Any(r => r.Contains(time)) ? null : Refusal.OutsideOpeningHours;
    }
}
