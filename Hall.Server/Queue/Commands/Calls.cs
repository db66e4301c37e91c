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
    /// The busiest command, in three round trips: lock the window and read it, its session, current ticket and queue;
    /// claim the chosen ticket (skipping one another window holds); then lock its service, write the call and read the new state.
    /// </summary>
    public Task<Reply<TicketCalled>> CallNextAsync(Actor actor, WindowCommand cmd, CancellationToken ct) =>
        runner.RunAsync<TicketCalled>(actor, cmd.CommandId, cmd, "call_next", claimInBody: true, ct, async c =>
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
                    var noShow = Ticket.NoShowing();
                    writing.BatchCommands.Add(TicketStatements.Update(previous.Id, noShow));
                    writing.BatchCommands.Add(TicketStatements.Insert(TicketEvent.Of(previous, actor.HallId, noShow, cmd.WindowId, actor, "auto", c.Now, cmd.CommandId)));
                }
                var call = Ticket.Calling(cmd.WindowId, clerk, c.Now);
                writing.BatchCommands.Add(TicketStatements.Update(ticket.Facts.Id, call));
                writing.BatchCommands.Add(CommandContext.Statement("UPDATE windows SET normals_since_priority = $1 WHERE id = $2", choice.NormalsSincePriority, cmd.WindowId));
                writing.BatchCommands.Add(TicketStatements.Insert(TicketEvent.Of(ticket.Facts, actor.HallId, call, cmd.WindowId, actor, choice.Reason.ToString(), c.Now, cmd.CommandId)));
                writing.BatchCommands.Add(HallStateReader.ServiceStatesCommand(c.Hall, [ticket.Facts.ServiceId], c.Now));
                writing.BatchCommands.Add(HallStateReader.WindowStatesCommand(actor.HallId, [cmd.WindowId]));
                await using var written = await writing.ExecuteReaderAsync(ct);
                await written.ReadAsync(ct);
                var serviceName = written.GetString(0);
                if (choice.AutoNoShow is not null)
                {
                    // The no-show's event id: a lower version of this same command.
                    await written.NextResultAsync(ct);
                    await written.ReadAsync(ct);
                    c.Logged(written.GetInt64(0));
                }
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
        runner.RunAsync<TicketCalled>(actor, cmd.CommandId, cmd, "call_ticket", ct, async c =>
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
        runner.RunAsync<TicketCalled>(actor, cmd.CommandId, cmd, "recall", ct, async c =>
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
}
