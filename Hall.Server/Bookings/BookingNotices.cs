using System.Globalization;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Notices;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Bookings;

/// <summary>
/// A booking's SMS: the confirmation once it is made, the reminder <see cref="BookingRules.ReminderMinutesBefore"/> minutes
/// before its slot, and a notice after a schedule change left it outside the new slots or places (it stands). Sent every
/// <see cref="Interval"/> from the database, not from the request: a booking is claimed by setting its
/// <c>notice_lease_until</c> in one statement that skips rows another server holds, so two servers never send one notice;
/// a sent notice is recorded in its own column (<c>confirmation_sent_at</c> …) and never sent again; a failed send waits
/// (1, 2, 4 … 30 minutes) and is tried again; a server that stops mid-send leaves the lease to run out. Only a booking still
/// booked and holding its mobile cipher gets anything.
/// </summary>
public sealed class BookingNotices(
    IDbContextFactory<HallDb> dbFactory, HallSettings halls, MobileNumbers mobiles, INoticeSender sender, TimeProvider clock, IConfiguration config,
    ILogger<BookingNotices> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    /// <summary>How long a claimed booking is held for the server sending its notice.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private const int Batch = 100;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Operations.Periodic.RunAsync(Interval, clock, log, "Booking notices not sent this round", async ct => await SendDueAsync(ct), stoppingToken);

    /// <summary>Sends every booking notice due now, of every hall; returns how many were sent.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sent = 0;
        foreach (var hallId in await db.Halls.AsNoTracking().Select(h => h.Id).ToListAsync(ct))
        {
            var now = clock.GetUtcNow().ToUniversalTime();
            var hall = await halls.GetAsync(db, hallId, now, ct);
            var free = now;
            var until = now + Lease;

            var confirmations = await db.Database.SqlQuery<Due>($"""
                UPDATE bookings SET notice_lease_until = {until}
                WHERE id IN (SELECT id FROM bookings
                             WHERE hall_id = {hallId} AND state = 'Booked' AND mobile_cipher IS NOT NULL AND confirmation_sent_at IS NULL
                               AND (notice_lease_until IS NULL OR notice_lease_until <= {free})
                             ORDER BY id LIMIT {Batch} FOR UPDATE SKIP LOCKED)
                  AND state = 'Booked' AND mobile_cipher IS NOT NULL AND confirmation_sent_at IS NULL AND (notice_lease_until IS NULL OR notice_lease_until <= {free})
                RETURNING id, code, service_id, service_item_id, date, start, "end", mobile_cipher, notice_failures, change_notice_due_at
                """).ToListAsync(ct);
            sent += await SendAsync(db, hall, confirmations, NoticeKind.BookingConfirmed, ct);

            if (hall.Booking.ReminderMinutesBefore > 0)
            {
                var ahead = TimeSpan.FromMinutes(hall.Booking.ReminderMinutesBefore);
                var today = HallClock.BusinessDate(now, hall.Zone);
                var last = HallClock.BusinessDate(now + ahead, hall.Zone);
                var open = await db.Bookings.AsNoTracking()
                    .Where(b => b.HallId == hallId && b.State == BookingState.Booked && b.MobileCipher != null && b.ReminderSentAt == null && b.Date >= today && b.Date <= last)
                    .Select(b => new { b.Id, b.Date, b.Start, b.CreatedAt }).ToListAsync(ct);
                // Due from the reminder's moment to the slot's start; a booking made after that moment had its confirmation instead.
                long[] due = [.. open.Where(b =>
                {
                    var start = SlotPlan.Local(b.Date, b.Start, hall.Zone);
                    return start - ahead <= now && now < start && b.CreatedAt < start - ahead;
                }).Select(b => b.Id)];
                if (due.Length > 0)
                {
                    var reminders = await db.Database.SqlQuery<Due>($"""
                        UPDATE bookings SET notice_lease_until = {until}
                        WHERE id IN (SELECT id FROM bookings
                                     WHERE id = ANY({due}) AND state = 'Booked' AND mobile_cipher IS NOT NULL AND reminder_sent_at IS NULL
                                       AND (notice_lease_until IS NULL OR notice_lease_until <= {free})
                                     FOR UPDATE SKIP LOCKED)
                          AND state = 'Booked' AND mobile_cipher IS NOT NULL AND reminder_sent_at IS NULL AND (notice_lease_until IS NULL OR notice_lease_until <= {free})
                        RETURNING id, code, service_id, service_item_id, date, start, "end", mobile_cipher, notice_failures, change_notice_due_at
                        """).ToListAsync(ct);
                    sent += await SendAsync(db, hall, reminders, NoticeKind.BookingReminder, ct);
                }
            }

            var changes = await db.Database.SqlQuery<Due>($"""
                UPDATE bookings SET notice_lease_until = {until}
                WHERE id IN (SELECT id FROM bookings
                             WHERE hall_id = {hallId} AND state = 'Booked' AND mobile_cipher IS NOT NULL AND change_notice_due_at IS NOT NULL
                               AND (notice_lease_until IS NULL OR notice_lease_until <= {free})
                             ORDER BY id LIMIT {Batch} FOR UPDATE SKIP LOCKED)
                  AND state = 'Booked' AND mobile_cipher IS NOT NULL AND change_notice_due_at IS NOT NULL AND (notice_lease_until IS NULL OR notice_lease_until <= {free})
                RETURNING id, code, service_id, service_item_id, date, start, "end", mobile_cipher, notice_failures, change_notice_due_at
                """).ToListAsync(ct);
            sent += await SendAsync(db, hall, changes, NoticeKind.BookingChanged, ct);
        }
        return sent;
    }

    private async Task<int> SendAsync(HallDb db, HallSite hall, List<Due> due, NoticeKind kind, CancellationToken ct)
    {
        if (due.Count == 0)
        {
            return 0;
        }
        var services = await db.Services.AsNoTracking().Where(s => s.HallId == hall.Id).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        int[] itemIds = [.. due.Where(d => d.ServiceItemId is not null).Select(d => d.ServiceItemId!.Value).Distinct()];
        var items = await db.ServiceItems.AsNoTracking().Where(i => itemIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Name, ct);
        var sent = 0;
        foreach (var booking in due)
        {
            var what = booking.ServiceItemId is { } itemId && items.TryGetValue(itemId, out var item) ? item : services.GetValueOrDefault(booking.ServiceId, "");
            var code = BookingCodes.Display(booking.Code);
            var notice = new Notice("", Text(kind, hall, what, booking.Date, booking.Start, booking.End, code, Link(hall.Code, code)), null, null)
            {
                Kind = kind,
                BookingCode = code,
                BookingId = booking.Id,
                Key = kind == NoticeKind.BookingChanged
                    ? $"booking:{booking.Id}:changed:{booking.ChangeNoticeDueAt!.Value.ToUnixTimeMilliseconds()}"
                    : $"booking:{booking.Id}:{(kind == NoticeKind.BookingConfirmed ? "confirmed" : "reminder")}",
            };
            try
            {
                await sender.SendAsync(notice with { Mobile = mobiles.Unprotect(booking.MobileCipher) }, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or System.Security.Cryptography.CryptographicException && !ct.IsCancellationRequested)
            {
                var wait = TimeSpan.FromMinutes(Math.Min(30, 1 << Math.Min(booking.NoticeFailures, 5)));
                log.LogWarning(ex, "The {Kind} notice of booking {BookingId} not sent; tried again in {Minutes} minutes", notice.KindName, booking.Id, wait.TotalMinutes);
                var retryAt = clock.GetUtcNow().ToUniversalTime() + wait;
                await db.Database.ExecuteSqlAsync($"UPDATE bookings SET notice_lease_until = {retryAt}, notice_failures = notice_failures + 1 WHERE id = {booking.Id}", ct);
                continue;
            }
            var at = clock.GetUtcNow().ToUniversalTime();
            // CancellationToken.None: the notice is out, so its mark must be written even as the server stops.
            await (kind switch
            {
                NoticeKind.BookingConfirmed => db.Database.ExecuteSqlAsync(
                    $"UPDATE bookings SET confirmation_sent_at = {at}, notice_lease_until = NULL, notice_failures = 0 WHERE id = {booking.Id}", CancellationToken.None),
                NoticeKind.BookingReminder => db.Database.ExecuteSqlAsync(
                    $"UPDATE bookings SET reminder_sent_at = {at}, notice_lease_until = NULL, notice_failures = 0 WHERE id = {booking.Id}", CancellationToken.None),
                // A change saved while this notice was out owes one more: only the change sent is cleared.
                _ => db.Database.ExecuteSqlAsync($"""
                    UPDATE bookings SET change_notice_sent_at = {at}, notice_lease_until = NULL, notice_failures = 0,
                        change_notice_due_at = CASE WHEN change_notice_due_at = {booking.ChangeNoticeDueAt} THEN NULL ELSE change_notice_due_at END
                    WHERE id = {booking.Id}
                    """, CancellationToken.None),
            });
            sent++;
        }
        return sent;
    }

    /// <summary>The link to see or cancel the booking (needs <c>Hall:PublicBaseUrl</c>), or null.</summary>
    private string? Link(string hallCode, string code) =>
        config["Hall:PublicBaseUrl"] is { Length: > 0 } baseUrl ? $"{baseUrl.TrimEnd('/')}/book/{Uri.EscapeDataString(hallCode)}/b/{code}" : null;

    /// <summary>The SMS text of each kind.</summary>
    public static string Text(NoticeKind kind, HallSite hall, string what, DateOnly date, TimeOnly start, TimeOnly end, string code, string? link)
    {
        var when = $"{date.Month}月{date.Day}日（{Weekdays[(int)date.DayOfWeek]}）{start.ToString("HH:mm", CultureInfo.InvariantCulture)}–{end.ToString("HH:mm", CultureInfo.InvariantCulture)}";
        var cancel = link is null ? "如不能前来，请在预约页面取消。" : $"如不能前来，请取消：{link}";
        return kind switch
        {
            NoticeKind.BookingConfirmed => $"【{hall.Name}】预约成功：{what}，{when}，预约码{code}。请按时到大厅凭预约码签到取号。" + (link is null ? "" : $"查看或取消：{link}"),
            NoticeKind.BookingReminder => $"【{hall.Name}】提醒：您预约的{what}在{when}，预约码{code}，请按时到大厅签到取号。{cancel}",
            NoticeKind.BookingChanged => $"【{hall.Name}】因大厅调整预约号源，您预约的{what}（{when}）已不在新的号源内，但预约仍然有效，请按原时间到大厅办理，预约码{code}。{cancel}",
            NoticeKind.TicketNear => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a booking's notice"),
        };
    }

    private static readonly string[] Weekdays = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

    private sealed record Due(long Id, string Code, int ServiceId, int? ServiceItemId, DateOnly Date, TimeOnly Start, TimeOnly End, string MobileCipher, int NoticeFailures, DateTimeOffset? ChangeNoticeDueAt);
}
