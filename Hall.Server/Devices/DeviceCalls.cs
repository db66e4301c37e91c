using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Queue;
using Hall.Server.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Devices;

/// <summary>Which calls a display has acknowledged. After a reconnect it gets the recent calls it has not acknowledged, and de-duplicates them by call id.</summary>
public static class DeviceCalls
{
    /// <summary>Older calls are not re-announced: the citizen has long gone to the window or been marked a no-show.</summary>
    public static readonly TimeSpan ResendWindow = TimeSpan.FromMinutes(10);

    public const int MaxResent = 50;

    public static async Task<List<CallMessage>> PendingAsync(HallDb db, Actor display, DateTimeOffset now, CancellationToken ct)
    {
        var hall = await db.Halls.AsNoTracking().FirstAsync(h => h.Id == display.HallId, ct);
        var startOfDay = HallStateReader.StartOfBusinessDay(hall, now);
        var since = now - ResendWindow > startOfDay ? now - ResendWindow : startOfDay;
        var acked = db.DisplayCallAcks.Where(a => a.DeviceId == display.Id).Select(a => a.CallId);
        var rows = await (
            from e in db.TicketEvents.AsNoTracking()
            where e.HallId == display.HallId && e.At >= since && (e.Kind == TicketEventKind.Called || e.Kind == TicketEventKind.Recalled) && !acked.Contains(e.Id)
            join t in db.Tickets on e.TicketId equals t.Id
            join w in db.Windows on e.WindowId equals w.Id
            join s in db.Services on e.ServiceId equals s.Id
            orderby e.Id
            select new CallMessage(e.Id, t.Id, t.Number, w.Id, w.Number, w.Name, s.Name, e.Kind == TicketEventKind.Recalled, e.At))
            .Take(MaxResent).ToListAsync(ct);
        return rows;
    }
}
