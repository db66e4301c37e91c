using Hall.Server.Devices;
using Hall.Server.Contracts;

namespace Hall.Server.Alerts;

public enum AlertKind
{
    /// <summary>The longest wait of a service is beyond its target.</summary>
    LongWait,
    /// <summary>More people wait for a service than its threshold.</summary>
    QueueLong,
    /// <summary>A window is closed while the hall is open (after the grace at opening).</summary>
    WindowUnstaffed,
    /// <summary>A window has been paused longer than the hall's limit.</summary>
    LongPause,
    /// <summary>A device has not been connected for the hall's limit during opening hours.</summary>
    DeviceOffline,
    /// <summary>A device reports a fault: printer out of paper or cover open, voice pack missing …</summary>
    DeviceFault,
    /// <summary>A bad rating whose follow-up case is still open.</summary>
    BadRating,
    /// <summary>A follow-up case open past its due date, or its planned fix (整改) not done past the fix's due date.</summary>
    FollowUpLate,
    /// <summary>A complaint (有诉即办) not closed by its due date; cleared when it is closed.</summary>
    ComplaintOverdue,
}

/// <summary>Something that should be put right now, and what it is about (a service, window, device or ticket).</summary>
public sealed record AlertCondition(AlertKind Kind, string Subject, string TextZh, string TextEn);

public sealed record ServiceLoad(int Id, string Name, int Waiting, DateTimeOffset? OldestIssuedAt, int TargetWaitMinutes, int AlertWaitingCount);

public sealed record WindowWatch(int Id, int Number, string Name, WindowStatus Status, string? PauseReason, DateTimeOffset? PausedAt, bool Active, bool ExpectStaffed = true);

public sealed record DeviceWatch(int Id, string Name, DeviceRole Role, bool Online, DateTimeOffset? LastSeenAt, string? Status, string? StatusDetail);

/// <summary>An open complaint and its due date (the last working day on which closing is on time).</summary>
public sealed record OpenComplaint(long Id, string Number, string? Department, DateOnly DueDate);

/// <param name="DueDate">The case's due date; <paramref name="RemedyDueDate"/> the planned fix's, while it is not done.</param>
public sealed record OpenBadRating(long TicketId, string Number, string? WindowName, RatingLevel Level, DateOnly? DueDate = null, DateOnly? RemedyDueDate = null);

/// <summary>The hall's alert thresholds.</summary>
public sealed record AlertLimits(int PauseLimitMinutes, int UnstaffedGraceMinutes, int DeviceOfflineMinutes);

/// <summary>
/// The supervisor's alerts as a pure function of the hall's state at <c>now</c>: the conditions that hold. The
/// monitor raises an alert for each new one and clears the alerts whose condition is gone.
/// </summary>
public static class AlertRules
{
    /// <summary>Statuses a device reports that need a person.</summary>
    public static readonly string[] FaultStatuses = ["PaperOut", "CoverOpen", "Offline", "VoiceFallback", "VoiceMissing", "VoicePackRefused"];

