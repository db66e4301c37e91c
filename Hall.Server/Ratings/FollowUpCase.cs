using Hall.Server.Contracts;
using Hall.Server.Queue;

namespace Hall.Server.Ratings;

/// <summary>
/// 差评回访: a bad rating (不满意 / 非常不满意) opens a case for the hall's supervisors, due a configurable number of
/// working days later (the hall's calendar: weekends, holidays and 调休 make-up days count as the hall counts them).
/// Opened in the same transaction as the rating, it goes round the national loop: 核实 (what was found, founded or not),
/// 整改 when founded (what will be fixed, by a due date in working days, then done), 回访 (the citizen's own verdict), then
/// 办结. The window may appeal (申诉复核) while it is open; an upheld appeal closes it and takes the rating out of the figures.
/// Each step is a guarded change here: a refused one changes nothing.
/// </summary>
public sealed class FollowUpCase
{
    public long Id { get; set; }
    public int HallId { get; set; }
    public long TicketId { get; set; }
    public string TicketNumber { get; set; } = "";
    public int? WindowId { get; set; }
    public int? StaffId { get; set; }
    public RatingLevel Level { get; set; }
    public List<string> Reasons { get; set; } = [];
    public DateTimeOffset OpenedAt { get; set; }
    /// <summary>The mobile number the citizen left at the kiosk, masked (138****5678); the full one stays encrypted on the ticket for the retention days.</summary>
    public string? ContactMasked { get; set; }
    /// <summary>The last working day (hall-local) on which closing is on time.</summary>
    public DateOnly DueDate { get; set; }
    public List<FollowUpNote> Notes { get; set; } = [];
    public DateTimeOffset? ClosedAt { get; set; }
    public int? ClosedByStaffId { get; set; }
    public string? Result { get; set; }

    /// <summary>核实: when and by whom the facts were established, what was found, and whether the complaint was founded (属实).</summary>
    public DateTimeOffset? VerifiedAt { get; set; }
    public int? VerifiedByStaffId { get; set; }
    public string? Finding { get; set; }
    public bool? Founded { get; set; }

    /// <summary>整改: what will be fixed and by when (the last working day, hall-local), then when it was done and how.</summary>
    public string? RemedyPlan { get; set; }
    public DateOnly? RemedyDueDate { get; set; }
    public DateTimeOffset? RemedyPlannedAt { get; set; }
    public int? RemedyPlannedByStaffId { get; set; }
    public DateTimeOffset? RemediedAt { get; set; }
    public int? RemediedByStaffId { get; set; }
    public string? RemedyResult { get; set; }

    /// <summary>回访: the citizen's own verdict when called back, with the note of the call.</summary>
    public DateTimeOffset? CalledBackAt { get; set; }
    public int? CalledBackByStaffId { get; set; }
    public CallBackVerdict? CallBackVerdict { get; set; }
    public string? CallBackNote { get; set; }

    /// <summary>申诉复核: the window's appeal that the rating was mistaken or malicious, and the supervisor's decision.</summary>
    public AppealKind? AppealKind { get; set; }
    public string? AppealReason { get; set; }
    public DateTimeOffset? AppealFiledAt { get; set; }
    public int? AppealFiledByStaffId { get; set; }
    public DateTimeOffset? AppealDecidedAt { get; set; }
    public int? AppealDecidedByStaffId { get; set; }
    public bool? AppealUpheld { get; set; }
    public string? AppealDecision { get; set; }

    public bool IsOverdue(DateOnly today) => ClosedAt is null && today > DueDate;

    /// <summary>The fix promised is not done and its due date has passed.</summary>
    public bool IsRemedyOverdue(DateOnly today) => ClosedAt is null && RemediedAt is null && RemedyDueDate is { } due && today > due;

    public bool AppealPending => AppealFiledAt is not null && AppealDecidedAt is null;

    /// <summary>The step the case waits for, as the list names it.</summary>
    public FollowUpStep NextStep =>
        ClosedAt is not null ? FollowUpStep.Closed
        : VerifiedAt is null ? FollowUpStep.Verify
        : Founded == true && RemedyPlannedAt is null ? FollowUpStep.PlanRemedy
        : Founded == true && RemediedAt is null ? FollowUpStep.FinishRemedy
        : CalledBackAt is null ? FollowUpStep.CallBack
        : FollowUpStep.Close;

