using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Halls;
using Hall.Server.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Queue;

/// <summary>A ticket's life after the call: no-show, start, finish, transfer, requeue, void (a kiosk could not print), cancel (a supervisor).</summary>
public sealed partial class QueueService
{
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
        runner.RunAsync<TicketView>(actor, cmd.CommandId, cmd, "transfer", ct, async c =>
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
        runner.RunAsync<TicketView>(actor, cmd.CommandId, cmd, "requeue", ct, async c =>
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
        runner.RunAsync<TicketView>(actor, cmd.CommandId, cmd, "void", ct, async c =>
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
        runner.RunAsync<TicketView>(actor, cmd.CommandId, cmd, "cancel", ct, async c =>
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

    private Task<Reply<TicketView>> WindowTicketCommandAsync(
        Actor actor,
        TicketCommand cmd,
        object payload,
        string kind,
        CancellationToken ct,
        Func<CommandContext, LockedWindow, Ticket, Refusal?> rule,
        Func<CommandContext, LockedWindow, Ticket, (TicketEventKind Kind, string? Detail)> apply,
        Func<CommandContext, Ticket, Task<Refusal?>>? validate = null) =>
        runner.RunAsync<TicketView>(actor, cmd.CommandId, payload, kind, ct, async c =>
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
}
