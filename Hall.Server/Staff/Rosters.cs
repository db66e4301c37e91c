namespace Hall.Server.Staff;

/// <summary>排班: a clerk is due at the hall on a business date, at a window (or at none in particular).</summary>
public sealed class RosterDay
{
    public int HallId { get; set; }
    public int StaffId { get; set; }
    public DateOnly Date { get; set; }
    public int? WindowId { get; set; }
}

/// <summary>Why a clerk is away on days they are due.</summary>
public enum LeaveKind
{
    /// <summary>请假: leave (sick, personal, annual).</summary>
    Leave,
    /// <summary>公出: away on official business; counts as attendance, not as time at a window.</summary>
    Business,
}

/// <summary>请假 / 公出: an absence approved ahead, from one business date to another (both included).</summary>
public sealed class StaffLeave
{
    public long Id { get; set; }
    public int HallId { get; set; }
    public int StaffId { get; set; }
    public DateOnly From { get; set; }
    public DateOnly To { get; set; }
    public LeaveKind Kind { get; set; }
    public string? Note { get; set; }
}
