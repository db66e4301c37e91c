using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Tickets;
using Npgsql;

namespace Hall.Server.Queue;

/// <summary>A ticket's life after the call: no-show, start, finish, transfer, requeue, void (a kiosk could not print), cancel (a supervisor).</summary>
public sealed partial class QueueService
{
    public Task<Reply<TicketView>> NoShowAsync(Actor actor, TicketCommand cmd, CancellationToken ct) =>
        WindowTicketCommandAsync(actor, cmd, cmd, "no_show", ct, (c, w, t, s) => TicketRules.NoShow(w.Facts, t.ToFacts()), (c, t) => t.MarkNoShow());

    public Task<Reply<TicketView>> StartServiceAsync(Actor actor, TicketCommand cmd, CancellationToken ct) =>
        WindowTicketCommandAsync(actor, cmd, cmd, "start", ct, (c, w, t, s) => TicketRules.Start(w.Facts, t.ToFacts()), (c, t) => t.Start(c.Now));

    public Task<Reply<TicketView>> FinishAsync(Actor actor, FinishCommand cmd, CancellationToken ct)
    {
        // The items handled: those the clerk ticked, else the one the citizen chose at the kiosk.
        var ticked = cmd.ServiceItemIds is { Count: > 0 } ids ? ids.Distinct().ToArray() : [];
        if (ticked.Length > 50)
        {
            return Task.FromResult(Reply<TicketView>.Refused(Refusal.InvalidCommand.ToError()));
        }
        var found = new List<(int Id, int HallId)>();
        int[] Wanted(Ticket t) => ticked.Length > 0 ? ticked : t.ServiceItemId is { } chosen ? [chosen] : [];
        return WindowTicketCommandAsync(actor, new TicketCommand(cmd.CommandId, cmd.WindowId, cmd.TicketId), cmd, "finish", ct,
            (c, w, t, s) =>
            {
                var wanted = Wanted(t);
                return found.Count != wanted.Length || found.Any(i => !wanted.Contains(i.Id)) ? Refusal.UnknownServiceItem
                    : found.Any(i => i.HallId != actor.HallId) ? Refusal.WrongHall
                    : TicketRules.Finish(w.Facts, t.ToFacts(), cmd.Outcome, cmd.Acceptance, c.Hall.Outcomes) ?? TicketRules.FinishDetails(cmd.Acceptance, cmd.Details, c.Today)
                        ?? TicketRules.CaseNumber(cmd.CaseNumber, s.CaseNumberRequired, cmd.Outcome);
            },
            (c, t) => t.Finish(cmd.Outcome, Wanted(t), c.Now, cmd.Details, cmd.Acceptance, cmd.CaseNumber),
            detail: cmd.Outcome,
            more: CommandContext.Statement(
                "SELECT id, hall_id FROM service_items WHERE id = ANY ($1) OR (cardinality($1) = 0 AND id = (SELECT service_item_id FROM tickets WHERE id = $2))",
                ticked, cmd.TicketId),
            readMore: async reader =>
            {
                while (await reader.ReadAsync(ct))
                {
                    found.Add((reader.GetInt32(0), reader.GetInt32(1)));
                }
                await reader.NextResultAsync(ct);
            });
    }

