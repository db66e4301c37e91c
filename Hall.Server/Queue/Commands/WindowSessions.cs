using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Server.Halls;
using Hall.Server.Tickets;
using Hall.Server.Windows;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Queue;

/// <summary>A window's session: open, take over, pause, resume, close. Each decides with <see cref="WindowRules"/> under the window's lock and writes the session and its event.</summary>
public sealed partial class QueueService
{
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
            var session = WindowSession.Open(actor.HallId, w.Window.Id, staffId, c.Now);
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
            var idleSince = c.Now - IdleLogin;
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
            var session = previous.HandOver(staffId, c.Now);
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
            w.Session!.Pause(cmd.Reason, c.Now);
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
            w.Session!.Resume();
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
            w.Session!.Close(c.Now);
            await c.LogWindowAsync(w.Window, w.Session, WindowEventKind.Closed, null, ct);
            return null;
        });

    private Task<Reply<WindowStateMessage>> WindowSessionCommandAsync(Actor actor, Guid commandId, int windowId, object payload, string kind, CancellationToken ct, Func<CommandContext, LockedWindow, Task<Refusal?>> body) =>
        runner.RunAsync<WindowStateMessage>(actor, commandId, payload, kind, ct, async c =>
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
}
