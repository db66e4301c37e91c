using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Hall.Server.Contracts.Agents;

/// <summary>Whether an agent can reach the server now.</summary>
public enum LinkState
{
    Connecting,
    Online,
    Offline,
}

/// <summary>The agent has no connection to the server right now.</summary>
public sealed class LinkDownException : Exception
{
}

/// <summary>
/// An agent's one connection to <c>/hubs/hall</c>, authenticated with its device key. A start loop that never gives
/// up (capped backoff with jitter — SignalR's own reconnect stops after four tries and never retries a failed first
/// start); the server sends its snapshot on every (re)connect, so the agent's state is rebuilt each time.
/// Compiled into the agents only (not into Hall.Server).
/// </summary>
public sealed class AgentLink(Uri server, string deviceKey, ILogger log)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);
    private HubConnection? _connection;

    public LinkState State { get; private set; } = LinkState.Connecting;

    public async Task<T> InvokeAsync<T>(string method, object? argument, CancellationToken ct)
    {
        if (_connection is not { State: HubConnectionState.Connected } c)
        {
            throw new LinkDownException();
        }
        return argument is null ? await c.InvokeAsync<T>(method, ct) : await c.InvokeAsync<T>(method, argument, ct);
    }

    public async Task InvokeAsync(string method, object argument, CancellationToken ct)
    {
        if (_connection is not { State: HubConnectionState.Connected } c)
        {
            throw new LinkDownException();
        }
        await c.InvokeAsync(method, argument, ct);
    }

    /// <param name="handlers">Registers the server's events on each new connection.</param>
    /// <param name="connected">Runs after each successful start, before the link counts as online.</param>
    public async Task RunAsync(Action<HubConnection> handlers, Func<CancellationToken, Task> connected, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(server, "/hubs/hall"), h => h.AccessTokenProvider = () => Task.FromResult<string?>(deviceKey))
                .Build();
            handlers(connection);
            connection.Closed += _ =>
            {
                closed.TrySetResult();
                return Task.CompletedTask;
            };
            try
            {
                await connection.StartAsync(stoppingToken);
                _connection = connection;
                await connected(stoppingToken);
                State = LinkState.Online;
                failures = 0;
                log.LogInformation("Connected to {Server}", server);
                await closed.Task.WaitAsync(stoppingToken);
                log.LogWarning("Connection to {Server} lost", server);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                log.LogWarning("Cannot reach {Server}: {Error}", server, ex.Message);
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
