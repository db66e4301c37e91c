using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Notices;

/// <summary>
/// A mobile number is kept only until its ticket closes; a ticket left open at the end of its day (never called,
/// never cancelled) closes with the day. Every hour, numbers on tickets of past business days are forgotten.
/// </summary>
public sealed class MobileRetention(IDbContextFactory<HallDb> dbFactory, TimeProvider clock, ILogger<MobileRetention> log) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Operations.Periodic.RunAsync(TimeSpan.FromHours(1), clock, log, "Old mobile numbers not cleared this hour", ForgetPastDaysAsync, stoppingToken);

    /// <summary>Clears the numbers of tickets whose business day is over in their hall's time zone. Returns how many.</summary>
    public async Task<int> ForgetPastDaysAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var halls = await db.Halls.AsNoTracking().Select(h => new { h.Id, h.TimeZoneId }).ToListAsync(ct);
        var cleared = 0;
        foreach (var hall in halls)
        {
            var today = Queue.HallClock.BusinessDate(clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(hall.TimeZoneId));
            cleared += await db.Database.ExecuteSqlAsync($"""
                UPDATE tickets SET mobile_cipher = NULL, mobile_hmac = NULL, mobile_masked = NULL
                WHERE hall_id = {hall.Id} AND business_date < {today} AND mobile_cipher IS NOT NULL
                """, ct);
        }
        return cleared;
    }
}
