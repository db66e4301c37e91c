using System.Collections.Concurrent;
using Hall.Server.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hall.Tests.Support;

/// <summary>A hub connection that records what it receives, the way a device would hold it.</summary>
public sealed class HubClient : IAsyncDisposable
{
    public HubConnection Connection { get; }
    public ConcurrentQueue<HallSnapshot> Snapshots { get; } = new();
    public ConcurrentQueue<ServiceStateMessage> ServiceMessages { get; } = new();
    public ConcurrentQueue<WindowStateMessage> WindowMessages { get; } = new();
    public ConcurrentQueue<CallMessage> Calls { get; } = new();

    /// <summary>The queue's state messages and calls in the order they arrived, each with when it arrived.</summary>
    public ConcurrentQueue<(object Message, long At)> Received { get; } = new();

    public HubClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<HallSnapshot>(nameof(IHallClient.Snapshot), s => Snapshots.Enqueue(s));
        connection.On<ServiceStateMessage>(nameof(IHallClient.ServiceChanged), s =>
        {
            Received.Enqueue((s, Environment.TickCount64));
            ServiceMessages.Enqueue(s);
        });
        connection.On<WindowStateMessage>(nameof(IHallClient.WindowChanged), w =>
        {
            Received.Enqueue((w, Environment.TickCount64));
            WindowMessages.Enqueue(w);
        });
        connection.On<CallMessage>(nameof(IHallClient.Called), c =>
        {
            Received.Enqueue((c, Environment.TickCount64));
            Calls.Enqueue(c);
        });
        connection.Closed += ex =>
        {
            ClosedBy = ex;
            return Task.CompletedTask;
        };
    }

    /// <summary>Why the connection closed, if it did with an error.</summary>
    public Exception? ClosedBy { get; private set; }

    /// <summary>
    /// Connects and waits until the server has greeted the connection (device status, snapshot, pending calls): the
    /// server serves a connection's calls only after its greeting, so an answered call means the greeting is done.
    /// </summary>
    public async Task StartAsync()
    {
        await Connection.StartAsync();
        await Connection.InvokeAsync<Whoami>(nameof(IHallHub.Whoami));
    }

    /// <summary>A real SignalR client of <paramref name="server"/> over a real socket, recording everything the server sends.</summary>
    public static async Task<HubClient> ConnectAsync(Uri server, string token)
    {
        var client = new HubClient(new HubConnectionBuilder()
            .WithUrl(new Uri(server, "/hubs/hall"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build());
        await client.StartAsync();
        return client;
    }

    public Task<T> InvokeAsync<T>(string method, object arg) => Connection.InvokeAsync<T>(method, arg);

    /// <summary>Waits until the condition holds on what was received (messages arrive after the reply).</summary>
    public async Task WaitForAsync(Func<HubClient, bool> condition, string what, int timeoutMs = 10_000)
    {
        var until = Environment.TickCount64 + timeoutMs;
        while (!condition(this))
        {
            if (Environment.TickCount64 > until)
            {
                Assert.Fail($"Timed out waiting for: {what}{(ClosedBy is null ? "" : $" (connection closed: {ClosedBy})")}");
            }
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
