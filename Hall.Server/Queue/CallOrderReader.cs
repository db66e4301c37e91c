using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Hall.Server.Queue;

/// <summary>A hall's call order at one moment, with each service's take-up rate: what a waiting ticket is told.</summary>
/// <param name="Version">The sum of the hall's service and window versions it was read at: it grows with every change of a queue or a window.</param>
public sealed record HallQueue(long Version, IReadOnlyDictionary<long, QueuePosition> Positions, IReadOnlyDictionary<int, QueueRate> Rates)
{
    /// <summary>The people ahead of a waiting ticket and its estimate (null: no open window can take it); null when it is not in today's queue.</summary>
    public (int PeopleAhead, int? EstimatedWaitMinutes)? Wait(long ticketId, int serviceId) =>
        Positions.TryGetValue(ticketId, out var position) && Rates.TryGetValue(serviceId, out var rate)
            ? (position.CallsBefore, TicketRules.EstimateWaitMinutes(position, rate))
            : null;
}

/// <summary>
/// Reads what <see cref="TicketRules.CallOrder"/> plays forward: the open windows (their services in order, interleave counter and
/// current ticket) and today's waiting tickets, of a whole hall or of the part of it that one service's tickets are called in.
/// </summary>
public static class CallOrderReader
{
    private const string TicketColumns = "t.id, t.service_id, t.state, t.business_date, t.queued_at, t.priority, t.transferred, t.target_window_id, t.window_id, t.call_count, t.booked_for";

    // The part of the hall a ticket of service $2 is called in: the open windows that serve it, the other services they serve,
    // the open windows that serve those (they take tickets the first ones would otherwise call), and so on.
    private const string Reach = """
        WITH RECURSIVE open_ws AS (
            SELECT ws.window_id, ws.service_id
            FROM window_services ws
            JOIN windows w ON w.id = ws.window_id AND w.hall_id = $1 AND w.active
            JOIN window_sessions ss ON ss.window_id = ws.window_id AND ss.closed_at IS NULL AND ss.status = 'Open'),
        reach (service_id) AS (
            SELECT $2
            UNION
            SELECT b.service_id FROM reach r JOIN open_ws a ON a.service_id = r.service_id JOIN open_ws b ON b.window_id = a.window_id),
        reach_windows AS (
            SELECT DISTINCT o.window_id FROM open_ws o JOIN reach r ON r.service_id = o.service_id)
        """;

    private const string OpenWindows = $"""
        SELECT w.id, ss.staff_id, w.normals_since_priority,
               coalesce((SELECT array_agg(ws.service_id ORDER BY ws.rank) FROM window_services ws WHERE ws.window_id = w.id), ARRAY[]::int[]),
               {TicketColumns}
        FROM windows w
        JOIN window_sessions ss ON ss.window_id = w.id AND ss.closed_at IS NULL AND ss.status = 'Open'
        LEFT JOIN tickets t ON t.window_id = w.id AND t.state IN ('Called', 'Serving')
        WHERE w.hall_id = $1 AND w.active
        """;

    /// <summary>The open windows a ticket of the service can be called at, and those competing with them for tickets.</summary>
    public static NpgsqlBatchCommand WindowsCommand(int hallId, int serviceId) =>
        Command($"{Reach}\n{OpenWindows} AND w.id IN (SELECT window_id FROM reach_windows)", hallId, serviceId);

    /// <summary>
    /// Today's waiting tickets those windows can take: the tickets of their services (by the service index), and tickets of other
    /// services sent to one of them (looked for only when a window is open).
    /// </summary>
    public static NpgsqlBatchCommand WaitingCommand(int hallId, int serviceId, DateOnly today) =>
        Command(
            $"""
            {Reach}
            SELECT {TicketColumns} FROM tickets t
            WHERE t.service_id = ANY (ARRAY(SELECT service_id FROM reach)) AND t.business_date = $3 AND t.state = 'Waiting'
            UNION ALL
            SELECT {TicketColumns} FROM tickets t
            WHERE EXISTS (SELECT 1 FROM reach_windows) AND t.hall_id = $1 AND t.business_date = $3 AND t.state = 'Waiting'
              AND t.target_window_id IN (SELECT window_id FROM reach_windows) AND t.service_id <> ALL (ARRAY(SELECT service_id FROM reach))
            """,
            hallId, serviceId, today);

