using Hall.Server.Admin;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Patrol;

/// <summary>What a supervisor fills in to record a problem found on the round.</summary>
public sealed record FindingForm(PatrolCategory Category, int? WindowId, string? Description, string? Requirement, DateOnly? DueDate);

/// <summary>A finding as the page lists it: its window named, whether it is overdue or was closed late.</summary>
public sealed record FindingRow(PatrolFinding Finding, string? WindowName, bool Overdue, bool ClosedLate);

/// <summary>A round with its findings.</summary>
public sealed record RoundView(PatrolRound Round, IReadOnlyList<FindingRow> Findings);

/// <summary>
/// The patrol page's state: today's rounds (the one being walked, if any, last), the findings of earlier rounds still
/// open (overdue first) and those closed today, the windows to choose from and the due date a new finding gets.
/// </summary>
public sealed record PatrolDay(DateOnly Today, IReadOnlyList<RoundView> Rounds, IReadOnlyList<FindingRow> Earlier, IReadOnlyList<(int Id, string Name)> Windows, DateOnly DefaultDueDate)
{
    public RoundView? Walking => Rounds.LastOrDefault(r => r.Round.SignedAt is null);
}

/// <summary>
/// 日巡查: the supervisor's round of the hall — start it, mark each category, record findings (整改) with a due date in the
/// hall's working days, sign it off (after which it is frozen), and close findings with their result. Every refusal says
/// why and changes nothing; every change is in the audit log.
/// </summary>
public sealed class Patrols(IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock, AdminStore audit)
{
    public const int MaxText = 500;

    public static readonly Refusal UnknownRound = new("unknown_patrol_round", "没有这次巡查", "No such patrol round in this hall.");
    public static readonly Refusal RoundSigned = new("patrol_round_signed", "本次巡查已签字确认，不能再更改，未作任何更改", "The round is signed off and can no longer be changed. Nothing was changed.");
    public static readonly Refusal RoundOpen = new("patrol_round_open", "今日还有一次巡查未签字，请先完成并签字，未作任何更改", "Today's round in progress is not signed yet: finish and sign it first. Nothing was changed.");
    public static readonly Refusal RoundFromAnotherDay = new("patrol_round_other_day", "这次巡查不是今天的，不能再更改，未作任何更改", "The round is not today's and can no longer be changed. Nothing was changed.");
    public static readonly Refusal NoteRequired = new("patrol_note_required", "标为“有问题”时请写明说明，未作任何更改", "Write what is wrong when marking a category 'problem'. Nothing was changed.");
    public static readonly Refusal DescriptionRequired = new("patrol_description_required", "请填写问题描述，未作任何更改", "Describe the problem first. Nothing was changed.");
    public static readonly Refusal RequirementRequired = new("patrol_requirement_required", "请填写整改要求，未作任何更改", "Write what must be done (the remedy) first. Nothing was changed.");
    public static readonly Refusal DueDateRequired = new("patrol_due_required", "请选择整改期限，未作任何更改", "Choose the due date first. Nothing was changed.");
    public static readonly Refusal DueDateInPast = new("patrol_due_in_past", "整改期限不能早于今天，未作任何更改", "The due date cannot be before today. Nothing was changed.");
    public static readonly Refusal DueDateTooFar = new("patrol_due_too_far", "整改期限不能超过一年，未作任何更改", "The due date cannot be more than a year ahead. Nothing was changed.");
    public static readonly Refusal UnknownWindow = new("patrol_unknown_window", "没有这个窗口，未作任何更改", "No such window in this hall. Nothing was changed.");
    public static readonly Refusal UnknownFinding = new("unknown_patrol_finding", "没有这个巡查问题", "No such patrol finding in this hall.");
    public static readonly Refusal FindingClosed = new("patrol_finding_closed", "该问题已整改完毕，未作任何更改", "The finding is already closed. Nothing was changed.");
    public static readonly Refusal ResultRequired = new("patrol_result_required", "请填写整改结果，未作任何更改", "Write the result of the remedy first. Nothing was changed.");
    public static readonly Refusal TextTooLong = new("patrol_text_too_long", $"文字过长（最多 {MaxText} 字），未作任何更改", $"The text is too long (at most {MaxText} characters). Nothing was changed.");

