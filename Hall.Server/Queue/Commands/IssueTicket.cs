using System.Text.Json;
using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Tickets;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hall.Server.Queue;

/// <summary>Issue: a kiosk (or a supervisor) takes a number for a service, by id, code or service item.</summary>
public sealed partial class QueueService
{
    public async Task<Reply<TicketIssued>> IssueAsync(Actor actor, IssueTicketCommand cmd, CancellationToken ct)
    {
        if (CommandRunner.Forbidden<TicketIssued>("issue", actor) is { } forbidden)
        {
            return forbidden;
        }
        var mobile = TicketRules.CheckMobile(cmd.Mobile);
        if (mobile.Refusal is { } badMobile)
        {
            return Reply<TicketIssued>.Refused(badMobile.ToError());
        }
        var idNumber = TicketRules.CheckIdNumber(cmd.IdNumber);
        if (idNumber.Refusal is { } badId)
        {
            return Reply<TicketIssued>.Refused(badId.ToError());
        }
        MobileNotice? notice = null;
        if (mobile.Value is { } number)
        {
            notice = new(mobiles.Protect(number), mobiles.Hmac(number), TicketRules.MaskMobile(number), mobiles.ProtectContact(number));
        }
        PersonId? person = null;
        if (idNumber.Value is { } id)
        {
            person = new(mobiles.IdHmac(id), TicketRules.MaskIdNumber(id));
        }
        // The command record keeps a keyed hash of the arguments (see RetryAsync), over the numbers' HMACs rather than the numbers.
        var hashed = cmd with
        {
            Mobile = notice is null ? cmd.Mobile : Convert.ToHexString(notice.Hmac),
            IdNumber = person is null ? cmd.IdNumber : Convert.ToHexString(person.Hmac),
        };
        if (cmd.CheckIn)
        {
            return await runner.RetryAsync(actor, cmd.CommandId, hashed, "issue", ct, payloadHash => CheckInOnceAsync(actor, cmd, person, payloadHash, ct));
        }
        return await runner.RetryAsync(actor, cmd.CommandId, hashed, "issue", ct, payloadHash => IssueOnceAsync(actor, cmd, notice, person, payloadHash, ct));
    }

    /// <summary>The service each service item and code leads to, by hall, as last read: checked again by every issue that uses it.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int HallId, int? ItemId, string? Code), int> IssueTargets = new();

    /// <summary>A mobile number given for the notice, as it is stored.</summary>
    private sealed record MobileNotice(string Cipher, byte[] Hmac, string Masked, string ContactCipher);

    /// <summary>A resident ID number the ticket is taken with, as it is stored: never in clear.</summary>
    private sealed record PersonId(byte[] Hmac, string Masked);

