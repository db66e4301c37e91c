using Hall.Server.Contracts;
using Hall.Server.Contracts.Agents;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;

namespace Hall.Display.Agent;

/// <summary>The display's connection to the server: snapshots, service states and calls into the <see cref="Board"/>; acknowledgements back.</summary>
public sealed class DisplayLink(IOptions<DisplayOptions> options, Board board, SyncSignal sync, ILogger<DisplayLink> log) : BackgroundService
{
    private readonly AgentLink _link = new(new Uri(options.Value.Server), options.Value.DeviceKey, log);

    public LinkState State => _link.State;

    /// <summary>Acknowledges an announced call; when the link is down the acknowledgement waits for the next connect.</summary>
    public async Task AcknowledgeAsync(long callId, CancellationToken ct)
    {
        try
        {
            await _link.InvokeAsync(nameof(IHallHub.AckCall), callId, ct);
            board.Acknowledged(callId);
        }
        catch (Exception ex) when (ex is LinkDownException or Microsoft.AspNetCore.SignalR.HubException or IOException or InvalidOperationException or TaskCanceledException)
        {
            log.LogInformation("Call {CallId} acknowledged later: {Error}", callId, ex.Message);
        }
    }

    public Task ReportAsync(DeviceStatusReport report, CancellationToken ct) => _link.InvokeAsync(nameof(IHallHub.ReportStatus), report, ct);

    public Task<T> InvokeAsync<T>(string method, object? argument, CancellationToken ct) => _link.InvokeAsync<T>(method, argument, ct);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _link.RunAsync(
        connection =>
        {
            connection.On<HallSnapshot>(nameof(IHallClient.Snapshot), board.Apply);
            connection.On<ServiceStateMessage>(nameof(IHallClient.ServiceChanged), board.Apply);
            connection.On<CallMessage>(nameof(IHallClient.Called), board.Called);
            connection.On<WindowStateMessage>(nameof(IHallClient.WindowChanged), board.Apply);
            connection.On<NoticeLineMessage>(nameof(IHallClient.NoticeLineChanged), board.Apply);
            connection.On(nameof(IHallClient.PlaylistsChanged), sync.Wake);
            connection.On<DisplaySettingsView>(nameof(IHallClient.DisplaySettingsChanged), _ => sync.Wake());
        },
        async ct =>
        {
            sync.Wake();
            foreach (var callId in board.Unacknowledged)
            {
                await _link.InvokeAsync(nameof(IHallHub.AckCall), callId, ct);
                board.Acknowledged(callId);
            }
        },
        stoppingToken);
}
