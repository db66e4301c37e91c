using Hall.Server.Alerts;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Server.Tickets;
using Hall.Server.Windows;

namespace Hall.Server.Reports;

/// <summary>A sum, count and maximum of durations (minutes): averages are the sum over the count.</summary>
public sealed class DurationStat
{
    public int Count { get; private set; }
    public double TotalMinutes { get; private set; }
    public double MaxMinutes { get; private set; }
    public double? Average => Count == 0 ? null : TotalMinutes / Count;

    public void Add(TimeSpan span)
    {
        var minutes = Math.Max(0, span.TotalMinutes);
        Count++;
        TotalMinutes += minutes;
        MaxMinutes = Math.Max(MaxMinutes, minutes);
    }

    /// <summary>Adds another's durations, as if each had been added here (a county's sites summed).</summary>
    public void Add(DurationStat other)
    {
        Count += other.Count;
        TotalMinutes += other.TotalMinutes;
        MaxMinutes = Math.Max(MaxMinutes, other.MaxMinutes);
    }
}

/// <summary>Ratings by the five national levels.</summary>
public sealed class RatingStat
{
    private readonly int[] _byLevel = new int[6];

    public int Total { get; private set; }
    public int this[RatingLevel level] => _byLevel[(int)level];
    /// <summary>非常满意 + 满意 + 基本满意 over all ratings (the national 好差评 definition).</summary>
    public int Satisfied => this[RatingLevel.VerySatisfied] + this[RatingLevel.Satisfied] + this[RatingLevel.Basic];
    public int Bad => this[RatingLevel.Dissatisfied] + this[RatingLevel.VeryDissatisfied];
    public double? Rate => Total == 0 ? null : (double)Satisfied / Total;

    public void Add(RatingLevel level)
    {
        _byLevel[(int)level]++;
        Total++;
    }

    public void Add(RatingStat other)
    {
        for (var level = 1; level < _byLevel.Length; level++)
        {
            _byLevel[level] += other._byLevel[level];
        }
        Total += other.Total;
    }
}

/// <summary>What one window, clerk, service or department did in the period.</summary>
public sealed class WorkStat
{
    public int Calls { get; set; }
    public int Served { get; set; }
    public int NoShows { get; set; }
    public int TransfersOut { get; set; }
    public int TransfersIn { get; set; }
    public int Issued { get; set; }
    public int Cancelled { get; set; }
    public DurationStat Wait { get; } = new();
    public DurationStat Walk { get; } = new();
    public DurationStat Handling { get; } = new();
    public RatingStat Ratings { get; } = new();
    public Dictionary<string, int> Outcomes { get; } = new(StringComparer.Ordinal);
    /// <summary>Finished 咨询: a question answered, not a case (not in <see cref="Served"/>).</summary>
    public int Consultations { get; set; }
    /// <summary>Cases accepted with materials to follow (容缺受理) and on a promise (告知承诺).</summary>
    public int MaterialsToFollow { get; set; }
    public int OnPromise { get; set; }
    /// <summary>办结率: cases finished on the spot (办结) over cases.</summary>
    public double? CompletionRate => Served == 0 ? null : (double)Outcomes.GetValueOrDefault(TicketRules.Completed) / Served;

    /// <summary>The sum of several (a county's sites): counts and durations added, the rates then follow from the sums.</summary>
    public static WorkStat Sum(IEnumerable<WorkStat> stats)
    {
        var sum = new WorkStat();
        foreach (var s in stats)
        {
            (sum.Calls, sum.Served, sum.NoShows, sum.TransfersOut, sum.TransfersIn, sum.Issued, sum.Cancelled) =
                (sum.Calls + s.Calls, sum.Served + s.Served, sum.NoShows + s.NoShows, sum.TransfersOut + s.TransfersOut, sum.TransfersIn + s.TransfersIn,
                 sum.Issued + s.Issued, sum.Cancelled + s.Cancelled);
            (sum.Consultations, sum.MaterialsToFollow, sum.OnPromise, sum.BadRemedied, sum.Staffed) =
                (sum.Consultations + s.Consultations, sum.MaterialsToFollow + s.MaterialsToFollow, sum.OnPromise + s.OnPromise, sum.BadRemedied + s.BadRemedied, sum.Staffed + s.Staffed);
            sum.Wait.Add(s.Wait);
            sum.Walk.Add(s.Walk);
            sum.Handling.Add(s.Handling);
            sum.Ratings.Add(s.Ratings);
            foreach (var (outcome, n) in s.Outcomes)
            {
                sum.Outcomes[outcome] = sum.Outcomes.GetValueOrDefault(outcome) + n;
            }
            foreach (var (reason, span) in s.Pauses)
            {
                sum.Pauses[reason] = sum.Pauses.GetValueOrDefault(reason) + span;
            }
        }
        return sum;
    }

