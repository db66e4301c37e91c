using System.Collections.Concurrent;
using System.Diagnostics;
using Hall.Server.Contracts;
using Hall.Server.Devices;
using Hall.Server.Halls;
using Hall.Server.Tickets;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>Eight windows and four kiosks, split across two Hall.Server processes on one database, racing.</summary>
[TestFixture]
public sealed class TwoServerConcurrencyTests
{
    private const int Kiosks = 4;
    private const int Windows = 8;
    private const int TicketsPerKiosk = 300;

    private sealed record Op(int Server, long Start, long End);

    [Test]
    public async Task Two_servers_never_issue_a_number_twice_never_call_a_ticket_twice_and_lose_nothing()
    {
        var cs = await PostgresCluster.NewDatabaseAsync("twoservers");
        DemoCredentials credentials;
        var kioskKeys = new List<string>();
        await using (var db = PostgresCluster.Context(cs))
        {
            credentials = await DemoHall.SeedAsync(db, DateTimeOffset.UtcNow, openAllDay: true, CancellationToken.None);
            for (var i = 0; i < Kiosks; i++)
            {
                kioskKeys.Add((await DeviceKeys.CreateAsync(db, credentials.HallId, $"取号机{i + 1}", DeviceRole.Kiosk, null, DateTimeOffset.UtcNow, CancellationToken.None)).Key);
            }
        }
        await using var serverA = await ServerProcess.StartAsync(cs);
        await using var serverB = await ServerProcess.StartAsync(cs);
        ServerProcess[] servers = [serverA, serverB];
        Assert.That(serverA.ProcessId, Is.Not.EqualTo(serverB.ProcessId));

        await using var setup = PostgresCluster.Context(cs);
        var windows = await setup.Windows.Where(w => w.HallId == credentials.HallId && w.Number <= Windows).OrderBy(w => w.Number)
            .Select(w => new { w.Id, w.Number, Services = w.Services.OrderBy(s => s.Rank).Select(s => s.ServiceId).ToList() }).ToListAsync();
        var servedServices = windows.SelectMany(w => w.Services).Distinct().ToArray();

        var ops = new ConcurrentBag<Op>();
        var clock = Stopwatch.StartNew();
        async Task<T> Timed<T>(int server, Func<Task<T>> call)
        {
            var start = clock.ElapsedTicks;
            var result = await call();
            ops.Add(new Op(server, start, clock.ElapsedTicks));
            return result;
        }

        // Kiosks 0 and 2 on server A, 1 and 3 on server B; windows alternate likewise.
        var kioskClients = new List<(HubConnection Connection, int Server)>();
        for (var i = 0; i < Kiosks; i++)
        {
            kioskClients.Add((await ConnectAsync(servers[i % 2], kioskKeys[i]), i % 2));
        }
        var clerkClients = new List<(HubConnection Connection, int Server, int WindowId)>();
        for (var i = 0; i < Windows; i++)
        {
            var login = $"{DemoHall.Code}-clerk{windows[i].Number:D2}";
            var token = await LoginAsync(servers[i % 2], login, credentials.Passwords[login]);
            var connection = await ConnectAsync(servers[i % 2], token);
            clerkClients.Add((connection, i % 2, windows[i].Id));
            var open = await connection.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.OpenWindow), new WindowCommand(Guid.NewGuid(), windows[i].Id));
            Assert.That(open.Ok, Is.True, () => open.Error?.MessageEn ?? "");
        }

        var issued = new ConcurrentBag<TicketIssued>();
        var unexpected = new ConcurrentBag<string>();
        var kiosksDone = 0;
        var kioskTasks = kioskClients.Select((k, i) => Task.Run(async () =>
        {
            var random = new Random(i);
            for (var n = 0; n < TicketsPerKiosk; n++)
            {
                var service = servedServices[random.Next(servedServices.Length)];
                var priority = random.Next(5) == 0 ? PriorityClass.Elderly : PriorityClass.Normal;
                var reply = await Timed(k.Server, () => k.Connection.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), service, null, null, priority)));
                if (reply.Ok)
                {
                    issued.Add(reply.Value!);
                }
                else
                {
                    unexpected.Add("issue: " + reply.Error!.Code);
                }
            }
            Interlocked.Increment(ref kiosksDone);
        })).ToList();

        var calls = new ConcurrentBag<(int WindowId, TicketCalled Call)>();
        var clerkTasks = clerkClients.Select(c => Task.Run(async () =>
        {
            while (true)
            {
                var finishedIssuing = Volatile.Read(ref kiosksDone) == Kiosks;
                var reply = await Timed(c.Server, () => c.Connection.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), c.WindowId)));
                if (!reply.Ok)
                {
                    if (reply.Error!.Code != "nobody_waiting")
                    {
                        unexpected.Add("call: " + reply.Error.Code);
                    }
                    if (finishedIssuing)
                    {
                        return;
                    }
                    await Task.Delay(5);
                    continue;
                }
                var ticket = reply.Value!.Ticket.TicketId;
                calls.Add((c.WindowId, reply.Value));
                var start = await Timed(c.Server, () => c.Connection.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.StartService), new TicketCommand(Guid.NewGuid(), c.WindowId, ticket)));
                var finish = await Timed(c.Server, () => c.Connection.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Finish), new FinishCommand(Guid.NewGuid(), c.WindowId, ticket, "办结", null)));
                if (!start.Ok || !finish.Ok)
                {
                    unexpected.Add($"serve: {start.Error?.Code} {finish.Error?.Code}");
                }
            }
        })).ToList();
        await Task.WhenAll(kioskTasks.Concat(clerkTasks)).WaitAsync(TimeSpan.FromMinutes(5));

        var all = ops.ToArray();
        var overlapping = CountOverlapping(all);
        TestContext.Out.WriteLine($"{all.Length} commands in {clock.Elapsed.TotalSeconds:F1} s over two server processes; {overlapping} overlapped in time with a command on the other server.");
        Assert.That(unexpected.GroupBy(u => u).Select(g => $"{g.Count()} × {g.Key}"), Is.Empty);
        Assert.That(all, Has.Length.GreaterThanOrEqualTo(2000));
        Assert.That(overlapping, Is.GreaterThan(all.Length / 4), "the two servers really ran commands at the same time");

        // No number issued twice, and every acknowledged ticket is in the database.
        Assert.That(issued, Has.Count.EqualTo(Kiosks * TicketsPerKiosk));
        Assert.That(issued.Select(t => (t.Ticket.ServiceId, t.Ticket.BusinessDate, t.Ticket.Number)), Is.Unique);
        await using var db2 = PostgresCluster.Context(cs);
        var tickets = await db2.Tickets.Where(t => t.HallId == credentials.HallId).ToListAsync();
        Assert.That(tickets.Select(t => t.Id), Is.SupersetOf(issued.Select(t => t.Ticket.TicketId)));
        Assert.That(tickets.Select(t => (t.ServiceId, t.BusinessDate, t.Number)), Is.Unique);

        // No ticket called by two windows, and all of them served.
        Assert.That(calls.Select(c => c.Call.Ticket.TicketId), Is.Unique);
        Assert.That(calls, Has.Count.EqualTo(issued.Count));
        var events = await db2.TicketEvents.Where(e => e.HallId == credentials.HallId).OrderBy(e => e.Id).ToListAsync();
        var calledBy = events.Where(e => e.Kind == TicketEventKind.Called).GroupBy(e => e.TicketId).ToList();
        Assert.That(calledBy.Select(g => g.Count()), Is.All.EqualTo(1));
        Assert.That(tickets.Select(t => t.State), Is.All.EqualTo(TicketState.Finished));

        // The event log tells the same story as the tickets' final states.
        var byTicket = events.GroupBy(e => e.TicketId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var t in tickets)
        {
            var log = byTicket[t.Id];
            Assert.That(log.Select(e => e.Kind), Is.EqualTo(new[] { TicketEventKind.Issued, TicketEventKind.Called, TicketEventKind.Started, TicketEventKind.Finished }), $"ticket {t.Number}");
            Assert.That(log[^1].ToState, Is.EqualTo(t.State));
            Assert.That(log.Skip(1).Select(e => e.FromState), Is.EqualTo(log.Take(log.Count - 1).Select(e => (TicketState?)e.ToState)));
        }
        foreach (var c in kioskClients.Select(k => k.Connection).Concat(clerkClients.Select(c => c.Connection)))
        {
            await c.DisposeAsync();
        }
    }

    private static int CountOverlapping(Op[] ops)
    {
        var other = ops.GroupBy(o => o.Server).ToDictionary(g => g.Key, g => g.OrderBy(o => o.Start).ToArray());
        if (other.Count < 2)
        {
            return 0;
        }
        var count = 0;
        foreach (var op in ops)
        {
            var candidates = other[1 - op.Server];
            // Any op of the other server that started before this one ended and ended after this one started.
            if (candidates.Any(c => c.Start < op.End && c.End > op.Start))
            {
                count++;
            }
        }
        return count;
    }

    private static Task<HubConnection> ConnectAsync(ServerProcess server, string token) => HubConnections.ConnectAsync(server.BaseAddress, token);

    private static Task<string> LoginAsync(ServerProcess server, string login, string password) => HubConnections.LoginAsync(server.BaseAddress, login, password);
}