    /// <summary>Signing needs every category checked; the refusal names those left.</summary>
    public static Refusal ChecksMissing(IEnumerable<PatrolCategory> missing) => new("patrol_checks_missing",
        $"还有检查项目未填写：{string.Join("、", missing.Select(PatrolCategories.Zh))}，不能签字，未作任何更改",
        $"Some categories are not checked yet: {string.Join(", ", missing.Select(PatrolCategories.En))}. The round cannot be signed. Nothing was changed.");

    /// <summary>A category marked 正常 cannot carry a finding: the refusal names it.</summary>
    public static Refusal FindingInNormalCategory(PatrolCategory category) => new("patrol_finding_in_normal",
        $"“{PatrolCategories.Zh(category)}”登记了问题，检查结果不能为“正常”，未作任何更改",
        $"'{PatrolCategories.En(category)}' has a finding, so it cannot be marked normal. Nothing was changed.");

    public async Task<PatrolDay> DayAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hall = await halls.GetAsync(db, hallId, clock.GetUtcNow(), ct);
        var today = HallClock.BusinessDate(clock.GetUtcNow(), hall.Zone);
        var dayStart = Reports.ReportData.LocalMidnight(today, hall.Zone);
        var rounds = await db.PatrolRounds.AsNoTracking().Where(r => r.HallId == hallId && r.BusinessDate == today).OrderBy(r => r.StartedAt).ThenBy(r => r.Id).ToListAsync(ct);
        var findings = await db.PatrolFindings.AsNoTracking()
            .Where(f => f.HallId == hallId && (f.BusinessDate == today || f.ClosedAt == null || f.ClosedAt >= dayStart))
            .OrderBy(f => f.Id).ToListAsync(ct);
        var windows = await db.Windows.AsNoTracking().Where(w => w.HallId == hallId && w.Active).OrderBy(w => w.Number)
            .Select(w => new { w.Id, w.Number, w.Name }).ToListAsync(ct);
        var names = windows.ToDictionary(w => w.Id, w => $"{w.Number}号 {w.Name}");
        FindingRow Row(PatrolFinding f) => new(f, f.WindowId is { } w ? names.GetValueOrDefault(w) : null, f.IsOverdue(today),
            f.ClosedAt is { } closed && HallClock.BusinessDate(closed, hall.Zone) > f.DueDate);
        var earlier = findings.Where(f => f.BusinessDate < today).Select(Row)
            .OrderBy(r => r.Finding.ClosedAt is not null).ThenByDescending(r => r.Overdue).ThenBy(r => r.Finding.DueDate).ThenBy(r => r.Finding.Id).ToList();
        return new PatrolDay(today,
            [.. rounds.Select(r => new RoundView(r, [.. findings.Where(f => f.RoundId == r.Id).Select(Row)]))],
            earlier, [.. windows.Select(w => (w.Id, names[w.Id]))], DueDate(hall, today));
    }

    private static DateOnly DueDate(HallSite hall, DateOnly today) =>
        HallClock.AddWorkingDays(today, hall.FollowUpWorkingDays, hall.Hours, [.. hall.Calendar.Select(d => d.ToCalendarDay())]);

    public async Task<TimeZoneInfo> ZoneOfAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await halls.GetAsync(db, hallId, clock.GetUtcNow(), ct)).Zone;
    }

    /// <summary>Starts today's round with the signed-in supervisor as 巡查人; refused while another round of today is unsigned.</summary>
    public async Task<(long RoundId, Refusal? Refusal)> StartAsync(Actor actor, CancellationToken ct)
    {
        PatrolRound? round = null;
        var refusal = await InTransactionAsync(actor, ct, async db =>
        {
            var now = clock.GetUtcNow();
            var hall = await halls.GetAsync(db, actor.HallId, now, ct);
            var today = HallClock.BusinessDate(now, hall.Zone);
            // The hall's row serialises two supervisors starting a round at once.
            await db.Database.ExecuteSqlAsync($"SELECT id FROM halls WHERE id = {actor.HallId} FOR UPDATE", ct);
            if (await db.PatrolRounds.AnyAsync(r => r.HallId == actor.HallId && r.BusinessDate == today && r.SignedAt == null, ct))
            {
                return RoundOpen;
            }
            round = new PatrolRound { HallId = actor.HallId, BusinessDate = today, InspectorStaffId = actor.Id, InspectorName = actor.Name, StartedAt = now };
            db.PatrolRounds.Add(round);
            await db.SaveChangesAsync(ct);
            db.AuditEntries.Add(audit.EntryFor(actor, "patrol.start", $"patrol:{round.Id}", null, new { Date = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Inspector = actor.Name }));
            return null;
        });
        return (round?.Id ?? 0, refusal);
    }

    /// <summary>Marks a category of the round 正常 or 有问题 (with a note saying what); a later mark replaces the earlier one.</summary>
    public async Task<Refusal?> CheckAsync(Actor actor, long roundId, PatrolCategory category, bool problem, string? note, CancellationToken ct)
    {
        if ((Allowed(actor) ?? CheckText(note, required: problem, NoteRequired)) is { } bad)
        {
            return bad;
        }
        var clean = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        return await ChangeRoundAsync(actor, roundId, ct, async (db, round, now) =>
        {
            if (!problem && await db.PatrolFindings.AnyAsync(f => f.RoundId == roundId && f.Category == category, ct))
            {
                return FindingInNormalCategory(category);
            }
            var before = round.CheckOf(category);
            round.Checks = [.. round.Checks.Where(c => c.Category != category), new PatrolCheck(category, problem, clean, now)];
            round.Checks = [.. round.Checks.OrderBy(c => c.Category)];
            db.AuditEntries.Add(audit.EntryFor(actor, "patrol.check", $"patrol:{roundId}",
                before is null ? null : new { Category = PatrolCategories.Zh(category), Result = ResultName(before.Problem), before.Note },
                new { Category = PatrolCategories.Zh(category), Result = ResultName(problem), Note = clean }));
            return null;
        });
    }

    /// <summary>Records a finding of the round, open until closed with its result.</summary>
    public async Task<(long FindingId, Refusal? Refusal)> AddFindingAsync(Actor actor, long roundId, FindingForm form, CancellationToken ct)
    {
        if ((Allowed(actor) ?? CheckText(form.Description, required: true, DescriptionRequired) ?? CheckText(form.Requirement, required: true, RequirementRequired)) is { } bad)
        {
            return (0, bad);
        }
        if (form.DueDate is not { } due)
        {
            return (0, DueDateRequired);
        }
        PatrolFinding? added = null;
        var refusal = await ChangeRoundAsync(actor, roundId, ct, async (db, round, now) =>
        {
            if (due < round.BusinessDate)
            {
                return DueDateInPast;
            }
            if (due > round.BusinessDate.AddYears(1))
            {
                return DueDateTooFar;
            }
            if (form.WindowId is { } w && !await db.Windows.AnyAsync(x => x.Id == w && x.HallId == actor.HallId, ct))
            {
                return UnknownWindow;
            }
            if (round.CheckOf(form.Category) is { Problem: false })
            {
                return FindingInNormalCategory(form.Category);
            }
            added = new PatrolFinding
            {
                HallId = actor.HallId,
                RoundId = roundId,
                BusinessDate = round.BusinessDate,
                Category = form.Category,
                WindowId = form.WindowId,
                Description = form.Description!.Trim(),
                Requirement = form.Requirement!.Trim(),
                DueDate = due,
                OpenedAt = now,
                OpenedByStaffId = actor.Id,
            };
            db.PatrolFindings.Add(added);
            await db.SaveChangesAsync(ct);
            db.AuditEntries.Add(audit.EntryFor(actor, "patrol.finding.add", $"patrolfinding:{added.Id}", null, new
            {
                Category = PatrolCategories.Zh(form.Category),
                form.WindowId,
                added.Description,
                added.Requirement,
                DueDate = due.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            }));
            return null;
        });
        return (added?.Id ?? 0, refusal);
    }

    /// <summary>Signs the round off: needs every category checked; afterwards the round is frozen.</summary>
    public Task<Refusal?> SignAsync(Actor actor, long roundId, CancellationToken ct) =>
        ChangeRoundAsync(actor, roundId, ct, (db, round, now) =>
        {
            var missing = PatrolCategories.All.Where(c => round.CheckOf(c) is null).ToList();
            if (missing.Count > 0)
            {
                return Task.FromResult<Refusal?>(ChecksMissing(missing));
            }
            (round.SignedAt, round.SignedByStaffId, round.SignedByName) = (now, actor.Id, actor.Name);
            db.AuditEntries.Add(audit.EntryFor(actor, "patrol.sign", $"patrol:{roundId}", null, new { Inspector = round.InspectorName, SignedBy = actor.Name }));
            return Task.FromResult<Refusal?>(null);
        });

    /// <summary>Closes a finding with its 整改结果; a signed round's findings close all the same.</summary>
    public async Task<Refusal?> CloseFindingAsync(Actor actor, long findingId, string? result, CancellationToken ct)
    {
        if ((Allowed(actor) ?? CheckText(result, required: true, ResultRequired)) is { } bad)
        {
            return bad;
        }
        return await InTransactionAsync(actor, ct, async db =>
        {
            var found = await db.PatrolFindings.FromSql($"SELECT * FROM patrol_findings WHERE id = {findingId} FOR UPDATE").SingleOrDefaultAsync(ct);
            if (found is null || found.HallId != actor.HallId)
            {
                return UnknownFinding;
            }
            if (found.ClosedAt is not null)
            {
                return FindingClosed;
            }
            (found.Result, found.ClosedAt, found.ClosedByStaffId, found.ClosedByName) = (result!.Trim(), clock.GetUtcNow(), actor.Id, actor.Name);
            db.AuditEntries.Add(audit.EntryFor(actor, "patrol.finding.close", $"patrolfinding:{findingId}", null, new { found.Result }));
            return null;
        });
    }

    /// <summary>Load the round locked → refuse if signed or not today's → change, with its audit entry.</summary>
    private Task<Refusal?> ChangeRoundAsync(Actor actor, long roundId, CancellationToken ct, Func<HallDb, PatrolRound, DateTimeOffset, Task<Refusal?>> change) =>
        InTransactionAsync(actor, ct, async db =>
        {
            var round = await db.PatrolRounds.FromSql($"SELECT * FROM patrol_rounds WHERE id = {roundId} FOR UPDATE").SingleOrDefaultAsync(ct);
            if (round is null || round.HallId != actor.HallId)
            {
                return UnknownRound;
            }
            if (round.SignedAt is not null)
            {
                return RoundSigned;
            }
            var now = clock.GetUtcNow();
            var hall = await halls.GetAsync(db, actor.HallId, now, ct);
            return round.BusinessDate != HallClock.BusinessDate(now, hall.Zone) ? RoundFromAnotherDay : await change(db, round, now);
        });

    /// <summary>A supervisor's change in one transaction: saved and committed only when <paramref name="change"/> refuses nothing.</summary>
    private async Task<Refusal?> InTransactionAsync(Actor actor, CancellationToken ct, Func<HallDb, Task<Refusal?>> change)
    {
        if (Allowed(actor) is { } forbidden)
        {
            return forbidden;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await change(db) is { } refused)
        {
            return refused;
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return null;
    }

    /// <summary>Only a supervisor (or an admin) walks the patrol; a clerk is told so before anything else.</summary>
    private static Refusal? Allowed(Actor actor) => actor.IsSupervisor ? null : Refusal.Forbidden;

    private static string ResultName(bool problem) => problem ? "有问题" : "正常";

    private static Refusal? CheckText(string? text, bool required, Refusal missing)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return required ? missing : null;
        }
        return text.Trim().Length > MaxText ? TextTooLong : !FreeText.IsClean(text, multiline: true) ? Refusal.InvalidText : null;
    }
}
