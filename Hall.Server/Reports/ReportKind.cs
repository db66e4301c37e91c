namespace Hall.Server.Reports;

/// <summary>The hall's management rhythm: 日巡查、周例会、月通报、年考核.</summary>
public enum ReportKind
{
    /// <summary>日巡查: one business day.</summary>
    DailyPatrol,
    /// <summary>周例会: Monday to Sunday, compared with the week before.</summary>
    Weekly,
    /// <summary>月通报: one calendar month.</summary>
    MonthlyBulletin,
    /// <summary>年考核: twelve months side by side and the annual ranking.</summary>
    Year,
}

public static class ReportPeriods
{
    /// <summary>The period of <paramref name="kind"/> that holds <paramref name="day"/>: first and last business date, both included.</summary>
    public static (DateOnly From, DateOnly To) Containing(ReportKind kind, DateOnly day) => kind switch
    {
        ReportKind.DailyPatrol => (day, day),
        ReportKind.Weekly => (day.AddDays(-(((int)day.DayOfWeek + 6) % 7)), day.AddDays(6 - (((int)day.DayOfWeek + 6) % 7))),
        ReportKind.MonthlyBulletin => (new DateOnly(day.Year, day.Month, 1), new DateOnly(day.Year, day.Month, 1).AddMonths(1).AddDays(-1)),
        ReportKind.Year => (new DateOnly(day.Year, 1, 1), new DateOnly(day.Year, 12, 31)),
    };
}
