using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Ratings;

/// <summary>A follow-up case as the supervisor's list shows it.</summary>
public sealed record FollowUpRow(FollowUpCase Case, string? WindowName, string? ClerkName, bool Overdue, bool ClosedLate);

/// <summary>The supervisors' work on bad ratings: the list (overdue first), notes, closing.</summary>
public sealed class FollowUps(IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock)
{
    public static readonly Refusal UnknownCase = new("unknown_case", "没有这个回访件", "No such follow-up case in this hall.");
    public static readonly Refusal CaseClosed = new("case_closed", "该回访件已办结", "The follow-up case is already closed.");

    /// <summary>Open cases (overdue first, then by due date) and the cases closed in the last 30 days.</summary>
    public async Task<List<FollowUpRow>> ListAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, hallId, now, ct);
        var today = HallClock.BusinessDate(now, hall.Zone);
        var since = now.AddDays(-30);
        var cases = await db.FollowUpCases.AsNoTracking().Where(f => f.HallId == hallId && (f.ClosedAt == null || f.ClosedAt >= since)).ToListAsync(ct);
        var windows = await db.Windows.AsNoTracking().Where(w => w.HallId == hallId).ToDictionaryAsync(w => w.Id, w => $"{w.Number}号 {w.Name}", ct);
        var staff = await db.Staff.AsNoTracking().Where(s => s.HallId == hallId).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        return [.. cases
            .Select(f => new FollowUpRow(f, f.WindowId is { } w ? windows.GetValueOrDefault(w) : null, f.StaffId is { } s ? staff.GetValueOrDefault(s) : null,
                f.IsOverdue(today), f.ClosedAt is { } closed && HallClock.BusinessDate(closed, hall.Zone) > f.DueDate))
            .OrderBy(r => r.Case.ClosedAt is not null).ThenByDescending(r => r.Overdue).ThenBy(r => r.Case.DueDate).ThenByDescending(r => r.Case.ClosedAt)];
    }

    public async Task<TimeZoneInfo> ZoneOfAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await halls.GetAsync(db, hallId, clock.GetUtcNow(), ct)).Zone;
    }

    public Task<Refusal?> AddNoteAsync(Actor actor, long caseId, string? text, CancellationToken ct) =>
        ChangeAsync(actor, caseId, text, ct, (f, clean, now) => f.Notes = [.. f.Notes, new FollowUpNote(now, actor.Id, actor.Name, clean)]);

    public Task<Refusal?> CloseAsync(Actor actor, long caseId, string? result, CancellationToken ct) =>
        ChangeAsync(actor, caseId, result, ct, (f, clean, now) =>
        {
            f.Result = clean;
            f.ClosedAt = now;
            f.ClosedByStaffId = actor.Id;
        });

    private async Task<Refusal?> ChangeAsync(Actor actor, long caseId, string? text, CancellationToken ct, Action<FollowUpCase, string, DateTimeOffset> change)
    {
        if (!actor.IsSupervisor)
        {
            return Refusal.Forbidden;
        }
        if (TicketRules.CheckText(text, required: true) is { } bad)
        {
            return bad;
        }
        if (text!.Trim().Length > 500)
        {
            return Refusal.TextTooLong;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var found = await db.FollowUpCases.FromSql($"SELECT * FROM follow_up_cases WHERE id = {caseId} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (found is null || found.HallId != actor.HallId)
        {
            return UnknownCase;
        }
        if (found.ClosedAt is not null)
        {
            return CaseClosed;
        }
        change(found, text.Trim(), clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return null;
    }
}
