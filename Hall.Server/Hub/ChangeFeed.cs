using System.Text.Json;
using Hall.Server.Data;
using Hall.Server.Queue;
using Npgsql;

namespace Hall.Server.Hub;

/// <summary>
/// The staff pages' live updates across server instances: a committed queue change or a change of a hall's alerts is
/// raised here at once for this server's own pages, and sent to the other servers through PostgreSQL's LISTEN/NOTIFY
/// (every instance shares the database; no Redis needed for this). A server that cannot listen (a database without
/// NOTIFY) keeps its own changes only and says so in its log.
/// </summary>
public sealed class ChangeFeed(DatabaseHost database, ILogger<ChangeFeed> log) : BackgroundService
{
    public const string Channel = "hall_changes";

    // NOTIFY payloads are limited to 8000 bytes; a larger change goes out as "something changed in this hall".
    private const int MaxPayload = 7500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Guid _server = Guid.NewGuid();

    /// <summary>A queue change committed by any server: the hall and its state messages (<see cref="HallChanges.All"/> when too large to carry).</summary>
    public event Action<int, HallChanges>? QueueChanged;

    /// <summary>A hall's alerts changed (raised, cleared or acknowledged) on any server.</summary>
    public event Action<int>? AlertsChanged;

    /// <summary>Another server ended a session or a device key: check the connections here now.</summary>
    public event Action? CredentialsEnded;

    public void PublishCredentialsEnded() => Send(new Message(_server, "credentials", 0, null));

    private sealed record Message(Guid Server, string Kind, int Hall, HallChanges? Changes);

    public void PublishQueue(int hallId, HallChanges changes)
    {
        QueueChanged?.Invoke(hallId, changes);
        Send(new Message(_server, "queue", hallId, changes));
    }

    public void PublishAlerts(int hallId)
    {
        AlertsChanged?.Invoke(hallId);
        Send(new Message(_server, "alerts", hallId, null));
    }

    private void Send(Message message)
    {
        var payload = JsonSerializer.Serialize(message, Json);
        if (payload.Length > MaxPayload)
        {
            payload = JsonSerializer.Serialize(message with { Changes = HallChanges.Everything }, Json);
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await using var conn = new NpgsqlConnection(database.ConnectionString);
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("SELECT pg_notify($1, $2)", conn);
                cmd.Parameters.Add(new() { Value = Channel });
                cmd.Parameters.Add(new() { Value = payload });
                await cmd.ExecuteNonQueryAsync();
            }
            catch (Exception ex)
            {
                // The change is committed; other servers' pages catch up on their next change or reload.
                log.LogDebug(ex, "Change of hall {Hall} not sent to the other servers", message.Hall);
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
                await using var conn = new NpgsqlConnection(database.ConnectionString);
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
                log.LogWarning(ex, "Not listening for other servers' changes; retrying in {Delay}", delay);
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
