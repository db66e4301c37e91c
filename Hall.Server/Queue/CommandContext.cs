using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Tickets;
using Hall.Server.Windows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Hall.Server.Queue;

/// <summary>A window locked for the rest of the transaction, with its open session and its current ticket.</summary>
internal sealed record LockedWindow(Window Window, WindowSession? Session, Ticket? Current, WindowFacts Facts);

/// <summary>The state messages a committed command sends.</summary>
public sealed record HallChanges(IReadOnlyList<ServiceStateMessage> Services, IReadOnlyList<WindowStateMessage> Windows, IReadOnlyList<CallMessage> Calls)
{
    /// <summary>Anything in the hall may have changed (a change too large to carry between servers): read everything again.</summary>
    public bool All { get; init; }

    public bool IsEmpty => !All && Services.Count == 0 && Windows.Count == 0 && Calls.Count == 0;

    public static readonly HallChanges Everything = new([], [], []) { All = true };
}

/// <summary>The command id was already taken by a committed command: reply with its result.</summary>
internal sealed class AlreadyClaimedException : Exception
{
}

/// <summary>One command's transaction: the locks it holds, the events it writes and the entities it changed.</summary>
internal sealed class CommandContext(HallDb db, HallSite hall, Actor actor, Guid commandId, DateTimeOffset now, CancellationToken ct)
{
    private readonly Dictionary<int, Service> _lockedServices = [];
    private readonly HashSet<int> _touchedWindows = [];
    private readonly Dictionary<int, WindowStateMessage> _windowStates = [];
    private readonly Dictionary<int, ServiceStateMessage> _serviceStates = [];
    private long _lastVersion;

    public HallDb Db => db;

    /// <summary>What the command id is recorded with: the method and a hash of the arguments.</summary>
    public required (string Kind, byte[] PayloadHash) Claim { get; init; }

    /// <summary>
    /// Records the command id first thing in the transaction. A second command with this id waits on it until the first
    /// commits, then finds the row taken: its reply is the first one's. Returns one row when this command took the id.
    /// </summary>
    public NpgsqlBatchCommand ClaimStatement() => Statement(
        "INSERT INTO commands (command_id, hall_id, kind, actor, payload_hash, at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (command_id) DO NOTHING RETURNING 1",
        commandId, actor.HallId, Claim.Kind, actor.ToString(), Claim.PayloadHash, now);

    /// <summary>Reads the result of <see cref="ClaimStatement"/> and moves to the next one; throws when the id was already taken.</summary>
    public static async Task ReadClaimAsync(NpgsqlDataReader reader, CancellationToken token)
    {
        var claimed = await reader.ReadAsync(token);
        await reader.NextResultAsync(token);
        if (!claimed)
        {
            throw new AlreadyClaimedException();
        }
    }

