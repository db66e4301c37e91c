using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Server.Windows;
using Npgsql;

namespace Hall.Server.Queue;

/// <summary>A window's session: open, take over, pause, resume, close. Each decides with <see cref="WindowRules"/> under the window's lock and writes the session and its event.</summary>
public sealed partial class QueueService
{
    public Task<Reply<WindowStateMessage>> OpenWindowAsync(Actor actor, WindowCommand cmd, CancellationToken ct) =>
        WindowSessionCommandAsync(actor, cmd.CommandId, cmd.WindowId, cmd, "open", ct, opensSession: true, (c, w, staff) =>
        {
            if (actor.StaffId is not { } staffId)
            {
                return Refusal.Forbidden;
            }
            if (WindowRules.Open(w.Facts, staffId) is { } refused)
            {
                return refused;
            }
            var session = WindowSession.Open(actor.HallId, w.Window.Id, staffId, c.Now);
            session.Id = staff.SessionId;
            c.Insert(session);
            c.Log(WindowEvent.Of(w.Window, session, WindowEventKind.Opened, null, c.Now, cmd.CommandId));
            c.WindowStateRead(c.StateOf(w, session.Status, null, staff.Name));
            return null;
        });

    /// <summary>Ends the other clerk's session (HandedOver) and opens one for the caller with the same status; the ticket at the window stays.</summary>
    public Task<Reply<WindowStateMessage>> TakeOverWindowAsync(Actor actor, WindowCommand cmd, CancellationToken ct) =>
        WindowSessionCommandAsync(actor, cmd.CommandId, cmd.WindowId, cmd, "take_over", ct, opensSession: true, (c, w, staff) =>
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
            if (!actor.IsSupervisor && staff.HolderSignedIn)
            {
                return Refusal.HolderSignedIn;
            }
            c.Insert(new Admin.AuditEntry
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
            var session = previous.HandOver(staffId, c.Now);
            session.Id = staff.SessionId;
            c.Update(previous);
            c.Log(WindowEvent.Of(w.Window, previous, WindowEventKind.HandedOver, actor.Name, c.Now, cmd.CommandId));
            c.Insert(session);
            c.Log(WindowEvent.Of(w.Window, session, WindowEventKind.Opened, "takeover", c.Now, cmd.CommandId));
            if (session.Status == WindowStatus.Paused)
            {
                // Taken over while paused: the new session starts paused, and its log says so (the reports count it as a pause, not as staffed time).
                c.Log(WindowEvent.Of(w.Window, session, WindowEventKind.Paused, session.PauseReason, c.Now, cmd.CommandId));
            }
            c.WindowStateRead(c.StateOf(w, session.Status, session.PauseReason, staff.Name));
            return null;
        });

    public Task<Reply<WindowStateMessage>> PauseWindowAsync(Actor actor, PauseWindowCommand cmd, CancellationToken ct) =>
        WindowSessionCommandAsync(actor, cmd.CommandId, cmd.WindowId, cmd, "pause", ct, opensSession: false, (c, w, _) =>
        {
            if (WindowRules.CheckOperator(w.Facts, actor.Id) is { } notYours && !actor.IsSupervisor)
            {
                return notYours;
            }
            if (WindowRules.Pause(w.Facts, cmd.Reason, c.Hall.PauseReasons) is { } refused)
            {
                return refused;
            }
            w.Session!.Pause(cmd.Reason, c.Now);
            return SessionChanged(c, w, WindowEventKind.Paused, cmd.Reason);
        });

    public Task<Reply<WindowStateMessage>> ResumeWindowAsync(Actor actor, WindowCommand cmd, CancellationToken ct) =>
        WindowSessionCommandAsync(actor, cmd.CommandId, cmd.WindowId, cmd, "resume", ct, opensSession: false, (c, w, _) =>
        {
            if (WindowRules.CheckOperator(w.Facts, actor.Id) is { } notYours && !actor.IsSupervisor)
            {
                return notYours;
            }
            if (WindowRules.Resume(w.Facts) is { } refused)
            {
                return refused;
            }
            w.Session!.Resume();
            return SessionChanged(c, w, WindowEventKind.Resumed, null);
        });

    public Task<Reply<WindowStateMessage>> CloseWindowAsync(Actor actor, WindowCommand cmd, CancellationToken ct) =>
        WindowSessionCommandAsync(actor, cmd.CommandId, cmd.WindowId, cmd, "close", ct, opensSession: false, (c, w, _) =>
        {
            if (WindowRules.CheckOperator(w.Facts, actor.Id) is { } notYours && !actor.IsSupervisor)
            {
                return notYours;
            }
            if (WindowRules.Close(w.Facts) is { } refused)
            {
                return refused;
            }
            w.Session!.Close(c.Now);
            return SessionChanged(c, w, WindowEventKind.Closed, null);
        });

    /// <summary>Writes the window's changed session with its event, and states the window as it now is.</summary>
    private static Refusal? SessionChanged(CommandContext c, LockedWindow w, WindowEventKind kind, string? reason)
    {
        var session = w.Session!;
        c.Update(session);
        c.Log(WindowEvent.Of(w.Window, session, kind, reason, c.Now, c.CommandId));
        var open = session.ClosedAt is null;
        c.WindowStateRead(c.StateOf(w, open ? session.Status : WindowStatus.Closed, open ? session.PauseReason : null, open ? w.StaffName : null));
        return null;
    }

    /// <summary>What a command that opens a session reads besides the window: the caller's name, the id of the new session, whether the holder is still signed in.</summary>
    private sealed record Opener(string? Name, long SessionId, bool HolderSignedIn);

    private Task<Reply<WindowStateMessage>> WindowSessionCommandAsync(Actor actor, Guid commandId, int windowId, object payload, string kind, CancellationToken ct, bool opensSession, Func<CommandContext, LockedWindow, Opener, Refusal?> body) =>
        runner.RunAsync<WindowStateMessage>(actor, commandId, payload, kind, ct, async c =>
        {
            LockedWindow? w = null;
            var opener = new Opener(null, 0, false);
            List<NpgsqlBatchCommand> statements = [.. CommandContext.WindowStatements(windowId)];
            if (opensSession)
            {
                statements.Add(CommandContext.Statement(
                    """
                    SELECT (SELECT name FROM staff WHERE id = $1), nextval(pg_get_serial_sequence('window_sessions', 'id')),
                           EXISTS (SELECT 1 FROM staff_sessions ss JOIN window_sessions ws ON ws.staff_id = ss.staff_id AND ws.window_id = $2 AND ws.closed_at IS NULL
                                   WHERE ss.revoked_at IS NULL AND ss.expires_at > $3 AND ss.last_seen_at > $4)
                    """,
                    actor.StaffId, windowId, c.Now, c.Now - IdleLogin));
            }
            // A take-over logs up to three events: handed over, opened, and paused when it was paused.
            await c.ReadAsync(versions: 3, statements, async reader =>
            {
                w = await c.ReadWindowAsync(reader);
                if (opensSession)
                {
                    opener = (await c.NextAsync(reader, r => new Opener(r.IsDBNull(0) ? null : r.GetString(0), r.GetInt64(1), r.GetBoolean(2))))!;
                }
            });
            if (c.CheckWindow(w, operatorRequired: false) is { } refusal)
            {
                return refusal;
            }
            if (body(c, w!, opener) is { } refused)
            {
                return refused;
            }
            // The runner answers with the window's state as the command stated it.
            return new WindowStateMessage(w!.Window.Id, w.Window.Number, w.Window.Name, WindowStatus.Closed, null, null, null, null, null, 0);
        });
}
