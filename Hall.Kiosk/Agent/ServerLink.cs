using Hall.Server.Contracts;
using Hall.Server.Contracts.Agents;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;

namespace Hall.Kiosk.Agent;

/// <summary>The kiosk's connection to the server: snapshots and service states into <see cref="KioskState"/>, the item catalogue after each connect.</summary>
public sealed class ServerLink(IOptions<KioskOptions> options, KioskState state, ILogger<ServerLink> log) : BackgroundService
{
    private readonly AgentLink _link = new(new Uri(options.Value.Server), options.Value.DeviceKey, log);

    public LinkState State => _link.State;

    /// <summary>Raised after each successful (re)connect.</summary>
    public event Func<Task>? Connected;

    /// <summary>Raised when the server says the hall's voice settings or pack changed.</summary>
    public event Action? VoiceChanged;

    public Task<T> InvokeAsync<T>(string method, object? argument, CancellationToken ct) => _link.InvokeAsync<T>(method, argument, ct);

    public Task SendAsync(string method, object argument, CancellationToken ct) => _link.InvokeAsync(method, argument, ct);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _link.RunAsync(
        connection =>
        {
            connection.On<HallSnapshot>(nameof(IHallClient.Snapshot), state.Apply);
            connection.On<ServiceStateMessage>(nameof(IHallClient.ServiceChanged), state.Apply);
            // Not awaited here: an invocation awaited inside a handler would wait on the very loop that delivers its answer.
            connection.On(nameof(IHallClient.ServiceItemsChanged), () =>
            {
                _ = RefreshItemsAsync(stoppingToken);
                return Task.CompletedTask;
            });
            connection.On<DisplaySettingsView>(nameof(IHallClient.DisplaySettingsChanged), _ => VoiceChanged?.Invoke());
        },
        async ct =>
        {
            state.SetItems(await _link.InvokeAsync<List<ServiceItemView>>(nameof(IHallHub.GetServiceItems), null, ct));
            if (Connected is { } connected)
            {
                await connected();
            }
        },
        stoppingToken);

    /// <summary>The catalogue again after the admin changed it; if the link drops meanwhile, the next connect fetches it.</summary>
    private async Task RefreshItemsAsync(CancellationToken ct)
    {
        try
        {
            state.SetItems(await _link.InvokeAsync<List<ServiceItemView>>(nameof(IHallHub.GetServiceItems), null, ct));
            log.LogInformation("Service items fetched again after a catalogue change");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            log.LogWarning(e, "Could not fetch the service items after a catalogue change; they come with the next connect");
        }
    }
}
