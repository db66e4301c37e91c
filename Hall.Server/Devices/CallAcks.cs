using System.Threading.Channels;
using Hall.Server.Data;
using Hall.Server.Queue;
using Npgsql;

namespace Hall.Server.Devices;

/// <summary>
/// The displays' acknowledgements of calls, written by group commit: while one statement is writing, the acknowledgements
/// that arrive wait, and the next statement writes all of them at once. With 40 displays acknowledging every call at
/// the same moment this is one statement and one connection instead of 40. No timer: a lone acknowledgement is written
/// at once (as before), and the batches grow only as the database falls behind. An acknowledgement is answered only
/// after the statement that holds it has committed, and a statement that fails fails every acknowledgement in it with
/// its error (the hub turns a database away into <c>unavailable</c>). Each server batches its own.
/// </summary>
public sealed class CallAcks(DatabaseHost database, ILogger<CallAcks> log) : IHostedService, IDisposable
{
    /// <summary>At most this many acknowledgements in one statement (40 displays × a burst of calls fits many times over).</summary>
    public const int MaxBatch = 1000;

    private const int Attempts = 3;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abandon = new();
    private Task _writer = Task.CompletedTask;

    private sealed record Pending(int DeviceId, int HallId, long CallId, DateTimeOffset At)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Records that <paramref name="display"/> has acknowledged call <paramref name="callId"/>, returning once it is committed.
    /// An unknown id, a call of another hall or an id acknowledged before changes nothing and is answered the same.
    /// </summary>
    public Task AckAsync(Actor display, long callId, DateTimeOffset now, CancellationToken ct)
    {
        var pending = new Pending(display.Id, display.HallId, callId, now);
        if (!_queue.Writer.TryWrite(pending))
        {
            // The server is stopping: written alone, as a single acknowledgement was before.
            return WriteAsync([pending], ct);
        }
        return pending.Done.Task.WaitAsync(ct);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Writes what is waiting, then stops; when the host will not wait that long, the statement is abandoned and its waiters fail.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _abandon.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // A host that gave up waiting may dispose its services before this runs (seen on a loaded test run):
                // the writer's statement then ends with its connection.
            }
            await _writer;
        }
    }

    public void Dispose() => _abandon.Dispose();

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            try
            {
                await WriteAsync(batch, _abandon.Token);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                log.LogDebug(ex, "{Count} call acknowledgements not recorded", batch.Count);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }
        }
    }

    /// <summary>
    /// One statement for the whole batch: each (display, call) pair is kept only when the call is a call or recall of
    /// the display's own hall; pairs already recorded (or twice in the batch) are skipped. In key order, so two servers'
    /// statements lock the same keys in the same order.
    /// </summary>
    private async Task WriteAsync(IReadOnlyList<Pending> batch, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var conn = new NpgsqlConnection(database.ConnectionString);
                await conn.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand("""
                    INSERT INTO display_call_acks (device_id, call_id, at)
                    SELECT DISTINCT ON (a.device_id, e.id) a.device_id, e.id, a.at
                    FROM unnest($1::int[], $2::int[], $3::bigint[], $4::timestamptz[]) AS a(device_id, hall_id, call_id, at)
                    JOIN ticket_events e ON e.id = a.call_id AND e.hall_id = a.hall_id AND e.kind IN ('Called', 'Recalled')
                    ORDER BY a.device_id, e.id, a.at
                    ON CONFLICT DO NOTHING
                    """, conn);
                cmd.Parameters.Add(new NpgsqlParameter { Value = batch.Select(p => p.DeviceId).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter { Value = batch.Select(p => p.HallId).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter { Value = batch.Select(p => p.CallId).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter { Value = batch.Select(p => p.At).ToArray() });
                await cmd.ExecuteNonQueryAsync(ct);
                return;
            }
            // Deadlock or serialization failure (another server's batch holding the same keys): the statement did nothing; again.
            catch (PostgresException pg) when (pg.SqlState is "40P01" or "40001" && attempt < Attempts)
            {
            }
        }
    }
}