    /// <param name="openSince">When the hall's current opening period began, or null while it is closed.</param>
    /// <param name="today">The hall's business date, for the follow-up cases' due dates (none checked when null).</param>
    public static List<AlertCondition> Evaluate(
        DateTimeOffset now, DateTimeOffset? openSince, AlertLimits limits,
        IEnumerable<ServiceLoad> services, IEnumerable<WindowWatch> windows, IEnumerable<DeviceWatch> devices, IEnumerable<OpenBadRating> badRatings,
        DateOnly? today = null)
    {
        var found = new List<AlertCondition>();
        foreach (var s in services)
        {
            if (s.OldestIssuedAt is { } oldest && s.Waiting > 0 && now - oldest > TimeSpan.FromMinutes(s.TargetWaitMinutes))
            {
                var minutes = (int)(now - oldest).TotalMinutes;
                found.Add(new(AlertKind.LongWait, $"service:{s.Id}", $"{s.Name}：最长已等候 {minutes} 分钟（目标 {s.TargetWaitMinutes} 分钟）", $"{s.Name}: longest wait {minutes} min (target {s.TargetWaitMinutes})"));
            }
            if (s.Waiting > s.AlertWaitingCount)
            {
                found.Add(new(AlertKind.QueueLong, $"service:{s.Id}", $"{s.Name}：{s.Waiting} 人等候（上限 {s.AlertWaitingCount}）", $"{s.Name}: {s.Waiting} waiting (limit {s.AlertWaitingCount})"));
            }
        }
        var staffedCheck = openSince is { } since && now - since >= TimeSpan.FromMinutes(limits.UnstaffedGraceMinutes);
        foreach (var w in windows.Where(w => w.Active))
        {
            // A window no clerk is due at is closed as planned.
            if (staffedCheck && w.ExpectStaffed && w.Status == WindowStatus.Closed)
            {
                found.Add(new(AlertKind.WindowUnstaffed, $"window:{w.Id}", $"{w.Number}号窗口（{w.Name}）办公时间无人", $"Window {w.Number} ({w.Name}) unstaffed in opening hours"));
            }
            if (w.Status == WindowStatus.Paused && w.PausedAt is { } paused && now - paused > TimeSpan.FromMinutes(limits.PauseLimitMinutes))
            {
                var minutes = (int)(now - paused).TotalMinutes;
                found.Add(new(AlertKind.LongPause, $"window:{w.Id}", $"{w.Number}号窗口暂停（{w.PauseReason}）已 {minutes} 分钟", $"Window {w.Number} paused ({w.PauseReason}) for {minutes} min"));
            }
        }
        foreach (var d in devices)
        {
            // A device that never connected is registered but not installed yet: nobody can put it right from the hall.
            if (openSince is not null && !d.Online && d.LastSeenAt is { } seen && now - seen > TimeSpan.FromMinutes(limits.DeviceOfflineMinutes))
            {
                found.Add(new(AlertKind.DeviceOffline, $"device:{d.Id}", $"设备离线：{d.Name}", $"Device offline: {d.Name}"));
            }
            if (d.Online && d.Status is { } status && FaultStatuses.Contains(status))
            {
                found.Add(new(AlertKind.DeviceFault, $"device:{d.Id}:{status}", $"设备故障：{d.Name}（{DeviceStatusText.Chinese(status)}）", $"Device fault: {d.Name} ({DeviceStatusText.English(status)})"));
            }
        }
        foreach (var r in badRatings)
        {
            var level = r.Level == RatingLevel.VeryDissatisfied ? ("非常不满意", "very dissatisfied") : ("不满意", "dissatisfied");
            found.Add(new(AlertKind.BadRating, $"ticket:{r.TicketId}", $"差评：{r.Number}（{r.WindowName}）{level.Item1}", $"Bad rating: {r.Number} ({r.WindowName}) {level.Item2}"));
            if (today is not { } day)
            {
                continue;
            }
            if (r.DueDate is { } due && day > due)
            {
                found.Add(new(AlertKind.FollowUpLate, $"ticket:{r.TicketId}", $"差评回访逾期：{r.Number}（{r.WindowName}）期限 {Date(due)}，尚未办结",
                    $"Follow-up late: {r.Number} ({r.WindowName}) was due {Date(due)}, still open"));
            }
            if (r.RemedyDueDate is { } fixDue && day > fixDue)
            {
                found.Add(new(AlertKind.FollowUpLate, $"ticket:{r.TicketId}:fix", $"整改逾期：{r.Number}（{r.WindowName}）整改期限 {Date(fixDue)}，尚未完成",
                    $"Fix late: {r.Number} ({r.WindowName}) fix was due {Date(fixDue)}, not done"));
            }
        }
        return found;
    }

    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    /// <summary>The open complaints past their due date on <paramref name="today"/> (hall-local): one alert each until closed.</summary>
    public static IEnumerable<AlertCondition> OverdueComplaints(DateOnly today, IEnumerable<OpenComplaint> complaints) =>
        complaints.Where(c => today > c.DueDate).Select(c => new AlertCondition(AlertKind.ComplaintOverdue, $"complaint:{c.Id}",
            $"诉求逾期：{c.Number}（{c.Department ?? "未交办"}）期限 {c.DueDate:MM-dd}",
            $"Complaint overdue: {c.Number} ({c.Department ?? "not assigned"}) due {c.DueDate:MM-dd}"));
}
