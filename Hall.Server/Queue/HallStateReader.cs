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

    public static async Task<List<ServiceStateMessage>> ServicesAsync(HallDb db, HallSite hall, IReadOnlyCollection<int>? onlyIds, DateTimeOffset now, CancellationToken ct)
    {
        var today = HallClock.BusinessDate(now, hall.Zone);
        var hourAgo = now.AddHours(-1);
        var services = await db.Services.AsNoTracking()
            .Where(s => s.HallId == hall.Id && s.Active && (onlyIds == null || onlyIds.Contains(s.Id)))
            .OrderBy(s => s.SortOrder).ThenBy(s => s.Prefix)
            .ToListAsync(ct);
        var ids = services.Select(s => s.Id).ToList();
        var waiting = await db.Tickets.Where(t => ids.Contains(t.ServiceId) && t.BusinessDate == today && t.State == TicketState.Waiting)
            .GroupBy(t => t.ServiceId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var started = await db.Tickets.Where(t => ids.Contains(t.ServiceId) && t.BusinessDate == today && t.StartedAt >= hourAgo)
            .GroupBy(t => t.ServiceId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var issued = await db.NumberCounters.Where(c => ids.Contains(c.ServiceId) && c.BusinessDate == today)
            .ToDictionaryAsync(c => c.ServiceId, c => c.LastNumber, ct);
        var openWindows = await (
            from ws in db.WindowServices
            join s in db.WindowSessions on ws.WindowId equals s.WindowId
            where ids.Contains(ws.ServiceId) && s.ClosedAt == null && s.Status == WindowStatus.Open
            group ws by ws.ServiceId into g
            select new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var calendar = hall.ToCalendar();
        return [.. services.Select(s =>
        {
            var count = waiting.GetValueOrDefault(s.Id);
            var rate = new QueueRate(started.GetValueOrDefault(s.Id), openWindows.GetValueOrDefault(s.Id), s.DefaultHandlingMinutes);
            var open = HallClock.CheckOpen(now, calendar.Zone, calendar.Hours, s.Hours, calendar.Days) is null;
            var capReached = issued.GetValueOrDefault(s.Id) >= Math.Min(s.DailyCap, 999);
            return new ServiceStateMessage(s.Id, s.Code, s.Name, s.Prefix, count, TicketRules.EstimateWaitMinutes(count, rate), open, capReached, s.QueueVersion);
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
