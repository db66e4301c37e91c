using Hall.Server.Contracts;

namespace Hall.Server.Windows;

/// <summary>A service counter. Serves its services in its own order.</summary>
public sealed class Window
{
    public int Id { get; set; }
    public int HallId { get; set; }
    public int Number { get; set; }
    public required string Name { get; set; }
    public WindowKind Kind { get; set; }
    /// <summary>Address of the window's LED screen on the RS-485 line.</summary>
    public int? LedAddress { get; set; }
    public bool Active { get; set; } = true;
    /// <summary>
    /// Whether a clerk is due at this window whenever the hall is open. A window kept for occasional use (办不成事反映,
    /// 企业家会客厅) is not: it raises no unstaffed alert. (Who is due on which day, from rosters, is for later.)
    /// </summary>
    public bool ExpectStaffed { get; set; } = true;
    /// <summary>Normal tickets called since the last priority one: the interleave is counted per window.</summary>
    public int NormalsSincePriority { get; set; } = 1000;
    /// <summary>The event-log id of the last change to this window, written under the window's lock.</summary>
    public long StateVersion { get; set; }
    public List<WindowService> Services { get; set; } = [];
}

/// <summary>A service a window serves, with its rank (0 first).</summary>
public sealed class WindowService
{
    public int WindowId { get; set; }
    public int ServiceId { get; set; }
    public int Rank { get; set; }
}

/// <summary>One opening of a window by a clerk, until it is closed. At most one unclosed per window.</summary>
public sealed class WindowSession
{
    public long Id { get; set; }
    public int HallId { get; set; }
    public int WindowId { get; set; }
    public int StaffId { get; set; }
    public WindowStatus Status { get; set; }
    public string? PauseReason { get; set; }
    public DateTimeOffset? PausedAt { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
}

public enum WindowEventKind
{
    Opened,
    Paused,
    Resumed,
    Closed,
    /// <summary>The session ended because another clerk took the window over; that clerk's session starts with <see cref="Opened"/>.</summary>
    HandedOver,
}

/// <summary>The append-only window-session log: attendance and pauses are counted from it.</summary>
public sealed class WindowEvent
{
    /// <summary>Drawn from the same sequence as ticket events: the version of the change.</summary>
    public long Id { get; set; }
    public int HallId { get; set; }
    public int WindowId { get; set; }
    public long SessionId { get; set; }
    public int StaffId { get; set; }
    public WindowEventKind Kind { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? CommandId { get; set; }

    /// <summary>The entry for a change of a window session: the one way window events are written.</summary>
    public static WindowEvent Of(Window window, WindowSession session, WindowEventKind kind, string? reason, DateTimeOffset now, Guid? commandId) => new()
    {
        HallId = window.HallId,
        WindowId = window.Id,
        SessionId = session.Id,
        StaffId = session.StaffId,
        Kind = kind,
        Reason = reason,
        At = now,
        CommandId = commandId,
    };
}