    /// <summary>
    /// Issue holds its service's lock for one round trip, as it is the busiest command. The first batch begins the
    /// transaction, takes the command id, locks the service and reads its queue and the ids the new rows will get; the
    /// rules decide; the second batch writes the counter, the ticket, its event, the service's version and the stored
    /// reply, and commits.
    /// </summary>
    /// <param name="booking">The booking this ticket is issued for at check-in: locked with the service and, when on time, marked
    /// checked in in the same transaction, so a booking gives one ticket however many kiosks try at once.</param>
    private async Task<Reply<TicketIssued>> IssueOnceAsync(Actor actor, IssueTicketCommand cmd, MobileNotice? notice, PersonId? person, byte[] payloadHash, CancellationToken ct, BookingClaim? booking = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, actor.HallId, now, ct);
        // The service asked for by item or code is known from an earlier issue (or read once now), and checked again in the
        // first round trip: a kiosk's issue reads nothing before it. A kiosk names the service with the item.
        var targetKey = (actor.HallId, cmd.ServiceItemId, cmd.ServiceCode);
        var itemChecked = cmd.ServiceItemId is not null || (cmd.ServiceId is null && cmd.ServiceCode is not null);
        ServiceItem? item = null;
        Refusal? lookupRefused = null;
        int serviceId;
        if (cmd.ServiceId is { } given)
        {
            serviceId = given;
        }
        else if (IssueTargets.TryGetValue(targetKey, out var known))
        {
            serviceId = known;
        }
        else
        {
            (serviceId, item, lookupRefused) = await IssueTargetAsync(db, actor, cmd, ct);
            if (lookupRefused is null)
            {
                IssueTargets[targetKey] = serviceId;
            }
        }
        if (lookupRefused is not null)
        {
            // A repeat of a command that was issued before the item or code went away still gets its first reply.
            return await db.Commands.AnyAsync(c => c.CommandId == cmd.CommandId, ct)
                ? await ReplayIssueAsync(db, cmd.CommandId, payloadHash, actor, ct)
                : Reply<TicketIssued>.Refused(lookupRefused.ToError());
        }
        await db.Database.OpenConnectionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var context = new CommandContext(db, conn, hall, actor, cmd.CommandId, now, ct) { Claim = new("issue", payloadHash) };
        try
        {
            Service? service = null;
            ServiceStateRow? before = null;
            long ticketId, version;
            long kioskIssued = 0, personOpen = 0;
            List<WindowFacts> windows;
            List<TicketFacts> waiting;
            (int HallId, int ServiceId)? itemFound = null;
            Bookings.BookingState? bookingState = null;
            var businessDate = HallClock.BusinessDate(now, hall.Zone);
            await using (var locking = new NpgsqlBatch(conn))
            {
                locking.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
                locking.BatchCommands.Add(context.ClaimStatement());
                locking.BatchCommands.Add(CommandContext.Statement(
                    "SELECT id, hall_id, code, name, prefix, daily_cap, active, accepts_priority, default_handling_minutes, hours::text FROM services WHERE id = $1 FOR NO KEY UPDATE",
                    serviceId));
                locking.BatchCommands.Add(HallStateReader.ServiceStatesCommand(hall, [serviceId], now));
                locking.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT nextval(pg_get_serial_sequence('tickets', 'id')), nextval('{HallDb.VersionSequence}')"));
                // The limits count rows, not memory, so they hold across servers: the kiosk's own lock serialises its
                // issues for any service, and the person's open tickets are counted under the service's lock taken above.
                if (actor.DeviceId is { } kioskId)
                {
                    locking.BatchCommands.Add(CommandContext.Statement(
                        "SELECT pg_advisory_xact_lock($1, $2), (SELECT count(*) FROM tickets WHERE issued_by_device_id = $2 AND issued_at > $3)",
                        KioskLockSpace, kioskId, now - TimeSpan.FromMinutes(1)));
                }
                if (notice is not null || person is not null)
                {
                    locking.BatchCommands.Add(CommandContext.Statement(
                        "SELECT count(*) FROM tickets WHERE service_id = $1 AND business_date = $2 AND state IN ('Waiting', 'Called', 'Serving') AND (mobile_hmac = $3 OR id_hmac = $4)",
                        serviceId, businessDate, notice?.Hmac, person?.Hmac));
                }
                // Where the new ticket stands: the windows it can be called at (and those competing with them) and their queue.
                locking.BatchCommands.Add(CallOrderReader.WindowsCommand(actor.HallId, serviceId));
                locking.BatchCommands.Add(CallOrderReader.WaitingCommand(actor.HallId, serviceId, businessDate));
                if (itemChecked)
                {
                    locking.BatchCommands.Add(cmd.ServiceItemId is { } itemId
                        ? CommandContext.Statement("SELECT hall_id, service_id FROM service_items WHERE id = $1", itemId)
                        : CommandContext.Statement("SELECT hall_id, id FROM services WHERE hall_id = $1 AND code = $2", actor.HallId, cmd.ServiceCode));
                }
                if (booking is { OnTime: true })
                {
                    locking.BatchCommands.Add(CommandContext.Statement("SELECT state FROM bookings WHERE id = $1 FOR UPDATE", booking.BookingId));
                }
                await using var reader = await locking.ExecuteReaderAsync(ct);
                await CommandContext.ReadClaimAsync(reader, ct);
                if (await reader.ReadAsync(ct))
                {
                    service = new Service
                    {
                        Id = reader.GetInt32(0),
                        HallId = reader.GetInt32(1),
                        Code = reader.GetString(2),
                        Name = reader.GetString(3),
                        Prefix = reader.GetString(4)[0],
                        DailyCap = reader.GetInt32(5),
                        Active = reader.GetBoolean(6),
                        AcceptsPriority = reader.GetBoolean(7),
                        DefaultHandlingMinutes = reader.GetInt32(8),
                        Hours = reader.IsDBNull(9) ? null : JsonSerializer.Deserialize<WeeklyHours?>(reader.GetString(9)),
                    };
                }
                await reader.NextResultAsync(ct);
                before = (await HallStateReader.ReadServiceRowsAsync(reader, ct)).SingleOrDefault();
                await reader.NextResultAsync(ct);
                await reader.ReadAsync(ct);
                (ticketId, version) = (reader.GetInt64(0), reader.GetInt64(1));
                if (actor.DeviceId is not null)
                {
                    await reader.NextResultAsync(ct);
                    await reader.ReadAsync(ct);
                    kioskIssued = reader.GetInt64(1);
                }
                if (notice is not null || person is not null)
                {
                    await reader.NextResultAsync(ct);
                    await reader.ReadAsync(ct);
                    personOpen = reader.GetInt64(0);
                }
                await reader.NextResultAsync(ct);
                windows = await CallOrderReader.ReadWindowsAsync(reader, ct);
                await reader.NextResultAsync(ct);
                waiting = await CallOrderReader.ReadWaitingAsync(reader, ct);
                if (itemChecked)
                {
                    await reader.NextResultAsync(ct);
                    itemFound = await reader.ReadAsync(ct) ? (reader.GetInt32(0), reader.GetInt32(1)) : null;
                }
                if (booking is { OnTime: true })
                {
                    await reader.NextResultAsync(ct);
                    bookingState = await reader.ReadAsync(ct) ? Enum.Parse<Bookings.BookingState>(reader.GetString(0)) : Bookings.BookingState.Cancelled;
                }
            }
            if (itemChecked && cmd.ServiceId is null && itemFound?.ServiceId != serviceId)
            {
                // The item or code was moved (or this server's memory of it is stale): read it again from the start.
                IssueTargets.TryRemove(targetKey, out _);
                throw new RetryException();
            }
            var refusal = itemChecked && itemFound is null ? Refusal.UnknownServiceItem
                : itemChecked && itemFound!.Value.HallId != actor.HallId ? Refusal.WrongHall
                : itemChecked && itemFound!.Value.ServiceId != serviceId ? Refusal.UnknownServiceItem
                : service is null ? Refusal.UnknownService
                : service.HallId != actor.HallId ? Refusal.WrongHall
                : kioskIssued >= KioskTicketsPerMinute ? Refusal.KioskRateLimited
                : personOpen >= OpenTicketsPerPersonPerService ? Refusal.TooManyOpenTickets
                : booking is { OnTime: true } ? BookingClaim.Refusal(bookingState!.Value, booking.Slot)
                : null;
            var decision = refusal ?? TicketRules.Issue(
                service!.ToFacts(), cmd.Priority, hall.ToCalendar(), before?.LastNumber ?? 0,
                TicketRules.Position(new TicketFacts(ticketId, serviceId, TicketState.Waiting, businessDate, now, cmd.Priority, false, null, null, 0, booking?.BookedFor), windows, waiting, hall.Policy, businessDate, now)!,
                before?.Rate ?? new QueueRate(0, 0, 0), now);
            if (decision.Refusal is { } refused)
            {
                await CommandRunner.RollbackAsync(conn);
                return Reply<TicketIssued>.Refused(refused.ToError());
            }
            var issued = decision.Value!;
            var view = new TicketView(ticketId, issued.Number, service!.Id, service.Name, cmd.Priority, TicketState.Waiting, issued.BusinessDate, now, null, 0, version);
            // A citizen already near the front when the ticket is taken needs no notice: they are in the hall.
            DateTimeOffset? noticeDone = notice is not null && issued.PeopleAhead <= hall.NoticePeopleAhead ? now : null;
            var ticket = Ticket.Issue(actor.HallId, service.Id, issued, cmd.Priority, item?.Id ?? cmd.ServiceItemId, actor.DeviceId, now, ticketId,
                new TicketContact(notice?.Cipher, notice?.Hmac, notice?.Masked, notice?.ContactCipher, noticeDone, person?.Hmac, person?.Masked),
                booking is null ? null : new TicketBooking(booking.BookingId, booking.BookedFor));
            var reply = Reply<TicketIssued>.Success(new TicketIssued(view, issued.PeopleAhead, issued.EstimatedWaitMinutes, ticket.TrackingCode, TrackingUrl(ticket.TrackingCode), notice?.Masked, person?.Masked, booking?.Slot));
            // The service holds one more waiting ticket and its counter moved: its state after this command, known before writing it.
            var after = before! with { Waiting = before.Waiting + 1, LastNumber = issued.Sequence, Version = version };
            await using (var writing = new NpgsqlBatch(conn))
            {
                writing.BatchCommands.Add(CommandContext.Statement(
                    "INSERT INTO number_counters (service_id, business_date, hall_id, last_number) VALUES ($1, $2, $3, $4) ON CONFLICT (service_id, business_date) DO UPDATE SET last_number = EXCLUDED.last_number",
                    service.Id, issued.BusinessDate, actor.HallId, issued.Sequence));
                writing.BatchCommands.Add(Rows.Insert(db.Model, ticket));
                var entry = TicketEvent.Of(ticket, TicketEventKind.Issued, null, null, actor, null, now, cmd.CommandId);
                entry.Id = version;
                writing.BatchCommands.Add(Rows.Insert(db.Model, entry));
                if (Outbox.HallEvents.TicketStatement(entry) is { } events)
                {
                    writing.BatchCommands.Add(events);
                }
                writing.BatchCommands.Add(CommandContext.Statement("UPDATE services SET queue_version = $1 WHERE id = $2", version, service.Id));
                if (booking is { OnTime: true })
                {
                    writing.BatchCommands.Add(CommandContext.Statement(
                        "UPDATE bookings SET state = 'CheckedIn', checked_in_at = $1, ticket_id = $2 WHERE id = $3", now.ToUniversalTime(), ticketId, booking.BookingId));
                }
                // The command log keeps no personal field: a replay reads the masked forms from the ticket while it still has them.
                var logged = reply with { Value = reply.Value! with { MobileMasked = null, IdMasked = null } };
                writing.BatchCommands.Add(CommandContext.Statement("UPDATE commands SET result = $1::jsonb WHERE command_id = $2", JsonSerializer.Serialize(logged, CommandRunner.JsonOptions), cmd.CommandId));
                writing.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
                await writing.ExecuteNonQueryAsync(ct);
            }
            // Nothing leaves the server before the commit.
            await runner.Notifier.PublishAsync(hall.Id, new HallChanges([after.ToMessage(hall.ToCalendar(), now)], [], []));
            runner.Notifier.TicketIssued(hall.Id, view);
            return reply;
        }
        catch (AlreadyClaimedException)
        {
            await CommandRunner.RollbackAsync(conn);
            return await ReplayIssueAsync(db, cmd.CommandId, payloadHash, actor, ct);
        }
        catch
        {
            await CommandRunner.RollbackAsync(conn);
            throw;
        }
    }

    /// <summary>The first reply to an issue, with the masked numbers the ticket still holds (none once it closed).</summary>
    private static async Task<Reply<TicketIssued>> ReplayIssueAsync(HallDb db, Guid commandId, byte[] payloadHash, Actor actor, CancellationToken ct)
    {
        var reply = await CommandRunner.ReplayAsync<TicketIssued>(db, commandId, payloadHash, "issue", actor, ct);
        if (reply.Value is not { } issued)
        {
            return reply;
        }
        var masked = await db.Tickets.AsNoTracking().Where(t => t.Id == issued.Ticket.TicketId).Select(t => new { t.MobileMasked, t.IdMasked }).SingleAsync(ct);
        return reply with { Value = issued with { MobileMasked = masked.MobileMasked, IdMasked = masked.IdMasked } };
    }

    /// <summary>The service a ticket is asked for: by id, by code or through a service item of the caller's hall.</summary>
    private static async Task<(int ServiceId, ServiceItem? Item, Refusal? Refusal)> IssueTargetAsync(HallDb db, Actor actor, IssueTicketCommand cmd, CancellationToken ct)
    {
        ServiceItem? item = null;
        if (cmd.ServiceItemId is { } itemId)
        {
            item = await db.ServiceItems.AsNoTracking().FirstOrDefaultAsync(i => i.Id == itemId, ct);
            if (item is null)
            {
                return (0, null, Refusal.UnknownServiceItem);
            }
            if (item.HallId != actor.HallId)
            {
                return (0, null, Refusal.WrongHall);
            }
        }
        var serviceId = cmd.ServiceId
            ?? (cmd.ServiceCode is { } code
                ? await db.Services.Where(s => s.HallId == actor.HallId && s.Code == code).Select(s => (int?)s.Id).FirstOrDefaultAsync(ct)
                : item?.ServiceId);
        if (serviceId is null)
        {
            return (0, null, Refusal.UnknownService);
        }
        if (item is not null && item.ServiceId != serviceId)
        {
            return (0, null, Refusal.UnknownServiceItem);
        }
        return (serviceId.Value, item, null);
    }
}
