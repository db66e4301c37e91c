namespace Hall.Server.Admin;

/// <summary>One change made by a person to the hall's configuration: who, what, when, and the record before and after (JSON).</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public int HallId { get; set; }
    public int StaffId { get; set; }
    public required string StaffName { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>What was done, e.g. <c>service.update</c>, <c>device.rotate</c>.</summary>
    public required string Action { get; set; }
    /// <summary>What it was done to, e.g. <c>service:3</c>.</summary>
    public required string Subject { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
}
