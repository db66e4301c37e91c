using Hall.Server.Contracts;

namespace Hall.Server.Devices;

/// <summary>A kiosk, lobby display or evaluator: one hall, one role, a key stored hashed.</summary>
public sealed class Device
{
    public int Id { get; set; }
    public int HallId { get; set; }
    public required string Name { get; set; }
    public DeviceRole Role { get; set; }
    public required byte[] KeyHash { get; set; }
    /// <summary>The window an evaluator faces.</summary>
    public int? WindowId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    /// <summary>Whether the device holds a hub connection now (to any server).</summary>
    public bool Online { get; set; }
    /// <summary>What the device last reported: for a kiosk its printer (Ready / PaperOut / CoverOpen / Offline / Disabled).</summary>
    public string? Status { get; set; }
    public string? StatusDetail { get; set; }
    public DateTimeOffset? StatusAt { get; set; }
    /// <summary>A display's plays the server refused and did not store (overlapping, in the future, before the device existed): shown on the supervisor's wall.</summary>
    public int RefusedPlays { get; set; }
}

/// <summary>A display has shown and announced this call. Kept per call: calls from different windows can commit out of id order.</summary>
public sealed class DisplayCallAck
{
    public int DeviceId { get; set; }
    public long CallId { get; set; }
    public DateTimeOffset At { get; set; }
}
