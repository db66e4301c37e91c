using System.Threading.Channels;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Alerts;

/// <summary>
/// Keeps each hall's alerts true: every 15 s, and at once after a committed change of the hall, it evaluates
/// <see cref="AlertRules"/> and raises what is new and clears what is gone. Several servers may do this at the same
/// time: an open alert is unique per condition in the database, so none is raised twice.
/// </summary>
public sealed class AlertMonitor(IDbContextFactory<HallDb> dbFactory, HallSettings halls, HallNotifier notifier, ChangeFeed feed, TimeProvider clock, ILogger<AlertMonitor> log) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(15);

    public static readonly Refusal UnknownAlert = new("unknown_alert", "没有这条告警，或已确认", "No such alert, or it was already acknowledged.");

    private readonly Channel<int> _due = Channel.CreateUnbounded<int>();
    private readonly SemaphoreSlim _one = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        void OnChange(int hallId, HallChanges _) => _due.Writer.TryWrite(hallId);
        notifier.Changed += OnChange;
        try
        {
            await Task.WhenAll(PeriodicAsync(stoppingToken), OnDemandAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            notifier.Changed -= OnChange;
        }
    }

    private Task PeriodicAsync(CancellationToken ct) => Operations.Periodic.RunAsync(Every, clock, log, "Alerts not evaluated", async ct =>
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var hallId in await db.Halls.AsNoTracking().Select(h => h.Id).ToListAsync(ct))
        {
            await EvaluateAsync(hallId, ct);
        }
    }, ct);

    private async Task OnDemandAsync(CancellationToken ct)
    {
        await foreach (var hallId in _due.Reader.ReadAllAsync(ct))
        {
            // A burst of changes is one evaluation.
            var halls = new HashSet<int> { hallId };
            while (_due.Reader.TryRead(out var more))
            {
                halls.Add(more);
            }
            foreach (var id in halls)
            {
                try
                {
                    await EvaluateAsync(id, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log.LogWarning(ex, "Alerts of hall {HallId} not evaluated", id);
                }
            }
            // At most twice a second, however busy the hall (real time: the queue must not wait on the wall).
            await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System, ct);
        }
    }

    /// <summary>Asks for the hall's alerts to be evaluated soon (a device connected, reported or left).</summary>
    public void Poke(int hallId) => _due.Writer.TryWrite(hallId);

    /// <summary>Makes the hall's open alerts match the conditions that hold now.</summary>
    public async Task EvaluateAsync(int hallId, CancellationToken ct)
    {
        await _one.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var now = clock.GetUtcNow();
            var hall = await halls.GetAsync(db, hallId, now, ct);
            var conditions = AlertRules.Evaluate(now, OpenSince(hall, now), hall.AlertLimits,
                await ServicesAsync(db, hall, now, ct), await WindowsAsync(db, hallId, ct), await DevicesAsync(db, hallId, ct), await BadRatingsAsync(db, hallId, ct),
                HallClock.BusinessDate(now, hall.Zone))
                .Concat(AlertRules.OverdueComplaints(HallClock.BusinessDate(now, hall.Zone), await OpenComplaintsAsync(db, hallId, ct)))
                .DistinctBy(c => (c.Kind, c.Subject)).ToList();
            var open = await db.Alerts.Where(a => a.HallId == hallId && a.ClearedAt == null).ToListAsync(ct);
            var changed = false;
            foreach (var alert in open)
            {
                var still = conditions.FirstOrDefault(c => c.Kind == alert.Kind && c.Subject == alert.Subject);
                if (still is null)
                {
                    alert.ClearedAt = now;
                    changed = true;
                }
                else if (still.TextZh != alert.TextZh)
                {
                    (alert.TextZh, alert.TextEn) = (still.TextZh, still.TextEn);
                }
            }
            await db.SaveChangesAsync(ct);
            foreach (var c in conditions.Where(c => !open.Any(a => a.Kind == c.Kind && a.Subject == c.Subject)))
            {
                changed |= await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO alerts (hall_id, kind, subject, text_zh, text_en, raised_at) VALUES ({hallId}, {c.Kind.ToString()}, {c.Subject}, {c.TextZh}, {c.TextEn}, {now})
                    ON CONFLICT (hall_id, kind, subject) WHERE cleared_at IS NULL DO NOTHING
                    """, ct) > 0;
            }
            if (changed)
            {
                feed.PublishAlerts(hallId);
            }
        }
        finally
        {
            _one.Release();
        }
    }

    public Task<Refusal?> AcknowledgeAsync(Actor actor, long alertId, CancellationToken ct) => AcknowledgeAsync(actor, [alertId], ct);

    /// <summary>Acknowledges the alerts the supervisor saw (a group at once); refused only when none of them was still unacknowledged.</summary>
    public async Task<Refusal?> AcknowledgeAsync(Actor actor, IReadOnlyCollection<long> alertIds, CancellationToken ct)
    {
        if (!actor.IsSupervisor)
        {
            return Refusal.Forbidden;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var ids = alertIds.ToArray();
        var done = await db.Alerts.Where(a => ids.Contains(a.Id) && a.HallId == actor.HallId && a.AcknowledgedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.AcknowledgedAt, now).SetProperty(a => a.AcknowledgedBy, actor.Id).SetProperty(a => a.AcknowledgedByName, actor.Name), ct);
        if (done == 0)
        {
            return UnknownAlert;
        }
        feed.PublishAlerts(actor.HallId);
        return null;
    }

    /// <summary>When the hall's current opening period began (hall-local hours and calendar), or null while it is closed.</summary>
    public static DateTimeOffset? OpenSince(HallSite hall, DateTimeOffset now)
    {
        var local = HallClock.ToLocal(now, hall.Zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var range = HallClock.RangesOn(today, hall.Hours, null, [.. hall.Calendar.Select(c => c.ToCalendarDay())]).FirstOrDefault(r => r.Contains(time));
        return range is null ? null : new DateTimeOffset(today.ToDateTime(range.From), local.Offset);
    }

    private static async Task<List<ServiceLoad>> ServicesAsync(HallDb db, HallSite hall, DateTimeOffset now, CancellationToken ct)
    {
        var today = HallClock.BusinessDate(now, hall.Zone);
        var waiting = await db.Tickets.AsNoTracking().Where(t => t.HallId == hall.Id && t.BusinessDate == today && t.State == TicketState.Waiting)
            .GroupBy(t => t.ServiceId).Select(g => new { ServiceId = g.Key, Count = g.Count(), Oldest = g.Min(t => t.IssuedAt) }).ToDictionaryAsync(g => g.ServiceId, ct);
        var services = await db.Services.AsNoTracking().Where(s => s.HallId == hall.Id && s.Active).ToListAsync(ct);
        return [.. services.Select(s => waiting.TryGetValue(s.Id, out var w)
            ? new ServiceLoad(s.Id, s.Name, w.Count, w.Oldest, s.TargetWaitMinutes, s.AlertWaitingCount)
            : new ServiceLoad(s.Id, s.Name, 0, null, s.TargetWaitMinutes, s.AlertWaitingCount))];
    }

    private static async Task<List<WindowWatch>> WindowsAsync(HallDb db, int hallId, CancellationToken ct)
    {
        var sessions = await db.WindowSessions.AsNoTracking().Where(s => s.HallId == hallId && s.ClosedAt == null).ToListAsync(ct);
        var windows = await db.Windows.AsNoTracking().Where(w => w.HallId == hallId).ToListAsync(ct);
        return [.. windows.Select(w =>
        {
            var s = sessions.Where(x => x.WindowId == w.Id).MaxBy(x => x.Id);
            return new WindowWatch(w.Id, w.Number, w.Name, s?.Status ?? WindowStatus.Closed, s?.PauseReason, s?.PausedAt, w.Active, w.ExpectStaffed);
        })];
    }

    private static async Task<List<DeviceWatch>> DevicesAsync(HallDb db, int hallId, CancellationToken ct) =>
        await db.Devices.AsNoTracking().Where(d => d.HallId == hallId && d.RevokedAt == null)
            .Select(d => new DeviceWatch(d.Id, d.Name, d.Role, d.Online, d.LastSeenAt, d.Status, d.StatusDetail)).ToListAsync(ct);

    private static async Task<List<OpenBadRating>> BadRatingsAsync(HallDb db, int hallId, CancellationToken ct) =>
        await (from f in db.FollowUpCases.AsNoTracking()
               where f.HallId == hallId && f.ClosedAt == null
               select new OpenBadRating(f.TicketId, f.TicketNumber, db.Windows.Where(w => w.Id == f.WindowId).Select(w => w.Number + "号窗口").FirstOrDefault(), f.Level,
                   f.DueDate, f.RemediedAt == null ? f.RemedyDueDate : null)).ToListAsync(ct);

    private static async Task<List<OpenComplaint>> OpenComplaintsAsync(HallDb db, int hallId, CancellationToken ct) =>
        await db.Complaints.AsNoTracking().Where(c => c.HallId == hallId && c.ClosedAt == null)
            .Select(c => new OpenComplaint(c.Id, c.Number, c.Department, c.DueDate)).ToListAsync(ct);

    public override void Dispose()
    {
        _one.Dispose();
        base.Dispose();
    }
}