    /// <summary>Counts one finished ticket: a case (or a consultation), its outcome and how it was accepted.</summary>
    public void AddFinish(string outcome, AcceptanceMode? acceptance)
    {
        if (outcome == TicketRules.Consultation)
        {
            Consultations++;
        }
        else
        {
            Served++;
        }
        Outcomes[outcome] = Outcomes.GetValueOrDefault(outcome) + 1;
        MaterialsToFollow += acceptance == AcceptanceMode.MaterialsToFollow ? 1 : 0;
        OnPromise += acceptance == AcceptanceMode.OnPromise ? 1 : 0;
    }
    /// <summary>Open, not paused, within the hall's opening hours.</summary>
    public TimeSpan Staffed { get; set; }
    public Dictionary<string, TimeSpan> Pauses { get; } = new(StringComparer.Ordinal);
    public HashSet<DateOnly> DaysPresent { get; } = [];
    public TimeSpan PauseTotal => Pauses.Values.Aggregate(TimeSpan.Zero, (a, b) => a + b);
    /// <summary>Handling time over staffed time.</summary>
    public double? Utilisation => Staffed <= TimeSpan.Zero ? null : Handling.TotalMinutes / Staffed.TotalMinutes;
    /// <summary>评价率: tickets rated over tickets finished (cases and consultations).</summary>
    public double? RatedShare => Served + Consultations == 0 ? null : (double)Ratings.Total / (Served + Consultations);
    /// <summary>Bad ratings whose follow-up case (整改) is closed.</summary>
    public int BadRemedied { get; set; }
    /// <summary>差评整改率: bad ratings remedied over bad ratings.</summary>
    public double? RemedyRate => Ratings.Bad == 0 ? null : (double)BadRemedied / Ratings.Bad;
}

/// <summary>One pause of a window, the part within opening hours.</summary>
public sealed record PauseSpan(int WindowId, int StaffId, string Reason, DateTimeOffset From, DateTimeOffset To, TimeSpan WithinHours, bool Long);

public sealed record FollowUpStatus(FollowUpRow Case, string State, bool Late);

/// <summary>差评闭环 of the period, as DEFINITIONS.md defines each figure.</summary>
public sealed record BadRatingLoop(int Cases, int Due, int OnTime, int CalledBack, int CallBackSatisfied, int Unreachable,
    int AppealsFiled, int AppealsUpheld, int AppealsRejected, int AppealsPending)
{
    /// <summary>按期办结率: closed by the due date over the cases due.</summary>
    public double? OnTimeRate => Due == 0 ? null : (double)OnTime / Due;

    /// <summary>回访满意率: 满意 + 基本满意 at the call-back over those called back (reached).</summary>
    public double? CallBackRate => CalledBack == 0 ? null : (double)CallBackSatisfied / CalledBack;
}

/// <summary>How a clerk's day went against the roster (排班).</summary>
public enum DayAttendance
{
    /// <summary>At the window from opening to closing (within the grace).</summary>
    OnTime,
    Late,
    LeftEarly,
    LateAndLeftEarly,
    /// <summary>Due, not at a window, no leave: 缺勤.</summary>
    Absent,
    OnLeave,
    OnBusiness,
    /// <summary>At a window on a day not rostered.</summary>
    OffRoster,
}

