using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Devices;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Hub;

/// <summary>
/// <c>/hubs/hall</c>: every device and console. Thin: who is calling, may they, hand it to the service.
/// The protocol is documented in PROTOCOL.md beside this file.
/// </summary>
[Authorize(AuthenticationSchemes = HallAuth.SchemeName)]
public sealed class HallHub(QueueService queue, IDbContextFactory<HallDb> dbFactory, TimeProvider clock, Media.MediaLibrary media, Alerts.AlertMonitor alerts, LocalClients local, CallAcks acks, ConnectionGuard guard) : Hub<IHallClient>, IHallHub
{
    private Actor Caller => HallAuth.ActorOf(Context.User!);

    public override async Task OnConnectedAsync()
    {
        var actor = Caller;
        local.Add(Context.ConnectionId, actor);
        if (Credential.Of(Context.User!) is { } credential)
        {
            guard.Watch(Context.ConnectionId, credential, Context.Abort);
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, HubGroups.Hall(actor.HallId));
        await using var db = await dbFactory.CreateDbContextAsync(Context.ConnectionAborted);
        if (actor.DeviceId is { } deviceId)
        {
            await DeviceStatus.ConnectedAsync(db, deviceId, clock.GetUtcNow(), Context.ConnectionAborted);
            alerts.Poke(actor.HallId);
        }
        await Clients.Caller.Snapshot(await HallStateReader.SnapshotAsync(db, actor.HallId, clock.GetUtcNow(), Context.ConnectionAborted));
        if (actor.DeviceRole == DeviceRole.Display)
        {
            // Calls this display has not acknowledged yet are sent again; it de-duplicates them by call id.
            foreach (var call in await DeviceCalls.PendingAsync(db, actor, clock.GetUtcNow(), Context.ConnectionAborted))
            {
                await Clients.Caller.Called(call);
            }
        }
        await base.OnConnectedAsync();
    }

    public Task<Whoami> Whoami()
    {
        var a = Caller;
        return Task.FromResult(new Whoami(a.Kind.ToString(), a.HallId, a.Name, a.StaffRole?.ToString() ?? a.DeviceRole.ToString()!, a.WindowId));
    }

    public async Task<HallSnapshot> GetSnapshot()
    {
        await using var db = await dbFactory.CreateDbContextAsync(Context.ConnectionAborted);
        return await HallStateReader.SnapshotAsync(db, Caller.HallId, clock.GetUtcNow(), Context.ConnectionAborted);
    }

    public Task<Reply<TicketIssued>> IssueTicket(IssueTicketCommand command) =>
        Allowed<TicketIssued>(Roles.Kiosk | Roles.Supervisor) ?? queue.IssueAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<WindowStateMessage>> OpenWindow(WindowCommand command) =>
        Allowed<WindowStateMessage>(Roles.Staff) ?? queue.OpenWindowAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<WindowStateMessage>> TakeOverWindow(WindowCommand command) =>
        Allowed<WindowStateMessage>(Roles.Staff) ?? queue.TakeOverWindowAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<WindowStateMessage>> PauseWindow(PauseWindowCommand command) =>
        Allowed<WindowStateMessage>(Roles.Staff) ?? queue.PauseWindowAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<WindowStateMessage>> ResumeWindow(WindowCommand command) =>
        Allowed<WindowStateMessage>(Roles.Staff) ?? queue.ResumeWindowAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<WindowStateMessage>> CloseWindow(WindowCommand command) =>
        Allowed<WindowStateMessage>(Roles.Staff) ?? queue.CloseWindowAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<TicketCalled>> CallNext(WindowCommand command) =>
        Allowed<TicketCalled>(Roles.Staff) ?? queue.CallNextAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<TicketCalled>> CallTicket(TicketCommand command) =>
        Allowed<TicketCalled>(Roles.Staff) ?? queue.CallTicketAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<TicketCalled>> Recall(TicketCommand command) =>
        Allowed<TicketCalled>(Roles.Staff) ?? queue.RecallAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<TicketView>> NoShow(TicketCommand command) =>
        Allowed<TicketView>(Roles.Staff) ?? queue.NoShowAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<TicketView>> Requeue(RequeueCommand command) =>
        Allowed<TicketView>(Roles.Staff | Roles.Kiosk) ?? queue.RequeueAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<TicketView>> StartService(TicketCommand command) =>
        Allowed<TicketView>(Roles.Staff) ?? queue.StartServiceAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<TicketView>> Finish(FinishCommand command) =>
        Allowed<TicketView>(Roles.Staff) ?? queue.FinishAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<TicketView>> Transfer(TransferCommand command) =>
        Allowed<TicketView>(Roles.Staff) ?? queue.TransferAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<TicketView>> Cancel(CancelCommand command) =>
        Allowed<TicketView>(Roles.Supervisor) ?? queue.CancelAsync(Caller, command, Context.ConnectionAborted);

