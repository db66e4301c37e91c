using Hall.Server.Alerts;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Web;

public sealed record WindowTile(int Id, int Number, string Name, WindowStatus Status, string? PauseReason, DateTimeOffset? Since, string? StaffName,
    string? CurrentNumber, TicketState? CurrentState, DateTimeOffset? CurrentSince, int ServedToday, int RatedToday, int SatisfiedToday);

public sealed record ServiceRow(int Id, string Name, char Prefix, int Waiting, DateTimeOffset? OldestIssuedAt, int? EstimatedWaitMinutes, int TargetWaitMinutes, int IssuedLastHour, int CalledLastHour);

public sealed record DeviceRow(int Id, string Name, DeviceRole Role, string? Window, bool Online, DateTimeOffset? LastSeenAt, string? Status, string? StatusDetail, int RefusedPlays);

public sealed record WallView(string HallName, TimeZoneInfo Zone, IReadOnlyList<WindowTile> Windows, IReadOnlyList<ServiceRow> Services, IReadOnlyList<DeviceRow> Devices,
    IReadOnlyList<Alert> ActiveAlerts, IReadOnlyList<Alert> ClearedToday);

/// <summary>What the supervisor's wall shows of a hall, read in one go.</summary>
public sealed class WallData(IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock)
{
    public async Task<WallView> ReadAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, hallId, now, ct);
        var since = HallStateReader.StartOfBusinessDay(hall, now);
        var today = HallClock.BusinessDate(now, hall.Zone);

        var states = await HallStateReader.WindowsAsync(db, hallId, null, ct);
        var sessions = await db.WindowSessions.AsNoTracking().Where(s => s.HallId == hallId && s.ClosedAt == null).ToListAsync(ct);
        var currentIds = states.Where(w => w.CurrentTicketId is not null).Select(w => w.CurrentTicketId!.Value).ToList();
        var current = await db.Tickets.AsNoTracking().Where(t => currentIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
        var served = await db.TicketEvents.AsNoTracking().Where(e => e.HallId == hallId && e.At >= since && e.Kind == TicketEventKind.Finished && e.WindowId != null)
            .GroupBy(e => e.WindowId!.Value).Select(g => new { Window = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Window, g => g.Count, ct);
        // A rating upheld on appeal (申诉采纳) no longer counts for the window.
        var ratings = await db.Ratings.AsNoTracking().Where(r => r.HallId == hallId && r.At >= since && r.WindowId != null && r.AppealUpheldAt == null)
            .GroupBy(r => r.WindowId!.Value).Select(g => new { Window = g.Key, Count = g.Count(), Good = g.Count(r => RatingLevels.Satisfied.Contains(r.Level)) })
            .ToDictionaryAsync(g => g.Window, ct);
        var tiles = states.Select(w =>
        {
            var session = sessions.Where(s => s.WindowId == w.WindowId).MaxBy(s => s.Id);
            var t = w.CurrentTicketId is { } id ? current.GetValueOrDefault(id) : null;
            var rated = ratings.GetValueOrDefault(w.WindowId);
            return new WindowTile(w.WindowId, w.Number, w.Name, w.Status, w.PauseReason, session?.PausedAt ?? session?.OpenedAt, w.StaffName,
                w.CurrentTicketNumber, w.CurrentTicketState, t?.StartedAt ?? t?.CalledAt, served.GetValueOrDefault(w.WindowId), rated?.Count ?? 0, rated?.Good ?? 0);
        }).ToList();

        var estimates = (await HallStateReader.ServicesAsync(db, hall, null, now, ct)).ToDictionary(s => s.ServiceId);
        var waiting = await db.Tickets.AsNoTracking().Where(t => t.HallId == hallId && t.BusinessDate == today && t.State == TicketState.Waiting)
            .GroupBy(t => t.ServiceId).Select(g => new { Service = g.Key, Count = g.Count(), Oldest = g.Min(t => t.IssuedAt) }).ToDictionaryAsync(g => g.Service, ct);
        var hourAgo = now.AddHours(-1);
        var lastHour = await db.TicketEvents.AsNoTracking().Where(e => e.HallId == hallId && e.At >= hourAgo && (e.Kind == TicketEventKind.Issued || e.Kind == TicketEventKind.Called))
            .GroupBy(e => new { e.ServiceId, e.Kind }).Select(g => new { g.Key.ServiceId, g.Key.Kind, Count = g.Count() }).ToListAsync(ct);
        var services = await db.Services.AsNoTracking().Where(s => s.HallId == hallId && s.Active).OrderBy(s => s.SortOrder).ThenBy(s => s.Id).ToListAsync(ct);
        var rows = services.Select(s => new ServiceRow(s.Id, s.Name, s.Prefix, waiting.GetValueOrDefault(s.Id)?.Count ?? 0, waiting.GetValueOrDefault(s.Id)?.Oldest,
            estimates.GetValueOrDefault(s.Id)?.EstimatedWaitMinutes, s.TargetWaitMinutes,
            lastHour.Where(x => x.ServiceId == s.Id && x.Kind == TicketEventKind.Issued).Sum(x => x.Count),
            lastHour.Where(x => x.ServiceId == s.Id && x.Kind == TicketEventKind.Called).Sum(x => x.Count))).ToList();

        var windowNames = states.ToDictionary(w => w.WindowId, w => $"{w.Number}号");
        // Ordered here, not in SQL: the role is stored as text, and 2号 comes before 10号.
        var devices = (await db.Devices.AsNoTracking().Where(d => d.HallId == hallId && d.RevokedAt == null).ToListAsync(ct))
            .OrderBy(d => d.Role).ThenBy(d => d.Name, DisplayOrder.Names).ToList();
        var deviceRows = devices.Select(d => new DeviceRow(d.Id, d.Name, d.Role, d.WindowId is { } w ? windowNames.GetValueOrDefault(w) : null, d.Online, d.LastSeenAt, d.Status, d.StatusDetail, d.RefusedPlays)).ToList();

        var alerts = await db.Alerts.AsNoTracking().Where(a => a.HallId == hallId && (a.ClearedAt == null || a.ClearedAt >= since)).OrderByDescending(a => a.RaisedAt).ThenByDescending(a => a.Id).ToListAsync(ct);
        return new WallView(hall.Name, hall.Zone, tiles, rows, deviceRows, [.. alerts.Where(a => a.ClearedAt is null)], [.. alerts.Where(a => a.ClearedAt is not null)]);
    }

    /// <summary>The waiting tickets of a service, oldest first, for the supervisor's actions.</summary>
    public async Task<List<WaitingTicket>> WaitingAsync(int hallId, int serviceId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, hallId, now, ct);
        var today = HallClock.BusinessDate(now, hall.Zone);
        var name = await db.Services.AsNoTracking().Where(s => s.Id == serviceId && s.HallId == hallId).Select(s => s.Name).FirstOrDefaultAsync(ct) ?? "";
        return await db.Tickets.AsNoTracking().Where(t => t.HallId == hallId && t.ServiceId == serviceId && t.BusinessDate == today && t.State == TicketState.Waiting)
            .OrderBy(t => t.QueuedAt).ThenBy(t => t.Id).Take(100)
            .Select(t => new WaitingTicket(t.Id, t.Number, name, t.Priority, t.Transferred, t.TargetWindowId != null, t.IssuedAt, t.State)).ToListAsync(ct);
    }
}
