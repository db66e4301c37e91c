using System.Text.Json;
using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Tickets;
using Hall.Server.Windows;
using Microsoft.EntityFrameworkCore;
using Hall.Server.Hub;
using Hall.Server.Security;
using Hall.Server.Tracking;
using Npgsql;

namespace Hall.Server.Queue;

/// <summary>
/// The queue commands: load → decide (the pure rules) → save → notify. Each command is one transaction with a
/// client-chosen command id; a retry with the same id returns the first result. Locks are taken in one order
/// (window → ticket → services by id), so commands never deadlock each other, and only per service and per window.
/// </summary>
public sealed class QueueService(IDbContextFactory<HallDb> dbFactory, TimeProvider clock, HallSettings halls, HallNotifier notifier, MobileNumbers mobiles, PrivacyKeys privacy, IConfiguration config, ILogger<QueueService> log)
{
    private const int MaxAttempts = 6;

    /// <summary>The first key of the advisory locks that serialise one kiosk's issues (the second is the device id).</summary>
    private const int KioskLockSpace = 0x4B494F53;

    public static readonly Refusal Unavailable = new("unavailable", "数据库暂时无法访问，操作未受理，请稍后重试", "The database is unavailable: the command was not taken. Nothing was changed; retry shortly.");

    public async Task<Reply<TicketIssued>> IssueAsync(Actor actor, IssueTicketCommand cmd, CancellationToken ct)
    {
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
        return await RetryAsync(cmd.CommandId, hashed, "issue", ct, payloadHash => IssueOnceAsync(actor, cmd, notice, person, payloadHash, ct));
    }

    /// <summary>A mobile number given for the notice, as it is stored.</summary>
    private sealed record MobileNotice(string Cipher, byte[] Hmac, string Masked, string ContactCipher);

    /// <summary>A resident ID number the ticket is taken with, as it is stored: never in clear.</summary>
    private sealed record PersonId(byte[] Hmac, string Masked);

    /// <summary><c>Hall:Ratings:LimitHours</c> (default 24): how long after finishing a ticket may still be rated.</summary>
    private TimeSpan RatingLimit => TimeSpan.FromHours(Math.Max(1, config.GetValue("Hall:Ratings:LimitHours", 24)));

    private int KioskTicketsPerMinute => Math.Max(1, config.GetValue("Hall:Limits:KioskTicketsPerMinute", 30));

    private int OpenTicketsPerPersonPerService => Math.Max(1, config.GetValue("Hall:Limits:OpenTicketsPerPersonPerService", 2));

    private string? TrackingUrl(string code) =>
        config["Hall:PublicBaseUrl"] is { Length: > 0 } baseUrl ? $"{baseUrl.TrimEnd('/')}/t/{code}" : null;

