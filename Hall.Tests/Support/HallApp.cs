using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Devices;
using Hall.Server.Halls;
using Hall.Server.Notices;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using Microsoft.Extensions.Time.Testing;

namespace Hall.Tests.Support;

/// <summary>
/// Hall.Server through its real composition root, on real Kestrel at 127.0.0.1, on its own database, with a fake clock.
/// </summary>
public sealed class HallApp : WebApplicationFactory<Program>
{
    public string ConnectionString { get; }
    public FakeTimeProvider Clock { get; }
    /// <summary>The notices the server sent, in order.</summary>
    public RecordingNoticeSender Notices { get; } = new();
    public const string PublicBaseUrl = "https://hall.xinxian.example.gov.cn";
    /// <summary>The media library's files, in a temporary folder of this server's own.</summary>
    public string MediaFolder { get; } = Path.Combine(Path.GetTempPath(), $"hall-media-{Guid.NewGuid():N}");
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Whether the server makes the scheduled reports by itself (off unless a test is about them: each costs a PDF).</summary>
    public bool ReportSchedule { get; private init; }

    /// <summary>Settings of the test's own (e.g. a limit), over the defaults below.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; private init; } = new Dictionary<string, string?>();

    /// <summary>The server's log: warnings and errors always; every line from Debug up when started with <c>captureDebugLogs</c>.</summary>
    public TestLogProvider Logs { get; private init; } = new();

    private HallApp(string connectionString, DateTimeOffset now, int port = 0)
    {
        ConnectionString = connectionString;
        Clock = new FakeTimeProvider(now.ToUniversalTime());
        UseKestrel(port);
    }

    /// <summary>2026-11-30 is a Monday; 10:00 in Shanghai is inside the county hall's hours.</summary>
    public static readonly DateTimeOffset MondayMorning = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    public static async Task<HallApp> StartAsync(string purpose, DateTimeOffset? now = null, bool reportSchedule = false, IReadOnlyDictionary<string, string?>? settings = null, bool captureDebugLogs = false) =>
        Start(new HallApp(await PostgresCluster.NewDatabaseAsync(purpose), now ?? MondayMorning)
        {
            ReportSchedule = reportSchedule,
            Settings = settings ?? new Dictionary<string, string?>(),
            Logs = new TestLogProvider(captureDebugLogs ? LogLevel.Debug : LogLevel.None),
        });

    /// <summary>A server back on the address and database of one that was stopped: devices reconnect to it by themselves.</summary>
    /// <param name="settings">Other settings than the stopped server's, e.g. a rotated key.</param>
    public static HallApp Restart(HallApp stopped, IReadOnlyDictionary<string, string?>? settings = null) =>
        Start(new HallApp(stopped.ConnectionString, stopped.Clock.GetUtcNow(), stopped.BaseAddress.Port) { ReportSchedule = stopped.ReportSchedule, Settings = settings ?? stopped.Settings });

    /// <summary>A second server instance on the same database as <paramref name="first"/>, on its own port and its own fake clock (set to the first's time).</summary>
    public static HallApp StartAlongside(HallApp first, IReadOnlyDictionary<string, string?>? settings = null) =>
        Start(new HallApp(first.ConnectionString, first.Clock.GetUtcNow()) { ReportSchedule = first.ReportSchedule, Settings = settings ?? first.Settings, Logs = new TestLogProvider(first.Logs.Capture) });

    private static HallApp Start(HallApp app)
    {
        app.StartServer();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        app.BaseAddress = new Uri(addresses.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Hall", ConnectionString);
        builder.UseSetting("Hall:Demo:Seed", "false");
        builder.UseSetting("Hall:Reports:Schedule", ReportSchedule ? "true" : "false");
        builder.UseSetting("Hall:PublicBaseUrl", PublicBaseUrl);
        builder.UseSetting("Hall:MediaFolder", MediaFolder);
        // The fake clock stands still, so a kiosk's rate limit would refuse fixtures that issue many tickets; LimitsTests sets its own.
        builder.UseSetting("Hall:Limits:KioskTicketsPerMinute", "100000");
        builder.UseSetting("Hall:Privacy:KeyFile", TestPrivacyKey.File);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(s =>
        {
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            s.Replace(ServiceDescriptor.Singleton<INoticeSender>(Notices));
        });
        // Server errors go to the test's output, where a failing test shows them.
        builder.ConfigureLogging(l => l.ClearProviders().AddProvider(Logs).SetMinimumLevel(Logs.Capture < LogLevel.Warning ? Logs.Capture : LogLevel.Warning));
        if (Logs.Capture == LogLevel.Debug)
        {
            // Every category at Debug, the framework's and the database commands' included: what a hall that turns logging up would write.
            foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Microsoft.EntityFrameworkCore.Database.Command" })
            {
                builder.UseSetting($"Logging:LogLevel:{category}", "Debug");
            }
        }
    }

    public HallDb Db() => PostgresCluster.Context(ConnectionString);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        // The server's pooled connections close with it (a second app on the same database opens its own).
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
        if (Directory.Exists(MediaFolder))
        {
            Directory.Delete(MediaFolder, recursive: true);
        }
    }

    /// <summary>Seeds a demo hall (with the county's real hours) and returns its generated credentials.</summary>
    public async Task<DemoCredentials> SeedHallAsync(string code = DemoHall.Code, bool openAllDay = false)
    {
        await using var db = Db();
        return await DemoHall.SeedAsync(db, Clock.GetUtcNow(), openAllDay, CancellationToken.None, code);
    }

    /// <summary>A device of the hall, created as the admin would, with its key.</summary>
    public async Task<string> CreateDeviceAsync(int hallId, string name, DeviceRole role, int? windowId = null)
    {
        await using var db = Db();
        var (_, key) = await DeviceKeys.CreateAsync(db, hallId, name, role, windowId, Clock.GetUtcNow(), CancellationToken.None);
        return key;
    }

    public async Task<int> ServiceIdAsync(int hallId, string code)
    {
        await using var db = Db();
        return await db.Services.Where(s => s.HallId == hallId && s.Code == code).Select(s => s.Id).SingleAsync();
    }

    public async Task<int> WindowIdAsync(int hallId, int number)
    {
        await using var db = Db();
        return await db.Windows.Where(w => w.HallId == hallId && w.Number == number).Select(w => w.Id).SingleAsync();
    }

    public Task<string> LoginAsync(string login, string password) => HubConnections.LoginAsync(BaseAddress, login, password);

    /// <summary>A real SignalR client over a real socket, recording everything the server sends.</summary>
    public Task<HubClient> ConnectAsync(string token) => HubClient.ConnectAsync(BaseAddress, token);
}
