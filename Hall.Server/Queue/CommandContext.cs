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
internal sealed record LockedWindow(Window Window, WindowSession? Session, string? StaffName, Ticket? Current, WindowFacts Facts);

/// <summary>A window's open session with its holder's name.</summary>
internal sealed record HeldSession(WindowSession Session, string StaffName);

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

/// <summary>
/// One command's transaction in two round trips. The first (<see cref="ReadAsync"/>) begins it, takes the command id, takes
/// the command's locks and reads what the rules decide on, and draws the ids of the rows it will log; the second
/// (<see cref="CommitAsync"/>) sends the writes, reads the new state of what changed, stores the reply and commits.
/// Rows are written from the entities through the EF model's mapping (<see cref="Rows"/>); nothing is tracked.
/// </summary>
internal sealed class CommandContext(HallDb db, NpgsqlConnection conn, HallSite hall, Actor actor, Guid commandId, DateTimeOffset now, CancellationToken ct)
{
    private readonly List<NpgsqlBatchCommand> _writes = [];
    private readonly List<Func<NpgsqlDataReader, Task>> _writeResults = [];
    private bool _locksAtCommit;
    private long? _serviceVersion;
    private readonly Queue<long> _versions = new();
    private readonly Dictionary<int, string> _serviceNames = [];
    private readonly HashSet<int> _touchedWindows = [];
    private readonly Dictionary<int, WindowStateMessage> _windowStates = [];
    private readonly Dictionary<int, ServiceStateMessage> _serviceStates = [];
    private long _lastVersion;

    public HallDb Db => db;

    public HallSite Hall => hall;

    public Actor Actor => actor;

    public Guid CommandId => commandId;

    public DateTimeOffset Now => now;

    public DateOnly Today { get; } = HallClock.BusinessDate(now, hall.Zone);

    public List<CallMessage> Calls { get; } = [];

    /// <summary>Whether the first round trip began the transaction (a command refused before it has nothing to roll back).</summary>
    public bool Begun { get; private set; }

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

    /// <summary>A batch on the command's connection, inside its transaction.</summary>
    public NpgsqlBatch Batch() => new(conn);

    public static NpgsqlBatchCommand Statement(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
        return command;
    }

    /// <summary>
    /// The first round trip: BEGIN, the command id, the command's own statements (its locks in lock order: window, ticket,
    /// services by id), and <paramref name="versions"/> ids for the events it may log. <paramref name="read"/> reads the
    /// statements' results in order, moving past each (<see cref="NextAsync"/>, <see cref="Rows.ReadAllAsync"/>).
    /// </summary>
    public async Task ReadAsync(int versions, IEnumerable<NpgsqlBatchCommand> statements, Func<NpgsqlDataReader, Task> read)
    {
        await using var batch = Batch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        batch.BatchCommands.Add(ClaimStatement());
        foreach (var statement in statements)
        {
            batch.BatchCommands.Add(statement);
        }
        batch.BatchCommands.Add(Statement($"SELECT nextval('{HallDb.VersionSequence}') FROM generate_series(1, $1)", versions));
        Begun = true;
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await ReadClaimAsync(reader, ct);
        await read(reader);
        while (await reader.ReadAsync(ct))
        {
            _versions.Enqueue(reader.GetInt64(0));
        }
    }

    /// <summary>The first row of the current result (or default), then on to the next result.</summary>
    public async Task<T?> NextAsync<T>(NpgsqlDataReader reader, Func<NpgsqlDataReader, T> row)
    {
        var value = await reader.ReadAsync(ct) ? row(reader) : default;
        while (await reader.ReadAsync(ct))
        {
        }
        await reader.NextResultAsync(ct);
        return value;
    }

    /// <summary>The row at the reader's position as an entity of the model.</summary>
    public T Read<T>(NpgsqlDataReader reader) where T : class => Rows.Read<T>(db.Model, reader);

