using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Security;

/// <summary>
/// Once a day, erases the personal fields (mobile cipher, HMAC and masked form, the 回访 contact cipher; ID HMAC and masked form) of closed
/// tickets whose business date is more than <c>Hall:Privacy:RetentionDays</c> (default 90, at least 1) days old. The
/// tickets themselves, their events, ratings and the figures stay. With several servers, a transaction-level advisory
/// lock lets one run it; the others skip that day's run, and a late run finds nothing left to erase.
/// The 回访 contact cipher goes sooner: it is kept past the day after the ticket's business date only for a ticket
/// whose bad rating opened a follow-up case (the supervisor may need to call the citizen back).
/// </summary>
public sealed class PersonalDataRetention(IDbContextFactory<HallDb> dbFactory, TimeProvider clock, IConfiguration config, ILogger<PersonalDataRetention> log) : BackgroundService
{
    private const long LockKey = 7140002;

    public int RetentionDays => Math.Max(1, config.GetValue("Hall:Privacy:RetentionDays", 90));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Operations.Periodic.RunAsync(TimeSpan.FromDays(1), clock, log, "Personal data of old tickets not erased today", EraseAsync, stoppingToken);

    /// <summary>Erases the personal fields of closed tickets past the retention. Returns how many tickets, or null when another server holds the job.</summary>
    public async Task<int?> EraseAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({LockKey}) AS \"Value\"").SingleAsync(ct))
        {
            log.LogDebug("Personal data retention skipped: another server is running it");
            return null;
        }
        var halls = await db.Halls.AsNoTracking().Select(h => new { h.Id, h.TimeZoneId }).ToListAsync(ct);
        var erased = 0;
        var contacts = 0;
        foreach (var hall in halls)
        {
            var today = Queue.HallClock.BusinessDate(clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(hall.TimeZoneId));
            var oldest = today.AddDays(-RetentionDays);
            var contactsFrom = today.AddDays(-1);
            contacts += await db.Database.ExecuteSqlAsync($"""
                UPDATE tickets SET contact_cipher = NULL
                WHERE hall_id = {hall.Id} AND business_date < {contactsFrom} AND contact_cipher IS NOT NULL
                  AND state IN ('Finished', 'NoShow', 'Cancelled', 'Voided')
                  AND NOT EXISTS (SELECT 1 FROM follow_up_cases f WHERE f.ticket_id = tickets.id)
                """, ct);
            erased += await db.Database.ExecuteSqlAsync($"""
                UPDATE tickets SET mobile_cipher = NULL, mobile_hmac = NULL, mobile_masked = NULL, id_hmac = NULL, id_masked = NULL, contact_cipher = NULL
                WHERE hall_id = {hall.Id} AND business_date < {oldest} AND state IN ('Finished', 'NoShow', 'Cancelled', 'Voided')
                  AND (mobile_cipher IS NOT NULL OR mobile_hmac IS NOT NULL OR mobile_masked IS NOT NULL OR id_hmac IS NOT NULL OR id_masked IS NOT NULL OR contact_cipher IS NOT NULL)
                """, ct);
        }
        await tx.CommitAsync(ct);
        log.LogInformation("Erased the personal fields of {Count} closed tickets older than {Days} days", erased, RetentionDays);
        log.LogInformation("Forgot the call-back numbers of {Count} closed tickets without a follow-up case", contacts);
        return erased;
    }
}
