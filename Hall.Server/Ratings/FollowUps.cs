using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Ratings;

/// <summary>A follow-up case as the supervisor's list shows it, with what a 回访 needs of its ticket.</summary>
public sealed record FollowUpRow(FollowUpCase Case, string? WindowName, string? ClerkName, bool Overdue, bool ClosedLate, FollowUpTicket? Ticket = null,
    IReadOnlyDictionary<int, string>? People = null, bool RemedyOverdue = false)
{
    /// <summary>Who did a step, by name.</summary>
    public string Name(int? staffId) => staffId is { } id && People?.GetValueOrDefault(id) is { } name ? name : "—";
}

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
public sealed class FollowUps(IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock, MobileNumbers mobiles, AdminStore audit, IConfiguration config, Alerts.AlertMonitor alerts)
{
    public static readonly Refusal UnknownCase = new("unknown_case", "没有这个回访件", "No such follow-up case in this hall.");
    public static readonly Refusal CaseClosed = FollowUpCase.Closed;
    public static readonly Refusal NoteRequired = new("follow_up_text_required", "请填写回访记录或办结结果，未作任何更改", "Write the follow-up note or the result in the box first. Nothing was changed.");
    public static readonly Refusal ContactGone = new("contact_not_kept", "该号码已超过保存期限或群众未留联系方式，无法查看", "The citizen left no number, or it is past the retention time and no longer kept.");

    /// <summary>
    /// 我的差评: the bad ratings that count against the clerk (open, and closed in the last 30 days), for their appeal; without the
    /// citizen's contact or the ticket's details, which are the supervisors' to see.
    /// </summary>
    public async Task<List<FollowUpRow>> ListOwnAsync(Actor actor, CancellationToken ct) =>
        [.. (await ListAsync(actor.HallId, ct, actor.Id)).Select(r => r with { Ticket = null, Case = WithoutContact(r.Case) })];

    private static FollowUpCase WithoutContact(FollowUpCase f)
    {
        f.ContactMasked = null;
        return f;
    }

