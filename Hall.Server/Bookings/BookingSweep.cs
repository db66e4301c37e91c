using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Bookings;

/// <summary>
/// 爽约 and the end of a booking, every minute: a booking neither checked in nor cancelled by the end of its check-in window
/// (the slot's start plus <see cref="BookingRules.CheckInLateMinutes"/>) is missed; a booking that is over keeps no mobile
/// cipher (missed now, or checked in on an earlier date). One statement per hall marks them, so a check-in at the same
/// moment either wins or finds the booking already missed — never both.
/// </summary>
public sealed class BookingSweep(IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock, ILogger<BookingSweep> log) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Operations.Periodic.RunAsync(TimeSpan.FromMinutes(1), clock, log, "Missed bookings not marked this minute", SweepAsync, stoppingToken);

    /// <summary>Marks the bookings whose check-in window has closed as missed; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().ToUniversalTime();
        var marked = 0;
        foreach (var hallId in await db.Halls.AsNoTracking().Select(h => h.Id).ToListAsync(ct))
        {
            var hall = await halls.GetAsync(db, hallId, now, ct);
            var today = HallClock.BusinessDate(now, hall.Zone);
            var due = await db.Bookings.AsNoTracking().Where(b => b.HallId == hallId && b.State == BookingState.Booked && b.Date <= today)
                .Select(b => new { b.Id, b.Date, b.Start }).ToListAsync(ct);
            var missed = due.Where(b => SlotPlan.Local(b.Date, b.Start, hall.Zone).AddMinutes(hall.Booking.CheckInLateMinutes) < now).Select(b => b.Id).ToList();
            if (missed.Count > 0)
            {
                marked += await db.Database.ExecuteSqlAsync($"""
                    UPDATE bookings SET state = 'Missed', missed_at = {now}, mobile_cipher = NULL
                    WHERE id = ANY({missed}) AND state = 'Booked'
                    """, ct);
            }
            await db.Database.ExecuteSqlAsync($"""
                UPDATE bookings SET mobile_cipher = NULL
                WHERE hall_id = {hallId} AND state = 'CheckedIn' AND date < {today} AND mobile_cipher IS NOT NULL
                """, ct);
        }
        return marked;
    }
}
