using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Bookings;

/// <summary>What a citizen (or the province's app) sends to book a slot; <see cref="RequestId"/> makes a resend harmless.</summary>
public sealed record BookRequest(Guid RequestId, int ServiceId, int? ServiceItemId, DateOnly Date, TimeOnly Start, string? Name, string? IdNumber, string? Mobile);

/// <summary>A slot as the booking page lists it: how many places are left and whether it can be booked now.</summary>
/// <param name="State">open, full, closed (too late), not_released (too early).</param>
public sealed record SlotView(TimeOnly Start, TimeOnly End, int Capacity, int Left, string State);

/// <summary>A bookable service as the booking page offers it.</summary>
public sealed record BookableService(int Id, string Name, string? NameEn, int SlotMinutes, int DaysAhead, bool RemoteTickets);

/// <summary>A booking as its owner sees it (masked).</summary>
/// <param name="ItemName">The service item booked, when the citizen chose one.</param>
public sealed record BookingView(string Code, int ServiceId, string ServiceName, DateOnly Date, TimeOnly Start, TimeOnly End, string NameMasked, string IdMasked, string MobileMasked, BookingState State,
    int? ServiceItemId = null, string? ItemName = null);

/// <summary>
/// 网上预约: books, finds and cancels. A slot never holds more than its capacity, also with many servers on one database:
/// its counter is raised in the booking's transaction by one statement that refuses to pass the capacity. One person's
/// bookings are serialised by a lock on their ID's keyed hash, so the open-bookings limit and the 爽约 ban hold under a rush.
/// </summary>
public sealed class BookingService(IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock, MobileNumbers mobiles)
{
    public const int MaxName = 30;

    public async Task<(BookingView? Booking, Refusal? Refusal)> BookAsync(int hallId, BookRequest request, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxName || !FreeText.IsClean(name) || name.Any(char.IsDigit))
        {
            return (null, BookingRefusals.InvalidName);
        }
        var id = TicketRules.CheckIdNumber(request.IdNumber);
        if (id.Refusal is not null || id.Value is null)
        {
            return (null, BookingRefusals.InvalidIdNumber);
        }
        var mobile = TicketRules.CheckMobile(request.Mobile);
        if (mobile.Refusal is { } badMobile)
        {
            return (null, badMobile);
        }
        if (mobile.Value is not { } number)
        {
            return (null, BookingRefusals.MobileRequired);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, hallId, now, ct);
        var service = await db.Services.AsNoTracking().FirstOrDefaultAsync(s => s.Id == request.ServiceId && s.HallId == hallId && s.Active, ct);
        var schedule = await db.SlotSchedules.AsNoTracking().FirstOrDefaultAsync(s => s.ServiceId == request.ServiceId && s.HallId == hallId && s.Active, ct);
        if (service is null || schedule is null)
        {
            return (null, BookingRefusals.NotOffered);
        }
        string? itemName = null;
        if (request.ServiceItemId is { } itemId)
        {
            var item = await db.ServiceItems.AsNoTracking().Where(i => i.Id == itemId && i.HallId == hallId).Select(i => new { i.ServiceId, i.Name }).FirstOrDefaultAsync(ct);
            if (item is null)
            {
                return (null, Refusal.UnknownServiceItem);
            }
            if (item.ServiceId != service.Id)
            {
                return (null, BookingRefusals.ItemNotInService);
            }
            itemName = item.Name;
        }
        var calendar = hall.Calendar.Select(d => d.ToCalendarDay()).ToList();
        var slot = SlotPlan.SlotsOn(request.Date, schedule, hall.Hours, service.Hours, calendar).FirstOrDefault(s => s.Start == request.Start);
        if (slot is null)
        {
            return (null, BookingRefusals.UnknownSlot);
        }
        var rules = hall.Booking;
        if (SlotPlan.Bookable(slot, schedule, rules, hall.Zone, now) is { } closed)
        {
            return (null, closed);
        }

