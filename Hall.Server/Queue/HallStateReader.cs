using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Hall.Server.Queue;

/// <summary>Reads the state messages and snapshots clients receive. Used inside a command's transaction (under its locks) and for snapshots.</summary>
public static class HallStateReader
{
    public const int RecentCallCount = 10;

    public static async Task<List<ServiceStateMessage>> ServicesAsync(HallDb db, HallSite hall, IReadOnlyCollection<int>? onlyIds, DateTimeOffset now, CancellationToken ct) =>
        [.. (await ServiceStatesAsync(db, hall, onlyIds, now, ct)).Select(s => s.State)];

    /// <summary>The services' state messages with the take-up rate each estimate came from, in one statement.</summary>
    public static async Task<List<(ServiceStateMessage State, QueueRate Rate)>> ServiceStatesAsync(HallDb db, HallSite hall, IReadOnlyCollection<int>? onlyIds, DateTimeOffset now, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
            batch.BatchCommands.Add(ServiceStatesCommand(hall, onlyIds, now));
            await using var reader = await batch.ExecuteReaderAsync(ct);
            return await ReadServiceStatesAsync(reader, hall, now, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The statement behind <see cref="ServiceStatesAsync"/>, for a command to send in the same round trip as its writes.</summary>
    public static NpgsqlBatchCommand ServiceStatesCommand(HallSite hall, IReadOnlyCollection<int>? onlyIds, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand("""
            SELECT s.id, s.code, s.name, s.prefix, s.daily_cap, s.hours::text, s.default_handling_minutes, s.queue_version,
                   (SELECT count(*) FROM tickets t WHERE t.service_id = s.id AND t.business_date = $2 AND t.state = 'Waiting')::int,
                   (SELECT count(*) FROM tickets t WHERE t.service_id = s.id AND t.business_date = $2 AND t.started_at >= $3)::int,
                   coalesce((SELECT n.last_number FROM number_counters n WHERE n.service_id = s.id AND n.business_date = $2), 0),
                   (SELECT count(*) FROM window_services ws JOIN window_sessions ss ON ss.window_id = ws.window_id
                     WHERE ws.service_id = s.id AND ss.closed_at IS NULL AND ss.status = 'Open')::int,
                   s.accepts_priority, s.name_en
            FROM services s
            WHERE s.hall_id = $1 AND s.active AND ($4 OR s.id = ANY($5))
            ORDER BY s.sort_order, s.prefix
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = hall.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = HallClock.BusinessDate(now, hall.Zone) });
        command.Parameters.Add(new NpgsqlParameter { Value = now.AddHours(-1) });
        command.Parameters.Add(new NpgsqlParameter { Value = onlyIds is null });
        command.Parameters.Add(new NpgsqlParameter { Value = onlyIds?.ToArray() ?? [] });
        return command;
    }

    /// <summary>Reads the rows of <see cref="ServiceStatesCommand"/> from the reader's current result.</summary>
    public static async Task<List<(ServiceStateMessage State, QueueRate Rate)>> ReadServiceStatesAsync(NpgsqlDataReader reader, HallSite hall, DateTimeOffset now, CancellationToken ct)
    {
        var calendar = hall.ToCalendar();
        return [.. (await ReadServiceRowsAsync(reader, ct)).Select(row => (row.ToMessage(calendar, now), row.Rate))];
    }

    /// <summary>The rows of <see cref="ServiceStatesCommand"/> as read, so a command can state a service after its own write.</summary>
    public static async Task<List<ServiceStateRow>> ReadServiceRowsAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var result = new List<ServiceStateRow>();
        while (await reader.ReadAsync(ct))
        {
            result.Add(new ServiceStateRow(
                reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)[0], reader.GetInt32(4),
                reader.IsDBNull(5) ? null : System.Text.Json.JsonSerializer.Deserialize<WeeklyHours?>(reader.GetString(5)),
                reader.GetInt32(8), new QueueRate(reader.GetInt32(9), reader.GetInt32(11), reader.GetInt32(6)), reader.GetInt32(10), reader.GetInt64(7), reader.GetBoolean(12),
                reader.IsDBNull(13) ? null : reader.GetString(13)));
        }
        return result;
    }

    public static async Task<List<WindowStateMessage>> WindowsAsync(HallDb db, int hallId, IReadOnlyCollection<int>? onlyIds, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
            batch.BatchCommands.Add(WindowStatesCommand(hallId, onlyIds));
            await using var reader = await batch.ExecuteReaderAsync(ct);
            return await ReadWindowStatesAsync(reader, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The windows with their session, clerk and current ticket, in one statement.</summary>
    public static NpgsqlBatchCommand WindowStatesCommand(int hallId, IReadOnlyCollection<int>? onlyIds)
    {
        var command = new NpgsqlBatchCommand("""
            SELECT w.id, w.number, w.name, coalesce(s.status, 'Closed'), s.pause_reason, st.name, t.id, t.number, t.state, w.state_version, w.led_address,
                   ARRAY(SELECT ws.service_id FROM window_services ws WHERE ws.window_id = w.id ORDER BY ws.rank)
            FROM windows w
            LEFT JOIN window_sessions s ON s.window_id = w.id AND s.closed_at IS NULL
            LEFT JOIN staff st ON st.id = s.staff_id
            LEFT JOIN tickets t ON t.window_id = w.id AND t.state IN ('Called', 'Serving')
            WHERE w.hall_id = $1 AND w.active AND ($2 OR w.id = ANY($3))
            ORDER BY w.number
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = hallId });
        command.Parameters.Add(new NpgsqlParameter { Value = onlyIds is null });
        command.Parameters.Add(new NpgsqlParameter { Value = onlyIds?.ToArray() ?? [] });
        return command;
    }

    public static async Task<List<WindowStateMessage>> ReadWindowStatesAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var result = new List<WindowStateMessage>();
        while (await reader.ReadAsync(ct))
        {
            result.Add(new WindowStateMessage(
                reader.GetInt32(0),
                reader.GetInt32(1),
                reader.GetString(2),
                Enum.Parse<WindowStatus>(reader.GetString(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetInt64(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : Enum.Parse<TicketState>(reader.GetString(8)),
                reader.GetInt64(9),
                reader.IsDBNull(10) ? null : reader.GetInt32(10),
                reader.GetFieldValue<int[]>(11)));
        }
        return result;
    }

    public static async Task<List<CallMessage>> CallsAsync(HallDb db, int hallId, DateTimeOffset since, long afterId, int take, CancellationToken ct)
    {
        var rows = await (
            from e in db.TicketEvents.AsNoTracking()
            where e.HallId == hallId && e.At >= since && e.Id > afterId && (e.Kind == TicketEventKind.Called || e.Kind == TicketEventKind.Recalled)
            join t in db.Tickets on e.TicketId equals t.Id
            join w in db.Windows on e.WindowId equals w.Id
            join s in db.Services on e.ServiceId equals s.Id
            orderby e.Id descending
            select new CallMessage(e.Id, t.Id, t.Number, w.Id, w.Number, w.Name, s.Name, e.Kind == TicketEventKind.Recalled, e.At))
            .Take(take).ToListAsync(ct);
        rows.Reverse();
        return rows;
    }

    /// <summary>The full state of a hall, read in one repeatable-read snapshot so its parts agree.</summary>
    public static async Task<HallSnapshot> SnapshotAsync(HallDb db, int hallId, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var hall = await db.Halls.AsNoTracking().Include(h => h.Calendar).FirstAsync(h => h.Id == hallId, ct);
        var services = await ServicesAsync(db, hall, null, now, ct);
        var windows = await WindowsAsync(db, hallId, null, ct);
        var startOfDay = StartOfBusinessDay(hall, now);
        var calls = await CallsAsync(db, hallId, startOfDay, 0, RecentCallCount, ct);
        var version = Math.Max(services.Select(s => s.Version).DefaultIfEmpty().Max(), windows.Select(w => w.Version).DefaultIfEmpty().Max());
        await tx.CommitAsync(ct);
        return new HallSnapshot(hall.Id, hall.Name, HallClock.BusinessDate(now, hall.Zone), services, windows, calls, version, hall.NoticeLine);
    }

    public static DateTimeOffset StartOfBusinessDay(HallSite hall, DateTimeOffset now)
    {
        var zone = hall.Zone;
        var local = HallClock.BusinessDate(now, zone).ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}

/// <summary>A service's queue as read from the database: what its state message is worked out from.</summary>
public sealed record ServiceStateRow(int Id, string Code, string Name, char Prefix, int DailyCap, WeeklyHours? Hours, int Waiting, QueueRate Rate, int LastNumber, long Version, bool AcceptsPriority, string? NameEn = null)
{
    public ServiceStateMessage ToMessage(HallCalendar calendar, DateTimeOffset now) => new(
        Id, Code, Name, Prefix, Waiting, TicketRules.EstimateWaitMinutes(Waiting, Rate),
        HallClock.CheckOpen(now, calendar.Zone, calendar.Hours, Hours, calendar.Days) is null,
        LastNumber >= Math.Min(DailyCap, 999),
        Version,
        AcceptsPriority,
        string.IsNullOrWhiteSpace(NameEn) ? null : NameEn);
}
