using Hall.Server.Alerts;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Server.Tickets;
using Hall.Server.Windows;

namespace Hall.Server.Reports;

/// <summary>A ticket of the period (its business date is in the period): what the event log does not repeat.</summary>
/// <param name="MissingMaterials">For 容缺受理: the materials still to come; with <paramref name="Deadline"/> (补正 or 承诺 deadline) and the clerk's note.</param>
public sealed record TicketRow(long Id, string Number, DateOnly BusinessDate, int? ItemId, IReadOnlyList<int> HandledItems,
    string? Outcome = null, string? MissingMaterials = null, DateOnly? Deadline = null, string? Note = null, AcceptanceMode? Acceptance = null);

/// <summary>One ticket event; the events of a ticket are read in the order they were written.</summary>
public sealed record TicketEventRow(long TicketId, TicketEventKind Kind, int ServiceId, int? WindowId, int? StaffId, string? Outcome, DateTimeOffset At);

/// <summary>One window event; the events of a session are read in the order they were written.</summary>
public sealed record WindowEventRow(long SessionId, int WindowId, int StaffId, WindowEventKind Kind, string? Reason, DateTimeOffset At);

public sealed record RatingRow(long TicketId, int? WindowId, int? StaffId, RatingLevel Level, DateTimeOffset At);

/// <param name="AppealUpheld">Closed by an upheld appeal (申诉采纳): its rating no longer counts.</param>
public sealed record FollowUpRow(long TicketId, string TicketNumber, int? WindowId, int? StaffId, RatingLevel Level, IReadOnlyList<string> Reasons, DateTimeOffset OpenedAt, DateOnly DueDate, DateTimeOffset? ClosedAt, string? Result,
    bool AppealUpheld = false);

/// <summary>
/// 差评闭环: a follow-up case as the loop's figures need it — due date and closing, the call-back's verdict, the appeal's filing and
/// decision. Read for every case with one of these in the period, whatever the date of its ticket.
/// </summary>
public sealed record LoopCaseRow(long Id, DateOnly DueDate, DateTimeOffset? ClosedAt, DateTimeOffset? CalledBackAt, Ratings.CallBackVerdict? Verdict,
    DateTimeOffset? AppealFiledAt, DateTimeOffset? AppealDecidedAt, bool? AppealUpheld);

public sealed record AlertRow(AlertKind Kind, string Subject, string Text, DateTimeOffset RaisedAt, DateTimeOffset? ClearedAt, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy);

public sealed record PlayRow(int MediaId, DateTimeOffset StartedAt, DateTimeOffset EndedAt, bool Completed);

public sealed record WindowInfo(int Id, int Number, string Name);

/// <summary>排班: the clerk is due on the date, at the window (null: no fixed window).</summary>
public sealed record RosterRow(int StaffId, DateOnly Date, int? WindowId);

/// <summary>请假 / 公出 of a clerk over dates (both included).</summary>
public sealed record LeaveSpan(int StaffId, DateOnly From, DateOnly To, Staff.LeaveKind Kind);

/// <summary>巡查: a round of the period as recorded on the patrol page, with its checks and sign-off.</summary>
public sealed record PatrolRoundRow(long Id, DateOnly BusinessDate, string Inspector, DateTimeOffset StartedAt, IReadOnlyList<Patrol.PatrolCheck> Checks, DateTimeOffset? SignedAt, string? SignedBy);

/// <summary>整改: a problem found on a round (<paramref name="BusinessDate"/> is the round's date), open until closed with its result.</summary>
public sealed record PatrolFindingRow(long Id, long RoundId, DateOnly BusinessDate, Patrol.PatrolCategory Category, int? WindowId, string Description, string Requirement,
    DateOnly DueDate, DateTimeOffset? ClosedAt, string? Result);

public sealed record MediaInfo(int Id, string Title, bool Legal);

/// <summary>
/// 预约: a booking of a slot of the period (<paramref name="Date"/> is the slot's date), in the state it had when the report was
/// made; for one checked in, its ticket's number, when it was checked in and its ticket's first start at a window (null: not started).
/// </summary>
public sealed record BookingRow(long Id, int ServiceId, DateOnly Date, TimeOnly Start, TimeOnly End, string Code, Bookings.BookingState State,
    DateTimeOffset? CheckedInAt, string? TicketNumber, DateTimeOffset? FirstStartedAt);

/// <summary>
/// 有诉即办: a complaint received in the period (<paramref name="Received"/> is the hall-local date), in the state it had when the
/// report was made: closed or not, its due date and the call-back verdict.
/// </summary>
public sealed record ComplaintReportRow(long Id, string Number, DateOnly Received, Complaints.ComplaintCategory Category, DateOnly DueDate, DateTimeOffset? ClosedAt,
    Complaints.CallBackVerdict? Verdict);

