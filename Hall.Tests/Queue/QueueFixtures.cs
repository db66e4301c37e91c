using Hall.Server.Contracts;
using Hall.Server.Queue;

namespace Hall.Tests.Queue;

/// <summary>Small builders for the queue core's facts. Everything happens on Friday 2026-11-27 in Shanghai unless a test says otherwise.</summary>
internal static class QueueFixtures
{
    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static readonly TimeSpan China = TimeSpan.FromHours(8);

    /// <summary>A Friday.</summary>
    public static readonly DateOnly Today = new(2026, 11, 27);

    public static readonly DateOnly Yesterday = Today.AddDays(-1);

    public const int ServiceA = 1;
    public const int ServiceB = 2;
    public const int ServiceC = 3;

    public static readonly IReadOnlyList<TimeRange> CountyRanges =
    [
        new(new TimeOnly(9, 0), new TimeOnly(12, 0)),
        new(new TimeOnly(13, 30), new TimeOnly(17, 30)),
    ];

    /// <summary>Shanghai wall-clock time on <paramref name="date"/> (today by default).</summary>
    public static DateTimeOffset At(int hour, int minute, int second = 0, DateOnly? date = null)
    {
        var d = date ?? Today;
        return new DateTimeOffset(d.Year, d.Month, d.Day, hour, minute, second, China);
    }

    /// <summary>10:00 today: every ticket queued after 09:00 is younger than the default ageing bound.</summary>
    public static DateTimeOffset Now => At(10, 0);

    public static TicketFacts Waiting(
        long id,
        int serviceId,
        DateTimeOffset queuedAt,
        PriorityClass priority = PriorityClass.Normal,
        bool transferred = false,
        int? targetWindowId = null,
        DateOnly? businessDate = null) =>
        new(id, serviceId, TicketState.Waiting, businessDate ?? Today, queuedAt, priority, transferred, targetWindowId, null, 0);

    public static TicketFacts Ticket(long id, TicketState state, int? windowId = null, int callCount = 0, int serviceId = ServiceA, DateOnly? businessDate = null) =>
        new(id, serviceId, state, businessDate ?? Today, At(9, 30), PriorityClass.Normal, false, null, windowId, callCount);

    public static TicketFacts Called(long id, int windowId, int callCount = 1) => Ticket(id, TicketState.Called, windowId, callCount);

    public static TicketFacts Serving(long id, int windowId) => Ticket(id, TicketState.Serving, windowId, 1);

    /// <summary>A window that has never called a priority ticket (its counter starts high, as a new window's does).</summary>
    public static WindowFacts Window(
        int id = 1,
        WindowStatus status = WindowStatus.Open,
        int? staffId = 7,
        IReadOnlyList<int>? serviceIds = null,
        int normalsSincePriority = 1000,
        TicketFacts? current = null) =>
        new(id, status, status == WindowStatus.Closed ? null : staffId, serviceIds ?? [ServiceA], normalsSincePriority, current);

    public static ServiceFacts Service(
        char prefix = 'A',
        int dailyCap = 300,
        bool active = true,
        bool acceptsPriority = true,
        int defaultHandlingMinutes = 10,
        WeeklyHours? hours = null) =>
        new(ServiceA, prefix, dailyCap, active, acceptsPriority, defaultHandlingMinutes, hours);

    public static HallCalendar Calendar(params CalendarDay[] days) => new(Shanghai, WeeklyHours.CountyDefault, days);

    /// <summary>No history in the last hour, one open window.</summary>
    public static QueueRate QuietRate(int defaultHandlingMinutes = 10) => new(0, 1, defaultHandlingMinutes);

    /// <summary>Open every day, all day.</summary>
    public static WeeklyHours AllDay { get; } = new(
        [.. Enum.GetValues<DayOfWeek>().Select(d => new DayHours(d, [new TimeRange(TimeOnly.MinValue, TimeOnly.MaxValue)]))]);
}