    /// <summary>Open cases (overdue first, then by due date) and the cases closed in the last 30 days; only the clerk's when <paramref name="clerkId"/> is given.</summary>
    public async Task<List<FollowUpRow>> ListAsync(int hallId, CancellationToken ct, int? clerkId = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, hallId, now, ct);
        var today = HallClock.BusinessDate(now, hall.Zone);
        var since = now.AddDays(-30);
        var cases = await db.FollowUpCases.AsNoTracking().Where(f => f.HallId == hallId && (f.ClosedAt == null || f.ClosedAt >= since) && (clerkId == null || f.StaffId == clerkId)).ToListAsync(ct);
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
                tickets.GetValueOrDefault(f.TicketId) is { } t ? t with { MobileMasked = f.ContactMasked } : null, staff, f.IsRemedyOverdue(today)))
            .OrderBy(r => r.Case.ClosedAt is not null).ThenByDescending(r => r.Overdue || r.RemedyOverdue).ThenBy(r => r.Case.DueDate).ThenByDescending(r => r.Case.ClosedAt)];
    }

    public async Task<TimeZoneInfo> ZoneOfAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await halls.GetAsync(db, hallId, clock.GetUtcNow(), ct)).Zone;
    }

    /// <summary>The hall's follow-up days (差评回访期限), the 整改 due date the page proposes.</summary>
    public async Task<int> WorkingDaysOfAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await halls.GetAsync(db, hallId, clock.GetUtcNow(), ct)).FollowUpWorkingDays;
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


    public static readonly Refusal FindingRequired = new("follow_up_text_required", "请填写核实情况，未作任何更改", "Write what was found first. Nothing was changed.");
    public static readonly Refusal PlanRequired = new("follow_up_text_required", "请填写整改措施，未作任何更改", "Write what will be fixed first. Nothing was changed.");
    public static readonly Refusal RemedyResultRequired = new("follow_up_text_required", "请填写整改结果，未作任何更改", "Write what was fixed first. Nothing was changed.");
    public static readonly Refusal AppealReasonRequired = new("follow_up_text_required", "请填写申诉理由，未作任何更改", "Write the reason for the appeal first. Nothing was changed.");
    public static readonly Refusal DecisionReasonRequired = new("follow_up_text_required", "请填写复核意见，未作任何更改", "Write the reason for the decision first. Nothing was changed.");
    public static readonly Refusal FoundedRequired = new("founded_required", "请选择核实结论：属实或不属实，未作任何更改", "Choose whether the complaint was founded. Nothing was changed.");
    public static readonly Refusal VerdictRequired = new("verdict_required", "请选择群众回访意见：满意、基本满意、不满意或未能联系，未作任何更改", "Choose the citizen's verdict: satisfied, fairly satisfied, dissatisfied, or not reached. Nothing was changed.");
    public static readonly Refusal AppealKindRequired = new("appeal_kind_required", "请选择申诉类型：误评或恶意差评，未作任何更改", "Choose the kind of appeal: mistaken or malicious. Nothing was changed.");
    public static readonly Refusal RemedyDaysOutOfRange = new("remedy_days_out_of_range", "整改期限须在 1–30 个工作日之间，未作任何更改", "The fix must be due in 1–30 working days. Nothing was changed.");
    public static readonly Refusal NotYourRating = new("not_your_rating", "只能对计入本人的差评提出申诉，未作任何更改", "You can appeal only a rating that counts against you. Nothing was changed.");

    public Task<Refusal?> AddNoteAsync(Actor actor, long caseId, string? text, CancellationToken ct) =>
        ChangeAsync(actor, caseId, text, NoteRequired, ct, (f, clean, now, _) =>
        {
            if (f.ClosedAt is not null)
            {
                return FollowUpCase.Closed;
            }
            f.Notes = [.. f.Notes, new FollowUpNote(now, actor.Id, actor.Name, clean)];
            return null;
        });

    /// <summary>核实: what the supervisor found, and whether the complaint was founded (属实).</summary>
    public Task<Refusal?> VerifyAsync(Actor actor, long caseId, string? finding, bool? founded, CancellationToken ct) =>
        founded is null ? Task.FromResult<Refusal?>(actor.IsSupervisor ? FoundedRequired : Refusal.Forbidden)
        : ChangeAsync(actor, caseId, finding, FindingRequired, ct, (f, clean, now, _) => f.Verify(actor.Id, clean, founded.Value, now));

    /// <summary>整改: what will be fixed, due in <paramref name="workingDays"/> working days of the hall (the hall's follow-up days when null).</summary>
    public async Task<Refusal?> PlanRemedyAsync(Actor actor, long caseId, string? plan, int? workingDays, CancellationToken ct)
    {
        if (actor.IsSupervisor && workingDays is (< 1 or > 30))
        {
            return RemedyDaysOutOfRange;
        }
        HallSite hall;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            hall = await halls.GetAsync(db, actor.HallId, clock.GetUtcNow(), ct);
        }
        return await ChangeAsync(actor, caseId, plan, PlanRequired, ct, (f, clean, now, _) =>
        {
            var today = HallClock.BusinessDate(now, hall.Zone);
            var due = HallClock.AddWorkingDays(today, workingDays ?? hall.FollowUpWorkingDays, hall.Hours, [.. hall.Calendar.Select(d => d.ToCalendarDay())]);
            return f.PlanRemedy(actor.Id, clean, due, now);
        });
    }

    /// <summary>整改 done: what was fixed.</summary>
    public Task<Refusal?> FinishRemedyAsync(Actor actor, long caseId, string? result, CancellationToken ct) =>
        ChangeAsync(actor, caseId, result, RemedyResultRequired, ct, (f, clean, now, _) => f.FinishRemedy(actor.Id, clean, now));

    /// <summary>回访: the citizen's own verdict and the note of the call (the note may be empty).</summary>
    public Task<Refusal?> CallBackAsync(Actor actor, long caseId, CallBackVerdict? verdict, string? note, CancellationToken ct) =>
        verdict is not { } v || !Enum.IsDefined(v) ? Task.FromResult<Refusal?>(actor.IsSupervisor ? VerdictRequired : Refusal.Forbidden)
        : ChangeAsync(actor, caseId, note, null, ct, (f, clean, now, _) => f.CallBack(actor.Id, v, clean.Length == 0 ? null : clean, now));

    public Task<Refusal?> CloseAsync(Actor actor, long caseId, string? result, CancellationToken ct) =>
        ChangeAsync(actor, caseId, result, NoteRequired, ct, (f, clean, now, _) => f.Close(actor.Id, clean, now));

    /// <summary>
    /// 申诉: the clerk the rating counts against, or a supervisor on the window's behalf, says the rating was mistaken or malicious;
    /// the filing is in the audit log.
    /// </summary>
    public Task<Refusal?> FileAppealAsync(Actor actor, long caseId, AppealKind? kind, string? reason, CancellationToken ct) =>
        actor.Kind != ActorKind.Staff ? Task.FromResult<Refusal?>(Refusal.Forbidden)
        : kind is not { } k || !Enum.IsDefined(k) ? Task.FromResult<Refusal?>(AppealKindRequired)
        : ChangeAsync(actor, caseId, reason, AppealReasonRequired, ct, (f, clean, now, db) =>
        {
            if (!actor.IsSupervisor && f.StaffId != actor.Id)
            {
                return NotYourRating;
            }
            if (f.FileAppeal(actor.Id, k, clean, now) is { } refused)
            {
                return refused;
            }
            db.AuditEntries.Add(audit.EntryFor(actor, "followup.appeal.file", $"followup:{caseId}", null,
                new { Ticket = f.TicketNumber, Kind = FollowUpText.Appeal(k).Zh, Reason = clean }));
            return null;
        }, clerkMay: true);

    /// <summary>
    /// 复核: the supervisor upholds (采纳) or rejects (驳回) the appeal, with the reason; in the audit log. Upheld, the rating is marked
    /// (<see cref="Rating.AppealUpheldAt"/>) and leaves the window's and clerk's figures, and the case closes as 申诉采纳.
    /// </summary>
    public async Task<Refusal?> DecideAppealAsync(Actor actor, long caseId, bool upheld, string? reason, CancellationToken ct)
    {
        var refused = await ChangeAsync(actor, caseId, reason, DecisionReasonRequired, ct, (f, clean, now, db) =>
        {
            var before = new { Appeal = f.AppealReason };
            if (f.DecideAppeal(actor.Id, upheld, clean, now) is { } refusal)
            {
                return refusal;
            }
            db.AuditEntries.Add(audit.EntryFor(actor, "followup.appeal.decide", $"followup:{caseId}", before,
                new { Ticket = f.TicketNumber, Decision = upheld ? "采纳" : "驳回", Reason = clean }));
            return null;
        }, then: async (f, db) =>
        {
            if (upheld)
            {
                // The rating stays, marked: it leaves the window's and clerk's figures from now on.
                var rating = await db.Ratings.SingleAsync(r => r.TicketId == f.TicketId, ct);
                rating.AppealUpheldAt = f.AppealDecidedAt;
                // The province's 好差评 system gets the rating again under its id, marked, in the same transaction.
                await Outbox.RatingUploads.EnqueueAsync(db, rating.Id, f.AppealDecidedAt ?? clock.GetUtcNow(), ct);
            }
        });
        return refused;
    }

    private async Task<Refusal?> ChangeAsync(Actor actor, long caseId, string? text, Refusal? missing, CancellationToken ct,
        Func<FollowUpCase, string, DateTimeOffset, HallDb, Refusal?> change, bool clerkMay = false, Func<FollowUpCase, HallDb, Task>? then = null)
    {
        if (!actor.IsSupervisor && !(clerkMay && actor.StaffRole == StaffRole.Clerk))
        {
            return Refusal.Forbidden;
        }
        if (TicketRules.CheckText(text, required: missing is not null) is { } bad)
        {
            // The box is for a note, a finding or a reason: the message names it.
            return bad == Refusal.ReasonRequired ? missing : bad;
        }
        var clean = text?.Trim() ?? "";
        if (clean.Length > 500)
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
        if (change(found, clean, clock.GetUtcNow(), db) is { } refused)
        {
            return refused;
        }
        if (then is not null)
        {
            await then(found, db);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        // The wall's lateness alerts follow the case at once.
        alerts.Poke(actor.HallId);
        return null;
    }
}