    public Task<List<T>> ReadAllAsync<T>(NpgsqlDataReader reader) where T : class => Rows.ReadAllAsync<T>(db.Model, reader, ct);

    /// <summary>A statement of the second round trip, sent in the order given; one that returns rows reads them with <paramref name="read"/>.</summary>
    public void Write(NpgsqlBatchCommand statement, Func<NpgsqlDataReader, Task>? read = null)
    {
        _writes.Add(statement);
        if (read is not null)
        {
            _writeResults.Add(read);
        }
    }

    /// <summary>
    /// Locks a service in the second round trip (at that point in it), for a command that learns which service it changes
    /// only from what it read. The services' version is then drawn after the lock, in the same round trip, so that versions
    /// still follow commit order; the lock is held for no round trip at all.
    /// </summary>
    public void LockAtCommit(int serviceId, string name)
    {
        Write(Statement("SELECT id FROM services WHERE id = $1 FOR NO KEY UPDATE", serviceId), _ => Task.CompletedTask);
        Write(Statement($"SELECT nextval('{HallDb.VersionSequence}')"), async reader =>
        {
            await reader.ReadAsync(ct);
            _serviceVersion = reader.GetInt64(0);
        });
        _locksAtCommit = true;
        Locked(serviceId, name);
    }

    /// <summary>
    /// Fails the second round trip, before anything of it is committed, unless the ticket is still in the state the command
    /// decided on; the command then runs again from the start (the ticket was not locked when read, e.g. a waiting ticket).
    /// </summary>
    /// <param name="skipLocked">Fail at once, rather than wait, when another transaction holds the ticket.</param>
    public void ExpectState(long ticketId, TicketState state, bool skipLocked = false) => Write(
        Statement($"WITH still AS (SELECT id FROM tickets WHERE id = $1 AND state = $2 FOR UPDATE{(skipLocked ? " SKIP LOCKED" : "")}) SELECT hall_expect_row(count(*) = 1) FROM still", ticketId, state.ToString()),
        _ => Task.CompletedTask);

    /// <summary>The statements that lock a window (then its current ticket) and read its session, holder, services and ticket: see <see cref="ReadWindowAsync"/>.</summary>
    public static IEnumerable<NpgsqlBatchCommand> WindowStatements(int windowId) => WindowStatements("$1", windowId);

    /// <param name="idSql">The window's id as SQL over the one parameter <c>$1</c> (e.g. the window a ticket is at).</param>
    public static IEnumerable<NpgsqlBatchCommand> WindowStatements(string idSql, object parameter) =>
    [
        Statement($"SELECT * FROM windows WHERE id = {idSql} FOR NO KEY UPDATE", parameter),
        Statement($"SELECT s.*, st.name AS holder_name FROM window_sessions s JOIN staff st ON st.id = s.staff_id WHERE s.window_id = {idSql} AND s.closed_at IS NULL", parameter),
        Statement($"SELECT service_id FROM window_services WHERE window_id = {idSql} ORDER BY rank", parameter),
        Statement($"SELECT *, xmin FROM tickets WHERE window_id = {idSql} AND state IN ('Called', 'Serving') FOR UPDATE", parameter),
    ];

    /// <summary>Reads the results of <see cref="WindowStatements"/>; null when there is no such window.</summary>
    public async Task<LockedWindow?> ReadWindowAsync(NpgsqlDataReader reader)
    {
        var window = await NextAsync(reader, Read<Window>);
        var session = await NextAsync(reader, r => new HeldSession(Read<WindowSession>(r), r.GetString(r.GetOrdinal("holder_name"))));
        var serviceIds = new List<int>();
        while (await reader.ReadAsync(ct))
        {
            serviceIds.Add(reader.GetInt32(0));
        }
        await reader.NextResultAsync(ct);
        var current = await NextAsync(reader, Read<Ticket>);
        return window is null ? null : new LockedWindow(window, session?.Session, session?.StaffName, current,
            new WindowFacts(window.Id, session?.Session.Status ?? WindowStatus.Closed, session?.Session.StaffId, serviceIds, window.NormalsSincePriority, current?.ToFacts()));
    }

