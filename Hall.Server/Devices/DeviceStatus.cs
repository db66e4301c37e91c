using Hall.Server.Contracts;
using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Devices;

/// <summary>What the supervisor's wall shows of a device: online, last seen, and the status it last reported.</summary>
public static class DeviceStatus
{
    public const int MaxDetailLength = 200;

    public static Task ConnectedAsync(HallDb db, int deviceId, DateTimeOffset now, CancellationToken ct) =>
        db.Devices.Where(d => d.Id == deviceId).ExecuteUpdateAsync(s => s.SetProperty(d => d.Online, true).SetProperty(d => d.LastSeenAt, now), ct);

    public static Task DisconnectedAsync(HallDb db, int deviceId, DateTimeOffset now, CancellationToken ct) =>
        db.Devices.Where(d => d.Id == deviceId).ExecuteUpdateAsync(s => s.SetProperty(d => d.Online, false).SetProperty(d => d.LastSeenAt, now), ct);

    /// <summary>Stores a report; false (and nothing stored) when it is malformed: a status is one word of letters, the detail short text.</summary>
    public static async Task<bool> ReportAsync(HallDb db, int deviceId, DeviceStatusReport report, DateTimeOffset now, CancellationToken ct)
    {
        if (report.Status is not { Length: > 0 and <= 32 } status || !status.All(char.IsAsciiLetter) || report.Detail is { Length: > MaxDetailLength })
        {
            return false;
        }
        await db.Devices.Where(d => d.Id == deviceId).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Online, true)
            .SetProperty(d => d.LastSeenAt, now)
            .SetProperty(d => d.Status, status)
            .SetProperty(d => d.StatusDetail, report.Detail)
            .SetProperty(d => d.StatusAt, now), ct);
        return true;
    }
}