    /// <summary>
    /// Issue holds its service's lock for one round trip, as it is the busiest command. The first batch begins the
    /// transaction, takes the command id, locks the service and reads its queue and the ids the new rows will get; the
    /// rules decide; the second batch writes the counter, the ticket, its event, the service's version and the stored
    /// reply, and commits.
    /// </summary>
    private async Task<Reply<TicketIssued>> IssueOnceAsync(Actor actor, IssueTicketCommand cmd, MobileNotice? notice, PersonId? person, byte[] payloadHash, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, actor.HallId, now, ct);
        var (serviceId, item, lookupRefused) = await IssueTargetAsync(db, actor, cmd, ct);
        if (lookupRefused is not null)
        {
            // A repeat of a command that was issued before the item or code went away still gets its first reply.
            return await db.Commands.AnyAsync(c => c.CommandId == cmd.CommandId, ct)
                ? await ReplayIssueAsync(db, cmd.CommandId, payloadHash, actor, ct)
                : Reply<TicketIssued>.Refused(lookupRefused.ToError());
        }
        await db.Database.OpenConnectionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var context = new CommandContext(db, hall, actor, cmd.CommandId, now, ct) { Claim = new("issue", payloadHash) };
        try
        {
            Service? service = null;
            ServiceStateRow? before = null;
            long ticketId, version;
            long kioskIssued = 0, personOpen = 0;
            List<WindowFacts> windows;
            List<TicketFacts> waiting;
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
            }
            var refusal = service is null ? Refusal.UnknownService
                : service.HallId != actor.HallId ? Refusal.WrongHall
                : kioskIssued >= KioskTicketsPerMinute ? Refusal.KioskRateLimited
                : personOpen >= OpenTicketsPerPersonPerService ? Refusal.TooManyOpenTickets
                : null;
            var decision = refusal ?? TicketRules.Issue(
                service!.ToFacts(), cmd.Priority, hall.ToCalendar(), before?.LastNumber ?? 0,
                TicketRules.Position(new TicketFacts(ticketId, serviceId, TicketState.Waiting, businessDate, now, cmd.Priority, false, null, null, 0), windows, waiting, hall.Policy, businessDate, now)!,
                before?.Rate ?? new QueueRate(0, 0, 0), now);
            if (decision.Refusal is { } refused)
            {
                await RollbackAsync(conn);
                return Reply<TicketIssued>.Refused(refused.ToError());
            }
            var issued = decision.Value!;
            var view = new TicketView(ticketId, issued.Number, service!.Id, service.Name, cmd.Priority, TicketState.Waiting, issued.BusinessDate, now, null, 0, version);
            var trackingCode = TrackingCodes.New();
            var reply = Reply<TicketIssued>.Success(new TicketIssued(view, issued.PeopleAhead, issued.EstimatedWaitMinutes, trackingCode, TrackingUrl(trackingCode), notice?.Masked, person?.Masked));
            // A citizen already near the front when the ticket is taken needs no notice: they are in the hall.
            DateTimeOffset? noticeDone = notice is not null && issued.PeopleAhead <= hall.NoticePeopleAhead ? now : null;
            // The service holds one more waiting ticket and its counter moved: its state after this command, known before writing it.
            var after = before! with { Waiting = before.Waiting + 1, LastNumber = issued.Sequence, Version = version };
            await using (var writing = new NpgsqlBatch(conn))
            {
                writing.BatchCommands.Add(CommandContext.Statement(
                    "INSERT INTO number_counters (service_id, business_date, hall_id, last_number) VALUES ($1, $2, $3, $4) ON CONFLICT (service_id, business_date) DO UPDATE SET last_number = EXCLUDED.last_number",
                    service.Id, issued.BusinessDate, actor.HallId, issued.Sequence));
                writing.BatchCommands.Add(CommandContext.Statement(
                    """
                    INSERT INTO tickets (id, hall_id, service_id, business_date, sequence, number, priority, state, issued_at, queued_at, transferred, call_count, service_item_id, handled_item_ids, issued_by_device_id,
                                         tracking_code, mobile_cipher, mobile_hmac, mobile_masked, notice_sent_at, id_hmac, id_masked, contact_cipher)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, 'Waiting', $8, $8, false, 0, $9, '{}', $10, $11, $12, $13, $14, $15, $16, $17, $18)
                    """,
                    ticketId, actor.HallId, service.Id, issued.BusinessDate, issued.Sequence, issued.Number, cmd.Priority.ToString(), now, item?.Id, actor.DeviceId,
                    trackingCode, notice?.Cipher, notice?.Hmac, notice?.Masked, noticeDone, person?.Hmac, person?.Masked, notice?.ContactCipher));
                writing.BatchCommands.Add(CommandContext.Statement(
                    """
                    INSERT INTO ticket_events (id, hall_id, ticket_id, service_id, kind, to_state, staff_id, device_id, at, command_id)
                    VALUES ($1, $2, $3, $4, 'Issued', 'Waiting', $5, $6, $7, $8)
                    """,
                    version, actor.HallId, ticketId, service.Id, actor.StaffId, actor.DeviceId, now, cmd.CommandId));
                writing.BatchCommands.Add(CommandContext.Statement("UPDATE services SET queue_version = $1 WHERE id = $2", version, service.Id));
                // The command log keeps no personal field: a replay reads the masked forms from the ticket while it still has them.
                var logged = reply with { Value = reply.Value! with { MobileMasked = null, IdMasked = null } };
                writing.BatchCommands.Add(CommandContext.Statement("UPDATE commands SET result = $1::jsonb WHERE command_id = $2", JsonSerializer.Serialize(logged, JsonOptions), cmd.CommandId));
                writing.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
                await writing.ExecuteNonQueryAsync(ct);
            }
            // Nothing leaves the server before the commit.
            await notifier.PublishAsync(hall.Id, new HallChanges([after.ToMessage(hall.ToCalendar(), now)], [], []));
            notifier.TicketIssued(hall.Id, view);
            return reply;
        }
        catch (AlreadyClaimedException)
        {
            await RollbackAsync(conn);
            return await ReplayIssueAsync(db, cmd.CommandId, payloadHash, actor, ct);
        }
        catch
        {
            await RollbackAsync(conn);
            throw;
        }
    }

    /// <summary>The first reply to an issue, with the masked numbers the ticket still holds (none once it closed).</summary>
    private static async Task<Reply<TicketIssued>> ReplayIssueAsync(HallDb db, Guid commandId, byte[] payloadHash, Actor actor, CancellationToken ct)
    {
        var reply = await ReplayAsync<TicketIssued>(db, commandId, payloadHash, "issue", actor, ct);
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

    /// <summary>Ends a transaction begun by hand; on a broken connection there is nothing left to end.</summary>
    private static async Task RollbackAsync(NpgsqlConnection conn)
    {
        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", conn);
            await rollback.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // Broken (the database restarted) or already closed by Npgsql after the failure: the server rolled it back.
        }
    }

    public Task<Reply<WindowStateMessage>> OpenWindowAsync(Actor actor, WindowCommand cmd, CancellationToken ct) =>
        WindowSessionCommandAsync(actor, cmd.CommandId, cmd.WindowId, cmd, "open", ct, async (c, w) =>
        {
            if (actor.StaffId is not { } staffId)
            {
                return Refusal.Forbidden;
            }
            if (WindowRules.Open(w.Facts, staffId) is { } refused)
            {
                return refused;
            }
            var session = new WindowSession { HallId = actor.HallId, WindowId = w.Window.Id, StaffId = staffId, Status = WindowStatus.Open, OpenedAt = c.Now };
            c.Db.WindowSessions.Add(session);
            await c.Db.SaveChangesAsync(ct);
            await c.LogWindowAsync(w.Window, session, WindowEventKind.Opened, null, ct);
            return null;
        });

    /// <summary>Ends the other clerk's session (HandedOver) and opens one for the caller with the same status; the ticket at the window stays.</summary>
    public Task<Reply<WindowStateMessage>> TakeOverWindowAsync(Actor actor, WindowCommand cmd, CancellationToken ct) =>
        WindowSessionCommandAsync(actor, cmd.CommandId, cmd.WindowId, cmd, "take_over", ct, async (c, w) =>
        {
            if (actor.StaffId is not { } staffId)
            {
                return Refusal.Forbidden;
            }
            if (WindowRules.TakeOver(w.Facts, staffId) is { } refused)
            {
                return refused;
            }
            var previous = w.Session!;
            // A clerk takes over only from someone no longer signed in (gone without closing); a holder still signed in
            // hands over by closing the window, or the supervisor decides. Every take-over is audited.
            var idleSince = c.Now - TimeSpan.FromMinutes(Math.Max(1, config.GetValue("Hall:Login:IdleMinutes", 30)));
            if (!actor.IsSupervisor && await c.Db.StaffSessions.AnyAsync(s => s.StaffId == previous.StaffId && s.RevokedAt == null && s.ExpiresAt > c.Now && s.LastSeenAt > idleSince, ct))
            {
                return Refusal.HolderSignedIn;
            }
            c.Db.AuditEntries.Add(new Admin.AuditEntry
            {
                HallId = actor.HallId,
                StaffId = staffId,
                StaffName = actor.Name,
                At = c.Now,
                Action = "window.takeover",
                Subject = $"window:{w.Window.Id}",
                Before = JsonSerializer.Serialize(new { previous.StaffId, Status = previous.Status.ToString() }),
                After = JsonSerializer.Serialize(new { StaffId = staffId }),
            });
            previous.ClosedAt = c.Now;
            var session = new WindowSession
            {
                HallId = actor.HallId,
                WindowId = w.Window.Id,
                StaffId = staffId,
                Status = previous.Status,
                PauseReason = previous.PauseReason,
                PausedAt = previous.PausedAt,
                OpenedAt = c.Now,
            };
            previous.Status = WindowStatus.Closed;
            await c.LogWindowAsync(w.Window, previous, WindowEventKind.HandedOver, actor.Name, ct);
            c.Db.WindowSessions.Add(session);
            await c.Db.SaveChangesAsync(ct);
            await c.LogWindowAsync(w.Window, session, WindowEventKind.Opened, "takeover", ct);
            return null;
        });

    public Task<Reply<WindowStateMessage>> PauseWindowAsync(Actor actor, PauseWindowCommand cmd, CancellationToken ct) =>
        WindowSessionCommandAsync(actor, cmd.CommandId, cmd.WindowId, cmd, "pause", ct, async (c, w) =>
        {
            if (WindowRules.CheckOperator(w.Facts, actor.Id) is { } notYours && !actor.IsSupervisor)
            {
                return notYours;
            }
            if (WindowRules.Pause(w.Facts, cmd.Reason, c.Hall.PauseReasons) is { } refused)
            {
                return refused;
            }
            w.Session!.Status = WindowStatus.Paused;
            w.Session.PauseReason = cmd.Reason;
            w.Session.PausedAt = c.Now;
            await c.LogWindowAsync(w.Window, w.Session, WindowEventKind.Paused, cmd.Reason, ct);
            return null;
        });

    public Task<Reply<WindowStateMessage>> ResumeWindowAsync(Actor actor, WindowCommand cmd, CancellationToken ct) =>
        WindowSessionCommandAsync(actor, cmd.CommandId, cmd.WindowId, cmd, "resume", ct, async (c, w) =>
        {
            if (WindowRules.CheckOperator(w.Facts, actor.Id) is { } notYours && !actor.IsSupervisor)
            {
                return notYours;
            }
            if (WindowRules.Resume(w.Facts) is { } refused)
            {
                return refused;
            }
            w.Session!.Status = WindowStatus.Open;
            w.Session.PauseReason = null;
            w.Session.PausedAt = null;
            await c.LogWindowAsync(w.Window, w.Session, WindowEventKind.Resumed, null, ct);
            return null;
        });

    public Task<Reply<WindowStateMessage>> CloseWindowAsync(Actor actor, WindowCommand cmd, CancellationToken ct) =>
        WindowSessionCommandAsync(actor, cmd.CommandId, cmd.WindowId, cmd, "close", ct, async (c, w) =>
        {
            if (WindowRules.CheckOperator(w.Facts, actor.Id) is { } notYours && !actor.IsSupervisor)
            {
                return notYours;
            }
            if (WindowRules.Close(w.Facts) is { } refused)
            {
                return refused;
            }
            w.Session!.Status = WindowStatus.Closed;
            w.Session.ClosedAt = c.Now;
            w.Session.PauseReason = null;
            await c.LogWindowAsync(w.Window, w.Session, WindowEventKind.Closed, null, ct);
            return null;
        });

    /// <summary>
    /// The busiest command, in three round trips: lock the window and read it, its session, current ticket and queue;
    /// claim the chosen ticket (skipping one another window holds); then lock its service, write the call and read the new state.
    /// </summary>
    public Task<Reply<TicketCalled>> CallNextAsync(Actor actor, WindowCommand cmd, CancellationToken ct) =>
        RunAsync<TicketCalled>(actor, cmd.CommandId, cmd, "call_next", claimInBody: true, ct, async c =>
        {
            const string TicketColumns = "id, service_id, state, business_date, queued_at, priority, transferred, target_window_id, window_id, call_count, number, issued_at";
            (int HallId, bool Active, int Number, string Name, int Streak)? window = null;
            var serviceIds = new List<int>();
            (string Status, int StaffId)? session = null;
            Waiting? current = null;
            var candidates = new List<Waiting>();
            await using (var reading = c.Batch())
            {
                reading.BatchCommands.Add(c.ClaimStatement());
                reading.BatchCommands.Add(CommandContext.Statement("SELECT hall_id, active, number, name, normals_since_priority FROM windows WHERE id = $1 FOR NO KEY UPDATE", cmd.WindowId));
                reading.BatchCommands.Add(CommandContext.Statement("SELECT service_id FROM window_services WHERE window_id = $1 ORDER BY rank", cmd.WindowId));
                reading.BatchCommands.Add(CommandContext.Statement("SELECT status, staff_id FROM window_sessions WHERE window_id = $1 AND closed_at IS NULL", cmd.WindowId));
                reading.BatchCommands.Add(CommandContext.Statement($"SELECT {TicketColumns} FROM tickets WHERE window_id = $1 AND state IN ('Called', 'Serving') FOR UPDATE", cmd.WindowId));
                reading.BatchCommands.Add(CommandContext.Statement(
                    $"""
                    SELECT {TicketColumns} FROM tickets t
                    WHERE t.hall_id = $2 AND t.business_date = $3 AND t.state = 'Waiting'
                      AND (t.target_window_id = $1 OR (t.target_window_id IS NULL AND t.service_id IN (SELECT service_id FROM window_services WHERE window_id = $1)))
                    """,
                    cmd.WindowId, actor.HallId, c.Today));
                await using var reader = await reading.ExecuteReaderAsync(ct);
                await CommandContext.ReadClaimAsync(reader, ct);
                if (await reader.ReadAsync(ct))
                {
                    window = (reader.GetInt32(0), reader.GetBoolean(1), reader.GetInt32(2), reader.GetString(3), reader.GetInt32(4));
                }
                await reader.NextResultAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    serviceIds.Add(reader.GetInt32(0));
                }
                await reader.NextResultAsync(ct);
                if (await reader.ReadAsync(ct))
                {
                    session = (reader.GetString(0), reader.GetInt32(1));
                }
                await reader.NextResultAsync(ct);
                if (await reader.ReadAsync(ct))
                {
                    current = Waiting.Read(reader);
                }
                await reader.NextResultAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    candidates.Add(Waiting.Read(reader));
                }
            }
            if (window is not { Active: true } found)
            {
                return Refusal.UnknownWindow;
            }
            if (found.HallId != actor.HallId)
            {
                return Refusal.WrongHall;
            }
            var facts = new WindowFacts(cmd.WindowId, session is null ? WindowStatus.Closed : Enum.Parse<WindowStatus>(session.Value.Status), session?.StaffId, serviceIds, found.Streak, current?.Facts);
            if (!actor.IsSupervisor && WindowRules.CheckOperator(facts, actor.StaffId ?? -1) is { } notYours)
            {
                return notYours;
            }
            var waiting = candidates.Select(t => t.Facts).ToList();
            while (true)
            {
                var decision = TicketRules.CallNext(facts, waiting, c.Hall.Policy, c.Today, c.Now);
                if (decision.Refusal is { } refused)
                {
                    return refused;
                }
                var choice = decision.Value!;
                // Another window may hold this ticket right now: skip it rather than wait, and decide again without it.
                await using (var claiming = c.Batch())
                {
                    claiming.BatchCommands.Add(CommandContext.Statement("SELECT id FROM tickets WHERE id = $1 AND state = 'Waiting' FOR UPDATE SKIP LOCKED", choice.Ticket.Id));
                    if (await claiming.ExecuteScalarAsync(ct) is null)
                    {
                        waiting.RemoveAll(t => t.Id == choice.Ticket.Id);
                        continue;
                    }
                }
                var ticket = candidates.First(t => t.Facts.Id == choice.Ticket.Id);
                var clerk = session?.StaffId ?? actor.StaffId;
                await using var writing = c.Batch();
                writing.BatchCommands.Add(CommandContext.Statement("SELECT name FROM services WHERE id = $1 FOR NO KEY UPDATE", ticket.Facts.ServiceId));
                if (choice.AutoNoShow is { } previous)
                {
                    writing.BatchCommands.Add(CommandContext.Statement("UPDATE tickets SET state = 'NoShow' WHERE id = $1", previous.Id));
                    writing.BatchCommands.Add(CommandContext.Statement(
                        "INSERT INTO ticket_events (hall_id, ticket_id, service_id, kind, from_state, to_state, window_id, staff_id, device_id, detail, at, command_id) VALUES ($1, $2, $3, 'NoShow', 'Called', 'NoShow', $4, $5, $6, 'auto', $7, $8)",
                        actor.HallId, previous.Id, previous.ServiceId, cmd.WindowId, actor.StaffId, actor.DeviceId, c.Now, cmd.CommandId));
                }
                writing.BatchCommands.Add(CommandContext.Statement(
                    "UPDATE tickets SET state = 'Called', window_id = $1, staff_id = $2, call_count = 1, called_at = $3, transferred = false, target_window_id = NULL WHERE id = $4",
                    cmd.WindowId, clerk, c.Now, ticket.Facts.Id));
                writing.BatchCommands.Add(CommandContext.Statement("UPDATE windows SET normals_since_priority = $1 WHERE id = $2", choice.NormalsSincePriority, cmd.WindowId));
                writing.BatchCommands.Add(CommandContext.Statement(
                    "INSERT INTO ticket_events (hall_id, ticket_id, service_id, kind, from_state, to_state, window_id, staff_id, device_id, detail, at, command_id) VALUES ($1, $2, $3, 'Called', 'Waiting', 'Called', $4, $5, $6, $7, $8, $9) RETURNING id",
                    actor.HallId, ticket.Facts.Id, ticket.Facts.ServiceId, cmd.WindowId, actor.StaffId, actor.DeviceId, choice.Reason.ToString(), c.Now, cmd.CommandId));
                writing.BatchCommands.Add(HallStateReader.ServiceStatesCommand(c.Hall, [ticket.Facts.ServiceId], c.Now));
                writing.BatchCommands.Add(HallStateReader.WindowStatesCommand(actor.HallId, [cmd.WindowId]));
                await using var written = await writing.ExecuteReaderAsync(ct);
                await written.ReadAsync(ct);
                var serviceName = written.GetString(0);
                await written.NextResultAsync(ct);
                await written.ReadAsync(ct);
                var callId = written.GetInt64(0);
                await written.NextResultAsync(ct);
                var (serviceState, _) = (await HallStateReader.ReadServiceStatesAsync(written, c.Hall, c.Now, ct))[0];
                await written.NextResultAsync(ct);
                var windowState = (await HallStateReader.ReadWindowStatesAsync(written, ct))[0];
                c.Locked(new Service { Id = ticket.Facts.ServiceId, HallId = actor.HallId, Code = serviceState.Code, Name = serviceName });
                c.Logged(callId);
                c.ServiceStateRead(serviceState);
                c.WindowStateRead(windowState);
                c.Calls.Add(new CallMessage(callId, ticket.Facts.Id, ticket.Number, cmd.WindowId, found.Number, found.Name, serviceName, false, c.Now));
                var view = new TicketView(ticket.Facts.Id, ticket.Number, ticket.Facts.ServiceId, serviceName, ticket.Facts.Priority, TicketState.Called, ticket.Facts.BusinessDate, ticket.IssuedAt, cmd.WindowId, 1, callId);
                return new TicketCalled(view, callId, choice.Reason);
            }
        });

    /// <summary>A ticket row as call-next reads it.</summary>
    private sealed record Waiting(TicketFacts Facts, string Number, DateTimeOffset IssuedAt)
    {
        public static Waiting Read(NpgsqlDataReader r) => new(
            new TicketFacts(
                r.GetInt64(0),
                r.GetInt32(1),
                Enum.Parse<TicketState>(r.GetString(2)),
                r.GetFieldValue<DateOnly>(3),
                r.GetFieldValue<DateTimeOffset>(4),
                Enum.Parse<PriorityClass>(r.GetString(5)),
                r.GetBoolean(6),
                r.IsDBNull(7) ? null : r.GetInt32(7),
                r.IsDBNull(8) ? null : r.GetInt32(8),
                r.GetInt32(9)),
            r.GetString(10),
            r.GetFieldValue<DateTimeOffset>(11));
    }

    public Task<Reply<TicketCalled>> CallTicketAsync(Actor actor, TicketCommand cmd, CancellationToken ct) =>
        RunAsync<TicketCalled>(actor, cmd.CommandId, cmd, "call_ticket", ct, async c =>
        {
            var (w, refusal) = await c.LockWindowAsync(cmd.WindowId, operatorRequired: true);
            if (w is null)
            {
                return refusal!;
            }
            var (ticket, notFound) = await c.LockTicketAsync(cmd.TicketId);
            if (ticket is null)
            {
                return notFound!;
            }
            var decision = TicketRules.CallTicket(w.Facts, ticket.ToFacts(), c.Hall.Policy, c.Today);
            return decision.Refusal ?? (Decision<TicketCalled>)await CallAsync(c, w, ticket, decision.Value!, ct);
        });

    private async Task<TicketCalled> CallAsync(CommandContext c, LockedWindow w, Ticket ticket, CallChoice choice, CancellationToken ct)
    {
        if (choice.AutoNoShow is not null && w.Current is { } previous)
        {
            previous.MarkNoShow();
            await c.LogAsync(previous, TicketEventKind.NoShow, TicketState.Called, w.Window.Id, "auto", ct);
        }
        var services = await c.LockServicesAsync([ticket.ServiceId]);
        var from = ticket.State;
        // The ticket is the window clerk's, also when a supervisor calls it there.
        ticket.Call(w.Window.Id, w.Session?.StaffId ?? c.Actor.StaffId, c.Now);
        w.Window.NormalsSincePriority = choice.NormalsSincePriority;
        var callId = await c.LogAsync(ticket, TicketEventKind.Called, from, w.Window.Id, choice.Reason.ToString(), ct);
        c.TouchWindow(w.Window);
        c.Calls.Add(new CallMessage(callId, ticket.Id, ticket.Number, w.Window.Id, w.Window.Number, w.Window.Name, services[0].Name, false, c.Now));
        return new TicketCalled(View(ticket, services[0], callId), callId, choice.Reason);
    }

    public Task<Reply<TicketCalled>> RecallAsync(Actor actor, TicketCommand cmd, CancellationToken ct) =>
        RunAsync<TicketCalled>(actor, cmd.CommandId, cmd, "recall", ct, async c =>
        {
            var (w, ticket, refusal) = await c.LockWindowAndTicketAsync(cmd.WindowId, cmd.TicketId);
            if (refusal is not null)
            {
                return refusal;
            }
            if (TicketRules.Recall(w!.Facts, ticket!.ToFacts(), c.Hall.Policy) is { } refused)
            {
                return refused;
            }
            ticket.Recall(c.Now);
            var callId = await c.LogAsync(ticket, TicketEventKind.Recalled, TicketState.Called, w.Window.Id, $"call {ticket.CallCount}", ct);
            c.TouchWindow(w.Window);
            var service = await c.Db.Services.AsNoTracking().FirstAsync(s => s.Id == ticket.ServiceId, ct);
            c.Calls.Add(new CallMessage(callId, ticket.Id, ticket.Number, w.Window.Id, w.Window.Number, w.Window.Name, service.Name, true, c.Now));
            return new TicketCalled(View(ticket, service, callId), callId, CallReason.Recall);
        });

    public Task<Reply<TicketView>> NoShowAsync(Actor actor, TicketCommand cmd, CancellationToken ct) =>
        WindowTicketCommandAsync(actor, cmd, cmd, "no_show", ct, (c, w, t) => TicketRules.NoShow(w.Facts, t.ToFacts()), (c, w, t) =>
        {
            t.MarkNoShow();
            return (TicketEventKind.NoShow, null);
        });

    public Task<Reply<TicketView>> StartServiceAsync(Actor actor, TicketCommand cmd, CancellationToken ct) =>
        WindowTicketCommandAsync(actor, cmd, cmd, "start", ct, (c, w, t) => TicketRules.Start(w.Facts, t.ToFacts()), (c, w, t) =>
        {
            t.Start(c.Now);
            return (TicketEventKind.Started, null);
        });

    public async Task<Reply<TicketView>> FinishAsync(Actor actor, FinishCommand cmd, CancellationToken ct)
    {
        List<int> items = [];
        return await WindowTicketCommandAsync(actor, new TicketCommand(cmd.CommandId, cmd.WindowId, cmd.TicketId), cmd, "finish", ct,
            (c, w, t) => TicketRules.Finish(w.Facts, t.ToFacts(), cmd.Outcome, c.Hall.Outcomes) ?? TicketRules.FinishDetails(cmd.Outcome, cmd.Details, c.Today),
            (c, w, t) =>
            {
                t.Finish(cmd.Outcome, items, c.Now, cmd.Details);
                return (TicketEventKind.Finished, cmd.Outcome);
            },
            async (c, t) =>
            {
                var wanted = cmd.ServiceItemIds is { Count: > 0 } ids ? ids.Distinct().ToList() : t.ServiceItemId is { } chosen ? [chosen] : [];
                if (wanted.Count > 50)
                {
                    return Refusal.InvalidCommand;
                }
                var found = await c.Db.ServiceItems.Where(i => wanted.Contains(i.Id)).Select(i => new { i.Id, i.HallId }).ToListAsync(ct);
                if (found.Count != wanted.Count)
                {
                    return Refusal.UnknownServiceItem;
                }
                if (found.Any(i => i.HallId != actor.HallId))
                {
                    return Refusal.WrongHall;
                }
                items.AddRange(wanted);
                return null;
            });
    }

    public Task<Reply<TicketView>> TransferAsync(Actor actor, TransferCommand cmd, CancellationToken ct) =>
        RunAsync<TicketView>(actor, cmd.CommandId, cmd, "transfer", ct, async c =>
        {
            LockedWindow? from = null;
            if (cmd.FromWindowId is { } fromId)
            {
                var (w, refusal) = await c.LockWindowAsync(fromId, operatorRequired: true);
                if (w is null)
                {
                    return refusal!;
                }
                from = w;
            }
            else if (!actor.IsSupervisor)
            {
                return Refusal.Forbidden;
            }
            var (ticket, notFound) = await c.LockTicketAsync(cmd.TicketId);
            if (ticket is null)
            {
                return notFound!;
            }
            if ((TicketRules.Transfer(from?.Facts, ticket.ToFacts(), cmd.ToServiceId, cmd.ToWindowId, c.Today) ?? TicketRules.CheckText(cmd.Note, required: false)) is { } refused)
            {
                return refused;
            }
            var targetService = cmd.ToServiceId ?? ticket.ServiceId;
            if (cmd.ToWindowId is { } toWindow)
            {
                var target = await c.Db.Windows.AsNoTracking().Where(x => x.Id == toWindow).Select(x => new { x.HallId, x.Active }).FirstOrDefaultAsync(ct);
                if (target is null || !target.Active)
                {
                    return Refusal.UnknownWindow;
                }
                if (target.HallId != actor.HallId)
                {
                    return Refusal.WrongHall;
                }
            }
            var services = await c.LockServicesAsync([ticket.ServiceId, targetService]);
            var newService = services.FirstOrDefault(s => s.Id == targetService);
            if (newService is null || !newService.Active)
            {
                return Refusal.UnknownService;
            }
            if (newService.HallId != actor.HallId)
            {
                return Refusal.WrongHall;
            }
            var fromState = ticket.State;
            ticket.TransferTo(targetService, cmd.ToWindowId, from?.Window.Id, cmd.Note);
            var detail = cmd.ToWindowId is { } tw ? $"window:{tw}" : $"service:{targetService}";
            var version = await c.LogAsync(ticket, TicketEventKind.Transferred, fromState, from?.Window.Id, detail, ct);
            if (from is not null)
            {
                c.TouchWindow(from.Window);
            }
            return View(ticket, newService, version);
        });

    public Task<Reply<TicketView>> RequeueAsync(Actor actor, RequeueCommand cmd, CancellationToken ct) =>
        RunAsync<TicketView>(actor, cmd.CommandId, cmd, "requeue", ct, async c =>
        {
            var (ticket, notFound) = await c.LockTicketAsync(cmd.TicketId);
            if (ticket is null)
            {
                return notFound!;
            }
            var services = await c.LockServicesAsync([ticket.ServiceId]);
            var ahead = await c.Db.Tickets.Where(t => t.ServiceId == ticket.ServiceId && t.BusinessDate == c.Today && t.State == TicketState.Waiting && t.TargetWindowId == null)
                .OrderBy(t => t.QueuedAt).Select(t => t.QueuedAt).Take(Math.Max(1, c.Hall.RequeuePlacesBack)).ToListAsync(ct);
            var decision = TicketRules.Requeue(ticket.ToFacts(), ahead, c.Hall.RequeuePlacesBack, c.Today, c.Now);
            if (decision.Refusal is { } refused)
            {
                return refused;
            }
            ticket.Requeue(decision.Value);
            var version = await c.LogAsync(ticket, TicketEventKind.Requeued, TicketState.NoShow, null, null, ct);
            return View(ticket, services[0], version);
        });

    /// <summary>A kiosk could not print a ticket it was issued: the ticket is voided with the reason, before anyone calls it.</summary>
    public Task<Reply<TicketView>> VoidAsync(Actor actor, VoidTicketCommand cmd, CancellationToken ct) =>
        RunAsync<TicketView>(actor, cmd.CommandId, cmd, "void", ct, async c =>
        {
            if (actor.DeviceId is not { } kioskId)
            {
                return Refusal.Forbidden;
            }
            var (ticket, notFound) = await c.LockTicketAsync(cmd.TicketId);
            if (ticket is null)
            {
                return notFound!;
            }
            if (TicketRules.Void(ticket.ToFacts(), ticket.IssuedByDeviceId, kioskId, cmd.Reason, everCalled: ticket.CalledAt is not null) is { } refused)
            {
                return refused;
            }
            var services = await c.LockServicesAsync([ticket.ServiceId]);
            ticket.Void();
            var version = await c.LogAsync(ticket, TicketEventKind.Voided, TicketState.Waiting, null, cmd.Reason, ct);
            return View(ticket, services[0], version);
        });

    public Task<Reply<TicketView>> CancelAsync(Actor actor, CancelCommand cmd, CancellationToken ct) =>
        RunAsync<TicketView>(actor, cmd.CommandId, cmd, "cancel", ct, async c =>
        {
            if (TicketRules.CheckText(cmd.Reason, required: true) is { } badReason)
            {
                return badReason;
            }
            // Lock order is window → ticket: find the ticket's window first, then check it did not move meanwhile.
            var windowId = await c.Db.Tickets.Where(t => t.Id == cmd.TicketId).Select(t => t.WindowId).FirstOrDefaultAsync(ct);
            LockedWindow? w = null;
            if (windowId is { } wid)
            {
                (w, _) = await c.LockWindowAsync(wid, operatorRequired: false);
            }
            var (ticket, notFound) = await c.LockTicketAsync(cmd.TicketId);
            if (ticket is null)
            {
                return notFound!;
            }
            if (ticket.WindowId != windowId)
            {
                throw new RetryException();
            }
            if (TicketRules.Cancel(ticket.ToFacts(), cmd.Reason) is { } refused)
            {
                return refused;
            }
            var services = await c.LockServicesAsync([ticket.ServiceId]);
            var fromState = ticket.State;
            ticket.Cancel();
            var version = await c.LogAsync(ticket, TicketEventKind.Cancelled, fromState, w?.Window.Id, cmd.Reason, ct);
            if (w is not null && fromState == TicketState.Called)
            {
                c.TouchWindow(w.Window);
            }
            return View(ticket, services[0], version);
        });

    public Task<Reply<TicketView>> RateAsync(Actor actor, RateCommand cmd, CancellationToken ct) =>
        RunAsync<TicketView>(actor, cmd.CommandId, cmd, "rate", ct, async c =>
        {
            var (ticket, notFound) = await c.LockTicketAsync(cmd.TicketId);
            if (ticket is null)
            {
                return notFound!;
            }
            // An evaluator rates only what was served at its own window; a clerk only at the window they hold.
            if (actor.DeviceRole == DeviceRole.Evaluator && actor.WindowId is { } evaluatorWindow && ticket.WindowId != evaluatorWindow)
            {
                return Refusal.Forbidden;
            }
            if (actor.StaffRole == StaffRole.Clerk)
            {
                var holder = await c.Db.WindowSessions.Where(s => s.WindowId == ticket.WindowId && s.ClosedAt == null).Select(s => (int?)s.StaffId).FirstOrDefaultAsync(ct);
                if (holder != actor.Id)
                {
                    return Refusal.NotYourWindow;
                }
            }
            var rated = await c.Db.Ratings.AnyAsync(r => r.TicketId == ticket.Id, ct);
            if ((TicketRules.Rate(ticket.ToFacts(), rated, cmd.Level, cmd.Reasons) ?? TicketRules.RatingInTime(ticket.FinishedAt, c.Now, RatingLimit)) is { } refused)
            {
                return refused;
            }
            c.Db.Ratings.Add(new Rating
            {
                HallId = actor.HallId,
                TicketId = ticket.Id,
                WindowId = ticket.WindowId,
                StaffId = ticket.StaffId,
                Level = cmd.Level,
                Reasons = [.. cmd.Reasons ?? []],
                DeviceId = actor.DeviceId,
                At = c.Now,
            });
            if (cmd.Level <= RatingLevel.Dissatisfied)
            {
                var today = HallClock.BusinessDate(c.Now, c.Hall.Zone);
                c.Db.FollowUpCases.Add(new Ratings.FollowUpCase
                {
                    HallId = actor.HallId,
                    TicketId = ticket.Id,
                    TicketNumber = ticket.Number,
                    WindowId = ticket.WindowId,
                    StaffId = ticket.StaffId,
                    Level = cmd.Level,
                    Reasons = [.. cmd.Reasons ?? []],
                    OpenedAt = c.Now,
                    // The number the citizen left at the kiosk, masked, for the 回访: it stays when the retention erases the full one.
                    ContactMasked = ticket.ContactCipher is { } contact && mobiles.UnprotectContact(contact) is { } mobile ? TicketRules.MaskMobile(mobile) : null,
                    DueDate = HallClock.AddWorkingDays(today, c.Hall.FollowUpWorkingDays, c.Hall.Hours, [.. c.Hall.Calendar.Select(d => d.ToCalendarDay())]),
                });
            }
            var version = await c.LogAsync(ticket, TicketEventKind.Rated, TicketState.Finished, ticket.WindowId, cmd.Level.ToString(), ct);
            var service = await c.Db.Services.AsNoTracking().FirstAsync(s => s.Id == ticket.ServiceId, ct);
            return View(ticket, service, version);
        });

    private Task<Reply<TicketView>> WindowTicketCommandAsync(
        Actor actor,
        TicketCommand cmd,
        object payload,
        string kind,
        CancellationToken ct,
        Func<CommandContext, LockedWindow, Ticket, Refusal?> rule,
        Func<CommandContext, LockedWindow, Ticket, (TicketEventKind Kind, string? Detail)> apply,
        Func<CommandContext, Ticket, Task<Refusal?>>? validate = null) =>
        RunAsync<TicketView>(actor, cmd.CommandId, payload, kind, ct, async c =>
        {
            var (w, ticket, refusal) = await c.LockWindowAndTicketAsync(cmd.WindowId, cmd.TicketId);
            if (refusal is not null)
            {
                return refusal;
            }
            if (validate is not null && await validate(c, ticket!) is { } invalid)
            {
                return invalid;
            }
            if (rule(c, w!, ticket!) is { } refused)
            {
                return refused;
            }
            var from = ticket!.State;
            var (eventKind, detail) = apply(c, w!, ticket);
            var version = await c.LogAsync(ticket, eventKind, from, w!.Window.Id, detail, ct);
            c.TouchWindow(w.Window);
            var service = await c.Db.Services.AsNoTracking().FirstAsync(s => s.Id == ticket.ServiceId, ct);
            return View(ticket, service, version);
        });

    private Task<Reply<WindowStateMessage>> WindowSessionCommandAsync(Actor actor, Guid commandId, int windowId, object payload, string kind, CancellationToken ct, Func<CommandContext, LockedWindow, Task<Refusal?>> body) =>
        RunAsync<WindowStateMessage>(actor, commandId, payload, kind, ct, async c =>
        {
            var (w, refusal) = await c.LockWindowAsync(windowId, operatorRequired: false);
            if (w is null)
            {
                return refusal!;
            }
            if (await body(c, w) is { } refused)
            {
                return refused;
            }
            await c.Db.SaveChangesAsync(ct);
            c.TouchWindow(w.Window);
            return new WindowStateMessage(w.Window.Id, w.Window.Number, w.Window.Name, WindowStatus.Closed, null, null, null, null, null, 0);
        });

    internal static TicketView View(Ticket t, Service s, long version) =>
        new(t.Id, t.Number, t.ServiceId, s.Name, t.Priority, t.State, t.BusinessDate, t.IssuedAt, t.WindowId, t.CallCount, version);

    /// <summary>Runs one command as one transaction: command id first (a retry returns the first result), then the body, then the state messages under the same locks, commit, notify.</summary>
    private Task<Reply<T>> RunAsync<T>(Actor actor, Guid commandId, object payload, string kind, CancellationToken ct, Func<CommandContext, Task<Decision<T>>> body) =>
        RunAsync(actor, commandId, payload, kind, claimInBody: false, ct, body);

    /// <param name="claimInBody">The body sends <see cref="CommandContext.ClaimStatement"/> in its first batch, saving a round trip.</param>
    private Task<Reply<T>> RunAsync<T>(Actor actor, Guid commandId, object payload, string kind, bool claimInBody, CancellationToken ct, Func<CommandContext, Task<Decision<T>>> body) =>
        RetryAsync(commandId, payload, kind, ct, payloadHash => RunOnceAsync(actor, commandId, payloadHash, kind, claimInBody, body, ct));

    /// <summary>Runs one attempt after another while the database reports contention; an unreachable database is a plain refusal.</summary>
    private async Task<Reply<T>> RetryAsync<T>(Guid commandId, object payload, string kind, CancellationToken ct, Func<byte[], Task<Reply<T>>> once)
    {
        // Keyed with a key outside the database: a plain hash of arguments holding a mobile gives the number back in 10⁴ tries.
        var payloadHash = System.Security.Cryptography.HMACSHA256.HashData(privacy.Current.CommandHashKey, JsonSerializer.SerializeToUtf8Bytes(payload, payload.GetType(), JsonOptions));
        if (commandId == Guid.Empty)
        {
            return Reply<T>.Refused(Refusal.InvalidCommand.ToError());
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await once(payloadHash);
            }
            catch (Exception ex) when (IsRetryable(ex) && attempt < MaxAttempts)
            {
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), ct);
            }
            catch (Exception ex) when (IsRetryable(ex))
            {
                log.LogWarning(ex, "Command {Kind} {CommandId} gave up after {Attempts} attempts", kind, commandId, attempt);
                return Reply<T>.Refused(Refusal.Busy.ToError());
            }
            catch (Exception ex) when (IsUnavailable(ex) && !ct.IsCancellationRequested)
            {
                log.LogWarning(ex, "Command {Kind} {CommandId}: database unavailable", kind, commandId);
                return Reply<T>.Refused(Unavailable.ToError());
            }
        }
    }

    private async Task<Reply<T>> RunOnceAsync<T>(Actor actor, Guid commandId, byte[] payloadHash, string kind, bool claimInBody, Func<CommandContext, Task<Decision<T>>> body, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Each SaveChanges inside the command's transaction would otherwise cost a savepoint and its release.
        db.Database.AutoSavepointsEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, actor.HallId, now, ct);
        var context = new CommandContext(db, hall, actor, commandId, now, ct) { Claim = new(kind, payloadHash) };
        Decision<T> decision;
        try
        {
            if (!claimInBody)
            {
                await context.ClaimAsync();
            }
            decision = await body(context);
        }
        catch (AlreadyClaimedException)
        {
            await tx.RollbackAsync(ct);
            return await ReplayAsync<T>(db, commandId, payloadHash, kind, actor, ct);
        }
        if (decision.Refusal is { } refusal)
        {
            await tx.RollbackAsync(ct);
            return Reply<T>.Refused(refusal.ToError());
        }
        await db.SaveChangesAsync(ct);
        var reply = Reply<T>.Success(decision.Value!);
        var changes = await context.StateChangesAsync(changes =>
        {
            // A window command answers with the window's new state.
            if (reply.Value is WindowStateMessage && changes.Windows.Count == 1)
            {
                reply = Reply<T>.Success((T)(object)changes.Windows[0]);
            }
            return JsonSerializer.Serialize(reply, JsonOptions);
        });
        await tx.CommitAsync(ct);
        // Nothing leaves the server before the commit.
        await notifier.PublishAsync(hall.Id, changes);
        return reply;
    }

    private static async Task<Reply<T>> ReplayAsync<T>(HallDb db, Guid commandId, byte[] payloadHash, string kind, Actor actor, CancellationToken ct)
    {
        var first = await db.Commands.AsNoTracking().FirstAsync(c => c.CommandId == commandId, ct);
        if (first.Kind != kind || first.Actor != actor.ToString() || first.Result is null || first.PayloadHash is null || !first.PayloadHash.AsSpan().SequenceEqual(payloadHash))
        {
            return Reply<T>.Refused(Refusal.CommandIdReused.ToError());
        }
        return JsonSerializer.Deserialize<Reply<T>>(first.Result, JsonOptions)!;
    }

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static bool IsRetryable(Exception ex) => ex switch
    {
        RetryException => true,
        DbUpdateConcurrencyException => true,
        DbUpdateException { InnerException: PostgresException pg } => IsRetryableState(pg),
        PostgresException pg => IsRetryableState(pg),
        InvalidOperationException { InnerException: { } inner } => IsRetryable(inner),
        _ => false,
    };

    // Serialization failure and deadlock. A unique violation is not retried: the locks make it impossible, so it is a bug to surface.
    private static bool IsRetryableState(PostgresException pg) => pg.SqlState is "40001" or "40P01";

    // EF wraps a broken connection twice over (the execution strategy's InvalidOperationException around a DbUpdateException around it).
    internal static bool IsUnavailable(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException or TimeoutException)
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>Thrown inside a command when what was read moved under it; the command runs again from the start.</summary>
internal sealed class RetryException : Exception
{
}