    public static readonly Refusal Closed = new("case_closed", "该回访件已办结", "The follow-up case is already closed.");
    public static readonly Refusal AlreadyVerified = new("case_already_verified", "该件已核实，未作任何更改", "The case is already verified. Nothing was changed.");
    public static readonly Refusal NotVerified = new("case_not_verified", "请先核实差评情况，未作任何更改", "Verify the case first (核实). Nothing was changed.");
    public static readonly Refusal NotFounded = new("case_not_founded", "核实不属实，无需整改，未作任何更改", "The complaint was found unfounded: there is nothing to fix. Nothing was changed.");
    public static readonly Refusal RemedyAlreadyPlanned = new("remedy_already_planned", "已制定整改措施，未作任何更改", "The fix is already planned. Nothing was changed.");
    public static readonly Refusal RemedyNotPlanned = new("remedy_not_planned", "请先制定整改措施，未作任何更改", "Plan the fix first (整改). Nothing was changed.");
    public static readonly Refusal AlreadyRemedied = new("case_already_remedied", "整改已完成，未作任何更改", "The fix is already done. Nothing was changed.");
    public static readonly Refusal NotRemedied = new("case_not_remedied", "整改尚未完成，不能回访，未作任何更改", "The fix is not done yet: call the citizen back after it. Nothing was changed.");
    public static readonly Refusal AlreadyCalledBack = new("case_already_called_back", "该件已回访，未作任何更改", "The citizen was already called back. Nothing was changed.");
    public static readonly Refusal NotCalledBack = new("case_not_called_back", "尚未回访群众，不能办结，未作任何更改", "Call the citizen back before closing. Nothing was changed.");
    public static readonly Refusal AppealAwaitsDecision = new("appeal_pending", "申诉待复核，请先作出复核决定再办结，未作任何更改", "An appeal awaits the decision: decide it before closing. Nothing was changed.");
    public static readonly Refusal AppealAlreadyFiled = new("appeal_already_filed", "该差评已提出过申诉，未作任何更改", "An appeal was already filed for this rating. Nothing was changed.");
    public static readonly Refusal NoAppealPending = new("no_appeal_pending", "没有待复核的申诉，未作任何更改", "There is no appeal awaiting a decision. Nothing was changed.");

    /// <summary>核实: the facts found and whether the complaint was founded.</summary>
    public Refusal? Verify(int staffId, string finding, bool founded, DateTimeOffset now)
    {
        if (ClosedAt is not null)
        {
            return Closed;
        }
        if (VerifiedAt is not null)
        {
            return AlreadyVerified;
        }
        (VerifiedAt, VerifiedByStaffId, Finding, Founded) = (now, staffId, finding, founded);
        return null;
    }

    /// <summary>整改 planned: what will be fixed, due by <paramref name="due"/> (a founded complaint only).</summary>
    public Refusal? PlanRemedy(int staffId, string plan, DateOnly due, DateTimeOffset now)
    {
        if (Check(verified: true) is { } refused)
        {
            return refused;
        }
        if (Founded != true)
        {
            return NotFounded;
        }
        if (RemedyPlannedAt is not null)
        {
            return RemedyAlreadyPlanned;
        }
        (RemedyPlannedAt, RemedyPlannedByStaffId, RemedyPlan, RemedyDueDate) = (now, staffId, plan, due);
        return null;
    }

    /// <summary>整改 done: what was done.</summary>
    public Refusal? FinishRemedy(int staffId, string result, DateTimeOffset now)
    {
        if (Check(verified: true) is { } refused)
        {
            return refused;
        }
        if (RemedyPlannedAt is null)
        {
            return Founded == true ? RemedyNotPlanned : NotFounded;
        }
        if (RemediedAt is not null)
        {
            return AlreadyRemedied;
        }
        (RemediedAt, RemediedByStaffId, RemedyResult) = (now, staffId, result);
        return null;
    }

    /// <summary>回访: after 核实, and after the fix when the complaint was founded.</summary>
    public Refusal? CallBack(int staffId, CallBackVerdict verdict, string? note, DateTimeOffset now)
    {
        if (Check(verified: true) is { } refused)
        {
            return refused;
        }
        if (Founded == true && RemediedAt is null)
        {
            return NotRemedied;
        }
        if (CalledBackAt is not null)
        {
            return AlreadyCalledBack;
        }
        (CalledBackAt, CalledBackByStaffId, CallBackVerdict, CallBackNote) = (now, staffId, verdict, note);
        return null;
    }