    public Task<Reply<TicketView>> Rate(RateCommand command) =>
        Allowed<TicketView>(Roles.Evaluator | Roles.Clerk) ?? queue.RateAsync(Caller, command, Context.ConnectionAborted);

    public Task AckCall(long callId) =>
        Caller.DeviceRole == DeviceRole.Display ? acks.AckAsync(Caller, callId, clock.GetUtcNow(), Context.ConnectionAborted) : throw new HubException(Refusal.Forbidden.Code);

    public Task<Reply<TicketView>> VoidTicket(VoidTicketCommand command) =>
        Allowed<TicketView>(Roles.Kiosk) ?? queue.VoidAsync(Caller, command, Context.ConnectionAborted);

    public async Task ReportStatus(DeviceStatusReport report)
    {
        if (Caller.DeviceId is not { } deviceId)
        {
            throw new HubException(Refusal.Forbidden.Code);
        }
        await using var db = await dbFactory.CreateDbContextAsync(Context.ConnectionAborted);
        if (!await DeviceStatus.ReportAsync(db, deviceId, report, clock.GetUtcNow(), Context.ConnectionAborted))
        {
            throw new HubException(Refusal.InvalidCommand.Code);
        }
        alerts.Poke(Caller.HallId);
    }

    public async Task<List<ServiceItemView>> GetServiceItems()
    {
        if (!Roles.Of(Caller).Overlaps(Roles.Kiosk | Roles.Staff))
        {
            throw new HubException(Refusal.Forbidden.Code);
        }
        await using var db = await dbFactory.CreateDbContextAsync(Context.ConnectionAborted);
        return await Catalog.ServiceItems.ForKioskAsync(db, Caller.HallId, Context.ConnectionAborted);
    }

    public Task<List<PlaylistView>> GetPlaylists() =>
        Caller.DeviceRole == DeviceRole.Display ? media.PlaylistsAsync(Caller.HallId, Context.ConnectionAborted) : throw new HubException(Refusal.Forbidden.Code);

    // The kiosks take the voice settings and pack too, for their spoken guidance.
    public async Task<DisplaySettingsView> GetDisplaySettings() =>
        Caller.DeviceRole is DeviceRole.Display or DeviceRole.Kiosk ? await media.DisplaySettingsForScreenAsync(Caller.HallId, Context.ConnectionAborted) : throw new HubException(Refusal.Forbidden.Code);

    // A null report (or play) is answered by the service with invalid_request.
    public async Task<int> ReportPlays(List<PlayReport>? plays)
    {
        if (Caller is not { DeviceRole: DeviceRole.Display, DeviceId: { } deviceId })
        {
            throw new HubException(Refusal.Forbidden.Code);
        }
        var (added, refusal) = await media.ReportPlaysAsync(Caller.HallId, deviceId, plays, Context.ConnectionAborted);
        return refusal is null ? added : throw new HubException(refusal.Code);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        local.Remove(Context.ConnectionId);
        guard.Forget(Context.ConnectionId);
        if (Caller.DeviceId is { } deviceId)
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            await DeviceStatus.DisconnectedAsync(db, deviceId, clock.GetUtcNow(), CancellationToken.None);
            alerts.Poke(Caller.HallId);
        }
        await base.OnDisconnectedAsync(exception);
    }

    private Task<Reply<T>>? Allowed<T>(Roles roles) =>
        Roles.Of(Caller).Overlaps(roles) ? null : Task.FromResult(Reply<T>.Refused(Refusal.Forbidden.ToError()));
}

/// <summary>Role sets for the hub's checks.</summary>
public readonly record struct Roles(int Bits)
{
    public static readonly Roles Kiosk = new(1);
    public static readonly Roles Display = new(2);
    public static readonly Roles Evaluator = new(4);
    public static readonly Roles Clerk = new(8);
    public static readonly Roles Supervisor = new(16 | 32);
    public static readonly Roles Staff = Clerk | Supervisor;

    public static Roles operator |(Roles a, Roles b) => new(a.Bits | b.Bits);

    public bool Overlaps(Roles other) => (Bits & other.Bits) != 0;

    public static Roles Of(Actor actor) => actor switch
    {
        { DeviceRole: DeviceRole.Kiosk } => Kiosk,
        { DeviceRole: DeviceRole.Display } => Display,
        { DeviceRole: DeviceRole.Evaluator } => Evaluator,
        { StaffRole: StaffRole.Clerk } => Clerk,
        { StaffRole: StaffRole.Supervisor or StaffRole.Admin } => Supervisor,
        _ => new(0),
    };
}
