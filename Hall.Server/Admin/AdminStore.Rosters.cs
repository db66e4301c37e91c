using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Queue;
using Hall.Server.Staff;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Admin;

/// <summary>排班: a clerk due at a window on the chosen weekdays of a span of dates.</summary>
/// <param name="WindowId">The window, or null for due at the hall without a fixed window.</param>
/// <param name="Weekdays">The days of the week the clerk is due (the hall's closed days are left out whatever is chosen).</param>
public sealed record RosterForm(int StaffId, int? WindowId, DateOnly From, DateOnly To, IReadOnlyList<DayOfWeek> Weekdays);

/// <summary>请假 / 公出 of a clerk, from one date to another (both included).</summary>
public sealed record LeaveForm(int StaffId, DateOnly From, DateOnly To, LeaveKind Kind, string? Note);

/// <summary>A leave as the roster page lists it.</summary>
public sealed record LeaveRow(long Id, int StaffId, string StaffName, DateOnly From, DateOnly To, LeaveKind Kind, string? Note);

public sealed partial class AdminStore
{
    /// <summary>The longest span one roster or leave entry covers.</summary>
    public const int MaxRosterDays = 366;

    private static FieldRules RosterRules(string code, string formZh, string formEn, int staffId, DateOnly from, DateOnly to, bool clerkFound) =>
        new FieldRules(code, formZh, formEn)
            .Check(clerkFound, "工作人员", "clerk", "须是本大厅的在岗工作人员", "must be an active member of this hall's staff")
            .Check(to >= from, "结束日期", "end date", "不能早于开始日期", "cannot be before the start date")
            .Check(to.DayNumber - from.DayNumber < MaxRosterDays, "日期范围", "date span", $"最长 {MaxRosterDays} 天", $"is at most {MaxRosterDays} days");

    /// <summary>
    /// Rosters the clerk on the chosen weekdays from <see cref="RosterForm.From"/> to <see cref="RosterForm.To"/>, on the
    /// days the hall opens by its hours and calendar; a day already rostered moves to the window given.
    /// </summary>
    public async Task<(int Days, Refusal? Refusal)> RosterAsync(Actor actor, RosterForm form, CancellationToken ct)
    {
        var days = 0;
        var refusal = await ChangeAsync(actor, "roster.set", $"staff:{form.StaffId}", async db =>
        {
            var clerk = await db.Staff.AnyAsync(s => s.Id == form.StaffId && s.HallId == actor.HallId && s.Active, ct);
            var window = form.WindowId is not { } w || await db.Windows.AnyAsync(x => x.Id == w && x.HallId == actor.HallId, ct);
            var rules = RosterRules("invalid_roster", "排班有误", "Invalid roster", form.StaffId, form.From, form.To, clerk)
                .Check(window, "窗口", "window", "须是本大厅的窗口", "must be a window of this hall")
                .Check(form.Weekdays.Count > 0, "星期", "weekdays", "至少选一天", "need at least one day");
            if (rules.Refusal is { } bad)
            {
                throw new Refused(bad);
            }
            var hall = await db.Halls.AsNoTracking().Include(h => h.Calendar).SingleAsync(h => h.Id == actor.HallId, ct);
            var calendar = hall.Calendar.Select(c => c.ToCalendarDay()).ToList();
            var dates = Enumerable.Range(0, form.To.DayNumber - form.From.DayNumber + 1).Select(form.From.AddDays)
                .Where(d => form.Weekdays.Contains(d.DayOfWeek) && HallClock.RangesOn(d, hall.Hours, null, calendar).Count > 0).ToList();
            var existing = await db.Rosters.Where(r => r.StaffId == form.StaffId && r.Date >= form.From && r.Date <= form.To).ToDictionaryAsync(r => r.Date, ct);
            foreach (var date in dates)
            {
                if (existing.TryGetValue(date, out var day))
                {
                    day.WindowId = form.WindowId;
                }
                else
                {
                    db.Rosters.Add(new RosterDay { HallId = actor.HallId, StaffId = form.StaffId, Date = date, WindowId = form.WindowId });
                }
            }
            days = dates.Count;
            return (null, new { form.StaffId, form.WindowId, From = form.From.ToString("yyyy-MM-dd"), To = form.To.ToString("yyyy-MM-dd"), days });
        }, ct);
        return (refusal is null ? days : 0, refusal);
    }

