using Hall.Server.Bookings;
using Hall.Server.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Queue;

/// <summary>
/// The booking a check-in issues its ticket for. <see cref="BookedFor"/> is the slot's start when checked in on time (the ticket
/// then takes the priority turn once its slot begins), null for a latecomer taken as a walk-in.
/// </summary>
internal sealed record BookingClaim(long BookingId, bool OnTime, DateTimeOffset? BookedFor, BookedSlot Slot)
{
    /// <summary>Why the booking, found bookable, could not be checked in once locked: someone else changed it meanwhile.</summary>
    public static Refusal? Refusal(BookingState locked, BookedSlot slot) => locked switch
    {
        BookingState.Booked => null,
        BookingState.CheckedIn => BookingRefusals.AlreadyCheckedIn,
        BookingState.Cancelled => BookingRefusals.CancelledBooking,
        _ => BookingRefusals.TooLate(slot.Date, slot.Start, slot.Start),
    };
}

/// <summary>预约签到 at a kiosk: the booking is found by its code or by the person's ID, the check-in rules decide, and the ticket is issued.</summary>
public sealed partial class QueueService
{
    private async Task<Reply<TicketIssued>> CheckInOnceAsync(Actor actor, IssueTicketCommand cmd, PersonId? person, byte[] payloadHash, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A check-in asked again with the same command id gets its first answer, though the booking is checked in by now.
        if (await db.Commands.AnyAsync(c => c.CommandId == cmd.CommandId, ct))
        {
            return await ReplayIssueAsync(db, cmd.CommandId, payloadHash, actor, ct);
        }
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, actor.HallId, now, ct);
        Booking? booking;
        if (cmd.BookingCode is not null)
        {
            if (BookingCodes.Normalize(cmd.BookingCode) is not { } code)
            {
                return Reply<TicketIssued>.Refused(BookingRefusals.InvalidCode.ToError());
            }
            booking = await db.Bookings.AsNoTracking().FirstOrDefaultAsync(b => b.HallId == actor.HallId && b.Code == code, ct);
            if (booking is null)
            {
                return Reply<TicketIssued>.Refused(BookingRefusals.UnknownBooking.ToError());
            }
        }
        else if (person is not null)
        {
            var today = HallClock.BusinessDate(now, hall.Zone);
            var todays = await db.Bookings.AsNoTracking().Where(b => b.HallId == actor.HallId && b.IdHmac == person.Hmac && b.Date == today).ToListAsync(ct);
            booking = CheckInRules.Choose(todays, b => (b.State, b.Date, b.Start), hall.Booking, hall.Zone, now);
            if (booking is null)
            {
                return Reply<TicketIssued>.Refused(BookingRefusals.NoBookingToday.ToError());
            }
        }
        else
        {
            return Reply<TicketIssued>.Refused(Refusal.InvalidCommand.ToError());
        }
        var decision = CheckInRules.Decide(booking.State, booking.Date, booking.Start, booking.End, hall.Booking, hall.Zone, now);
        if (decision.Refusal is { } refused)
        {
            return Reply<TicketIssued>.Refused(refused.ToError());
        }
        var onTime = decision.Value == CheckInTiming.OnTime;
        var claim = new BookingClaim(booking.Id, onTime, onTime ? SlotPlan.Local(booking.Date, booking.Start, hall.Zone) : null,
            new BookedSlot(BookingCodes.Display(booking.Code), booking.Date, booking.Start, booking.End, Late: !onTime));
        var ticketFor = cmd with { ServiceId = booking.ServiceId, ServiceCode = null, ServiceItemId = booking.ServiceItemId, Priority = PriorityClass.Normal };
        return await IssueOnceAsync(actor, ticketFor, BookingNotice(booking), new PersonId(booking.IdHmac, booking.IdMasked), payloadHash, ct, claim);
    }

    /// <summary>The booking's mobile for the ticket's "almost your turn" notice, while the booking still keeps it.</summary>
    private MobileNotice? BookingNotice(Booking booking)
    {
        if (booking.MobileCipher is not { } cipher)
        {
            return null;
        }
        string number;
        try
        {
            number = mobiles.Unprotect(cipher);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Its key was retired: the ticket goes without a notice rather than without a number.
            return null;
        }
        return new(mobiles.Protect(number), mobiles.Hmac(number), booking.MobileMasked, mobiles.ProtectContact(number));
    }
}
