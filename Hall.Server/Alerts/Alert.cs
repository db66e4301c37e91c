namespace Hall.Server.Alerts;

/// <summary>
/// One alert on the supervisor's wall: raised when its condition first holds, cleared when it no longer does, and
/// acknowledged by a supervisor (who saw it) in between or after. At most one open alert per kind and subject.
/// </summary>
public sealed class Alert
{
    public long Id { get; set; }
    public int HallId { get; set; }
    public AlertKind Kind { get; set; }
    public required string Subject { get; set; }
    public required string TextZh { get; set; }
    public required string TextEn { get; set; }
    public DateTimeOffset RaisedAt { get; set; }
    public DateTimeOffset? ClearedAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public int? AcknowledgedBy { get; set; }
    public string? AcknowledgedByName { get; set; }
}
