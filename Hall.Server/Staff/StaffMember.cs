using Hall.Server.Contracts;

namespace Hall.Server.Staff;

/// <summary>A clerk, supervisor or admin of one hall.</summary>
public sealed class StaffMember
{
    public int Id { get; set; }
    public int HallId { get; set; }
    public required string Login { get; set; }
    public required string Name { get; set; }
    /// <summary>工号: the staff code the citizen sees on the evaluator, set by the admin.</summary>
    public string? StaffCode { get; set; }
    public StaffRole Role { get; set; }
    public required string PasswordHash { get; set; }
    public bool Active { get; set; } = true;
}

/// <summary>A login: the token's secret is stored hashed; revocable; shared by every server instance.</summary>
public sealed class StaffSession
{
    public long Id { get; set; }
    public int StaffId { get; set; }
    public required byte[] SecretHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>When the session was last used (kept to the minute); idle longer than <c>Hall:Login:IdleMinutes</c>, it is over.</summary>
    public DateTimeOffset LastSeenAt { get; set; }
}
