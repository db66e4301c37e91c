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

    // A session's transitions, each defined once here: the window commands and the bulk seeders go through them.

    public static WindowSession Open(int hallId, int windowId, int staffId, DateTimeOffset now) =>
        new() { HallId = hallId, WindowId = windowId, StaffId = staffId, Status = WindowStatus.Open, OpenedAt = now };

    /// <summary>Ends this session for a take-over and returns the new holder's, in the same status (and pause) as this one was.</summary>
    public WindowSession HandOver(int staffId, DateTimeOffset now)
    {
        var next = new WindowSession { HallId = HallId, WindowId = WindowId, StaffId = staffId, Status = Status, PauseReason = PauseReason, PausedAt = PausedAt, OpenedAt = now };
        ClosedAt = now;
        Status = WindowStatus.Closed;
        return next;
    }

    public void Pause(string reason, DateTimeOffset now)
    {
        Status = WindowStatus.Paused;
        PauseReason = reason;
        PausedAt = now;
    }

    public void Resume()
    {
        Status = WindowStatus.Open;
        PauseReason = null;
        PausedAt = null;
    }

    public void Close(DateTimeOffset now)
    {
        Status = WindowStatus.Closed;
        ClosedAt = now;
        PauseReason = null;
    }
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
