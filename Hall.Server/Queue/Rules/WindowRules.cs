using Hall.Server.Contracts;

namespace Hall.Server.Queue;

/// <summary>Window sessions: open (签到), pause with a reason, resume, close (签退).</summary>
public static class WindowRules
{
    public static Refusal? CheckOpen(WindowFacts window) => window.Status switch
    {
        WindowStatus.Open => null,
        WindowStatus.Paused => Refusal.WindowPaused,
        WindowStatus.Closed => Refusal.WindowClosed,
    };

    /// <summary>Whether this clerk is the one who opened the window.</summary>
    public static Refusal? CheckOperator(WindowFacts window, int staffId) =>
        window.Status == WindowStatus.Closed ? Refusal.WindowClosed
        : window.StaffId == staffId ? null
        : Refusal.NotYourWindow;

    public static Refusal? Open(WindowFacts window, int staffId) => window.Status switch
    {
        WindowStatus.Closed => null,
        _ when window.StaffId == staffId => Refusal.WindowAlreadyOpen,
        _ => Refusal.WindowOpenedByOther,
    };

    /// <summary>A clerk takes over a window another clerk left open (交接): the window keeps its state and ticket.</summary>
    public static Refusal? TakeOver(WindowFacts window, int staffId) => window.Status switch
    {
        WindowStatus.Closed => Refusal.WindowClosed,
        _ when window.StaffId == staffId => Refusal.WindowAlreadyOpen,
        _ => null,
    };

    public static Refusal? Pause(WindowFacts window, string? reason, IReadOnlyList<string> reasons)
    {
        if (CheckOpen(window) is { } notOpen)
        {
            return notOpen;
        }
        if (window.Current is not null)
        {
            return Refusal.WindowBusy;
        }
        return reason is not null && reasons.Contains(reason) ? null : Refusal.UnknownPauseReason;
    }

    public static Refusal? Resume(WindowFacts window) => window.Status switch
    {
        WindowStatus.Paused => null,
        WindowStatus.Closed => Refusal.WindowClosed,
        WindowStatus.Open => Refusal.WindowNotPaused,
    };

    public static Refusal? Close(WindowFacts window)
    {
        if (window.Status == WindowStatus.Closed)
        {
            return Refusal.WindowClosed;
        }
        return window.Current is null ? null : Refusal.WindowBusy;
    }
}
