using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Tickets;
using Hall.Tests.Support;
using Hall.Tests.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Hall.Tests.Faults;

/// <summary>
/// The whole hall without its server, then without its database: what the kiosk's touch page, the lobby screen and a
/// clerk's console show, that no command is taken meanwhile, and that work resumes with nothing lost or doubled.
/// Hall.Server, Hall.Kiosk and Hall.Display run as processes; the three pages in Chromium.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class HallDownTests
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => (_playwright, _browser) = await Browser.LaunchAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    /// <summary>The hall with one open window (clerk01), two tickets for it, the first called from the console.</summary>
    private sealed class Scene(FaultHall hall, AgentProcess kiosk, AgentProcess display, IPage console, IPage kioskPage, IPage board, string cache) : IAsyncDisposable
    {
        public FaultHall Hall => hall;
        public AgentProcess Kiosk => kiosk;
        public IPage Console => console;
        public IPage KioskPage => kioskPage;
        public IPage Board => board;
        public required string CalledNumber { get; init; }

        public ILocator Veil => console.Locator("[data-testid=\"reconnect\"]");

        public Task<HttpResponseMessage> IssueAtKioskAsync() => IssueAtAsync(kiosk, hall);

        public Task<List<Ticket>> TicketsAsync() => TicketsOfAsync(hall);

        public async ValueTask DisposeAsync()
        {
            await console.Context.CloseAsync();
            await kioskPage.Context.CloseAsync();
            await board.Context.CloseAsync();
            await kiosk.DisposeAsync();
            await display.DisposeAsync();
            Directory.Delete(cache, recursive: true);
        }
    }

    private static async Task<HttpResponseMessage> IssueAtAsync(AgentProcess kiosk, FaultHall hall)
    {
        using var http = new HttpClient { BaseAddress = kiosk.BaseAddress };
        return await http.PostAsJsonAsync(new Uri("/api/tickets", UriKind.Relative), new { serviceId = hall.Services[0], priority = "Normal" });
    }

    private static async Task<List<Ticket>> TicketsOfAsync(FaultHall hall)
    {
        await using var db = PostgresCluster.Context(hall.ConnectionString);
        return await db.Tickets.AsNoTracking().Where(t => t.HallId == hall.HallId).OrderBy(t => t.Id).ToListAsync();
    }

    private async Task<Scene> SetUpAsync(string connectionString, ServerProcess server)
    {
        var hall = await FaultHall.SeedAsync(connectionString, kiosks: 0, windows: 1);
        await hall.OpenWindowsAsync(server.BaseAddress);
        var cache = Directory.CreateTempSubdirectory("hall-down-display-").FullName;
        var kiosk = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
        {
            ["Kiosk__Server"] = server.BaseAddress.ToString(),
            ["Kiosk__DeviceKey"] = hall.Credentials.DeviceKeys["kiosk"],
            ["Kiosk__IdleSeconds"] = "600",
        });
        var display = await AgentProcess.StartAsync("Hall.Display", new Dictionary<string, string>
        {
            ["Display__Server"] = server.BaseAddress.ToString(),
            ["Display__DeviceKey"] = hall.Credentials.DeviceKeys["display"],
            ["Display__MediaCacheFolder"] = cache,
        });
        await FaultHall.WaitForAsync(async () => (await FaultHall.AgentViewAsync(kiosk, "/api/state")).Link == "online", "the kiosk online");
        var kioskPage = await Browser.OpenAsync(_browser, kiosk.BaseAddress.ToString(), Browser.Kiosk);
        var board = await Browser.OpenAsync(_browser, display.BaseAddress.ToString(), new ViewportSize { Width = 1920, Height = 1080 });
        var console = await StaffPages.SignInAsync(_browser, server.BaseAddress, hall.Credentials, "clerk01", $"/console/{hall.Windows[0].WindowId}");
        await Assertions.Expect(console.Locator("[data-testid=\"actions\"]")).ToBeVisibleAsync(new() { Timeout = 20_000 });

        foreach (var _ in Enumerable.Range(0, 2))
        {
            Assert.That((await IssueAtAsync(kiosk, hall)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        var first = (await TicketsOfAsync(hall))[0].Number;
        await Assertions.Expect(console.Locator("[data-testid=\"waiting-count\"]")).ToHaveTextAsync("2");
        await console.Keyboard.PressAsync("n");
        await Assertions.Expect(console.Locator("[data-testid=\"current-number\"]")).ToHaveTextAsync(first);
        await Assertions.Expect(board.Locator("[data-testid=\"newest-number\"]")).ToHaveTextAsync(first, new() { Timeout = 15_000 });
        await Assertions.Expect(console.Locator("[data-testid=\"reconnect\"]")).ToBeHiddenAsync();
        return new Scene(hall, kiosk, display, console, kioskPage, board, cache) { CalledNumber = first };
    }

    [Test]
    public async Task With_the_server_down_every_device_says_so_no_command_is_taken_and_work_resumes_by_itself_when_it_returns()
    {
        var cs = await PostgresCluster.NewDatabaseAsync("halldown");
        var port = ServerProcess.FreePort();
        var server = await ServerProcess.StartAsync(cs, port);
        try
        {
            await using var scene = await SetUpAsync(cs, server);
            var before = await scene.TicketsAsync();

            await server.KillAsync();
            var down = Stopwatch.StartNew();
            // The clerk: told plainly, over the buttons.
            await Assertions.Expect(scene.Veil).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await Assertions.Expect(scene.Veil).ToContainTextAsync("服务器连接中断，操作暂未受理");
            // The kiosk: no tickets. The lobby: the last state, with its quiet offline marker.
            await Assertions.Expect(scene.KioskPage.Locator("[data-testid=\"oos-message\"]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await Assertions.Expect(scene.KioskPage.Locator("[data-testid=\"oos-message\"]")).ToContainTextAsync("暂停取号");
            await Assertions.Expect(scene.Board.Locator("[data-testid=\"offline-badge\"]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await Assertions.Expect(scene.Board.Locator("[data-testid=\"newest-number\"]")).ToHaveTextAsync(scene.CalledNumber);
            await Browser.Screenshot(scene.Console, "faults-server-down-console");
            await Browser.Screenshot(scene.KioskPage, "faults-server-down-kiosk");
            await Browser.Screenshot(scene.Board, "faults-server-down-display");

            // Meanwhile: the clerk presses 开始办理 (S), a citizen asks the kiosk for a ticket. Neither is taken.
            await scene.Console.Keyboard.PressAsync("s");
            Assert.That((await scene.IssueAtKioskAsync()).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            await Assertions.Expect(scene.Console.Locator("[data-testid=\"message\"]")).Not.ToContainTextAsync("办理中");

            await server.DisposeAsync();
            server = await ServerProcess.StartAsync(cs, port);
            var back = down.Elapsed;
            var clock = Stopwatch.StartNew();
            await Assertions.Expect(scene.Veil).ToBeHiddenAsync(new() { Timeout = 60_000 });
            await Assertions.Expect(scene.Console.Locator("[data-testid=\"current-number\"]")).ToHaveTextAsync(scene.CalledNumber, new() { Timeout = 30_000 });
            var consoleBack = clock.Elapsed;
            await Assertions.Expect(scene.Console.Locator("[data-testid=\"current-state\"]")).ToHaveTextAsync("已呼叫，等候到窗");
            await Assertions.Expect(scene.KioskPage.Locator("[data-testid=\"oos-message\"]")).ToBeHiddenAsync(new() { Timeout = 60_000 });
            await Assertions.Expect(scene.Board.Locator("[data-testid=\"offline-badge\"]")).ToBeHiddenAsync(new() { Timeout = 60_000 });
            var allBack = clock.Elapsed;
            Assert.That(await scene.TicketsAsync(), Has.Count.EqualTo(before.Count), "nothing was issued while the server was down");

            // Work resumes.
            await scene.Console.Keyboard.PressAsync("s");
            await Assertions.Expect(scene.Console.Locator("[data-testid=\"current-state\"]")).ToHaveTextAsync("办理中");
            Assert.That((await scene.IssueAtKioskAsync()).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await AssertNothingLostOrDoubledAsync(scene, before.Count + 1);
            TestContext.Out.WriteLine($"server killed; back after {back.TotalSeconds:F1} s; the console usable again {consoleBack.TotalSeconds:F1} s after it answered, the kiosk and the lobby screen online within {allBack.TotalSeconds:F1} s.");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Test]
    public async Task With_the_database_down_the_console_and_the_kiosk_say_commands_are_not_taken_and_work_resumes_when_it_returns()
    {
        var cluster = await PostgresCluster.PrivateClusterAsync("dbdown");
        try
        {
            var cs = cluster.ConnectionString();
            await using var server = await ServerProcess.StartAsync(cs);
            await using var scene = await SetUpAsync(cs, server);
            var before = await scene.TicketsAsync();
            await using var device = await HubConnections.ConnectAsync(server.BaseAddress, scene.Hall.Credentials.DeviceKeys["display"]);
            // The server serves a connection's calls only once it has finished greeting it (status, snapshot, pending calls):
            // an answered call means the greeting no longer needs the database, so stopping it cannot end the connection.
            await device.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot));

            await cluster.StopAsync();
            NpgsqlConnection.ClearAllPools();
            // A device asking for the hall's state is told the database is away, by its code, not an anonymous hub error.
            var away = Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => device.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot)));
            Assert.That(away!.Message, Does.EndWith("unavailable"));
            // The clerk presses 开始办理 (S): refused, in plain words, and the ticket is still only called.
            await scene.Console.Keyboard.PressAsync("s");
            await Assertions.Expect(scene.Console.Locator("[data-testid=\"message\"]")).ToContainTextAsync("数据库暂时无法访问，操作未受理", new() { Timeout = 20_000 });
            await Assertions.Expect(scene.Console.Locator("[data-testid=\"current-state\"]")).ToHaveTextAsync("已呼叫，等候到窗");
            await Assertions.Expect(scene.Veil).ToBeHiddenAsync();
            // The kiosk: the ticket is refused and nothing is issued; the lobby keeps its board.
            var refused = await scene.IssueAtKioskAsync();
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("操作未受理"));
            await Assertions.Expect(scene.Board.Locator("[data-testid=\"newest-number\"]")).ToHaveTextAsync(scene.CalledNumber);
            // A citizen's phone page polls: told the service is away (and to try again), not a server error.
            using (var phone = new HttpClient { BaseAddress = server.BaseAddress })
            {
                var poll = await phone.GetAsync(new Uri($"/t/{before[0].TrackingCode}/state", UriKind.Relative));
                Assert.That((poll.StatusCode, poll.Headers.RetryAfter?.Delta), Is.EqualTo((HttpStatusCode.ServiceUnavailable, (TimeSpan?)TimeSpan.FromSeconds(5))));
                var body = await poll.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
                Assert.That((body.GetProperty("code").GetString(), body.GetProperty("messageZh").GetString()), Is.EqualTo(("unavailable", "数据库暂时无法访问，操作未受理，请稍后重试")));
            }
            await Browser.Screenshot(scene.Console, "faults-database-down-console");

            var restarted = await EmbeddedPostgres.StartAsync(cluster.Folder);
            cluster = restarted;
            await scene.Console.Keyboard.PressAsync("s");
            await Assertions.Expect(scene.Console.Locator("[data-testid=\"current-state\"]")).ToHaveTextAsync("办理中", new() { Timeout = 20_000 });
            Assert.That((await scene.IssueAtKioskAsync()).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await AssertNothingLostOrDoubledAsync(scene, before.Count + 1);
        }
        finally
        {
            await PostgresCluster.DropPrivateClusterAsync(cluster);
        }
    }

    /// <summary>The tickets issued before and after, numbered once each; the called one served once; its log unbroken.</summary>
    private static async Task AssertNothingLostOrDoubledAsync(Scene scene, int tickets)
    {
        var all = await scene.TicketsAsync();
        Assert.That(all, Has.Count.EqualTo(tickets));
        Assert.That(all.Select(t => t.Number), Is.Unique);
        Assert.That(all.Count(t => t.State == TicketState.Serving), Is.EqualTo(1));
        await using var db = PostgresCluster.Context(scene.Hall.ConnectionString);
        var served = all.Single(t => t.Number == scene.CalledNumber);
        var log = await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == served.Id).OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync();
        Assert.That(log, Is.EqualTo(new[] { TicketEventKind.Issued, TicketEventKind.Called, TicketEventKind.Started }));
    }
}
