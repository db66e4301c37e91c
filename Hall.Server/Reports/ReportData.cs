using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Reports;

/// <summary>Reads what a report's figures are computed from: one hall, the business dates From..To (the hall's own calendar days).</summary>
public static class ReportData
{
    public static async Task<ReportInput> ReadAsync(HallDb db, int hallId, DateOnly from, DateOnly to, DateTimeOffset now, CancellationToken ct)
    {
        var hall = await db.Halls.AsNoTracking().Include(h => h.Calendar).SingleAsync(h => h.Id == hallId, ct);
        var zone = hall.Zone;
        var start = LocalMidnight(from, zone);
        var end = LocalMidnight(to.AddDays(1), zone);

        var periodTickets = db.Tickets.Where(t => t.HallId == hallId && t.BusinessDate >= from && t.BusinessDate <= to);
        var tickets = await periodTickets.AsNoTracking()
            .Select(t => new TicketRow(t.Id, t.Number, t.BusinessDate, t.ServiceItemId, t.HandledItemIds, t.Outcome, t.MissingMaterials, t.AcceptanceDeadline, t.FinishNote, t.Acceptance))
            .ToListAsync(ct);
        var events = await db.TicketEvents.AsNoTracking()
            .Where(e => e.HallId == hallId && periodTickets.Any(t => t.Id == e.TicketId))
            .OrderBy(e => e.TicketId).ThenBy(e => e.Id)
            .Select(e => new TicketEventRow(e.TicketId, e.Kind, e.ServiceId, e.WindowId, e.StaffId, e.Outcome, e.At))
            .ToListAsync(ct);
        var sessions = db.WindowSessions.Where(s => s.HallId == hallId && s.OpenedAt < end && (s.ClosedAt == null || s.ClosedAt > start));
        var windowEvents = await db.WindowEvents.AsNoTracking()
            .Where(e => sessions.Any(s => s.Id == e.SessionId))
            .OrderBy(e => e.SessionId).ThenBy(e => e.Id)
            .Select(e => new WindowEventRow(e.SessionId, e.WindowId, e.StaffId, e.Kind, e.Reason, e.At))
            .ToListAsync(ct);
        var ratings = await db.Ratings.AsNoTracking()
            // A rating upheld on appeal (申诉采纳) stays in the database, marked, and counts in no figure.
            .Where(r => r.HallId == hallId && periodTickets.Any(t => t.Id == r.TicketId) && r.AppealUpheldAt == null)
            .Select(r => new RatingRow(r.TicketId, r.WindowId, r.StaffId, r.Level, r.At))
            .ToListAsync(ct);
        var followUps = await db.FollowUpCases.AsNoTracking()
            .Where(c => c.HallId == hallId && periodTickets.Any(t => t.Id == c.TicketId))
            .OrderBy(c => c.OpenedAt)
            .Select(c => new FollowUpRow(c.TicketId, c.TicketNumber, c.WindowId, c.StaffId, c.Level, c.Reasons, c.OpenedAt, c.DueDate, c.ClosedAt, c.Result, c.AppealUpheld == true))
            .ToListAsync(ct);
        var loopCases = await db.FollowUpCases.AsNoTracking()
            .Where(c => c.HallId == hallId && ((c.DueDate >= from && c.DueDate <= to) || (c.CalledBackAt >= start && c.CalledBackAt < end)
                || (c.AppealFiledAt >= start && c.AppealFiledAt < end) || (c.AppealDecidedAt >= start && c.AppealDecidedAt < end)))
            .OrderBy(c => c.Id)
            .Select(c => new LoopCaseRow(c.Id, c.DueDate, c.ClosedAt, c.CalledBackAt, c.CallBackVerdict, c.AppealFiledAt, c.AppealDecidedAt, c.AppealUpheld))
            .ToListAsync(ct);
        var alerts = await db.Alerts.AsNoTracking()
            .Where(a => a.HallId == hallId && a.RaisedAt >= start && a.RaisedAt < end)
            .OrderBy(a => a.RaisedAt)
            .Select(a => new AlertRow(a.Kind, a.Subject, a.TextZh, a.RaisedAt, a.ClearedAt, a.AcknowledgedAt, a.AcknowledgedByName))
            .ToListAsync(ct);
        var plays = await db.MediaPlays.AsNoTracking()
            .Where(p => p.HallId == hallId && p.StartedAt >= start && p.StartedAt < end)
            .Select(p => new PlayRow(p.MediaId, p.StartedAt, p.EndedAt, p.Completed))
            .ToListAsync(ct);

        var services = await db.Services.AsNoTracking().Where(s => s.HallId == hallId).OrderBy(s => s.SortOrder).ThenBy(s => s.Id)
            .ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        // Windows taken out of service are listed only when they worked in the period.
        var worked = events.Select(e => e.WindowId).Concat(windowEvents.Select(e => (int?)e.WindowId)).OfType<int>().ToHashSet();
        var windows = (await db.Windows.AsNoTracking().Where(w => w.HallId == hallId).OrderBy(w => w.Number)
            .Select(w => new { Info = new WindowInfo(w.Id, w.Number, w.Name), w.Active }).ToListAsync(ct))
            .Where(w => w.Active || worked.Contains(w.Info.Id)).Select(w => w.Info).ToList();
        var staff = await db.Staff.AsNoTracking().Where(s => s.HallId == hallId).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var departments = await db.ServiceItems.AsNoTracking().Where(i => i.HallId == hallId).ToDictionaryAsync(i => i.Id, i => i.Department, ct);
        // A deleted item is named while it was in the library during the period, or when it was played in it.
        var played = plays.Select(p => p.MediaId).Distinct().ToList();
        var media = await db.MediaItems.AsNoTracking().Where(m => m.HallId == hallId && (m.DeletedAt == null || m.DeletedAt >= start || played.Contains(m.Id))).OrderBy(m => m.Id)
            .Select(m => new MediaInfo(m.Id, m.Title, m.Legal)).ToListAsync(ct);

        var history = await db.HoursHistory.AsNoTracking().Where(v => v.HallId == hallId).OrderBy(v => v.EffectiveFrom).ToListAsync(ct);
        var reportHall = new ReportHall(hall.Name, zone, hall.Hours, [.. hall.Calendar.Select(c => c.ToCalendarDay())], hall.PauseLimitMinutes, hall.Outcomes, hall.PauseReasons,
            [.. history.Select(v => (v.EffectiveFrom, v.Hours))], hall.RankingMinRatings);
        var roster = await db.Rosters.AsNoTracking().Where(r => r.HallId == hallId && r.Date >= from && r.Date <= to)
            .Select(r => new RosterRow(r.StaffId, r.Date, r.WindowId)).ToListAsync(ct);
        var leaves = await db.Leaves.AsNoTracking().Where(l => l.HallId == hallId && l.To >= from && l.From <= to)
            .Select(l => new LeaveSpan(l.StaffId, l.From, l.To, l.Kind)).ToListAsync(ct);
        var patrolRounds = await db.PatrolRounds.AsNoTracking().Where(r => r.HallId == hallId && r.BusinessDate >= from && r.BusinessDate <= to)
            .OrderBy(r => r.StartedAt).ThenBy(r => r.Id)
            .Select(r => new PatrolRoundRow(r.Id, r.BusinessDate, r.InspectorName, r.StartedAt, r.Checks, r.SignedAt, r.SignedByName)).ToListAsync(ct);
        var patrolFindings = await db.PatrolFindings.AsNoTracking().Where(p => p.HallId == hallId && p.BusinessDate <= to && (p.ClosedAt == null || p.ClosedAt >= start))
            .OrderBy(p => p.Id)
            .Select(p => new PatrolFindingRow(p.Id, p.RoundId, p.BusinessDate, p.Category, p.WindowId, p.Description, p.Requirement, p.DueDate, p.ClosedAt, p.Result)).ToListAsync(ct);
        // A booking's ticket: its number and its first start at a window, from the event log.
        var bookings = await (from b in db.Bookings.AsNoTracking()
                              where b.HallId == hallId && b.Date >= @from && b.Date <= to
                              join t in db.Tickets on b.TicketId equals t.Id into linked
                              from t in linked.DefaultIfEmpty()
                              orderby b.Date, b.Start, b.Id
                              select new BookingRow(b.Id, b.ServiceId, b.Date, b.Start, b.End, b.Code, b.State, b.CheckedInAt, t == null ? null : t.Number,
                                  db.TicketEvents.Where(e => e.TicketId == b.TicketId && e.Kind == Tickets.TicketEventKind.Started).Min(e => (DateTimeOffset?)e.At)))
            .ToListAsync(ct);
        var complaints = await db.Complaints.AsNoTracking().Where(c => c.HallId == hallId && c.BusinessDate >= @from && c.BusinessDate <= to).OrderBy(c => c.Id)
            .Select(c => new ComplaintReportRow(c.Id, c.Number, c.BusinessDate, c.Category, c.DueDate, c.ClosedAt, c.Verdict)).ToListAsync(ct);
        return new ReportInput(reportHall, from, to, now, tickets, events, windowEvents, ratings, followUps, alerts, plays,
            services, windows, staff, departments, media)
        {
            Roster = roster,
            Leaves = leaves,
            PatrolRounds = patrolRounds,
            PatrolFindings = patrolFindings,
            Bookings = bookings,
            LoopCases = loopCases,
            Complaints = complaints,
        };
    }

    public static DateTimeOffset LocalMidnight(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
