using Hall.Server.Contracts;

namespace Hall.Server.Ratings;

/// <summary>
/// 差评回访: a bad rating (不满意 / 非常不满意) opens a case for the hall's supervisors, due a configurable number of
/// working days later (the hall's calendar: weekends, holidays and 调休 make-up days count as the hall counts them).
/// Notes record the calls and fixes; closing records the result. Opened in the same transaction as the rating.
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

    public bool IsOverdue(DateOnly today) => ClosedAt is null && today > DueDate;
}

/// <summary>One entry of a case's follow-up: who, when, what was done or learned.</summary>
public sealed record FollowUpNote(DateTimeOffset At, int StaffId, string StaffName, string Text);