    public static async Task<List<WindowFacts>> ReadWindowsAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var result = new List<WindowFacts>();
        while (await reader.ReadAsync(ct))
        {
            result.Add(new WindowFacts(
                reader.GetInt32(0), WindowStatus.Open, reader.GetInt32(1), reader.GetFieldValue<int[]>(3), reader.GetInt32(2),
                reader.IsDBNull(4) ? null : ReadTicket(reader, 4)));
        }
        return result;
    }

    public static async Task<List<TicketFacts>> ReadWaitingAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var result = new List<TicketFacts>();
        while (await reader.ReadAsync(ct))
        {
            result.Add(ReadTicket(reader, 0));
        }
        return result;
    }

    private static TicketFacts ReadTicket(NpgsqlDataReader r, int at) => new(
        r.GetInt64(at),
        r.GetInt32(at + 1),
        Enum.Parse<TicketState>(r.GetString(at + 2)),
        r.GetFieldValue<DateOnly>(at + 3),
        r.GetFieldValue<DateTimeOffset>(at + 4),
        Enum.Parse<PriorityClass>(r.GetString(at + 5)),
        r.GetBoolean(at + 6),
        r.IsDBNull(at + 7) ? null : r.GetInt32(at + 7),
        r.IsDBNull(at + 8) ? null : r.GetInt32(at + 8),
        r.GetInt32(at + 9),
        r.IsDBNull(at + 10) ? null : r.GetFieldValue<DateTimeOffset>(at + 10));

    /// <summary>The sum of the hall's service and window versions: every command that changes a queue or a window raises one of them.</summary>
    public static NpgsqlBatchCommand VersionCommand(int hallId) => Command(
        "SELECT (SELECT coalesce(sum(queue_version), 0) FROM services WHERE hall_id = $1)::bigint + (SELECT coalesce(sum(state_version), 0) FROM windows WHERE hall_id = $1)::bigint",
        hallId);

    /// <summary>The whole hall's call order and rates, read in one repeatable-read snapshot so its parts agree.</summary>
    public static async Task<HallQueue> HallQueueAsync(HallDb db, HallSite hall, DateTimeOffset now, CancellationToken ct)
    {
        var today = HallClock.BusinessDate(now, hall.Zone);
        await using var tx = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)tx.GetDbTransaction());
        batch.BatchCommands.Add(VersionCommand(hall.Id));
        batch.BatchCommands.Add(Command(OpenWindows, hall.Id));
        batch.BatchCommands.Add(Command($"SELECT {TicketColumns} FROM tickets t WHERE t.hall_id = $1 AND t.business_date = $2 AND t.state = 'Waiting'", hall.Id, today: today));
        batch.BatchCommands.Add(HallStateReader.ServiceStatesCommand(hall, null, now));
        long version;
        List<WindowFacts> windows;
        List<TicketFacts> waiting;
        List<ServiceStateRow> services;
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            version = reader.GetInt64(0);
            await reader.NextResultAsync(ct);
            windows = await ReadWindowsAsync(reader, ct);
            await reader.NextResultAsync(ct);
            waiting = await ReadWaitingAsync(reader, ct);
            await reader.NextResultAsync(ct);
            services = await HallStateReader.ReadServiceRowsAsync(reader, ct);
        }
        await tx.CommitAsync(ct);
        return new HallQueue(version, TicketRules.CallOrder(windows, waiting, hall.Policy, today, now), services.ToDictionary(s => s.Id, s => s.Rate));
    }

    private static NpgsqlBatchCommand Command(string sql, int hallId, int? serviceId = null, DateOnly? today = null)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = hallId });
        if (serviceId is { } id)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Integer });
        }
        if (today is { } date)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = date });
        }
        return command;
    }
}
