using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Queue;

/// <summary>Reads the state messages and snapshots clients receive. Used inside a command's transaction (under its locks) and for snapshots.</summary>
public static class HallStateReader
{
    public const int RecentCallCount = 10;

    /// <summary>One row per service with its counts, read in a single statement (columns in snake case, as the naming convention maps them).</summary>
    private sealed record ServiceRow(int Id, string Code, string Name, char Prefix, int DailyCap, string? Hours, int DefaultHandlingMinutes, long QueueVersion, int Waiting, int Started, int Issued, int OpenWindows);

    public static async Task<List<ServiceStateMessage>> ServicesAsync(HallDb db, HallSite hall, IReadOnlyCollection<int>? onlyIds, DateTimeOffset now, CancellationToken ct) =>
        [.. (await ServiceStatesAsync(db, hall, onlyIds, now, ct)).Select(s => s.State)];

    /// <summary>The services' state messages with the take-up rate each estimate came from.</summary>
    public static async Task<List<(ServiceStateMessage State, QueueRate Rate)>> ServiceStatesAsync(HallDb db, HallSite hall, IReadOnlyCollection<int>? onlyIds, DateTimeOffset now, CancellationToken ct)
    {
        var today = HallClock.BusinessDate(now, hall.Zone);
        var hourAgo = now.AddHours(-1);
        var all = onlyIds is null;
        var ids = onlyIds?.ToArray() ?? [];
        var rows = await db.Database.SqlQuery<ServiceRow>($"""
            SELECT s.id AS id, s.code AS code, s.name AS name, s.prefix AS prefix, s.daily_cap AS daily_cap, s.hours::text AS hours,
                   s.default_handling_minutes AS default_handling_minutes, s.queue_version AS queue_version,
                   (SELECT count(*) FROM tickets t WHERE t.service_id = s.id AND t.business_date = {today} AND t.state = 'Waiting')::int AS waiting,
                   (SELECT count(*) FROM tickets t WHERE t.service_id = s.id AND t.business_date = {today} AND t.started_at >= {hourAgo})::int AS started,
                   coalesce((SELECT n.last_number FROM number_counters n WHERE n.service_id = s.id AND n.business_date = {today}), 0) AS issued,
                   (SELECT count(*) FROM window_services ws JOIN window_sessions ss ON ss.window_id = ws.window_id
                     WHERE ws.service_id = s.id AND ss.closed_at IS NULL AND ss.status = 'Open')::int AS open_windows
            FROM services s
            WHERE s.hall_id = {hall.Id} AND s.active AND ({all} OR s.id = ANY({ids}))
            ORDER BY s.sort_order, s.prefix
            """).ToListAsync(ct);
        var calendar = hall.ToCalendar();
        return [.. rows.Select(s =>
        {
            var hours = s.Hours is null ? null : System.Text.Json.JsonSerializer.Deserialize<WeeklyHours?>(s.Hours);
            var rate = new QueueRate(s.Started, s.OpenWindows, s.DefaultHandlingMinutes);
            var open = HallClock.CheckOpen(now, calendar.Zone, calendar.Hours, hours, calendar.Days) is null;
            var capReached = s.Issued >= Math.Min(s.DailyCap, 999);
            return (new ServiceStateMessage(s.Id, s.Code, s.Name, s.Prefix, s.Waiting, TicketRules.EstimateWaitMinutes(s.Waiting, rate), open, capReached, s.QueueVersion), rate);
        })];
    }

    public static async Task<List<WindowStateMessage>> WindowsAsync(HallDb db, int hallId, IReadOnlyCollection<int>? onlyIds, CancellationToken ct)
    {
        var rows = await (
            from w in db.Windows.AsNoTracking()
            where w.HallId == hallId && w.Active && (onlyIds == null || onlyIds.Contains(w.Id))
            join s in db.WindowSessions.Where(s => s.ClosedAt == null) on w.Id equals s.WindowId into sessions
            from s in sessions.DefaultIfEmpty()
            join st in db.Staff on s.StaffId equals st.Id into staff
            from st in staff.DefaultIfEmpty()
            join t in db.Tickets.Where(t => t.State == TicketState.Called || t.State == TicketState.Serving) on w.Id equals t.WindowId into current
            from t in current.DefaultIfEmpty()
            orderby w.Number
            select new
            {
                w.Id,
                w.Number,
                w.Name,
                Status = s == null ? WindowStatus.Closed : s.Status,
                PauseReason = s == null ? null : s.PauseReason,
                StaffName = st == null ? null : st.Name,
                TicketId = t == null ? (long?)null : t.Id,
                TicketNumber = t == null ? null : t.Number,
                TicketState = t == null ? (TicketState?)null : t.State,
                w.StateVersion,
            }).ToListAsync(ct);
        return [.. rows.Select(r => new WindowStateMessage(r.Id, r.Number, r.Name, r.Status, r.PauseReason, r.StaffName, r.TicketId, r.TicketNumber, r.TicketState, r.StateVersion))];
    }

    public static async Task<List<CallMessage>> CallsAsync(HallDb db, int hallId, DateTimeOffset since, long afterId, int take, CancellationToken ct)
    {
        var rows = await (
            from e in db.TicketEvents.AsNoTracking()
            where e.HallId == hallId && e.At >= since && e.Id > afterId && (e.Kind == TicketEventKind.Called || e.Kind == TicketEventKind.Recalled)
            join t in db.Tickets on e.TicketId equals t.Id
            join w in db.Windows on e.WindowId equals w.Id
            join s in db.Services on e.ServiceId equals s.Id
            orderby e.Id descending
            select new CallMessage(e.Id, t.Id, t.Number, w.Id, w.Number, w.Name, s.Name, e.Kind == TicketEventKind.Recalled, e.At))
            .Take(take).ToListAsync(ct);
        rows.Reverse();
        return rows;
    }

    /// <summary>The full state of a hall, read in one repeatable-read snapshot so its parts agree.</summary>
    public static async Task<HallSnapshot> SnapshotAsync(HallDb db, int hallId, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var hall = await db.Halls.AsNoTracking().Include(h => h.Calendar).FirstAsync(h => h.Id == hallId, ct);
        var services = await ServicesAsync(db, hall, null, now, ct);
        var windows = await WindowsAsync(db, hallId, null, ct);
        var startOfDay = StartOfBusinessDay(hall, now);
        var calls = await CallsAsync(db, hallId, startOfDay, 0, RecentCallCount, ct);
        var version = Math.Max(services.Select(s => s.Version).DefaultIfEmpty().Max(), windows.Select(w => w.Version).DefaultIfEmpty().Max());
        await tx.CommitAsync(ct);
        return new HallSnapshot(hall.Id, hall.Name, HallClock.BusinessDate(now, hall.Zone), services, windows, calls, version);
    }

    public static DateTimeOffset StartOfBusinessDay(HallSite hall, DateTimeOffset now)
    {
        var zone = hall.Zone;
        var local = HallClock.BusinessDate(now, zone).ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
