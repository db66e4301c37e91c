using System.Text.Json;
using Hall.Server.Data;
using Hall.Server.Queue;
using Npgsql;

namespace Hall.Server.Hub;

/// <summary>
/// The staff pages' live updates across server instances: a committed queue change or a change of a hall's alerts is
/// raised here at once for this server's own pages, and sent to the other servers through PostgreSQL's LISTEN/NOTIFY
/// (every instance shares the database; no Redis needed for this). A server that cannot listen (a database without
/// NOTIFY) keeps its own changes only and says so in its log. A hall's queue changes are coalesced like its hub messages
/// (<see cref="HallNotifier.CoalesceSetting"/>): the first in a quiet interval goes out at once, the rest as one change
/// at the end of the interval carrying the latest states — one NOTIFY per hall per interval, not one per command.
/// </summary>
public sealed class ChangeFeed : BackgroundService
{
    public const string Channel = "hall_changes";

    // NOTIFY payloads are limited to 8000 bytes; a larger change goes out as "something changed in this hall".
    private const int MaxPayload = 7500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Guid _server = Guid.NewGuid();
    private readonly DatabaseHost _database;
    private readonly ILogger<ChangeFeed> _log;
    private readonly Throttle<int, HallChanges> _queue;

    public ChangeFeed(DatabaseHost database, IConfiguration config, ILogger<ChangeFeed> log)
    {
        (_database, _log) = (database, log);
        // A real clock, as for the hub's messages: a held change must go out even when the hall's clock stands still.
        _queue = new(HallNotifier.CoalesceInterval(config), TimeProvider.System, Merge, static (_, _) => false, (hallId, changes) =>
        {
            QueueChanged?.Invoke(hallId, changes);
            Send(new Message(_server, "queue", hallId, changes));
            return Task.CompletedTask;
        });
    }

    /// <summary>A queue change committed by any server: the hall and its state messages (<see cref="HallChanges.All"/> when too large to carry).</summary>
    public event Action<int, HallChanges>? QueueChanged;

    /// <summary>A hall's alerts changed (raised, cleared or acknowledged) on any server.</summary>
    public event Action<int>? AlertsChanged;

    /// <summary>Another server ended a session or a device key: check the connections here now.</summary>
    public event Action? CredentialsEnded;

    public void PublishCredentialsEnded() => Send(new Message(_server, "credentials", 0, null));

    private sealed record Message(Guid Server, string Kind, int Hall, HallChanges? Changes);

    /// <summary>A committed queue change of this server: raised here and sent to the others at once, or with the next ones at the end of the interval.</summary>
    public void PublishQueue(int hallId, HallChanges changes) => _ = _queue.OfferAsync(hallId, changes);

    /// <summary>Two changes of a hall as one: the latest state of each service and window, every call.</summary>
    public static HallChanges Merge(HallChanges earlier, HallChanges later)
    {
        if (earlier.All || later.All)
        {
            return HallChanges.Everything;
        }
        return new HallChanges(
            Latest(earlier.Services.Concat(later.Services), s => s.ServiceId, s => s.Version),
            Latest(earlier.Windows.Concat(later.Windows), w => w.WindowId, w => w.Version),
            [.. earlier.Calls, .. later.Calls]);
    }

    private static List<T> Latest<T>(IEnumerable<T> states, Func<T, int> id, Func<T, long> version) =>
        [.. states.GroupBy(id).Select(g => g.Aggregate((a, b) => version(b) >= version(a) ? b : a))];

    public override void Dispose()
    {
        _queue.Dispose();
        base.Dispose();
    }

    public void PublishAlerts(int hallId)
    {
        AlertsChanged?.Invoke(hallId);
        Send(new Message(_server, "alerts", hallId, null));
    }

    private void Send(Message message)
    {
        var payload = JsonSerializer.Serialize(message, Json);
        if (payload.Length > MaxPayload && message.Changes is { All: false } changes && changes.Calls.Count > 0)
        {
            // The other servers' pages read the states, not the calls: drop those before giving up on the states.
            payload = JsonSerializer.Serialize(message with { Changes = changes with { Calls = [] } }, Json);
        }
        if (payload.Length > MaxPayload)
        {
            payload = JsonSerializer.Serialize(message with { Changes = HallChanges.Everything }, Json);
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await using var conn = new NpgsqlConnection(_database.ConnectionString);
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("SELECT pg_notify($1, $2)", conn);
                cmd.Parameters.Add(new() { Value = Channel });
                cmd.Parameters.Add(new() { Value = payload });
                await cmd.ExecuteNonQueryAsync();
            }
            catch (Exception ex)
            {
                // The change is committed; other servers' pages catch up on their next change or reload.
                _log.LogDebug(ex, "Change of hall {Hall} not sent to the other servers", message.Hall);
            }
        });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(_database.ConnectionString);
                await conn.OpenAsync(stoppingToken);
                conn.Notification += (_, e) => Receive(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                delay = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await conn.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _log.LogWarning(ex, "Not listening for other servers' changes; retrying in {Delay}", delay);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
            }
        }
    }

    private void Receive(string payload)
    {
        Message? message;
        try
        {
            message = JsonSerializer.Deserialize<Message>(payload, Json);
        }
        catch (JsonException)
        {
            return;
        }
        if (message is null || message.Server == _server)
        {
            return;
        }
        if (message.Kind == "alerts")
        {
            AlertsChanged?.Invoke(message.Hall);
        }
        else if (message.Kind == "credentials")
        {
            CredentialsEnded?.Invoke();
        }
        else
        {
            QueueChanged?.Invoke(message.Hall, message.Changes ?? HallChanges.Everything);
        }
    }
}