    /// <summary>Takes the clerk off the roster from one date to another.</summary>
    public async Task<Refusal?> UnrosterAsync(Actor actor, int staffId, DateOnly from, DateOnly to, CancellationToken ct) =>
        await ChangeAsync(actor, "roster.remove", $"staff:{staffId}", async db =>
        {
            var clerk = await db.Staff.AnyAsync(s => s.Id == staffId && s.HallId == actor.HallId, ct);
            if (RosterRules("invalid_roster", "排班有误", "Invalid roster", staffId, from, to, clerk).Refusal is { } bad)
            {
                throw new Refused(bad);
            }
            var removed = await db.Rosters.Where(r => r.StaffId == staffId && r.Date >= from && r.Date <= to).ExecuteDeleteAsync(ct);
            return (new { staffId, From = from.ToString("yyyy-MM-dd"), To = to.ToString("yyyy-MM-dd"), removed }, null);
        }, ct);

    public async Task<Refusal?> AddLeaveAsync(Actor actor, LeaveForm form, CancellationToken ct)
    {
        if (Unclean(form.Note) is { } unclean)
        {
            return unclean;
        }
        return await ChangeAsync(actor, "leave.add", $"staff:{form.StaffId}", async db =>
        {
            var clerk = await db.Staff.AnyAsync(s => s.Id == form.StaffId && s.HallId == actor.HallId && s.Active, ct);
            var rules = RosterRules("invalid_leave", "请假有误", "Invalid leave", form.StaffId, form.From, form.To, clerk)
                .Check(Enum.IsDefined(form.Kind), "类别", "kind", "须是请假或公出", "must be leave or official business")
                .Check(form.Note is null || form.Note.Trim().Length <= 100, "说明", "note", "最多 100 字", "is at most 100 characters");
            if (rules.Refusal is { } bad)
            {
                throw new Refused(bad);
            }
            var note = string.IsNullOrWhiteSpace(form.Note) ? null : form.Note.Trim();
            db.Leaves.Add(new StaffLeave { HallId = actor.HallId, StaffId = form.StaffId, From = form.From, To = form.To, Kind = form.Kind, Note = note });
            return (null, new { form.StaffId, From = form.From.ToString("yyyy-MM-dd"), To = form.To.ToString("yyyy-MM-dd"), form.Kind, note });
        }, ct);
    }

    public async Task<Refusal?> RemoveLeaveAsync(Actor actor, long id, CancellationToken ct) =>
        await ChangeAsync(actor, "leave.remove", $"leave:{id}", async db =>
        {
            var leave = await db.Leaves.SingleOrDefaultAsync(l => l.Id == id && l.HallId == actor.HallId, ct) ?? throw new Refused(Refusal.InvalidCommand);
            db.Leaves.Remove(leave);
            return (new { leave.StaffId, From = leave.From.ToString("yyyy-MM-dd"), To = leave.To.ToString("yyyy-MM-dd"), leave.Kind }, null);
        }, ct);

    /// <summary>The roster of the hall from one date to another: (clerk, date) → window number (0: no fixed window).</summary>
    public async Task<Dictionary<(int StaffId, DateOnly Date), int>> RosterAsync(int hallId, DateOnly first, DateOnly last, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await (from r in db.Rosters
                          where r.HallId == hallId && r.Date >= first && r.Date <= last
                          join w in db.Windows on r.WindowId equals w.Id into ws
                          from w in ws.DefaultIfEmpty()
                          select new { r.StaffId, r.Date, Number = w == null ? 0 : w.Number }).ToListAsync(ct);
        return rows.ToDictionary(r => (r.StaffId, r.Date), r => r.Number);
    }

    /// <summary>The hall's leaves that end on or after <paramref name="since"/>, earliest first.</summary>
    public async Task<List<LeaveRow>> LeavesAsync(int hallId, DateOnly since, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await (from l in db.Leaves
                      where l.HallId == hallId && l.To >= since
                      join s in db.Staff on l.StaffId equals s.Id
                      orderby l.From, s.Name
                      select new LeaveRow(l.Id, l.StaffId, s.Name, l.From, l.To, l.Kind, l.Note)).ToListAsync(ct);
    }
}