    /// <summary>Whether the caller may act on the window read: it exists in their hall, and (when the command needs it) they hold it or supervise.</summary>
    public Refusal? CheckWindow(LockedWindow? w, bool operatorRequired) =>
        w is null || !w.Window.Active ? Refusal.UnknownWindow
        : w.Window.HallId != actor.HallId ? Refusal.WrongHall
        : operatorRequired && !actor.IsSupervisor ? WindowRules.CheckOperator(w.Facts, actor.StaffId ?? -1)
        : null;

    /// <summary>Locks a ticket by id and reads it.</summary>
    public static NpgsqlBatchCommand TicketStatement(long ticketId) => Statement("SELECT *, xmin FROM tickets WHERE id = $1 FOR UPDATE", ticketId);

    /// <summary>Whether the caller may act on the ticket read: it exists and is of their hall.</summary>
    public Refusal? CheckTicket(Ticket? ticket) => ticket is null ? Refusal.UnknownTicket : ticket.HallId != actor.HallId ? Refusal.WrongHall : null;

    /// <summary>Locks, in id order, the service of ticket <paramref name="ticketId"/> (under its lock already) and the services named, and reads them.</summary>
    public static NpgsqlBatchCommand ServicesStatement(long ticketId, params int[] more) =>
        Statement("SELECT * FROM services WHERE id = ANY (ARRAY(SELECT service_id FROM tickets WHERE id = $1) || $2::int[]) ORDER BY id FOR NO KEY UPDATE", ticketId, more);

    /// <summary>Reads the results of <see cref="ServicesStatement"/> and counts them as locked: their state is sent after the commit.</summary>
    public async Task<List<Service>> ReadServicesAsync(NpgsqlDataReader reader)
    {
        var services = await ReadAllAsync<Service>(reader);
        foreach (var service in services)
        {
            Locked(service.Id, service.Name);
        }
        return services;
    }

    /// <summary>A window's new state after a session command, from what was read under its lock and what the command changed.</summary>
    public WindowStateMessage StateOf(LockedWindow w, WindowStatus status, string? pauseReason, string? staffName) =>
        new(w.Window.Id, w.Window.Number, w.Window.Name, status, pauseReason, staffName, w.Current?.Id, w.Current?.Number, w.Current?.State, 0, w.Window.LedAddress, w.Facts.ServiceIds);

    public void Insert(object row) => Write(Rows.Insert(db.Model, row));

    public void Update(object row) => Write(Rows.Update(db.Model, row));

    /// <summary>A ticket transition, written as the one UPDATE of the columns it sets.</summary>
    public void Change(long ticketId, TicketChange change) => Write(TicketStatements.Update(ticketId, change));

    /// <summary>Appends to the ticket event log with an id drawn in the first round trip: the version of this change.</summary>
    public long Log(TicketEvent entry)
    {
        entry.Id = NextVersion();
        Insert(entry);
        // The webhook events of the transition, in its transaction (see Outbox.HallEvents).
        if (Outbox.HallEvents.TicketStatement(entry) is { } events)
        {
            Write(events);
        }
        return entry.Id;
    }

    /// <summary>A transition of a ticket read by the command: applied to the entity, written as its change, logged. Returns the event's id.</summary>
    public long Transition(Ticket ticket, Func<Ticket, TicketChange> transition, int? windowId, string? detail)
    {
        var from = ticket.State;
        var change = transition(ticket);
        Change(ticket.Id, change);
        return Log(TicketEvent.Of(ticket, change.Kind, from, windowId, actor, detail, now, commandId));
    }

    public long Log(WindowEvent entry)
    {
        entry.Id = NextVersion();
        Insert(entry);
        return entry.Id;
    }

    private long NextVersion()
    {
        var version = _versions.Dequeue();
        _lastVersion = Math.Max(_lastVersion, version);
        return version;
    }

