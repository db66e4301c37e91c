using System.Threading.Channels;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hall.Server.Notices;

/// <summary>
/// Sends the "almost your turn" notice once a ticket has <see cref="HallSite.NoticePeopleAhead"/> people or fewer
/// ahead of it (the waiting tickets of its service that arrived before it). Runs after a command commits, for the
/// services it changed. A ticket is claimed by setting its <c>notice_sent_at</c> in the database before sending, so
/// of two servers only one sends it; a failed send releases it for the next change.
/// </summary>
public sealed class NoticeDispatcher(
    HallNotifier notifier, IDbContextFactory<HallDb> dbFactory, HallSettings halls, MobileNumbers mobiles, INoticeSender sender,
    TimeProvider clock, ILogger<NoticeDispatcher> log) : BackgroundService
{
    private readonly Channel<(int HallId, int[] ServiceIds)> _changes = Channel.CreateUnbounded<(int, int[])>(new() { SingleReader = true });

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        notifier.Changed += OnChanged;
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        notifier.Changed -= OnChanged;
        return base.StopAsync(cancellationToken);
    }

    private void OnChanged(int hallId, HallChanges changes)
    {
        if (changes.Services.Count > 0)
        {
            _changes.Writer.TryWrite((hallId, [.. changes.Services.Select(s => s.ServiceId)]));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (hallId, serviceIds) in _changes.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await DispatchAsync(hallId, serviceIds, stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                log.LogWarning(ex, "Notices for hall {HallId} not checked; the next change checks again", hallId);
            }
        }
    }

    private async Task DispatchAsync(int hallId, int[] serviceIds, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, hallId, now, ct);
        var due = await db.Database.SqlQuery<DueNotice>($"""
            WITH due AS (
                SELECT t.id,
                       (SELECT count(*) FROM tickets o
                        WHERE o.service_id = t.service_id AND o.business_date = t.business_date AND o.state = 'Waiting'
                          AND (o.queued_at, o.id) < (t.queued_at, t.id))::int AS ahead
                FROM tickets t
                WHERE t.service_id = ANY({serviceIds}) AND t.business_date = {HallClock.BusinessDate(now, hall.Zone)} AND t.state = 'Waiting'
                  AND t.mobile_cipher IS NOT NULL AND t.notice_sent_at IS NULL
                FOR UPDATE SKIP LOCKED)
            UPDATE tickets t SET notice_sent_at = {now}
            FROM due, services s
            WHERE t.id = due.id AND s.id = t.service_id AND due.ahead <= {hall.NoticePeopleAhead}
            RETURNING t.id AS ticket_id, t.number, t.mobile_cipher, s.name AS service_name, due.ahead
            """).ToListAsync(ct);
        foreach (var notice in due)
        {
            var text = notice.Ahead == 0
                ? $"【{hall.Name}】您的{notice.Number}号（{notice.ServiceName}）马上就到，请到大厅留意叫号。"
                : $"【{hall.Name}】您的{notice.Number}号（{notice.ServiceName}）前面还有{notice.Ahead}人，请回到大厅留意叫号。";
            try
            {
                await sender.SendAsync(new Notice(mobiles.Unprotect(notice.MobileCipher), text, notice.Number, notice.TicketId), ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Security.Cryptography.CryptographicException)
            {
                log.LogWarning(ex, "Notice for ticket {Number} not sent; it is tried again at the next change", notice.Number);
                await db.Database.ExecuteSqlAsync($"UPDATE tickets SET notice_sent_at = NULL WHERE id = {notice.TicketId}", ct);
            }
        }
    }

    private sealed record DueNotice(long TicketId, string Number, string MobileCipher, string ServiceName, int Ahead);
}
