using System.Threading.Channels;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hall.Server.Notices;

/// <summary>
/// Sends the "almost your turn" notice once a ticket has <see cref="HallSite.NoticePeopleAhead"/> people or fewer ahead of it
/// in the real call order and a window open that can take it — the same count as its phone page shows
/// (<see cref="TicketRules.CallOrder"/>). Runs after a command that changed a queue or a window commits; the changes that come
/// while it looks are one more look per hall. A ticket is claimed by setting its <c>notice_sent_at</c> in the database before
/// sending, so of two servers only one sends it; a failed send releases it for the next change.
/// </summary>
public sealed class NoticeDispatcher(
    HallNotifier notifier, IDbContextFactory<HallDb> dbFactory, HallSettings halls, MobileNumbers mobiles, INoticeSender sender,
    TimeProvider clock, ILogger<NoticeDispatcher> log) : BackgroundService
{
    /// <summary>The least time between two looks at one server's halls: under load, many changes make one look.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly Channel<int> _changes = Channel.CreateUnbounded<int>(new() { SingleReader = true });

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

    // A window that opens, pauses or closes moves the tickets it can call as much as a change of their queue does.
    private void OnChanged(int hallId, HallChanges changes)
    {
        if (!changes.IsEmpty)
        {
            _changes.Writer.TryWrite(hallId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (await _changes.Reader.WaitToReadAsync(stoppingToken))
        {
            var changed = new HashSet<int>();
            while (_changes.Reader.TryRead(out var hallId))
            {
                changed.Add(hallId);
            }
            foreach (var hallId in changed)
            {
                try
                {
                    await DispatchAsync(hallId, stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    log.LogWarning(ex, "Notices for hall {HallId} not checked; the next change checks again", hallId);
                }
            }
            // Real time, not the hall's clock: this only spaces the looks out (a test's clock may stand still).
            await Task.Delay(Interval, stoppingToken);
        }
    }

    private async Task DispatchAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, hallId, now, ct);
        var today = HallClock.BusinessDate(now, hall.Zone);
        // Most tickets carry no number: the call order is played only when one still waits for its notice.
        if (!await db.Tickets.AnyAsync(t => t.HallId == hallId && t.BusinessDate == today && t.State == TicketState.Waiting && t.MobileCipher != null && t.NoticeSentAt == null, ct))
        {
            return;
        }
        var queue = await CallOrderReader.HallQueueAsync(db, hall, now, ct);
        long[] near = [.. queue.Positions.Where(p => p.Value.Windows > 0 && p.Value.CallsBefore <= hall.NoticePeopleAhead).Select(p => p.Key)];
        if (near.Length == 0)
        {
            return;
        }
        var due = await db.Database.SqlQuery<DueNotice>($"""
            UPDATE tickets t SET notice_sent_at = {now}
            FROM services s
            WHERE t.id = ANY({near}) AND s.id = t.service_id AND t.state = 'Waiting' AND t.mobile_cipher IS NOT NULL AND t.notice_sent_at IS NULL
            RETURNING t.id AS ticket_id, t.number, t.mobile_cipher, s.name AS service_name
            """).ToListAsync(ct);
        foreach (var notice in due)
        {
            var ahead = queue.Positions[notice.TicketId].CallsBefore;
            var text = ahead == 0
                ? $"【{hall.Name}】您的{notice.Number}号（{notice.ServiceName}）马上就到，请到大厅留意叫号。"
                : $"【{hall.Name}】您的{notice.Number}号（{notice.ServiceName}）前面还有{ahead}人，请回到大厅留意叫号。";
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

    private sealed record DueNotice(long TicketId, string Number, string MobileCipher, string ServiceName);
}