    public async Task ClaimAsync()
    {
        await using var batch = Batch();
        batch.BatchCommands.Add(ClaimStatement());
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw new AlreadyClaimedException();
        }
    }
    public HallSite Hall => hall;
    public Actor Actor => actor;
    public DateTimeOffset Now => now;
    public DateOnly Today { get; } = HallClock.BusinessDate(now, hall.Zone);
    public List<CallMessage> Calls { get; } = [];

    /// <summary>The command's connection and transaction, for statements sent together in one round trip.</summary>
    public NpgsqlBatch Batch() => new((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());

    public static NpgsqlBatchCommand Statement(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
        return command;
    }

    /// <summary>A service locked by a statement of the command's own (FOR NO KEY UPDATE), counted as locked here.</summary>
    public void Locked(Service service) => _lockedServices[service.Id] = service;

    /// <summary>An event row written by a statement of the command's own: its id is a version of this command.</summary>
    public void Logged(long eventId) => _lastVersion = Math.Max(_lastVersion, eventId);

    /// <summary>A service's state the command already read under its lock, after its last write to that service.</summary>
    public void ServiceStateRead(ServiceStateMessage state) => _serviceStates[state.ServiceId] = state;

    /// <summary>Locks services in id order. Every change to a service's waiting set holds its lock, so its versions follow commit order.</summary>
    public async Task<List<Service>> LockServicesAsync(IEnumerable<int> ids)
    {
        var wanted = ids.Where(id => !_lockedServices.ContainsKey(id)).Distinct().Order().ToArray();
        foreach (var id in wanted)
        {
            var service = await db.Services.FromSql($"SELECT * FROM services WHERE id = {id} FOR NO KEY UPDATE").FirstOrDefaultAsync(ct);
            if (service is not null)
            {
                _lockedServices[id] = service;
            }
        }
        return [.. ids.Distinct().Where(_lockedServices.ContainsKey).Select(id => _lockedServices[id])];
    }

    /// <summary>Locks a window of the caller's hall and reads its session and current ticket. A clerk must hold the window; supervisors may act on any.</summary>
    public async Task<(LockedWindow? Window, Refusal? Refusal)> LockWindowAsync(int windowId, bool operatorRequired)
    {
        var window = await db.Windows.FromSql($"SELECT * FROM windows WHERE id = {windowId} FOR NO KEY UPDATE").FirstOrDefaultAsync(ct);
        if (window is null || !window.Active)
        {
            return (null, Refusal.UnknownWindow);
        }
        if (window.HallId != actor.HallId)
        {
            return (null, Refusal.WrongHall);
        }
        var serviceIds = await db.WindowServices.Where(s => s.WindowId == window.Id).OrderBy(s => s.Rank).Select(s => s.ServiceId).ToListAsync(ct);
        var session = await db.WindowSessions.FirstOrDefaultAsync(s => s.WindowId == window.Id && s.ClosedAt == null, ct);
        var current = await db.Tickets.FromSql($"SELECT *, xmin FROM tickets WHERE window_id = {window.Id} AND state IN ('Called', 'Serving') FOR UPDATE").FirstOrDefaultAsync(ct);
        var facts = new WindowFacts(window.Id, session?.Status ?? WindowStatus.Closed, session?.StaffId, serviceIds, window.NormalsSincePriority, current?.ToFacts());
        if (operatorRequired && !actor.IsSupervisor && WindowRules.CheckOperator(facts, actor.StaffId ?? -1) is { } notYours)
        {
            return (null, notYours);
        }
        return (new LockedWindow(window, session, current, facts), null);
    }

    public async Task<(Ticket? Ticket, Refusal? Refusal)> LockTicketAsync(long ticketId)
    {
        var ticket = await db.Tickets.FromSql($"SELECT *, xmin FROM tickets WHERE id = {ticketId} FOR UPDATE").FirstOrDefaultAsync(ct);
        if (ticket is null)
        {
            return (null, Refusal.UnknownTicket);
        }
        return ticket.HallId != actor.HallId ? (null, Refusal.WrongHall) : (ticket, null);
    }

    public async Task<(LockedWindow? Window, Ticket? Ticket, Refusal? Refusal)> LockWindowAndTicketAsync(int windowId, long ticketId)
    {
        var (w, refusal) = await LockWindowAsync(windowId, operatorRequired: true);
        if (w is null)
        {
            return (null, null, refusal);
        }
        if (w.Current?.Id == ticketId)
        {
            return (w, w.Current, null);
        }
        var (ticket, notFound) = await LockTicketAsync(ticketId);
        return (w, ticket, notFound);
    }

    /// <summary>Appends to the ticket event log; the new row's id is the version of this change.</summary>
    public async Task<long> LogAsync(Ticket ticket, TicketEventKind kind, TicketState? from, int? windowId, string? detail, CancellationToken token)
    {
        var entry = TicketEvent.Of(ticket, kind, from, windowId, actor, detail, now, commandId);
        db.TicketEvents.Add(entry);
        await db.SaveChangesAsync(token);
        _lastVersion = Math.Max(_lastVersion, entry.Id);
        return entry.Id;
    }

    public async Task LogWindowAsync(Window window, WindowSession session, WindowEventKind kind, string? reason, CancellationToken token)
    {
        var entry = WindowEvent.Of(window, session, kind, reason, now, commandId);
        db.WindowEvents.Add(entry);
        await db.SaveChangesAsync(token);
        _lastVersion = Math.Max(_lastVersion, entry.Id);
    }

    public void TouchWindow(Window window) => _touchedWindows.Add(window.Id);

    /// <summary>A window changed by statements of the command's own, with its state already read under its lock.</summary>
    public void WindowStateRead(WindowStateMessage state)
    {
        _touchedWindows.Add(state.WindowId);
        _windowStates[state.WindowId] = state;
    }

    /// <summary>
    /// Reads the new state of the changed services and windows, still under their locks, stamped with this command's version;
    /// then writes those versions and the command's result in one batch.
    /// </summary>
    public async Task<HallChanges> StateChangesAsync(Func<HallChanges, string> result)
    {
        var unread = _lockedServices.Keys.Where(id => !_serviceStates.ContainsKey(id)).ToList();
        var services = unread.Count == 0 ? [] : await HallStateReader.ServicesAsync(db, hall, unread, now, ct);
        services.AddRange(_serviceStates.Values);
        var unreadWindows = _touchedWindows.Where(id => !_windowStates.ContainsKey(id)).ToList();
        var windows = unreadWindows.Count == 0 ? [] : await HallStateReader.WindowsAsync(db, hall.Id, unreadWindows, ct);
        windows.AddRange(_windowStates.Values);
        var changes = new HallChanges(
            [.. services.Select(s => s with { Version = _lastVersion })],
            [.. windows.Select(w => w with { Version = _lastVersion })],
            Calls);
        var serviceIds = _lockedServices.Keys.ToArray();
        var windowIds = _touchedWindows.ToArray();
        var json = result(changes);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE services SET queue_version = {_lastVersion} WHERE id = ANY({serviceIds});
            UPDATE windows SET state_version = {_lastVersion} WHERE id = ANY({windowIds});
            UPDATE commands SET result = {json}::jsonb WHERE command_id = {commandId};
            """, ct);
        return changes;
    }
}
