using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Halls;
using Hall.Server.Tickets;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hall.Server.Queue;

/// <summary>Calling: the next ticket by the call order, a chosen ticket, a recall. Each call is sent to the lobby screens after the commit.</summary>
public sealed partial class QueueService
{
    /// <summary>
    /// The busiest command. First round trip: lock the window, read its session, current ticket and queue. The rules choose;
    /// second: the call (failing, to run again, if another window took the ticket meanwhile), the service's lock, the new state, commit.
    /// </summary>
    public Task<Reply<TicketCalled>> CallNextAsync(Actor actor, WindowCommand cmd, CancellationToken ct) =>
        runner.RunAsync<TicketCalled>(actor, cmd.CommandId, cmd, "call_next", ct, async c =>
        {
            const string TicketColumns = "t.id, t.service_id, t.state, t.business_date, t.queued_at, t.priority, t.transferred, t.target_window_id, t.window_id, t.call_count, t.number, t.issued_at, t.booked_for";
            LockedWindow? w = null;
            var serviceNames = new Dictionary<int, string>();
            var candidates = new List<Waiting>();
            await c.ReadAsync(
                versions: 2,
                [
                    .. CommandContext.WindowStatements(cmd.WindowId),
                    // The names of the services the window may call from; the one called from is locked in the second round trip.
                    CommandContext.Statement(
                        """
                        SELECT id, name FROM services WHERE id IN (
                            SELECT service_id FROM window_services WHERE window_id = $1
                            UNION SELECT service_id FROM tickets WHERE target_window_id = $1 AND business_date = $2 AND state = 'Waiting')
                        """,
                        cmd.WindowId, c.Today),
                    // Only the head of each (service, priority or not, transferred or not) group can be chosen: the rule takes the
                    // first transferred, the first aged (the oldest of all), and the first priority and normal by the window's
                    // service order, each first come first served. The heads are found by index (ix_tickets_waiting_heads), not
                    // by reading the whole queue; tickets of other services sent to this window are few and all read, and so are
                    // booked tickets (a slot's few places), which change group when their slot begins.
                    CommandContext.Statement(
                        $"""
                        SELECT h.* FROM (SELECT DISTINCT service_id FROM window_services WHERE window_id = $1) s
                        CROSS JOIN (VALUES (false, false), (false, true), (true, false), (true, true)) g (priority, transferred)
                        CROSS JOIN LATERAL (
                            SELECT {TicketColumns} FROM tickets t
                            WHERE t.service_id = s.service_id AND t.business_date = $3 AND t.state = 'Waiting'
                              AND (t.priority <> 'Normal') = g.priority AND t.transferred = g.transferred
                              AND t.hall_id = $2 AND (t.target_window_id IS NULL OR t.target_window_id = $1) AND t.booked_for IS NULL
                            ORDER BY t.queued_at, t.id LIMIT 1) h
                        UNION ALL
                        SELECT {TicketColumns} FROM tickets t
                        WHERE t.service_id IN (SELECT service_id FROM window_services WHERE window_id = $1) AND t.business_date = $3
                          AND t.state = 'Waiting' AND t.booked_for IS NOT NULL AND t.hall_id = $2 AND (t.target_window_id IS NULL OR t.target_window_id = $1)
                        UNION ALL
                        SELECT {TicketColumns} FROM tickets t
                        WHERE t.target_window_id = $1 AND t.business_date = $3 AND t.state = 'Waiting' AND t.hall_id = $2
                          AND t.service_id NOT IN (SELECT service_id FROM window_services WHERE window_id = $1)
                        """,
                        cmd.WindowId, actor.HallId, c.Today),
                ],
                async reader =>
                {
                    w = await c.ReadWindowAsync(reader);
                    while (await reader.ReadAsync(ct))
                    {
                        serviceNames[reader.GetInt32(0)] = reader.GetString(1);
                    }
                    await reader.NextResultAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        candidates.Add(Waiting.Read(reader));
                    }
                    await reader.NextResultAsync(ct);
                });
            if (c.CheckWindow(w, operatorRequired: true) is { } refusal)
            {
                return refusal;
            }
            var decision = TicketRules.CallNext(w!.Facts, [.. candidates.Select(t => t.Facts)], c.Hall.Policy, c.Today, c.Now);
            if (decision.Refusal is { } refused)
            {
                return refused;
            }
            var choice = decision.Value!;
            var ticket = candidates.First(t => t.Facts.Id == choice.Ticket.Id);
            var serviceName = serviceNames[ticket.Facts.ServiceId];
            // Another window may be calling this ticket right now: then the command runs again and chooses without it.
            c.ExpectState(ticket.Facts.Id, TicketState.Waiting, skipLocked: true);
            c.LockAtCommit(ticket.Facts.ServiceId, serviceName);
            if (choice.AutoNoShow is { } previous)
            {
                var noShow = Ticket.NoShowing();
                c.Change(previous.Id, noShow);
                c.Log(TicketEvent.Of(previous, actor.HallId, noShow, cmd.WindowId, actor, "auto", c.Now, cmd.CommandId));
            }
            // The ticket is the window clerk's, also when a supervisor calls it there.
            var call = Ticket.Calling(cmd.WindowId, w.Session?.StaffId ?? actor.StaffId, c.Now);
            c.Change(ticket.Facts.Id, call);
            c.Write(CommandContext.Statement("UPDATE windows SET normals_since_priority = $1 WHERE id = $2", choice.NormalsSincePriority, cmd.WindowId));
            var callId = c.Log(TicketEvent.Of(ticket.Facts, actor.HallId, call, cmd.WindowId, actor, choice.Reason.ToString(), c.Now, cmd.CommandId));
            c.TouchWindow(cmd.WindowId);
            c.Calls.Add(new CallMessage(callId, ticket.Facts.Id, ticket.Number, cmd.WindowId, w.Window.Number, w.Window.Name, serviceName, false, c.Now));
            var view = new TicketView(ticket.Facts.Id, ticket.Number, ticket.Facts.ServiceId, serviceName, ticket.Facts.Priority, TicketState.Called, ticket.Facts.BusinessDate, ticket.IssuedAt, cmd.WindowId, 1, callId);
            return new TicketCalled(view, callId, choice.Reason);
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
                r.GetInt32(9),
                r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12)),
            r.GetString(10),
            r.GetFieldValue<DateTimeOffset>(11));
    }

    public Task<Reply<TicketCalled>> CallTicketAsync(Actor actor, TicketCommand cmd, CancellationToken ct) =>
        runner.RunAsync<TicketCalled>(actor, cmd.CommandId, cmd, "call_ticket", ct, async c =>
        {
            var (w, ticket, service, refusal) = await WindowAndTicketAsync(c, cmd, versions: 2, lockService: true);
            if (refusal is not null)
            {
                return refusal;
            }
            var decision = TicketRules.CallTicket(w!.Facts, ticket!.ToFacts(), c.Hall.Policy, c.Today, c.Now);
            if (decision.Refusal is { } refused)
            {
                return refused;
            }
            var choice = decision.Value!;
            if (choice.AutoNoShow is not null && w.Current is { } previous)
            {
                c.Transition(previous, t => t.MarkNoShow(), w.Window.Id, "auto");
            }
            // The ticket is the window clerk's, also when a supervisor calls it there.
            var callId = c.Transition(ticket, t => t.Call(w.Window.Id, w.Session?.StaffId ?? c.Actor.StaffId, c.Now), w.Window.Id, choice.Reason.ToString());
            c.Write(CommandContext.Statement("UPDATE windows SET normals_since_priority = $1 WHERE id = $2", choice.NormalsSincePriority, w.Window.Id));
            c.TouchWindow(w.Window.Id);
            c.Calls.Add(new CallMessage(callId, ticket.Id, ticket.Number, w.Window.Id, w.Window.Number, w.Window.Name, service!.Name, false, c.Now));
            return new TicketCalled(View(ticket, service, callId), callId, choice.Reason);
        });

    public Task<Reply<TicketCalled>> RecallAsync(Actor actor, TicketCommand cmd, CancellationToken ct) =>
        runner.RunAsync<TicketCalled>(actor, cmd.CommandId, cmd, "recall", ct, async c =>
        {
            var (w, ticket, service, refusal) = await WindowAndTicketAsync(c, cmd, versions: 1, lockService: false);
            if (refusal is not null)
            {
                return refusal;
            }
            if (TicketRules.Recall(w!.Facts, ticket!.ToFacts(), c.Hall.Policy) is { } refused)
            {
                return refused;
            }
            var callId = c.Transition(ticket, t => t.Recall(c.Now), w.Window.Id, $"call {ticket.CallCount + 1}");
            c.TouchWindow(w.Window.Id);
            c.Calls.Add(new CallMessage(callId, ticket.Id, ticket.Number, w.Window.Id, w.Window.Number, w.Window.Name, service!.Name, true, c.Now));
            return new TicketCalled(View(ticket, service, callId), callId, CallReason.Recall);
        });

    /// <summary>
    /// The first round trip of a command on a ticket at a window: the window (locked, with its session and current ticket),
    /// the ticket (locked), and its service (locked when the command changes the service's queue, else only read).
    /// </summary>
    private static async Task<(LockedWindow? Window, Ticket? Ticket, Service? Service, Refusal? Refusal)> WindowAndTicketAsync(CommandContext c, TicketCommand cmd, int versions, bool lockService, NpgsqlBatchCommand? more = null, Func<NpgsqlDataReader, Task>? readMore = null)
    {
        LockedWindow? w = null;
        Ticket? ticket = null;
        Service? service = null;
        await c.ReadAsync(
            versions,
            [
                .. CommandContext.WindowStatements(cmd.WindowId),
                CommandContext.TicketStatement(cmd.TicketId),
                lockService ? CommandContext.ServicesStatement(cmd.TicketId) : CommandContext.Statement("SELECT * FROM services WHERE id = (SELECT service_id FROM tickets WHERE id = $1)", cmd.TicketId),
                .. (more is null ? [] : new[] { more }),
            ],
            async reader =>
            {
                w = await c.ReadWindowAsync(reader);
                ticket = await c.NextAsync(reader, c.Read<Ticket>);
                service = (lockService ? await c.ReadServicesAsync(reader) : await c.ReadAllAsync<Service>(reader)).FirstOrDefault();
                if (readMore is not null)
                {
                    await readMore(reader);
                }
            });
        return (w, ticket, service, c.CheckWindow(w, operatorRequired: true) ?? c.CheckTicket(ticket));
    }
}
