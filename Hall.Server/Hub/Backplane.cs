using System.Collections.Concurrent;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Devices;
using Hall.Server.Queue;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Hall.Server.Hub;

/// <summary>The hub connections of this server instance, with who is on each.</summary>
public sealed class LocalClients
{
    private readonly ConcurrentDictionary<string, Actor> _connections = new();

    public void Add(string connectionId, Actor actor) => _connections[connectionId] = actor;

    public void Remove(string connectionId) => _connections.TryRemove(connectionId, out _);

    public IReadOnlyList<(string ConnectionId, Actor Actor)> All => [.. _connections.Select(kv => (kv.Key, kv.Value))];
}

/// <summary>
/// Several server instances share hub messages through Redis (<c>ConnectionStrings:Redis</c>). While Redis is away the
/// queue keeps working — commands commit in PostgreSQL — but hub messages do not travel (not even to this server's own
/// clients, as the backplane routes every group message through Redis). When Redis is back, each server sends its own
/// clients the hall's state again and every display the calls it has not acknowledged (de-duplicated by call id), so
/// nothing is lost or announced twice.
/// </summary>
public static class Backplane
{
    public static ISignalRServerBuilder AddRedisBackplane(this ISignalRServerBuilder signalR, string configuration)
    {
        signalR.AddStackExchangeRedis(configuration, o =>
        {
            o.Configuration.ChannelPrefix = RedisChannel.Literal("hall");
            // While Redis is away a send fails at once instead of holding the command's reply for the backlog timeout.
            o.Configuration.BacklogPolicy = BacklogPolicy.FailFast;
        });
        signalR.Services.AddOptions<RedisOptions>().Configure<IServiceProvider>((o, services) => o.ConnectionFactory = async writer =>
        {
            var log = services.GetRequiredService<ILogger<BackplaneResync>>();
            var redis = await ConnectionMultiplexer.ConnectAsync(o.Configuration, writer);
            var resync = services.GetRequiredService<BackplaneResync>();
            // The subscription carries what other servers send; once it is back the clients can be brought up to date.
            redis.ConnectionFailed += (_, e) => resync.Lost(e.FailureType.ToString());
            redis.ConnectionRestored += (_, e) =>
            {
                if (e.ConnectionType == ConnectionType.Subscription)
                {
                    _ = resync.RestoredAsync();
                }
            };
            log.LogInformation("Hub messages go through Redis at {Endpoints}", string.Join(", ", redis.GetEndPoints().Select(e => e.ToString())));
            return redis;
        });
        signalR.Services.AddSingleton<BackplaneResync>();
        return signalR;
    }
}

/// <summary>Sends this server's clients what they missed while Redis was away.</summary>
public sealed class BackplaneResync(LocalClients clients, IHubContext<HallHub, IHallClient> hub, IDbContextFactory<HallDb> dbFactory, TimeProvider clock, ILogger<BackplaneResync> log) : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);
    private static readonly TimeSpan RoundsApart = TimeSpan.FromSeconds(5);
    private long _lostAt;
    private long _resyncedAt = long.MinValue / 2;

    public void Dispose() => _one.Dispose();

    public void Lost(string why)
    {
        if (Interlocked.CompareExchange(ref _lostAt, Environment.TickCount64, 0) == 0)
        {
            log.LogWarning("Redis lost ({Why}): hub messages wait until it is back; commands still commit", why);
        }
    }

    public async Task RestoredAsync()
    {
        var lostAt = Interlocked.Exchange(ref _lostAt, 0);
        // Let the backplane subscribe again before sending through it.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await _one.WaitAsync();
        try
        {
            // The restore is reported more than once (events come on the thread pool, in no guaranteed order, the loss
            // sometimes after the restore). One round per loss: a second one right after would send again the calls
            // whose acknowledgements of the first are still on their way.
            if (lostAt == 0 && Environment.TickCount64 - _resyncedAt < RoundsApart.TotalMilliseconds)
            {
                return;
            }
            await using var db = await dbFactory.CreateDbContextAsync();
            var now = clock.GetUtcNow();
            var snapshots = new Dictionary<int, HallSnapshot>();
            var connections = clients.All;
            foreach (var (id, actor) in connections)
            {
                if (!snapshots.TryGetValue(actor.HallId, out var snapshot))
                {
                    snapshot = snapshots[actor.HallId] = await HallStateReader.SnapshotAsync(db, actor.HallId, now, CancellationToken.None);
                }
                var client = hub.Clients.Client(id);
                await client.Snapshot(snapshot);
                if (actor.DeviceRole == DeviceRole.Display)
                {
                    foreach (var call in await DeviceCalls.PendingAsync(db, actor, now, CancellationToken.None))
                    {
                        await client.Called(call);
                    }
                }
            }
            _resyncedAt = Environment.TickCount64;
            log.LogWarning("Redis back after {Seconds:0.0} s: {Count} clients of this server sent the hall's state again",
                lostAt == 0 ? 0 : (Environment.TickCount64 - lostAt) / 1000.0, connections.Count);
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Clients not re-synced after Redis came back; they catch up on their next reconnect");
        }
        finally
        {
            _one.Release();
        }
    }
}
