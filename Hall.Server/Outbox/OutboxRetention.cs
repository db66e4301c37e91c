using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Outbox;

/// <summary>
/// Once a day, deletes the outbox messages that were delivered (<c>sent</c>) more than <c>Hall:Outbox:RetentionDays</c>
/// (default 90, at least 1) days ago, in batches of <see cref="BatchSize"/> rows, each batch its own short transaction so
/// the sender is never held up. Waiting (<c>pending</c>) and given-up (<c>failed</c>) messages are never deleted, however
/// old. Deleting delivered rows changes no order: the sender holds a subject's message back only while an earlier one of
/// the same endpoint is not yet delivered, and a deleted row is a delivered one. A province upload enqueued again after its
/// row was deleted (an appeal upheld months later) is written as a new row under the rating's id. With several servers, a
/// transaction-level advisory lock lets one run it; the others skip that round.
/// </summary>
public sealed class OutboxRetention(IDbContextFactory<HallDb> dbFactory, TimeProvider clock, IConfiguration config, ILogger<OutboxRetention> log) : BackgroundService
{
    public const int BatchSize = 1000;

    private const long LockKey = 7140010;

    public int RetentionDays => Math.Max(1, config.GetValue("Hall:Outbox:RetentionDays", 90));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Operations.Periodic.RunAsync(TimeSpan.FromDays(1), clock, log, "Old delivered outbox messages not deleted today", DeleteOldAsync, stoppingToken);

    /// <summary>Deletes the messages delivered before the retention; answers how many, or null when another server holds the job.</summary>
    public async Task<int?> DeleteOldAsync(CancellationToken ct)
    {
        var before = clock.GetUtcNow().ToUniversalTime().AddDays(-RetentionDays);
        var deleted = 0;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({LockKey}) AS \"Value\"").SingleAsync(ct))
            {
                log.LogDebug("Outbox retention skipped: another server is running it");
                return deleted == 0 ? null : deleted;
            }
            // The state is checked again on the locked row: a province upload enqueued again meanwhile is pending, and stays.
            var batch = await db.Database.ExecuteSqlAsync($"""
                DELETE FROM outbox
                WHERE id IN (SELECT id FROM outbox WHERE state = 'sent' AND sent_at < {before} ORDER BY sent_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED)
                  AND state = 'sent'
                """, ct);
            await tx.CommitAsync(ct);
            deleted += batch;
            if (batch < BatchSize)
            {
                break;
            }
        }
        log.LogInformation("Deleted {Count} outbox messages delivered more than {Days} days ago", deleted, RetentionDays);
        return deleted;
    }
}