/// <summary>One clerk's day: whether due (and where), when they first took and last left a window, and how it counts.</summary>
public sealed record ClerkDay(int StaffId, DateOnly Date, bool Due, int? RosterWindowId, DateTimeOffset? First, DateTimeOffset? Last, DayAttendance State);

/// <summary>A clerk's attendance over the period as the bureau counts it (应出勤, 实出勤, 请假, 公出, 缺勤, 迟到, 早退, 超时暂停).</summary>
public sealed class AttendanceStat
{
    /// <summary>Whether the clerk was on the roster on any date of the period: without a roster, 应出勤 and what follows from it is —.</summary>
    public bool Rostered { get; set; }
    public int Due { get; set; }
    public int Present { get; set; }
    public int OnLeave { get; set; }
    public int OnBusiness { get; set; }
    public int Absent { get; set; }
    public int Late { get; set; }
    public int LeftEarly { get; set; }
    public int LongPauses { get; set; }
}

/// <summary>
/// The figures of a period, computed from the event log, the window-session log, ratings, follow-up cases, alerts and proof of play
/// exactly as Reports/DEFINITIONS.md defines them. Pure: no database, no clock.
/// </summary>
public sealed class ReportFigures
{
    public static readonly IReadOnlyList<(int FromMinutes, string Label)> WaitBuckets =
        [(0, "0–5 分钟"), (5, "5–10 分钟"), (10, "10–20 分钟"), (20, "20–30 分钟"), (30, "30–60 分钟"), (60, "60 分钟以上")];

    public const string NoItemDepartment = "未登记事项";

    public required ReportInput Input { get; init; }
    public WorkStat Hall { get; } = new();
    public Dictionary<int, WorkStat> ByWindow { get; } = [];
    public Dictionary<int, WorkStat> ByStaff { get; } = [];
    public Dictionary<int, WorkStat> ByService { get; } = [];
    public Dictionary<string, WorkStat> ByDepartment { get; } = new(StringComparer.Ordinal);
    public Dictionary<DateOnly, WorkStat> ByDay { get; } = [];
    /// <summary>Tickets issued by local hour of day (0–23).</summary>
    public int[] IssuedByHour { get; } = new int[24];
    /// <summary>Tickets called by local hour of day (0–23).</summary>
    public int[] CalledByHour { get; } = new int[24];
    /// <summary>Tickets issued by day of week (Monday = 0) and hour.</summary>
    public int[,] IssuedByWeekdayHour { get; } = new int[7, 24];
    public int[] WaitDistribution { get; } = new int[WaitBuckets.Count];
    public Dictionary<(int WindowId, DateOnly Day), TimeSpan> StaffedByWindowDay { get; } = [];
    public List<PauseSpan> PauseSpans { get; } = [];
    public TimeSpan OpeningTime { get; private set; }
    public Dictionary<DateOnly, TimeSpan> OpeningByDay { get; } = [];
    public List<FollowUpStatus> FollowUps { get; } = [];
    public Dictionary<int, (int Plays, int Completed, TimeSpan Shown)> LegalPlays { get; } = [];
    /// <summary>Each clerk's days: rostered ones and those they held a window on.</summary>
    public List<ClerkDay> ClerkDays { get; } = [];
    public Dictionary<int, AttendanceStat> Attendance { get; } = [];

    /// <summary>Arriving or leaving within this many minutes of opening or closing is on time.</summary>
    public const int AttendanceGraceMinutes = 5;

    public int FollowUpsOnTime => FollowUps.Count(f => f.State == "按期办结");

