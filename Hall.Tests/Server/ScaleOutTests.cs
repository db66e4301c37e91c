using Hall.Server.Contracts;
using Hall.Server.Devices;
using Hall.Server.Halls;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>Several Hall.Server instances on one database: the SignalR Redis backplane for devices, the change feed for staff pages.</summary>
[TestFixture, NonParallelizable]
public sealed class ScaleOutTests
{
    [Test]
    public async Task Every_display_sees_every_call_exactly_once_and_in_order_whichever_server_made_it()
    {
        await using var redis = await RedisServer.StartAsync();
        var cs = await PostgresCluster.NewDatabaseAsync("scaleout");
        DemoCredentials credentials;
        string displayA, displayB, kiosk;
        await using (var db = PostgresCluster.Context(cs))
        {
            credentials = await DemoHall.SeedAsync(db, DateTimeOffset.UtcNow, openAllDay: true, CancellationToken.None);
            displayA = (await DeviceKeys.CreateAsync(db, credentials.HallId, "东侧叫号屏", DeviceRole.Display, null, DateTimeOffset.UtcNow, CancellationToken.None)).Key;
            displayB = (await DeviceKeys.CreateAsync(db, credentials.HallId, "西侧叫号屏", DeviceRole.Display, null, DateTimeOffset.UtcNow, CancellationToken.None)).Key;
            kiosk = (await DeviceKeys.CreateAsync(db, credentials.HallId, "取号机", DeviceRole.Kiosk, null, DateTimeOffset.UtcNow, CancellationToken.None)).Key;
        }
        var settings = new Dictionary<string, string> { ["ConnectionStrings__Hall"] = cs, ["Hall__Demo__Seed"] = "false", ["ConnectionStrings__Redis"] = redis.ConnectionString };
        await using var serverA = await ServerProcess.StartAsync(settings);
        await using var serverB = await ServerProcess.StartAsync(settings);

        var shebao = await ServiceIdAsync(cs, credentials.HallId, "shebao");
        var windows = new[] { await WindowIdAsync(cs, credentials.HallId, 1), await WindowIdAsync(cs, credentials.HallId, 2) };
        await using var screenA = await ConnectAsync(serverA, displayA);
        await using var screenB = await ConnectAsync(serverB, displayB);
        await using var kioskOnB = await ConnectAsync(serverB, kiosk);
        await using var clerkA = await ConnectAsync(serverA, await LoginAsync(serverA, credentials, "clerk01"));
        await using var clerkB = await ConnectAsync(serverB, await LoginAsync(serverB, credentials, "clerk02"));
        HubClient[] clerks = [clerkA, clerkB];
        for (var i = 0; i < 2; i++)
        {
            (await clerks[i].InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.OpenWindow), new WindowCommand(Guid.NewGuid(), windows[i]))).Ok();
        }

        const int Tickets = 20;
        for (var i = 0; i < Tickets; i++)
        {
            (await kioskOnB.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), shebao, null, null, PriorityClass.Normal))).Ok();
        }
        // Window 1 on server A and window 2 on server B take turns.
        var made = new List<long>();
        for (var i = 0; i < Tickets; i++)
        {
            var clerk = clerks[i % 2];
            var called = (await clerk.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), windows[i % 2]))).Ok();
            made.Add(called.CallId);
            (await clerk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.StartService), new TicketCommand(Guid.NewGuid(), windows[i % 2], called.Ticket.TicketId))).Ok();
            (await clerk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Finish), new FinishCommand(Guid.NewGuid(), windows[i % 2], called.Ticket.TicketId, "办结", null))).Ok();
        }

        foreach (var (screen, name) in new[] { (screenA, "display on server A"), (screenB, "display on server B") })
        {
            await screen.WaitForAsync(s => s.Calls.Count >= Tickets, $"{name} got every call", 15_000);
            await Task.Delay(300);
            var seen = screen.Calls.Select(c => c.CallId).ToList();
            Assert.That(seen, Is.EqualTo(made), $"{name}: every call once, in the order they were made");
        }
    }

    [Test]
    public async Task While_redis_is_away_commands_commit_and_the_displays_get_what_they_missed_when_it_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        var cs = await PostgresCluster.NewDatabaseAsync("redisaway");
        DemoCredentials credentials;
        string display, kiosk;
        await using (var db = PostgresCluster.Context(cs))
        {
            credentials = await DemoHall.SeedAsync(db, DateTimeOffset.UtcNow, openAllDay: true, CancellationToken.None);
            display = (await DeviceKeys.CreateAsync(db, credentials.HallId, "西侧叫号屏", DeviceRole.Display, null, DateTimeOffset.UtcNow, CancellationToken.None)).Key;
            kiosk = (await DeviceKeys.CreateAsync(db, credentials.HallId, "取号机", DeviceRole.Kiosk, null, DateTimeOffset.UtcNow, CancellationToken.None)).Key;
        }
        var settings = new Dictionary<string, string> { ["ConnectionStrings__Hall"] = cs, ["Hall__Demo__Seed"] = "false", ["ConnectionStrings__Redis"] = redis.ConnectionString };
        await using var serverA = await ServerProcess.StartAsync(settings);
        await using var serverB = await ServerProcess.StartAsync(settings);
        var shebao = await ServiceIdAsync(cs, credentials.HallId, "shebao");
        var window = await WindowIdAsync(cs, credentials.HallId, 1);
        await using var screen = await ConnectAsync(serverB, display);
        // The display acknowledges each call once it has announced it, as the lobby agent does.
        screen.Connection.On<CallMessage>(nameof(IHallClient.Called), c => _ = screen.Connection.InvokeAsync(nameof(IHallHub.AckCall), c.CallId));
        await using var kioskOnA = await ConnectAsync(serverA, kiosk);
        await using var clerk = await ConnectAsync(serverA, await LoginAsync(serverA, credentials, "clerk01"));
        (await clerk.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.OpenWindow), new WindowCommand(Guid.NewGuid(), window))).Ok();

        async Task<long> CallOneAsync()
        {
            (await kioskOnA.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), shebao, null, null, PriorityClass.Normal))).Ok();
            var called = (await clerk.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), window))).Ok();
            (await clerk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.NoShow), new TicketCommand(Guid.NewGuid(), window, called.Ticket.TicketId))).Ok();
            return called.CallId;
        }

        var before = new List<long> { await CallOneAsync(), await CallOneAsync() };
        await screen.WaitForAsync(s => s.Calls.Count >= 2, "the calls before Redis went away", 10_000);
        await Task.Delay(500);

        await redis.StopAsync();
        var away = System.Diagnostics.Stopwatch.StartNew();
        var during = new List<long> { await CallOneAsync(), await CallOneAsync(), await CallOneAsync() };
        var commandsTook = away.Elapsed;
        Assert.That(screen.Calls.Select(c => c.CallId), Is.EqualTo(before), "nothing travels while Redis is away");

        await Task.Delay(TimeSpan.FromSeconds(2));
        await redis.StartAgainAsync();
        await screen.WaitForAsync(s => s.Calls.Select(c => c.CallId).Distinct().Count() >= 5, "the calls made while Redis was away", 30_000);
        var degraded = away.Elapsed;
        await Task.Delay(1000);
        var seen = screen.Calls.Select(c => c.CallId).ToList();
        TestContext.Out.WriteLine($"3 calls committed in {commandsTook.TotalMilliseconds:0} ms while Redis was away (2 s); delivered {degraded.TotalSeconds:0.0} s after it went away.");
        Assert.That(seen, Is.EqualTo(before.Concat(during)), $"each call reached the display once, in order, none lost, none twice: seen {string.Join(",", seen)}, made {string.Join(",", before.Concat(during))}");
        await using var check = PostgresCluster.Context(cs);
        Assert.That(await check.TicketEvents.CountAsync(e => e.Kind == Hall.Server.Tickets.TicketEventKind.Called), Is.EqualTo(5), "every command committed");
    }

    [Test]
    public async Task A_change_committed_on_one_server_reaches_the_staff_pages_of_another()
    {
        await using var first = await HallApp.StartAsync("changefeed");
        await using var second = HallApp.StartAlongside(first);
        await using var hall = await SeededHall.CreateAsync(first, openAllDay: true);
        var feed = second.Services.GetRequiredService<ChangeFeed>();
        var heard = new TaskCompletionSource<HallChanges>(TaskCreationOptions.RunContinuationsAsynchronously);
        feed.QueueChanged += (hallId, changes) =>
        {
            if (hallId == hall.HallId)
            {
                heard.TrySetResult(changes);
            }
        };
        var kiosk = await hall.DeviceAsync("kiosk");
        var issued = (await kiosk.IssueAsync(await first.ServiceIdAsync(hall.HallId, "yibao"))).Ok();

        var changes = await heard.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(changes.Services.Select(s => s.ServiceId), Does.Contain(issued.Ticket.ServiceId), "the other server's pages learn which service changed");
    }

    private static Task<HubClient> ConnectAsync(ServerProcess server, string token) => HubClient.ConnectAsync(server.BaseAddress, token);

    private static Task<string> LoginAsync(ServerProcess server, DemoCredentials credentials, string who)
    {
        var login = credentials.Passwords.Keys.Single(k => k.EndsWith("-" + who, StringComparison.Ordinal));
        return HubConnections.LoginAsync(server.BaseAddress, login, credentials.Passwords[login]);
    }

    private static async Task<int> ServiceIdAsync(string cs, int hallId, string code)
    {
        await using var db = PostgresCluster.Context(cs);
        return await db.Services.Where(s => s.HallId == hallId && s.Code == code).Select(s => s.Id).SingleAsync();
    }

    private static async Task<int> WindowIdAsync(string cs, int hallId, int number)
    {
        await using var db = PostgresCluster.Context(cs);
        return await db.Windows.Where(w => w.HallId == hallId && w.Number == number).Select(w => w.Id).SingleAsync();
    }
}