/// <summary>The hall as the report names it.</summary>
/// <param name="Hours">The hall's weekly hours today.</param>
/// <param name="HoursHistory">The weekly hours from each date they changed on, oldest first; empty when they never changed.</param>
public sealed record ReportHall(string Name, TimeZoneInfo Zone, WeeklyHours Hours, IReadOnlyList<CalendarDay> Calendar, int PauseLimitMinutes, IReadOnlyList<string> Outcomes, IReadOnlyList<string> PauseReasons,
    IReadOnlyList<(DateOnly From, WeeklyHours Hours)> HoursHistory, int RankingMinRatings = Halls.HallSite.DefaultRankingMinRatings)
{
    /// <summary>The weekly hours the hall had on <paramref name="day"/>.</summary>
    public WeeklyHours HoursOf(DateOnly day) => HoursHistory.LastOrDefault(v => v.From <= day) is { Hours: { } hours } ? hours : Hours;

    /// <summary>The opening ranges of <paramref name="day"/>: its calendar entry, else the weekly hours the hall had that day.</summary>
    public IReadOnlyList<TimeRange> RangesOn(DateOnly day) => HallClock.RangesOn(day, HoursOf(day), null, Calendar);
}

/// <summary>Everything a report's figures are computed from, read for one hall and one period of business dates.</summary>
public sealed record ReportInput(
    ReportHall Hall,
    DateOnly From,
    DateOnly To,
    DateTimeOffset Now,
    IReadOnlyList<TicketRow> Tickets,
    IReadOnlyList<TicketEventRow> Events,
    IReadOnlyList<WindowEventRow> WindowEvents,
    IReadOnlyList<RatingRow> Ratings,
    IReadOnlyList<FollowUpRow> FollowUps,
    IReadOnlyList<AlertRow> Alerts,
    IReadOnlyList<PlayRow> Plays,
    IReadOnlyDictionary<int, string> Services,
    IReadOnlyList<WindowInfo> Windows,
    IReadOnlyDictionary<int, string> Staff,
    IReadOnlyDictionary<int, string> Departments,
    IReadOnlyList<MediaInfo> Media)
{
    public DateOnly Today => HallClock.BusinessDate(Now, Hall.Zone);

    /// <summary>The roster of the period's dates.</summary>
    public IReadOnlyList<RosterRow> Roster { get; init; } = [];

    /// <summary>The leaves that overlap the period.</summary>
    public IReadOnlyList<LeaveSpan> Leaves { get; init; } = [];

    /// <summary>The patrol rounds of the period's dates.</summary>
    public IReadOnlyList<PatrolRoundRow> PatrolRounds { get; init; } = [];

    /// <summary>The findings of the period's rounds, and those of earlier rounds still open when the period began.</summary>
    public IReadOnlyList<PatrolFindingRow> PatrolFindings { get; init; } = [];

    /// <summary>The bookings of slots of the period's dates, cancelled ones included.</summary>
    public IReadOnlyList<BookingRow> Bookings { get; init; } = [];

    /// <summary>The follow-up cases due, called back, or with an appeal filed or decided in the period (差评闭环).</summary>
    public IReadOnlyList<LoopCaseRow> LoopCases { get; init; } = [];
    /// <summary>The complaints received on the period's dates.</summary>
    public IReadOnlyList<ComplaintReportRow> Complaints { get; init; } = [];

    /// <summary>The part of this input that belongs to the business dates <paramref name="from"/>..<paramref name="to"/> (a month of a year).</summary>
    public ReportInput Slice(DateOnly from, DateOnly to)
    {
        var tickets = Tickets.Where(t => t.BusinessDate >= from && t.BusinessDate <= to).ToList();
        var ids = tickets.Select(t => t.Id).ToHashSet();
        bool InPeriod(DateTimeOffset at) => HallClock.BusinessDate(at, Hall.Zone) is var d && d >= from && d <= to;
        return this with
        {
            From = from,
            To = to,
            Tickets = tickets,
            Events = [.. Events.Where(e => ids.Contains(e.TicketId))],
            WindowEvents = [.. WindowEvents.Where(e => InPeriod(e.At))],
            Ratings = [.. Ratings.Where(r => ids.Contains(r.TicketId))],
            // The cases of the bad ratings of the month's tickets, as the month's bulletin counts them (a ticket rated the next day stays in its month).
            FollowUps = [.. FollowUps.Where(c => ids.Contains(c.TicketId))],
            Alerts = [.. Alerts.Where(a => InPeriod(a.RaisedAt))],
            Plays = [.. Plays.Where(p => InPeriod(p.StartedAt))],
            Roster = [.. Roster.Where(r => r.Date >= from && r.Date <= to)],
            Leaves = [.. Leaves.Where(l => l.To >= from && l.From <= to)],
            PatrolRounds = [.. PatrolRounds.Where(r => r.BusinessDate >= from && r.BusinessDate <= to)],
            PatrolFindings = [.. PatrolFindings.Where(p => p.BusinessDate <= to && (p.ClosedAt is not { } closed || HallClock.BusinessDate(closed, Hall.Zone) >= from))],
            Bookings = [.. Bookings.Where(b => b.Date >= from && b.Date <= to)],
            LoopCases = [.. LoopCases.Where(c => (c.DueDate >= from && c.DueDate <= to) || (c.CalledBackAt is { } back && InPeriod(back))
                || (c.AppealFiledAt is { } filed && InPeriod(filed)) || (c.AppealDecidedAt is { } decided && InPeriod(decided)))],
            Complaints = [.. Complaints.Where(c => c.Received >= from && c.Received <= to)],
        };
    }
}