    /// <summary>差评闭环: cases, on time, call-back satisfaction and appeals of the period.</summary>
    public BadRatingLoop Loop { get; private set; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    public int FollowUpsLate => FollowUps.Count(f => f.Late);

    public static ReportFigures Compute(ReportInput input)
    {
        var f = new ReportFigures { Input = input };
        f.CountOpening();
        f.CountTickets();
        f.CountSessions();
        f.CountRatings();
        f.CountFollowUps();
        f.CountLoop();
        f.CountPlays();
        f.CountAttendance();
        return f;
    }

    public WorkStat Window(int id) => Get(ByWindow, id);

    public WorkStat Staff(int id) => Get(ByStaff, id);

    public WorkStat Service(int id) => Get(ByService, id);

    public WorkStat Day(DateOnly day) => Get(ByDay, day);

    private static WorkStat Get<TKey>(Dictionary<TKey, WorkStat> map, TKey key)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var stat))
        {
            stat = new WorkStat();
            map[key] = stat;
        }
        return stat;
    }

    /// <summary>The hall's opening hours of each date of the period, as instants.</summary>
    private List<(DateOnly Day, DateTimeOffset From, DateTimeOffset To)> _opening = [];

    private void CountOpening()
    {
        for (var day = Input.From; day <= Input.To; day = day.AddDays(1))
        {
            foreach (var range in Input.Hall.RangesOn(day))
            {
                var from = Instant(day, range.From);
                var to = Instant(day, range.To);
                _opening.Add((day, from, to));
                OpeningTime += to - from;
                OpeningByDay[day] = OpeningByDay.GetValueOrDefault(day) + (to - from);
            }
        }
        _opening.Sort((a, b) => a.From.CompareTo(b.From));
    }

    /// <summary>
    /// The time from <paramref name="from"/> to <paramref name="to"/> less the hall's closed time between two opening ranges
    /// of one day (the lunch break): a wait or a case that runs through the lunch break does not count the break. Time
    /// before the day's first opening or after its last closing counts as it is.
    /// </summary>
    private TimeSpan Net(DateTimeOffset from, DateTimeOffset to)
    {
        var span = to - from;
        for (var i = 1; i < _opening.Count; i++)
        {
            if (_opening[i - 1].Day != _opening[i].Day)
            {
                continue;
            }
            var a = from > _opening[i - 1].To ? from : _opening[i - 1].To;
            var b = to < _opening[i].From ? to : _opening[i].From;
            if (b > a)
            {
                span -= b - a;
            }
        }
        return span;
    }

    private DateTimeOffset Instant(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time);
        return new DateTimeOffset(local, Input.Hall.Zone.GetUtcOffset(local));
    }

    private DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Input.Hall.Zone);

    private void CountTickets()
    {
        var tickets = Input.Tickets.ToDictionary(t => t.Id);
        foreach (var events in Input.Events.GroupBy(e => e.TicketId))
        {
            if (tickets.TryGetValue(events.Key, out var ticket))
            {
                CountTicket(ticket, [.. events]);
            }
        }
    }

    private void CountTicket(TicketRow ticket, List<TicketEventRow> events)
    {
        var issued = events[0];
        if (issued.Kind != TicketEventKind.Issued || events.Any(e => e.Kind == TicketEventKind.Voided))
        {
            return;
        }
        var issueService = issued.ServiceId;
        var day = Day(ticket.BusinessDate);
        var local = Local(issued.At);
        IssuedByHour[local.Hour]++;
        IssuedByWeekdayHour[((int)local.DayOfWeek + 6) % 7, local.Hour]++;
        Hall.Issued++;
        day.Issued++;
        Service(issueService).Issued++;

        var service = issueService;
        var firstCall = true;
        DateTimeOffset? calledAt = null;
        DateTimeOffset? startedAt = null;
        foreach (var e in events.Skip(1))
        {
            var window = e.WindowId is { } w ? Window(w) : null;
            var staff = e.StaffId is { } s ? Staff(s) : null;
            switch (e.Kind)
            {
                case TicketEventKind.Called:
                    calledAt = e.At;
                    CalledByHour[Local(e.At).Hour]++;
                    foreach (var stat in Stats(window, staff))
                    {
                        stat.Calls++;
                    }
                    Hall.Calls++;
                    if (firstCall)
                    {
                        firstCall = false;
                        var wait = Net(issued.At, e.At);
                        foreach (var stat in Stats(window, staff, Service(issueService), Hall, day))
                        {
                            stat.Wait.Add(wait);
                        }
                        WaitDistribution[Bucket(wait)]++;
                    }
                    break;
                case TicketEventKind.Started:
                    startedAt = e.At;
                    if (calledAt is { } c)
                    {
                        foreach (var stat in Stats(window, staff, Service(service), Hall))
                        {
                            stat.Walk.Add(Net(c, e.At));
                        }
                    }
                    break;
                case TicketEventKind.Finished:
                    _servedIn[ticket.Id] = service;
                    var outcome = e.Outcome ?? "";
                    var handled = startedAt is { } st ? Net(st, e.At) : (TimeSpan?)null;
                    foreach (var stat in Stats(window, staff, Service(service), Hall, day))
                    {
                        stat.AddFinish(outcome, ticket.Acceptance);
                        if (handled is { } h)
                        {
                            stat.Handling.Add(h);
                        }
                    }
                    foreach (var department in Departments(ticket))
                    {
                        Get(ByDepartment, department).AddFinish(outcome, ticket.Acceptance);
                    }
                    break;
                case TicketEventKind.NoShow:
                    foreach (var stat in Stats(window, staff, Service(service), Hall, day))
                    {
                        stat.NoShows++;
                    }
                    break;
                case TicketEventKind.Transferred:
                    foreach (var stat in Stats(window, staff, Service(service), Hall))
                    {
                        stat.TransfersOut++;
                    }
                    Service(e.ServiceId).TransfersIn++;
                    service = e.ServiceId;
                    startedAt = null;
                    calledAt = null;
                    break;
                case TicketEventKind.Cancelled:
                    Service(service).Cancelled++;
                    Hall.Cancelled++;
                    break;
                case TicketEventKind.Issued:
                case TicketEventKind.Recalled:
                case TicketEventKind.Requeued:
                case TicketEventKind.Rated:
                case TicketEventKind.Voided:
                case TicketEventKind.RatingInvited:
                    break;
            }
        }
    }

    private static IEnumerable<WorkStat> Stats(params WorkStat?[] stats) => stats.OfType<WorkStat>();

    private static int Bucket(TimeSpan wait)
    {
        var i = WaitBuckets.Count - 1;
        while (i > 0 && wait.TotalMinutes < WaitBuckets[i].FromMinutes)
        {
            i--;
        }
        return i;
    }

    /// <summary>The departments of the items recorded at finish; the item chosen at the kiosk when none was recorded.</summary>
    private List<string> Departments(TicketRow ticket)
    {
        IEnumerable<int> items = ticket.HandledItems.Count > 0 ? ticket.HandledItems : ticket.ItemId is { } i ? [i] : [];
        var names = items.Select(i => Input.Departments.GetValueOrDefault(i)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return names.Count > 0 ? names : [NoItemDepartment];
    }

    /// <summary>A pause being counted: since when in this session, and since when at the window (a pause taken over goes on).</summary>
    private sealed record OpenPause(DateTimeOffset At, string Reason, DateTimeOffset SpanFrom, TimeSpan WithinBefore);

    /// <summary>A pause whose session was taken over, by window: the taker's session goes on with it (see <see cref="CountSessions"/>).</summary>
    private readonly Dictionary<int, (OpenPause Pause, DateTimeOffset HandedAt, TimeSpan Within, WindowEventRow Event)> _handedPauses = [];

    private void CountSessions()
    {
        var periodEnd = Instant(Input.To.AddDays(1), TimeOnly.MinValue);
        var end = Input.Now < periodEnd ? Input.Now : periodEnd;
        foreach (var session in Input.WindowEvents.GroupBy(e => e.SessionId))
        {
            DateTimeOffset? openSince = null;
            OpenPause? pausedSince = null;
            WindowEventRow? last = null;
            foreach (var e in session)
            {
                last = e;
                switch (e.Kind)
                {
                    case WindowEventKind.Opened:
                    case WindowEventKind.Resumed:
                        ClosePause(e, e.At, ref pausedSince);
                        openSince ??= e.At;
                        break;
                    case WindowEventKind.Paused:
                        CloseOpen(e, e.At, ref openSince);
                        // A window taken over while paused: the new holder's session begins with the same pause, at the same
                        // moment. It is one pause at the window (its length judged whole), its minutes each holder's own.
                        pausedSince ??= _handedPauses.Remove(e.WindowId, out var handed) && handed.HandedAt == e.At && handed.Pause.Reason == (e.Reason ?? "")
                            ? new OpenPause(e.At, handed.Pause.Reason, handed.Pause.SpanFrom, handed.Within)
                            : new OpenPause(e.At, e.Reason ?? "", e.At, TimeSpan.Zero);
                        break;
                    case WindowEventKind.Closed:
                        CloseOpen(e, e.At, ref openSince);
                        ClosePause(e, e.At, ref pausedSince);
                        break;
                    case WindowEventKind.HandedOver:
                        CloseOpen(e, e.At, ref openSince);
                        ClosePause(e, e.At, ref pausedSince, handedOver: true);
                        break;
                }
            }
            if (last is not null)
            {
                var first = session.First();
                Held(first.StaffId, first.At, last.Kind is WindowEventKind.Closed or WindowEventKind.HandedOver ? last.At : end);
                CloseOpen(last, end, ref openSince);
                ClosePause(last, end, ref pausedSince);
            }
        }
        // A pause handed over to nobody who went on with it ends where it was handed over.
        foreach (var (pause, handedAt, within, e) in _handedPauses.Values)
        {
            AddPauseSpan(e, pause, handedAt, within);
        }
        _handedPauses.Clear();
    }

    /// <summary>When each clerk first took and last left a window on each date, within the opening hours (open or paused alike).</summary>
    private readonly Dictionary<(int StaffId, DateOnly Day), (DateTimeOffset First, DateTimeOffset Last)> _held = [];

    private void Held(int staffId, DateTimeOffset from, DateTimeOffset to)
    {
        foreach (var (day, open, close) in _opening)
        {
            var a = from > open ? from : open;
            var b = to < close ? to : close;
            if (b > a)
            {
                _held[(staffId, day)] = _held.TryGetValue((staffId, day), out var h) ? (a < h.First ? a : h.First, b > h.Last ? b : h.Last) : (a, b);
            }
        }
    }

    private void CountAttendance()
    {
        var roster = Input.Roster.Where(r => Input.Hall.RangesOn(r.Date).Count > 0).ToDictionary(r => (r.StaffId, Day: r.Date));
        var grace = TimeSpan.FromMinutes(AttendanceGraceMinutes);
        foreach (var key in roster.Keys.Concat(_held.Keys).Distinct().OrderBy(k => k.Day).ThenBy(k => k.StaffId))
        {
            var due = roster.TryGetValue(key, out var r);
            var held = _held.TryGetValue(key, out var h);
            var stat = Attendance.TryGetValue(key.StaffId, out var a) ? a : Attendance[key.StaffId] = new AttendanceStat();
            stat.Rostered |= due;
            DayAttendance state;
            if (held)
            {
                stat.Present++;
                var ranges = Input.Hall.RangesOn(key.Day);
                var late = h.First > Instant(key.Day, ranges.Min(x => x.From)) + grace;
                var early = h.Last < Instant(key.Day, ranges.Max(x => x.To)) - grace;
                state = !due ? DayAttendance.OffRoster : late && early ? DayAttendance.LateAndLeftEarly : late ? DayAttendance.Late : early ? DayAttendance.LeftEarly : DayAttendance.OnTime;
                if (due)
                {
                    stat.Late += late ? 1 : 0;
                    stat.LeftEarly += early ? 1 : 0;
                }
            }
            else
            {
                var leave = Input.Leaves.FirstOrDefault(l => l.StaffId == key.StaffId && l.From <= key.Day && l.To >= key.Day);
                state = leave is null ? DayAttendance.Absent : leave.Kind == global::Hall.Server.Staff.LeaveKind.Business ? DayAttendance.OnBusiness : DayAttendance.OnLeave;
                stat.Absent += state == DayAttendance.Absent ? 1 : 0;
                stat.OnLeave += state == DayAttendance.OnLeave ? 1 : 0;
                stat.OnBusiness += state == DayAttendance.OnBusiness ? 1 : 0;
            }
            stat.Due += due ? 1 : 0;
            ClerkDays.Add(new ClerkDay(key.StaffId, key.Day, due, due ? r!.WindowId : null, held ? h.First : null, held ? h.Last : null, state));
        }
        foreach (var p in PauseSpans.Where(p => p.Long))
        {
            (Attendance.TryGetValue(p.StaffId, out var a) ? a : Attendance[p.StaffId] = new AttendanceStat()).LongPauses++;
        }
    }

    private void CloseOpen(WindowEventRow e, DateTimeOffset to, ref DateTimeOffset? openSince)
    {
        if (openSince is not { } from)
        {
            return;
        }
        openSince = null;
        foreach (var (day, span) in WithinOpening(from, to))
        {
            Window(e.WindowId).Staffed += span;
            Window(e.WindowId).DaysPresent.Add(day);
            Staff(e.StaffId).Staffed += span;
            Staff(e.StaffId).DaysPresent.Add(day);
            Hall.Staffed += span;
            StaffedByWindowDay[(e.WindowId, day)] = StaffedByWindowDay.GetValueOrDefault((e.WindowId, day)) + span;
        }
    }

    private void ClosePause(WindowEventRow e, DateTimeOffset to, ref OpenPause? pausedSince, bool handedOver = false)
    {
        if (pausedSince is not { } pause)
        {
            return;
        }
        pausedSince = null;
        var within = TimeSpan.Zero;
        foreach (var (_, span) in WithinOpening(pause.At, to))
        {
            within += span;
        }
        foreach (var stat in Stats(Window(e.WindowId), Staff(e.StaffId), Hall))
        {
            stat.Pauses[pause.Reason] = stat.Pauses.GetValueOrDefault(pause.Reason) + within;
        }
        if (handedOver)
        {
            _handedPauses[e.WindowId] = (pause, to, pause.WithinBefore + within, e);
        }
        else
        {
            AddPauseSpan(e, pause, to, pause.WithinBefore + within);
        }
    }

    private void AddPauseSpan(WindowEventRow e, OpenPause pause, DateTimeOffset to, TimeSpan within)
    {
        if (to > pause.SpanFrom)
        {
            PauseSpans.Add(new PauseSpan(e.WindowId, e.StaffId, pause.Reason, pause.SpanFrom, to, within, within > TimeSpan.FromMinutes(Input.Hall.PauseLimitMinutes)));
        }
    }

    /// <summary>The parts of [from, to) within the hall's opening hours, by business date.</summary>
    private IEnumerable<(DateOnly Day, TimeSpan Span)> WithinOpening(DateTimeOffset from, DateTimeOffset to)
    {
        foreach (var (day, open, close) in _opening)
        {
            var a = from > open ? from : open;
            var b = to < close ? to : close;
            if (b > a)
            {
                yield return (day, b - a);
            }
        }
    }

    /// <summary>The service each finished ticket was served in (after any transfer), for its rating.</summary>
    private readonly Dictionary<long, int> _servedIn = [];

    private void CountRatings()
    {
        var tickets = Input.Tickets.ToDictionary(t => t.Id);
        foreach (var r in Input.Ratings)
        {
            foreach (var stat in RatedStats(r.TicketId, r.WindowId, r.StaffId, tickets))
            {
                stat.Ratings.Add(r.Level);
            }
        }
        // A case closed by an upheld appeal remedied nothing: its rating is gone from the figures.
        foreach (var c in Input.FollowUps.Where(c => c.ClosedAt is not null && !c.AppealUpheld))
        {
            foreach (var stat in RatedStats(c.TicketId, c.WindowId, c.StaffId, tickets))
            {
                stat.BadRemedied++;
            }
        }
    }

    /// <summary>
    /// What a rating of the ticket counts for: the window and clerk who served it, the hall, its day, the service it was
    /// served in (after any transfer, as its 办件量) and the departments of its items.
    /// </summary>
    private IEnumerable<WorkStat> RatedStats(long ticketId, int? windowId, int? staffId, Dictionary<long, TicketRow> tickets)
    {
        var ticket = tickets.GetValueOrDefault(ticketId);
        return Stats(
        [
            windowId is { } w ? Window(w) : null, staffId is { } s ? Staff(s) : null, Hall, ticket is null ? null : Day(ticket.BusinessDate),
            _servedIn.TryGetValue(ticketId, out var service) ? Service(service) : null,
            .. ticket is null ? [] : Departments(ticket).Select(d => Get(ByDepartment, d)),
        ]);
    }

    private void CountFollowUps()
    {
        var today = Input.Today;
        foreach (var c in Input.FollowUps)
        {
            var (state, late) = c.AppealUpheld ? ("申诉采纳", false)
                : c.ClosedAt is { } closed
                ? HallClock.BusinessDate(closed, Input.Hall.Zone) <= c.DueDate ? ("按期办结", false) : ("逾期办结", true)
                : today > c.DueDate ? ("逾期未办结", true) : ("办理中", false);
            FollowUps.Add(new FollowUpStatus(c, state, late));
        }
    }

    private void CountLoop()
    {
        var today = Input.Today;
        bool InPeriod(DateTimeOffset? at) => at is { } a && HallClock.BusinessDate(a, Input.Hall.Zone) is var d && d >= Input.From && d <= Input.To;
        var due = Input.LoopCases.Where(c => c.DueDate >= Input.From && c.DueDate <= Input.To && c.AppealUpheld != true && (c.ClosedAt is not null || c.DueDate < today)).ToList();
        var calledBack = Input.LoopCases.Where(c => InPeriod(c.CalledBackAt) && c.Verdict is { } v && v != Ratings.CallBackVerdict.Unreachable).ToList();
        var filed = Input.LoopCases.Where(c => InPeriod(c.AppealFiledAt)).ToList();
        var decided = Input.LoopCases.Where(c => InPeriod(c.AppealDecidedAt)).ToList();
        Loop = new BadRatingLoop(
            FollowUps.Count,
            due.Count,
            due.Count(c => c.ClosedAt is { } closed && HallClock.BusinessDate(closed, Input.Hall.Zone) <= c.DueDate),
            calledBack.Count,
            calledBack.Count(c => Ratings.FollowUpText.Satisfied(c.Verdict!.Value)),
            Input.LoopCases.Count(c => InPeriod(c.CalledBackAt) && c.Verdict == Ratings.CallBackVerdict.Unreachable),
            filed.Count,
            decided.Count(c => c.AppealUpheld == true),
            decided.Count(c => c.AppealUpheld == false),
            filed.Count(c => c.AppealDecidedAt is null));
    }

    private void CountPlays()
    {
        var legal = Input.Media.Where(m => m.Legal).Select(m => m.Id).ToHashSet();
        foreach (var p in Input.Plays.Where(p => legal.Contains(p.MediaId)))
        {
            var (plays, completed, shown) = LegalPlays.GetValueOrDefault(p.MediaId);
            LegalPlays[p.MediaId] = (plays + 1, completed + (p.Completed ? 1 : 0), shown + (p.EndedAt - p.StartedAt));
        }
    }

    /// <summary>
    /// Windows ranked: those with at least the hall's minimum of ratings first (the others are not ranked: a rate of a few
    /// ratings says little), each part by satisfaction rate, then 办件量, then average wait (shorter first), then number.
    /// </summary>
    public IReadOnlyList<(WindowInfo Window, WorkStat Stat, bool Ranked)> Ranking() =>
        [.. Input.Windows.Select(w => (Window: w, Stat: Window(w.Id), Ranked: Window(w.Id).Ratings.Total >= Math.Max(1, Input.Hall.RankingMinRatings)))
            .OrderBy(x => !x.Ranked)
            .ThenBy(x => x.Stat.Ratings.Total == 0)
            .ThenByDescending(x => x.Stat.Ratings.Rate ?? 0)
            .ThenByDescending(x => x.Stat.Served)
            .ThenBy(x => x.Stat.Wait.Average ?? double.MaxValue)
            .ThenBy(x => x.Window.Number)];

    public IEnumerable<AlertRow> DeviceOffline => Input.Alerts.Where(a => a.Kind == AlertKind.DeviceOffline);
}