        if (schedule.Capacity < 1)
        {
            return (null, BookingRefusals.SlotFull);
        }
        var idHmac = mobiles.IdHmac(id.Value);
        if (await SameRequestAsync(db, hallId, request, idHmac, ct) is { } again)
        {
            return again;
        }
        var booking = new Booking
        {
            HallId = hallId,
            ServiceId = service.Id,
            ServiceItemId = request.ServiceItemId,
            Date = slot.Date,
            Start = slot.Start,
            End = slot.End,
            Code = BookingCodes.New(),
            RequestId = request.RequestId,
            NameMasked = MaskName(name),
            IdHmac = idHmac,
            IdMasked = TicketRules.MaskIdNumber(id.Value),
            MobileHmac = mobiles.Hmac(number),
            MobileMasked = TicketRules.MaskMobile(number),
            MobileCipher = mobiles.Protect(number),
            State = BookingState.Booked,
            CreatedAt = now,
        };
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({PersonLockKey(idHmac)})", ct);
            // The same request may have been stored while this one waited for the person's lock.
            if (await SameRequestAsync(db, hallId, request, idHmac, ct) is { } stored)
            {
                return stored;
            }
            if (await PersonRefusalAsync(db, hallId, booking, rules, hall.Zone, now, ct) is { } refused)
            {
                return (null, refused);
            }
            // One statement takes the place or finds the slot full: the row lock it takes orders a rush.
            var taken = await db.Database.SqlQuery<int>($"""
                INSERT INTO booking_slots (hall_id, service_id, date, start, booked) VALUES ({hallId}, {service.Id}, {slot.Date}, {slot.Start}, 1)
                ON CONFLICT (service_id, date, start) DO UPDATE SET booked = booking_slots.booked + 1 WHERE booking_slots.booked < {schedule.Capacity}
                RETURNING booked AS "Value"
                """).ToListAsync(ct);
            if (taken.Count == 0)
            {
                return (null, BookingRefusals.SlotFull);
            }
            db.Bookings.Add(booking);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // The same request sent twice at once: the one that was stored answers both.
            await using var fresh = await dbFactory.CreateDbContextAsync(ct);
            return await SameRequestAsync(fresh, hallId, request, idHmac, ct) ?? throw new InvalidOperationException("A booking collided with one that is not there.", e);
        }
        return (View(booking, service.Name, itemName), null);
    }

    /// <summary>The hall's services that take bookings, in the kiosk's order.</summary>
    public async Task<List<BookableService>> ServicesAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await (from s in db.Services.AsNoTracking()
                      join p in db.SlotSchedules on s.Id equals p.ServiceId
                      where s.HallId == hallId && s.Active && p.Active
                      orderby s.SortOrder, s.Id
                      select new BookableService(s.Id, s.Name, s.NameEn, p.SlotMinutes, p.DaysAhead, p.RemoteTickets)).ToListAsync(ct);
    }

    /// <summary>The slots of a service on a date with the places left; null when the service takes no bookings.</summary>
    public async Task<List<SlotView>?> SlotsAsync(int hallId, int serviceId, DateOnly date, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, hallId, now, ct);
        var service = await db.Services.AsNoTracking().FirstOrDefaultAsync(s => s.Id == serviceId && s.HallId == hallId && s.Active, ct);
        var schedule = await db.SlotSchedules.AsNoTracking().FirstOrDefaultAsync(s => s.ServiceId == serviceId && s.HallId == hallId && s.Active, ct);
        if (service is null || schedule is null)
        {
            return null;
        }
        var booked = await db.BookingSlots.AsNoTracking().Where(s => s.ServiceId == serviceId && s.Date == date).ToDictionaryAsync(s => s.Start, s => s.Booked, ct);
        var calendar = hall.Calendar.Select(d => d.ToCalendarDay()).ToList();
        return [.. SlotPlan.SlotsOn(date, schedule, hall.Hours, service.Hours, calendar).Select(slot =>
        {
            var left = Math.Max(0, schedule.Capacity - booked.GetValueOrDefault(slot.Start));
            var state = SlotPlan.Bookable(slot, schedule, hall.Booking, hall.Zone, now) switch
            {
                null => left == 0 ? "full" : "open",
                var r when r == BookingRefusals.NotReleased => "not_released",
                _ => "closed",
            };
            return new SlotView(slot.Start, slot.End, schedule.Capacity, left, state);
        })];
    }

    /// <summary>The booking with <paramref name="code"/> (any case, with or without the dash), or null.</summary>
    public async Task<BookingView?> FindAsync(int hallId, string? code, CancellationToken ct)
    {
        if (BookingCodes.Normalize(code) is not { } normal)
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await (from b in db.Bookings.AsNoTracking()
                      join s in db.Services on b.ServiceId equals s.Id
                      where b.HallId == hallId && b.Code == normal
                      select new BookingView(b.Code, b.ServiceId, s.Name, b.Date, b.Start, b.End, b.NameMasked, b.IdMasked, b.MobileMasked, b.State,
                          b.ServiceItemId, db.ServiceItems.Where(i => i.Id == b.ServiceItemId).Select(i => i.Name).FirstOrDefault())).FirstOrDefaultAsync(ct);
    }

    /// <summary>The citizen cancels from their link: the place is free again and the mobile number is erased.</summary>
    public async Task<Refusal?> CancelAsync(int hallId, string? code, CancellationToken ct)
    {
        if (BookingCodes.Normalize(code) is not { } normal)
        {
            return BookingRefusals.UnknownBooking;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var booking = await db.Bookings.FromSql($"SELECT * FROM bookings WHERE hall_id = {hallId} AND code = {normal} FOR UPDATE").FirstOrDefaultAsync(ct);
        if (booking is null)
        {
            return BookingRefusals.UnknownBooking;
        }
        var now = clock.GetUtcNow();
        var zone = (await halls.GetAsync(db, hallId, now, ct)).Zone;
        if (booking.State != BookingState.Booked || SlotPlan.Local(booking.Date, booking.End, zone) <= now)
        {
            return BookingRefusals.NotCancellable;
        }
        (booking.State, booking.CancelledAt, booking.MobileCipher) = (BookingState.Cancelled, now, null);
        await db.Database.ExecuteSqlAsync(
            $"UPDATE booking_slots SET booked = booked - 1 WHERE service_id = {booking.ServiceId} AND date = {booking.Date} AND start = {booking.Start} AND booked > 0", ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return null;
    }

    /// <summary>王*华: the first and last character kept, the rest starred (王* for two characters).</summary>
    public static string MaskName(string name)
    {
        var runes = name.EnumerateRunes().Select(r => r.ToString()).ToList();
        return runes.Count switch
        {
            1 => "*",
            2 => runes[0] + "*",
            _ => runes[0] + new string('*', runes.Count - 2) + runes[^1],
        };
    }

    /// <summary>What stops this person booking now: the 爽约 ban, the same slot twice, or too many open bookings.</summary>
    private static async Task<Refusal?> PersonRefusalAsync(HallDb db, int hallId, Booking booking, BookingRules rules, TimeZoneInfo zone, DateTimeOffset now, CancellationToken ct)
    {
        var mine = db.Bookings.Where(b => b.HallId == hallId && b.IdHmac == booking.IdHmac);
        var since = now.AddDays(-rules.MissWindowDays);
        var misses = await mine.Where(b => b.State == BookingState.Missed && b.MissedAt >= since).Select(b => b.MissedAt!.Value).ToListAsync(ct);
        if (rules.MissLimit > 0 && misses.Count >= rules.MissLimit)
        {
            var until = HallClock.BusinessDate(misses.Max(), zone).AddDays(rules.BanDays);
            if (HallClock.BusinessDate(now, zone) < until)
            {
                return BookingRefusals.Banned(until, misses.Count, rules.MissWindowDays);
            }
        }
        var today = HallClock.BusinessDate(now, zone);
        var open = await mine.Where(b => b.State == BookingState.Booked && b.Date >= today).Select(b => new { b.ServiceId, b.Date, b.Start, b.End }).ToListAsync(ct);
        var nowTime = TimeOnly.FromDateTime(HallClock.ToLocal(now, zone).DateTime);
        open = [.. open.Where(b => b.Date > today || b.End > nowTime)];
        if (open.Any(b => b.ServiceId == booking.ServiceId && b.Date == booking.Date && b.Start == booking.Start))
        {
            return BookingRefusals.SameSlot;
        }
        return open.Count >= rules.MaxOpenPerPerson ? BookingRefusals.TooMany : null;
    }

    /// <summary>A request id seen before: its booking when it is the same person and slot, else refused as reused; null when new.</summary>
    private static async Task<(BookingView?, Refusal?)?> SameRequestAsync(HallDb db, int hallId, BookRequest request, byte[] idHmac, CancellationToken ct)
    {
        var earlier = await (from b in db.Bookings.AsNoTracking()
                             join s in db.Services on b.ServiceId equals s.Id
                             where b.HallId == hallId && b.RequestId == request.RequestId
                             select new { Booking = b, ServiceName = s.Name, ItemName = db.ServiceItems.Where(i => i.Id == b.ServiceItemId).Select(i => i.Name).FirstOrDefault() }).FirstOrDefaultAsync(ct);
        if (earlier is null)
        {
            return null;
        }
        var stored = earlier.Booking;
        return stored.IdHmac.AsSpan().SequenceEqual(idHmac) && stored.ServiceId == request.ServiceId && stored.Date == request.Date && stored.Start == request.Start
            ? (View(stored, earlier.ServiceName, earlier.ItemName), null)
            : (null, BookingRefusals.RequestReused);
    }

    private static BookingView View(Booking b, string serviceName, string? itemName) =>
        new(b.Code, b.ServiceId, serviceName, b.Date, b.Start, b.End, b.NameMasked, b.IdMasked, b.MobileMasked, b.State, b.ServiceItemId, itemName);

    /// <summary>One advisory lock key per person (tag 0x42 in the top byte, the rest from their ID's keyed hash).</summary>
    private static long PersonLockKey(byte[] idHmac) => (0x42L << 56) | (BitConverter.ToInt64(idHmac, 0) & 0x00FF_FFFF_FFFF_FFFF);
}