    /// <summary>An id drawn by a statement of the command's own (issue, call-next): a version of this command.</summary>
    public void Logged(long eventId) => _lastVersion = Math.Max(_lastVersion, eventId);

    /// <summary>A service locked by a statement of the command's own (FOR NO KEY UPDATE): its state is sent after the commit.</summary>
    public void Locked(int serviceId, string name) => _serviceNames[serviceId] = name;

    /// <summary>A service's state the command already read under its lock, after its last write to that service.</summary>
    public void ServiceStateRead(ServiceStateMessage state) => _serviceStates[state.ServiceId] = state;

    public void TouchWindow(int windowId) => _touchedWindows.Add(windowId);

    /// <summary>A window changed by the command, with its new state known before the writes are sent.</summary>
    public void WindowStateRead(WindowStateMessage state)
    {
        _touchedWindows.Add(state.WindowId);
        _windowStates[state.WindowId] = state;
    }

    /// <summary>The new state of a window the command stated (<see cref="WindowStateRead"/>), stamped with this command's version.</summary>
    public WindowStateMessage? WindowState(int windowId) => _windowStates.TryGetValue(windowId, out var state) ? state with { Version = _lastVersion } : null;

    /// <summary>
    /// The second round trip: the writes; the new state of the changed services and windows not yet stated, read after
    /// them under the command's locks; their versions; the stored reply; COMMIT. Returns the state messages to send.
    /// </summary>
    public async Task<HallChanges> CommitAsync(string result)
    {
        var unreadServices = _serviceNames.Keys.Where(id => !_serviceStates.ContainsKey(id)).ToList();
        var unreadWindows = _touchedWindows.Where(id => !_windowStates.ContainsKey(id)).ToList();
        await using var batch = Batch();
        foreach (var write in _writes)
        {
            batch.BatchCommands.Add(write);
        }
        if (unreadServices.Count > 0)
        {
            batch.BatchCommands.Add(HallStateReader.ServiceStatesCommand(hall, unreadServices, now));
        }
        if (unreadWindows.Count > 0)
        {
            batch.BatchCommands.Add(HallStateReader.WindowStatesCommand(hall.Id, unreadWindows));
        }
        // A service locked at commit takes the version drawn after its lock (see LockAtCommit), the others this command's.
        var serviceVersion = _locksAtCommit ? $"currval('{HallDb.VersionSequence}')" : "$1";
        batch.BatchCommands.Add(Statement($"UPDATE services SET queue_version = {serviceVersion} WHERE id = ANY($2)", _lastVersion, _serviceNames.Keys.ToArray()));
        batch.BatchCommands.Add(Statement("UPDATE windows SET state_version = $1 WHERE id = ANY($2)", _lastVersion, _touchedWindows.ToArray()));
        batch.BatchCommands.Add(Statement("UPDATE commands SET result = $1::jsonb WHERE command_id = $2", result, commandId));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        var services = new List<ServiceStateMessage>(_serviceStates.Values);
        var windows = new List<WindowStateMessage>(_windowStates.Values);
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            // Statements that return no rows are passed over by the reader: after the writes' own rows come the services' state.
            foreach (var read in _writeResults)
            {
                await read(reader);
                await reader.NextResultAsync(ct);
            }
            if (unreadServices.Count > 0)
            {
                services.AddRange((await HallStateReader.ReadServiceStatesAsync(reader, hall, now, ct)).Select(s => s.State));
                await reader.NextResultAsync(ct);
            }
            if (unreadWindows.Count > 0)
            {
                windows.AddRange(await HallStateReader.ReadWindowStatesAsync(reader, ct));
            }
            while (await reader.NextResultAsync(ct))
            {
            }
        }
        return new HallChanges(
            [.. services.Select(s => s with { Version = _serviceVersion ?? _lastVersion })],
            [.. windows.Select(w => w with { Version = _lastVersion })],
            Calls);
    }
}
