using Hall.Server.Contracts;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;

namespace Hall.Kiosk.Agent;

/// <summary>Whether the kiosk can reach the server now.</summary>
public enum LinkState
{
    Connecting,
    Online,
    Offline,
}

/// <summary>
/// The kiosk's one connection to <c>/hubs/hall</c>. A start loop that never gives up (capped backoff with jitter —
/// SignalR's own reconnect stops after four tries and never retries a failed first start); after every (re)connect
/// the server's snapshot rebuilds <see cref="KioskState"/> and the item catalogue is loaded again.
/// </summary>
public sealed class ServerLink(IOptions<KioskOptions> options, KioskState state, ILogger<ServerLink> log) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);
    private HubConnection? _connection;

    public LinkState State { get; private set; } = LinkState.Connecting;

    /// <summary>Raised (on a pool thread) after each successful (re)connect, before commands flow again.</summary>
    public event Func<Task>? Connected;

    public async Task<T> InvokeAsync<T>(string method, object? argument, CancellationToken ct)
    {
        if (_connection is not { State: HubConnectionState.Connected } c)
        {
            throw new LinkDownException();
        }
        return argument is null ? await c.InvokeAsync<T>(method, ct) : await c.InvokeAsync<T>(method, argument, ct);
    }

    public async Task SendAsync(string method, object argument, CancellationToken ct)
    {
        if (_connection is not { State: HubConnectionState.Connected } c)
        {
            throw new LinkDownException();
        }
        await c.InvokeAsync(method, argument, ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(new Uri(o.Server), "/hubs/hall"), h => h.AccessTokenProvider = () => Task.FromResult<string?>(o.DeviceKey))
                .Build();
            connection.On<HallSnapshot>(nameof(IHallClient.Snapshot), state.Apply);
            connection.On<ServiceStateMessage>(nameof(IHallClient.ServiceChanged), state.Apply);
            connection.Closed += _ =>
            {
                closed.TrySetResult();
                return Task.CompletedTask;
            };
            try
            {
                await connection.StartAsync(stoppingToken);
                _connection = connection;
                state.SetItems(await connection.InvokeAsync<List<ServiceItemView>>(nameof(IHallHub.GetServiceItems), stoppingToken));
                State = LinkState.Online;
                failures = 0;
                log.LogInformation("Connected to {Server}", o.Server);
                if (Connected is { } connected)
                {
                    await connected();
                }
                await closed.Task.WaitAsync(stoppingToken);
                log.LogWarning("Connection to {Server} lost", o.Server);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                log.LogWarning("Cannot reach {Server}: {Error}", o.Server, ex.Message);
            }
            finally
            {
                _connection = null;
                State = LinkState.Offline;
            }
            failures++;
            var backoff = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures, 10))));
            var jitter = TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)(backoff.TotalMilliseconds / 4) + 1));
            try
            {
                await Task.Delay(backoff + jitter, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}

/// <summary>The kiosk has no connection to the server right now.</summary>
public sealed class LinkDownException : Exception
{
}
