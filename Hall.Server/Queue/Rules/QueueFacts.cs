using Hall.Server.Contracts;

namespace Hall.Server.Queue;

/// <summary>The priority policy and the limits of calling, per hall.</summary>
public sealed record CallPolicy(
    TimeSpan AgeingBound,
    int NormalPerPriority,
    int MaxRecalls,
    int AutoNoShowAfterCalls,
    int RequeuePlacesBack)
{
    /// <summary>1 priority : 2 normal, ageing after 60 min, 2 recalls, automatic no-show after 3 calls, requeue 3 places back.</summary>
    public static readonly CallPolicy Default = new(TimeSpan.FromMinutes(60), 2, 2, 3, 3);
}

/// <summary>What the issue rule needs to know of a service.</summary>
public sealed record ServiceFacts(int Id, char Prefix, int DailyCap, bool Active, bool AcceptsPriority, int DefaultHandlingMinutes, WeeklyHours? Hours);

/// <summary>The hall's calendar: time zone, weekly hours and the dates that override them.</summary>
public sealed record HallCalendar(TimeZoneInfo Zone, WeeklyHours Hours, IReadOnlyList<CalendarDay> Days);

/// <summary>How fast a service has been taken up lately, for the estimated wait.</summary>
public sealed record QueueRate(int StartedLastHour, int OpenWindows, int DefaultHandlingMinutes);

/// <summary>The part of a ticket the rules look at.</summary>
public sealed record TicketFacts(
    long Id,
    int ServiceId,
    TicketState State,
    DateOnly BusinessDate,
    DateTimeOffset QueuedAt,
    PriorityClass Priority,
    bool Transferred,
    int? TargetWindowId,
    int? WindowId,
    int CallCount,
    DateTimeOffset? BookedFor = null)
{
    public bool IsPriority => Priority != PriorityClass.Normal;

    /// <summary>
    /// Whether the ticket takes the priority turn of the interleave at <paramref name="now"/>: a priority ticket, or a booking
    /// checked in on time (<see cref="BookedFor"/>, its slot's start) whose slot has begun. Before its slot a booking waits as a
    /// walk-in does, so coming early never makes it wait longer than a walk-in who came at the same moment.
    /// </summary>
    public bool IsPreferred(DateTimeOffset now) => IsPriority || BookedFor <= now;

    /// <summary>Where the ticket stands among the preferred ones: its place in line, or for a booking its slot's start when that is later.</summary>
    public DateTimeOffset PreferredSince => !IsPriority && BookedFor is { } slot && slot > QueuedAt ? slot : QueuedAt;

    public bool IsOpen => State is TicketState.Waiting or TicketState.Called or TicketState.Serving or TicketState.NoShow;
}

/// <summary>The part of a window the rules look at. <see cref="Current"/> is its called or serving ticket.</summary>
public sealed record WindowFacts(
    int Id,
    WindowStatus Status,
    int? StaffId,
    IReadOnlyList<int> ServiceIds,
    int NormalsSincePriority,
    TicketFacts? Current);

/// <summary>A new ticket's number and what the citizen is told. <see cref="EstimatedWaitMinutes"/> is null when no open window can take it.</summary>
public sealed record NewTicket(int Sequence, string Number, DateOnly BusinessDate, int PeopleAhead, int? EstimatedWaitMinutes);

/// <summary>Where a waiting ticket stands in the call order (<see cref="TicketRules.CallOrder"/>).</summary>
/// <param name="CallsBefore">The calls the open windows that can take it make before one of them calls it: the people ahead.
/// With no such window, its place in line as a window of its own would call it.</param>
/// <param name="Windows">The open windows that can take it; 0 when none can, and then nobody can say how long it waits.</param>
public sealed record QueuePosition(int CallsBefore, int Windows);

/// <summary>Call-next's choice. <see cref="AutoNoShow"/> is the window's previous ticket, closed as a no-show after its last call.</summary>
public sealed record CallChoice(TicketFacts Ticket, CallReason Reason, int NormalsSincePriority, TicketFacts? AutoNoShow);
