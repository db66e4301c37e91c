using Hall.Server.Contracts;
using Hall.Server.Devices;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Hall.Server.Hub;

/// <summary>
/// <c>/hubs/hall</c>: every device and console. Thin: who is calling, may they, hand it to the service.
/// The protocol is documented in PROTOCOL.md beside this file.
/// </summary>
// Every device and person of the hall, except an outside system's key (对接系统), which only calls its one API.
[Authorize(AuthenticationSchemes = HallAuth.SchemeName, Roles = "Kiosk,Display,Evaluator,Clerk,Supervisor,Admin")]
public sealed class HallHub(QueueService queue, HubBackend connections, Media.MediaLibrary media, LocalClients local, ConnectionGuard guard) : Hub<IHallClient>, IHallHub
{
    private Actor Caller => HallAuth.ActorOf(Context.User!);

    private CancellationToken Aborted => Context.ConnectionAborted;

    public override async Task OnConnectedAsync()
    {
        local.Add(Context.ConnectionId, Caller);
        if (Credential.Of(Context.User!) is { } credential)
        {
            guard.Watch(Context.ConnectionId, credential, Context.Abort);
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, HubGroups.Hall(Caller.HallId));
        var (snapshot, unacknowledged) = await connections.ConnectedAsync(Caller, Aborted);
        await Clients.Caller.Snapshot(snapshot);
        foreach (var call in unacknowledged)
        {
            await Clients.Caller.Called(call);
        }
        await base.OnConnectedAsync();
    }

    public Task<Whoami> Whoami() =>
        Task.FromResult(new Whoami(Caller.Kind.ToString(), Caller.HallId, Caller.Name, Caller.StaffRole?.ToString() ?? Caller.DeviceRole.ToString()!, Caller.WindowId));

    public Task<HallSnapshot> GetSnapshot() => connections.SnapshotAsync(Caller, Aborted);

    // The queue commands: who may run which is CommandRoles', checked where the pages' commands are checked too.
    public Task<Reply<TicketIssued>> IssueTicket(IssueTicketCommand command) => queue.IssueAsync(Caller, command, Aborted);

    public Task<Reply<WindowStateMessage>> OpenWindow(WindowCommand command) => queue.OpenWindowAsync(Caller, command, Aborted);

    public Task<Reply<WindowStateMessage>> TakeOverWindow(WindowCommand command) => queue.TakeOverWindowAsync(Caller, command, Aborted);

    public Task<Reply<WindowStateMessage>> PauseWindow(PauseWindowCommand command) => queue.PauseWindowAsync(Caller, command, Aborted);

    public Task<Reply<WindowStateMessage>> ResumeWindow(WindowCommand command) => queue.ResumeWindowAsync(Caller, command, Aborted);

    public Task<Reply<WindowStateMessage>> CloseWindow(WindowCommand command) => queue.CloseWindowAsync(Caller, command, Aborted);

    public Task<Reply<TicketCalled>> CallNext(WindowCommand command) => queue.CallNextAsync(Caller, command, Aborted);

    public Task<Reply<TicketCalled>> CallTicket(TicketCommand command) => queue.CallTicketAsync(Caller, command, Aborted);

    public Task<Reply<TicketCalled>> Recall(TicketCommand command) => queue.RecallAsync(Caller, command, Aborted);

    public Task<Reply<TicketView>> NoShow(TicketCommand command) => queue.NoShowAsync(Caller, command, Aborted);

    public Task<Reply<TicketView>> Requeue(RequeueCommand command) => queue.RequeueAsync(Caller, command, Aborted);

    public Task<Reply<TicketView>> StartService(TicketCommand command) => queue.StartServiceAsync(Caller, command, Aborted);

    public Task<Reply<TicketView>> Finish(FinishCommand command) => queue.FinishAsync(Caller, command, Aborted);

    public Task<Reply<TicketView>> Transfer(TransferCommand command) => queue.TransferAsync(Caller, command, Aborted);

    public Task<Reply<TicketView>> Cancel(CancelCommand command) => queue.CancelAsync(Caller, command, Aborted);

    public Task<Reply<TicketView>> Rate(RateCommand command) => queue.RateAsync(Caller, command, Aborted);

    public Task<Reply<TicketView>> InviteRating(TicketCommand command) => queue.InviteRatingAsync(Caller, command, Aborted);

    public Task<Reply<TicketView>> VoidTicket(VoidTicketCommand command) => queue.VoidAsync(Caller, command, Aborted);

    public Task AckCall(long callId) => connections.AckCallAsync(Allowed("ack_call"), callId, Aborted);

    public Task ReportStatus(DeviceStatusReport report) => connections.ReportStatusAsync(Allowed("report_status"), report, Aborted);

    public Task<List<ServiceItemView>> GetServiceItems() => connections.ServiceItemsAsync(Allowed("get_service_items"), Aborted);

    public Task<List<PlaylistView>> GetPlaylists() => media.PlaylistsAsync(Allowed("get_playlists").HallId, Aborted);

    public Task<DisplaySettingsView> GetDisplaySettings() => media.DisplaySettingsForScreenAsync(Allowed("get_display_settings").HallId, Aborted);

    // A null report (or play) is answered by the service with invalid_request.
    public async Task<int> ReportPlays(List<PlayReport>? plays)
    {
        var display = Allowed("report_plays");
        var (added, refusal) = await media.ReportPlaysAsync(display.HallId, display.DeviceId!.Value, plays, Aborted);
        return refusal is null ? added : throw new HubException(refusal.Code);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        local.Remove(Context.ConnectionId);
        guard.Forget(Context.ConnectionId);
        await connections.DisconnectedAsync(Caller);
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>The caller, when the role table lets them run this; otherwise the call fails with forbidden.</summary>
    private Actor Allowed(string kind) => CommandRoles.Allows(kind, Caller) ? Caller : throw new HubException(Refusal.Forbidden.Code);
}