    /// <summary>办结: after the call-back, with no appeal awaiting its decision.</summary>
    public Refusal? Close(int staffId, string result, DateTimeOffset now)
    {
        if (Check(verified: true) is { } refused)
        {
            return refused;
        }
        if (Founded == true && RemediedAt is null)
        {
            return NotRemedied;
        }
        if (CalledBackAt is null)
        {
            return NotCalledBack;
        }
        if (AppealPending)
        {
            return AppealAwaitsDecision;
        }
        (ClosedAt, ClosedByStaffId, Result) = (now, staffId, result);
        return null;
    }

    /// <summary>申诉: once per case, while it is open; it holds up no other step but the closing.</summary>
    public Refusal? FileAppeal(int staffId, AppealKind kind, string reason, DateTimeOffset now)
    {
        if (ClosedAt is not null)
        {
            return Closed;
        }
        if (AppealFiledAt is not null)
        {
            return AppealAlreadyFiled;
        }
        (AppealFiledAt, AppealFiledByStaffId, AppealKind, AppealReason) = (now, staffId, kind, reason);
        return null;
    }

    /// <summary>复核: 采纳 closes the case as 申诉采纳; 驳回 leaves it to go on.</summary>
    public Refusal? DecideAppeal(int staffId, bool upheld, string reason, DateTimeOffset now)
    {
        if (ClosedAt is not null)
        {
            return Closed;
        }
        if (!AppealPending)
        {
            return NoAppealPending;
        }
        (AppealDecidedAt, AppealDecidedByStaffId, AppealUpheld, AppealDecision) = (now, staffId, upheld, reason);
        if (upheld)
        {
            (ClosedAt, ClosedByStaffId, Result) = (now, staffId, $"{AppealClosing}：{reason}");
        }
        return null;
    }

    /// <summary>How a case closed by an upheld appeal begins its result.</summary>
    public const string AppealClosing = "申诉采纳";

    private Refusal? Check(bool verified) =>
        ClosedAt is not null ? Closed : verified && VerifiedAt is null ? NotVerified : null;
}

/// <summary>What a case waits for next.</summary>
public enum FollowUpStep
{
    Verify,
    PlanRemedy,
    FinishRemedy,
    CallBack,
    Close,
    Closed,
}

/// <summary>The citizen's verdict at the call-back (回访), or that they could not be reached.</summary>
public enum CallBackVerdict
{
    Satisfied = 1,
    Basic = 2,
    Dissatisfied = 3,
    /// <summary>未能联系: no number left, or nobody answered; the case can close, and the call-back is not counted in 回访满意率.</summary>
    Unreachable = 4,
}

/// <summary>Why the window appeals a bad rating (申诉).</summary>
public enum AppealKind
{
    /// <summary>误评: the citizen pressed the wrong key, or rated another window's service.</summary>
    Mistaken = 1,
    /// <summary>恶意差评: a rating meant to harm, not about the service.</summary>
    Malicious = 2,
}

/// <summary>The Chinese and English names of the loop's values, as pages and reports print them.</summary>
public static class FollowUpText
{
    public static (string Zh, string En) Verdict(CallBackVerdict v) => v switch
    {
        CallBackVerdict.Satisfied => ("满意", "Satisfied"),
        CallBackVerdict.Basic => ("基本满意", "Fairly satisfied"),
        CallBackVerdict.Dissatisfied => ("不满意", "Dissatisfied"),
        CallBackVerdict.Unreachable => ("未能联系", "Not reached"),
        _ => (v.ToString(), v.ToString()),
    };

    public static (string Zh, string En) Appeal(AppealKind k) => k switch
    {
        AppealKind.Mistaken => ("误评", "Mistaken"),
        AppealKind.Malicious => ("恶意差评", "Malicious"),
        _ => (k.ToString(), k.ToString()),
    };

    /// <summary>Satisfied at the call-back: 满意 or 基本满意.</summary>
    public static bool Satisfied(CallBackVerdict v) => v is CallBackVerdict.Satisfied or CallBackVerdict.Basic;
}

/// <summary>One entry of a case's follow-up: who, when, what was done or learned.</summary>
public sealed record FollowUpNote(DateTimeOffset At, int StaffId, string StaffName, string Text);
