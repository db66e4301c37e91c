using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Ratings;

/// <summary>A follow-up case as the supervisor's list shows it, with what a 回访 needs of its ticket.</summary>
public sealed record FollowUpRow(FollowUpCase Case, string? WindowName, string? ClerkName, bool Overdue, bool ClosedLate, FollowUpTicket? Ticket = null);

/// <summary>
/// The rated ticket: when, which service, how it ended, and the citizen's contact as left at the kiosk — masked; whether the full
/// number can still be opened (<see cref="ContactKept"/>), or is past the retention (<see cref="ContactExpired"/>).
/// </summary>
public sealed record FollowUpTicket(DateTimeOffset IssuedAt, DateTimeOffset? FinishedAt, string ServiceName, string? Outcome, string? MobileMasked, bool ContactKept, bool ContactExpired,
    Contracts.AcceptanceMode? Acceptance = null)
{
    /// <summary>How it ended, with how the case was accepted when not as usual: "办结", "告知承诺 · 办结".</summary>
    public string? OutcomeText => Outcome is null ? null
        : Acceptance is { } a && a != Contracts.AcceptanceMode.Normal ? $"{Queue.TicketRules.Name(a)} · {Outcome}" : Outcome;
}

/// <summary>The supervisors' work on bad ratings: the list (overdue first), notes, closing.</summary>
public sealed class FollowUps(IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock, MobileNumbers mobiles, AdminStore audit, IConfiguration config)
{
    public static readonly Refusal UnknownCase = new("unknown_case", "没有这个回访件", "No such follow-up case in this hall.");
    public static readonly Refusal CaseClosed = new("case_closed", "该回访件已办结", "The follow-up case is already closed.");
    public static readonly Refusal NoteRequired = new("follow_up_text_required", "请填写回访记录或办结结果，未作任何更改", "Write the follow-up note or the result in the box first. Nothing was changed.");
    public static readonly Refusal ContactGone = new("contact_not_kept", "该号码已超过保存期限或群众未留联系方式，无法查看", "The citizen left no number, or it is past the retention time and no longer kept.");

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
        var ticketIds = cases.Select(f => f.TicketId).ToList();
        var retainedFrom = today.AddDays(-RetentionDays);
        var tickets = await (
            from t in db.Tickets.AsNoTracking()
            join sv in db.Services on t.ServiceId equals sv.Id
            where ticketIds.Contains(t.Id)
            select new { t.Id, Ticket = new FollowUpTicket(t.IssuedAt, t.FinishedAt, sv.Name, t.Outcome, (string?)null, t.ContactCipher != null, t.BusinessDate < retainedFrom, t.Acceptance) })
            .ToDictionaryAsync(t => t.Id, t => t.Ticket, ct);
        return [.. cases
            .Select(f => new FollowUpRow(f, f.WindowId is { } w ? windows.GetValueOrDefault(w) : null, f.StaffId is { } s ? staff.GetValueOrDefault(s) : null,
                f.IsOverdue(today), f.ClosedAt is { } closed && HallClock.BusinessDate(closed, hall.Zone) > f.DueDate,
                tickets.GetValueOrDefault(f.TicketId) is { } t ? t with { MobileMasked = f.ContactMasked } : null))
            .OrderBy(r => r.Case.ClosedAt is not null).ThenByDescending(r => r.Overdue).ThenBy(r => r.Case.DueDate).ThenByDescending(r => r.Case.ClosedAt)];
    }

    public async Task<TimeZoneInfo> ZoneOfAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await halls.GetAsync(db, hallId, clock.GetUtcNow(), ct)).Zone;
    }

    /// <summary>How long a citizen's contact is kept (the personal-data retention, <c>Hall:Privacy:RetentionDays</c>).</summary>
    private int RetentionDays => Math.Max(1, config.GetValue("Hall:Privacy:RetentionDays", 90));

    /// <summary>
    /// The citizen's full mobile number for the call-back, to a supervisor of the case's hall; each opening is written to the
    /// audit log (who, when, which case) before the number is given.
    /// </summary>
    public async Task<(string? Mobile, Refusal? Refusal)> OpenContactAsync(Actor actor, long caseId, CancellationToken ct)
    {
        if (!actor.IsSupervisor)
        {
            return (null, Refusal.Forbidden);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await db.FollowUpCases.AsNoTracking().Where(f => f.Id == caseId && f.HallId == actor.HallId)
            .Select(f => new { f.TicketNumber, Cipher = db.Tickets.Where(t => t.Id == f.TicketId).Select(t => t.ContactCipher).FirstOrDefault() }).FirstOrDefaultAsync(ct);
        if (found is null)
        {
            return (null, UnknownCase);
        }
        if (found.Cipher is null || mobiles.UnprotectContact(found.Cipher) is not { } mobile)
        {
            return (null, ContactGone);
        }
        db.AuditEntries.Add(audit.EntryFor(actor, "followup.contact.view", $"followup:{caseId}", null, new { Ticket = found.TicketNumber }));
        await db.SaveChangesAsync(ct);
        return (mobile, null);
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
            // The box is for a note or the result, not a reason: the message names it.
            return bad == Refusal.ReasonRequired ? NoteRequired : bad;
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
