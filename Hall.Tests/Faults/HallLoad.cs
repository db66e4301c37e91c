using System.Collections.Concurrent;
using Hall.Server.Contracts;
using Hall.Server.Tickets;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Faults;

/// <summary>
/// Kiosks issuing and clerks calling, starting and finishing, each over its own hub connection, the way the real clients
/// behave when the server or the database fails under them: a command without an answer (connection cut) or with a
/// retryable one (<c>unavailable</c>, <c>busy</c>) is sent again with the same command id until it gets a definite
/// answer; a cut connection is opened again. What was acknowledged is recorded for the checks afterwards.
/// </summary>
internal sealed class HallLoad(Uri server, IReadOnlyList<string> kioskKeys, IReadOnlyList<(string Token, int WindowId)> clerks, IReadOnlyList<int> services)
{
    public ConcurrentDictionary<long, TicketIssued> Issued { get; } = new();
    public ConcurrentDictionary<long, TicketCalled> Calls { get; } = new();
    /// <summary>Replies refused with a retryable code, by code.</summary>
    public ConcurrentDictionary<string, int> RetryableReplies { get; } = new();
    /// <summary>The first retryable refusal, as the client got it.</summary>
    public HallError? FirstRetryable { get; private set; }
    /// <summary>Commands sent again with the same id after no answer or a retryable one, and answered with success then.</summary>
    public int RetriedAndApplied => Volatile.Read(ref _retriedAndApplied);
    /// <summary>Commands that got no answer at least once (the connection broke under them, or could not be opened).</summary>
    public int CutOff => Volatile.Read(ref _cutOff);
    public ConcurrentBag<string> Unexpected { get; } = new();
    /// <summary>Commands answered with success so far (all kinds).</summary>
    public int Acknowledged => Volatile.Read(ref _acknowledged);
    /// <summary>A call issued twice with the same id gave a different ticket: a retry was applied twice.</summary>
    public ConcurrentBag<string> RetriesThatDiffered { get; } = new();

    private int _retriedAndApplied;
    private int _cutOff;
    private int _noAnswer;

    /// <summary>Attempts that got no answer at all: an exception instead of a reply (a broken or refused connection).</summary>
    public int NoAnswer => Volatile.Read(ref _noAnswer);
    public ConcurrentBag<string> NoAnswerReasons { get; } = new();
    private int _acknowledged;

    public async Task RunAsync(CancellationToken stop)
    {
        var workers = kioskKeys.Select((key, i) => Task.Run(() => KioskAsync(key, i, stop), CancellationToken.None))
            .Concat(clerks.Select(c => Task.Run(() => ClerkAsync(c.Token, c.WindowId, stop), CancellationToken.None)));
        await Task.WhenAll(workers);
    }

    private async Task KioskAsync(string key, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        await using var link = new Link(server, key);
        while (!stop.IsCancellationRequested)
        {
            var command = new IssueTicketCommand(Guid.NewGuid(), services[random.Next(services.Count)], null, null, random.Next(6) == 0 ? PriorityClass.Elderly : PriorityClass.Normal);
            var reply = await UntilAnsweredAsync(link, nameof(IHallHub.IssueTicket), command, (Reply<TicketIssued> r) => r.Value?.Ticket.TicketId);
            if (reply.Ok)
            {
                Issued[reply.Value!.Ticket.TicketId] = reply.Value;
            }
            else
            {
                Unexpected.Add("issue: " + reply.Error!.Code);
            }
            await Task.Delay(random.Next(5, 25), CancellationToken.None);
        }
    }