    public Task<Reply<TicketView>> TransferAsync(Actor actor, TransferCommand cmd, CancellationToken ct) =>
        runner.RunAsync<TicketView>(actor, cmd.CommandId, cmd, "transfer", ct, async c =>
        {
            if (cmd.FromWindowId is null && !actor.IsSupervisor)
            {
                return Refusal.Forbidden;
            }
            LockedWindow? from = null;
            Ticket? ticket = null;
            (int HallId, bool Active)? target = null;
            var services = new List<Service>();
            await c.ReadAsync(
                versions: 1,
                [
                    .. cmd.FromWindowId is { } fromId ? CommandContext.WindowStatements(fromId) : [],
                    CommandContext.TicketStatement(cmd.TicketId),
                    CommandContext.Statement("SELECT hall_id, active FROM windows WHERE id = $1", cmd.ToWindowId ?? 0),
                    CommandContext.ServicesStatement(cmd.TicketId, cmd.ToServiceId is { } to ? [to] : []),
                ],
                async reader =>
                {
                    if (cmd.FromWindowId is not null)
                    {
                        from = await c.ReadWindowAsync(reader);
                    }
                    ticket = await c.NextAsync(reader, c.Read<Ticket>);
                    target = await c.NextAsync(reader, r => ((int, bool)?)(r.GetInt32(0), r.GetBoolean(1)));
                    services = await c.ReadServicesAsync(reader);
                });
            if (((cmd.FromWindowId is null ? null : c.CheckWindow(from, operatorRequired: true)) ?? c.CheckTicket(ticket)) is { } refusal)
            {
                return refusal;
            }
            if ((TicketRules.Transfer(from?.Facts, ticket!.ToFacts(), cmd.ToServiceId, cmd.ToWindowId, c.Today) ?? TicketRules.CheckText(cmd.Note, required: false)) is { } refused)
            {
                return refused;
            }
            if (cmd.ToWindowId is not null && (target is not { Active: true } || target.Value.HallId != actor.HallId))
            {
                return target is { Active: true } ? Refusal.WrongHall : Refusal.UnknownWindow;
            }
            var targetService = cmd.ToServiceId ?? ticket.ServiceId;
            var newService = services.FirstOrDefault(s => s.Id == targetService);
            if (newService is null || !newService.Active)
            {
                return Refusal.UnknownService;
            }
            if (newService.HallId != actor.HallId)
            {
                return Refusal.WrongHall;
            }
            var detail = cmd.ToWindowId is { } tw ? $"window:{tw}" : $"service:{targetService}";
            var version = c.Transition(ticket, t => t.TransferTo(targetService, cmd.ToWindowId, from?.Window.Id, cmd.Note), from?.Window.Id, detail);
            if (from is not null)
            {
                c.TouchWindow(from.Window.Id);
            }
            return View(ticket, newService, version);
        });

    public Task<Reply<TicketView>> RequeueAsync(Actor actor, RequeueCommand cmd, CancellationToken ct) =>
        runner.RunAsync<TicketView>(actor, cmd.CommandId, cmd, "requeue", ct, async c =>
        {
            Ticket? ticket = null;
            Service? service = null;
            var ahead = new List<DateTimeOffset>();
            await c.ReadAsync(
                versions: 1,
                [
                    CommandContext.TicketStatement(cmd.TicketId),
                    CommandContext.ServicesStatement(cmd.TicketId),
                    // The places the ticket goes back behind: the front of its service's plain queue.
                    CommandContext.Statement(
                        """
                        SELECT queued_at FROM tickets
                        WHERE service_id = (SELECT service_id FROM tickets WHERE id = $1) AND business_date = $2 AND state = 'Waiting' AND target_window_id IS NULL
                        ORDER BY queued_at LIMIT $3
                        """,
                        cmd.TicketId, c.Today, Math.Max(1, c.Hall.RequeuePlacesBack)),
                ],
                async reader =>
                {
                    ticket = await c.NextAsync(reader, c.Read<Ticket>);
                    service = (await c.ReadServicesAsync(reader)).FirstOrDefault();
                    while (await reader.ReadAsync(ct))
                    {
                        ahead.Add(reader.GetFieldValue<DateTimeOffset>(0));
                    }
                    await reader.NextResultAsync(ct);
                });
            if (c.CheckTicket(ticket) is { } notFound)
            {
                return notFound;
            }
            var decision = TicketRules.Requeue(ticket!.ToFacts(), ahead, c.Hall.RequeuePlacesBack, c.Today, c.Now);
            if (decision.Refusal is { } refused)
            {
                return refused;
            }
            var version = c.Transition(ticket, t => t.Requeue(decision.Value), null, null);
            return View(ticket, service!, version);
        });

