using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Devices;

/// <summary>Which calls a display has acknowledged; the rest of today's are re-sent after a reconnect.</summary>
public static class DeviceCalls
{
    public const int MaxResent = 20;

    public static async Task<List<CallMessage>> PendingAsync(HallDb db, Actor display, DateTimeOffset now, CancellationToken ct)
    {
        var device = await db.Devices.AsNoTracking().FirstAsync(d => d.Id == display.Id, ct);
        var hall = await db.Halls.AsNoTracking().FirstAsync(h => h.Id == display.HallId, ct);
        return await HallStateReader.CallsAsync(db, display.HallId, HallStateReader.StartOfBusinessDay(hall, now), device.LastAckedCallId, MaxResent, ct);
    }

    /// <summary>Acknowledgements only move forward: an old or repeated one changes nothing.</summary>
    public static Task AckAsync(HallDb db, Actor display, long callId, CancellationToken ct) =>
        db.Devices.Where(d => d.Id == display.Id && d.LastAckedCallId < callId)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.LastAckedCallId, callId), ct);
}