    private async Task ClerkAsync(string token, int windowId, CancellationToken stop)
    {
        await using var link = new Link(server, token);
        while (!stop.IsCancellationRequested)
        {
            var call = await UntilAnsweredAsync(link, nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), windowId), (Reply<TicketCalled> r) => r.Value?.Ticket.TicketId);
            if (!call.Ok)
            {
                if (call.Error!.Code != "nobody_waiting")
                {
                    Unexpected.Add("call: " + call.Error.Code);
                }
                await Task.Delay(20, CancellationToken.None);
                continue;
            }
            var ticket = call.Value!.Ticket.TicketId;
            if (!Calls.TryAdd(ticket, call.Value))
            {
                Unexpected.Add($"ticket {call.Value.Ticket.Number} called twice");
            }
            var start = await UntilAnsweredAsync(link, nameof(IHallHub.StartService), new TicketCommand(Guid.NewGuid(), windowId, ticket), (Reply<TicketView> r) => r.Value?.TicketId);
            var finish = await UntilAnsweredAsync(link, nameof(IHallHub.Finish), new FinishCommand(Guid.NewGuid(), windowId, ticket, "办结", null), (Reply<TicketView> r) => r.Value?.TicketId);
            if (!start.Ok || !finish.Ok)
            {
                Unexpected.Add($"serve {call.Value.Ticket.Number}: {start.Error?.Code} {finish.Error?.Code}");
            }
        }
    }

    /// <summary>Sends the command until a definite answer: the same command id every time.</summary>
    private async Task<Reply<T>> UntilAnsweredAsync<T>(Link link, string method, object command, Func<Reply<T>, long?> identity)
    {
        var retried = false;
        while (true)
        {
            Reply<T> reply;
            try
            {
                var connection = await link.ConnectionAsync();
                reply = await connection.InvokeAsync<Reply<T>>(method, command).WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (Interlocked.Increment(ref _noAnswer) <= 5)
                {
                    NoAnswerReasons.Add($"{method}: {ex.GetType().Name}: {ex.Message}");
                }
                if (!retried)
                {
                    Interlocked.Increment(ref _cutOff);
                }
                retried = true;
                await link.DropAsync();
                await Task.Delay(100, CancellationToken.None);
                continue;
            }
            if (reply.Error is { Code: "unavailable" or "busy" } error)
            {
                if (!retried)
                {
                    Interlocked.Increment(ref _cutOff);
                }
                RetryableReplies.AddOrUpdate(error.Code, 1, (_, n) => n + 1);
                FirstRetryable ??= error;
                retried = true;
                await Task.Delay(100, CancellationToken.None);
                continue;
            }
            if (reply.Ok)
            {
                Interlocked.Increment(ref _acknowledged);
                if (retried)
                {
                    Interlocked.Increment(ref _retriedAndApplied);
                    // The same id once more: the first result again, nothing applied twice.
                    await CheckRepeatAsync(link, method, command, reply, identity);
                }
            }
            return reply;
        }
    }

    private async Task CheckRepeatAsync<T>(Link link, string method, object command, Reply<T> first, Func<Reply<T>, long?> identity)
    {
        try
        {
            var again = await (await link.ConnectionAsync()).InvokeAsync<Reply<T>>(method, command);
            if (!again.Ok || identity(again) != identity(first))
            {
                RetriesThatDiffered.Add($"{method}: {identity(first)} then {again.Error?.Code ?? identity(again)?.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The server went away again: the repeat is not what is tested here.
            await link.DropAsync();
        }
    }

    /// <summary>One client's connection, opened again after it broke.</summary>
    private sealed class Link(Uri server, string token) : IAsyncDisposable
    {
        private HubConnection? _connection;

        public async Task<HubConnection> ConnectionAsync()
        {
            if (_connection is { State: HubConnectionState.Connected } c)
            {
                return c;
            }
            await DropAsync();
            _connection = await HubConnections.ConnectAsync(server, token);
            return _connection;
        }

        public async Task DropAsync()
        {
            if (_connection is { } c)
            {
                _connection = null;
                await c.DisposeAsync();
            }
        }

        public ValueTask DisposeAsync() => new(DropAsync());
    }

    /// <summary>
    /// What must hold after any fault: every acknowledged ticket exists and no other; no number twice; every ticket's
    /// event log is an unbroken chain ending in its state; each ticket called at most once, by an acknowledged call.
    /// </summary>
    public async Task AssertConsistentAsync(string connectionString, int hallId)
    {
        Assert.That(Unexpected, Is.Empty);
        Assert.That(RetriesThatDiffered, Is.Empty, "a command sent again with its id gave its first result");
        await using var db = PostgresCluster.Context(connectionString);
        var tickets = await db.Tickets.AsNoTracking().Where(t => t.HallId == hallId).ToListAsync();
        Assert.That(tickets.Select(t => t.Id), Is.EquivalentTo(Issued.Keys), "every acknowledged ticket exists, and none else");
        Assert.That(tickets.Select(t => (t.ServiceId, t.BusinessDate, t.Number)), Is.Unique, "no number issued twice");
        var events = await db.TicketEvents.AsNoTracking().Where(e => e.HallId == hallId).OrderBy(e => e.Id).ToListAsync();
        var byTicket = events.GroupBy(e => e.TicketId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var t in tickets)
        {
            var log = byTicket[t.Id];
            Assert.That(log[0].Kind, Is.EqualTo(TicketEventKind.Issued), $"ticket {t.Number}");
            Assert.That(log.Count(e => e.Kind == TicketEventKind.Issued), Is.EqualTo(1), $"ticket {t.Number} issued once");
            Assert.That(log[^1].ToState, Is.EqualTo(t.State), $"ticket {t.Number}: the log ends in its state");
            Assert.That(log.Skip(1).Select(e => e.FromState), Is.EqualTo(log.Take(log.Count - 1).Select(e => (TicketState?)e.ToState)), $"ticket {t.Number}: an unbroken chain");
        }
        var called = events.Where(e => e.Kind == TicketEventKind.Called).GroupBy(e => e.TicketId).ToList();
        Assert.That(called.Select(g => g.Count()), Is.All.EqualTo(1), "no ticket called twice");
        Assert.That(called.Select(g => g.Key), Is.EquivalentTo(Calls.Keys), "every acknowledged call happened, and none else");
    }
}