    /// <summary>A kiosk could not print a ticket it was issued: the ticket is voided with the reason, before anyone calls it.</summary>
    public Task<Reply<TicketView>> VoidAsync(Actor actor, VoidTicketCommand cmd, CancellationToken ct) =>
        runner.RunAsync<TicketView>(actor, cmd.CommandId, cmd, "void", ct, async c =>
        {
            if (actor.DeviceId is not { } kioskId)
            {
                return Refusal.Forbidden;
            }
            var (ticket, service) = await TicketAndServiceAsync(c, cmd.TicketId);
            if (c.CheckTicket(ticket) is { } notFound)
            {
                return notFound;
            }
            if (TicketRules.Void(ticket!.ToFacts(), ticket.IssuedByDeviceId, kioskId, cmd.Reason, everCalled: ticket.CalledAt is not null) is { } refused)
            {
                return refused;
            }
            var version = c.Transition(ticket, t => t.Void(), null, cmd.Reason);
            return View(ticket, service!, version);
        });

    public Task<Reply<TicketView>> CancelAsync(Actor actor, CancelCommand cmd, CancellationToken ct) =>
        runner.RunAsync<TicketView>(actor, cmd.CommandId, cmd, "cancel", ct, async c =>
        {
            if (TicketRules.CheckText(cmd.Reason, required: true) is { } badReason)
            {
                return badReason;
            }
            // Lock order is window → ticket: the ticket's window first, then the ticket, checked not to have moved meanwhile.
            LockedWindow? w = null;
            var (ticket, service) = await TicketAndServiceAsync(c, cmd.TicketId,
                CommandContext.WindowStatements("(SELECT window_id FROM tickets WHERE id = $1)", cmd.TicketId),
                async reader => w = await c.ReadWindowAsync(reader));
            if (c.CheckTicket(ticket) is { } notFound)
            {
                return notFound;
            }
            if (ticket!.WindowId != w?.Window.Id)
            {
                throw new RetryException();
            }
            if (TicketRules.Cancel(ticket.ToFacts(), cmd.Reason) is { } refused)
            {
                return refused;
            }
            var windowId = c.CheckWindow(w, operatorRequired: false) is null ? w?.Window.Id : null;
            var fromState = ticket.State;
            var version = c.Transition(ticket, t => t.Cancel(), windowId, cmd.Reason);
            if (windowId is { } at && fromState == TicketState.Called)
            {
                c.TouchWindow(at);
            }
            return View(ticket, service!, version);
        });

    /// <summary>The first round trip of a command on a ticket alone: what it reads first (a window), the ticket and its service, both locked.</summary>
    private static async Task<(Ticket? Ticket, Service? Service)> TicketAndServiceAsync(CommandContext c, long ticketId, IEnumerable<NpgsqlBatchCommand>? first = null, Func<NpgsqlDataReader, Task>? readFirst = null)
    {
        Ticket? ticket = null;
        Service? service = null;
        await c.ReadAsync(
            versions: 1,
            [.. first ?? [], CommandContext.TicketStatement(ticketId), CommandContext.ServicesStatement(ticketId)],
            async reader =>
            {
                if (readFirst is not null)
                {
                    await readFirst(reader);
                }
                ticket = await c.NextAsync(reader, c.Read<Ticket>);
                service = (await c.ReadServicesAsync(reader)).FirstOrDefault();
            });
        return (ticket, service);
    }

    private Task<Reply<TicketView>> WindowTicketCommandAsync(
        Actor actor,
        TicketCommand cmd,
        object payload,
        string kind,
        CancellationToken ct,
        Func<CommandContext, LockedWindow, Ticket, Service, Refusal?> rule,
        Func<CommandContext, Ticket, TicketChange> transition,
        string? detail = null,
        NpgsqlBatchCommand? more = null,
        Func<NpgsqlDataReader, Task>? readMore = null) =>
        runner.RunAsync<TicketView>(actor, cmd.CommandId, payload, kind, ct, async c =>
        {
            var (w, ticket, service, refusal) = await WindowAndTicketAsync(c, cmd, versions: 1, lockService: false, more, readMore);
            if (refusal is not null)
            {
                return refusal;
            }
            if (rule(c, w!, ticket!, service!) is { } refused)
            {
                return refused;
            }
            var version = c.Transition(ticket!, t => transition(c, t), w!.Window.Id, detail);
            c.TouchWindow(w.Window.Id);
            return View(ticket!, service!, version);
        });
}
