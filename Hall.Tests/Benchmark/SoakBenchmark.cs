using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Devices;
using Hall.Server.Halls;
using Hall.Server.Hub;
using Hall.Server.Security;
using Hall.Server.Staff;
using Hall.Server.Tracking;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hall.Tests.Benchmark;

/// <summary>
/// The soak (issue 7): two Hall.Server processes on one PostgreSQL behind the Redis backplane, a heavy hall's day squeezed
/// into <c>HALL_SOAK_MINUTES</c> (default 10): 50 kiosks, 30 clerks, 40 lobby displays and 460 citizens' phones polling
/// their ticket's page, every client spread over both servers. Reports throughput and latency per command, call fan-out,
/// server memory every 30 s and the database size — against a bare round trip and a bare broadcast measured in the same
/// run — then checks from the database that no number was issued twice, no ticket was held by two windows, nothing a
/// client was told is missing, and every display got every call exactly once.
/// Run: <c>HALL_SOAK_MINUTES=10 dotnet test Hall.Tests -c Release --filter "TestCategory=Benchmark&amp;FullyQualifiedName~SoakBenchmark" --logger "console;verbosity=detailed"</c>;
/// the table is also written to <c>Hall.Tests/TestResults/soak.md</c>. The smoke run (every test run) is 15 s of 4 kiosks,
/// 4 windows, 4 displays and 20 phones, with the same checks.
/// </summary>
[TestFixture(BenchmarkRun.Full, Explicit = true, Reason = "benchmark: run on demand", Category = "Benchmark")]
[TestFixture(BenchmarkRun.Smoke, Category = "BenchmarkSmoke")]
[NonParallelizable]
public sealed class SoakBenchmark(BenchmarkRun run)
{
    private readonly bool _smoke = run == BenchmarkRun.Smoke;
    private int Kiosks => _smoke ? 4 : 50;
    private int Windows => _smoke ? 4 : 30;
    private int Displays => _smoke ? 4 : 40;
    private int Phones => _smoke ? 20 : 460;
    private TimeSpan Duration => _smoke ? TimeSpan.FromSeconds(15) : TimeSpan.FromMinutes(Setting("HALL_SOAK_MINUTES", 10));

    /// <summary>Mean seconds between two citizens at one kiosk: 50 kiosks at 20 s is 2.5 tickets a second, 9,000 an hour — a county hall's busiest day in well under an hour.</summary>
    private double KioskSeconds => _smoke ? 2 : Setting("HALL_SOAK_KIOSK_SECONDS", 20);

    /// <summary>
    /// Each server's database pool: two servers × the pool must stay under PostgreSQL's max_connections (300 on the test
    /// cluster), or an overloaded moment ends in "too many clients" instead of a queue for a connection.
    /// </summary>
    private static readonly int PoolSize = (int)Setting("HALL_SOAK_POOL", 40);

    /// <summary>The phone page polls its ticket's state every 4 s (Tracking/TrackingPage.cs).</summary>
    private const double PhonePollSeconds = 4;

    private TimeSpan SampleEvery => TimeSpan.FromSeconds(_smoke ? 5 : 30);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Latencies _load = new();
    private readonly Latencies _baseline = new();
    private volatile bool _recording;

    // What the clients were told: the facts the database must hold afterwards.
    private readonly ConcurrentDictionary<long, string> _issued = new();
    private readonly ConcurrentDictionary<long, (long TicketId, long SentTicks)> _calls = new();
    private readonly ConcurrentDictionary<long, byte> _finished = new();
    private readonly ConcurrentDictionary<long, byte> _noShows = new();
    private readonly ConcurrentDictionary<long, byte> _transferred = new();

    // What the displays received, by call id: which display, when.
    private readonly ConcurrentDictionary<long, ConcurrentQueue<(int Display, long Ticks)>> _received = new();
    private readonly ConcurrentDictionary<long, ConcurrentQueue<long>> _pings = new();
    private int _acksPending;
    private int _dropped;

    // The phones take the tracking codes of recently issued tickets, as citizens scan their ticket's QR.
    private string?[] _codes = [];
    private long _codeCount;
    private int _tracking;

    [Test]
    public async Task Two_servers_carry_a_heavy_hall_without_a_number_doubled_a_call_doubled_or_a_ticket_lost()
    {
        await using var redis = await RedisServer.StartAsync();
        _codes = new string?[Phones];
        var cs = await PostgresCluster.NewDatabaseAsync($"soak-{run}");
        var hall = await SeedAsync(cs);
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Hall"] = new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = PoolSize }.ConnectionString,
            ["ConnectionStrings__Redis"] = redis.ConnectionString,
            ["Hall__Demo__Seed"] = "false",
            ["Hall__Benchmark"] = "true",
            ["Hall__Limits__KioskTicketsPerMinute"] = "100000",
        };
        await using var serverA = await ServerProcess.StartAsync(settings, "Production");
        await using var serverB = await ServerProcess.StartAsync(settings, "Production");
        ServerProcess[] servers = [serverA, serverB];
        var connections = new List<HubConnection>();
        var phones = new List<HttpClient>();
        try
        {
            var started = _clock.Elapsed;
            var displays = new List<HubConnection>();
            for (var i = 0; i < Displays; i++)
            {
                displays.Add(await DisplayAsync(servers[i % 2], hall.DisplayKeys[i], i));
            }
            var kiosks = new List<HubConnection>();
            for (var i = 0; i < Kiosks; i++)
            {
                kiosks.Add(await ConnectAsync(servers[i % 2], hall.KioskKeys[i]));
            }
            var clerks = new List<(HubConnection Connection, int WindowId)>();
            for (var i = 0; i < Windows; i++)
            {
                var server = servers[i % 2];
                var (login, password) = hall.Clerks[i];
                var clerk = await ConnectAsync(server, await HubConnections.LoginAsync(server.BaseAddress, login, password));
                var open = await clerk.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.OpenWindow), new WindowCommand(Guid.NewGuid(), hall.WindowIds[i]));
                Assert.That(open.Ok, Is.True, () => open.Error?.MessageEn ?? "");
                clerks.Add((clerk, hall.WindowIds[i]));
            }
            connections.AddRange(displays.Concat(kiosks).Concat(clerks.Select(c => c.Connection)));
            for (var i = 0; i < Phones; i++)
            {
                // Each phone its own TCP connection, as 460 handsets are.
                phones.Add(new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = servers[i % 2].BaseAddress, Timeout = TimeSpan.FromMinutes(1) });
            }
            var connectSeconds = (_clock.Elapsed - started).TotalSeconds;

            await WarmUpAsync(kiosks, clerks, hall);
            await BaselineAsync(servers, kiosks, phones, hall.HallId);

            // The load.
            var samples = new ConcurrentQueue<Sample>();
            using var stop = new CancellationTokenSource();
            using var stopSampling = new CancellationTokenSource();
            var loadStart = _clock.Elapsed;
            _recording = true;
            var sampler = SampleAsync(servers, cs, loadStart, samples, stopSampling.Token);
            var kioskLoops = kiosks.Select((k, i) => Task.Run(() => KioskAsync(k, i, hall, stop.Token))).ToList();
            var windowLoops = clerks.Select((c, i) => Task.Run(() => WindowAsync(c.Connection, c.WindowId, i, hall, stop.Token))).ToList();
            var phoneLoops = phones.Select((p, i) => Task.Run(() => PhoneAsync(p, i, stop.Token))).ToList();
            await Task.Delay(Duration);
            await stop.CancelAsync();
            await Task.WhenAll(kioskLoops.Concat(phoneLoops));
            // The clerks finish the citizen in front of them.
            await Task.WhenAll(windowLoops);
            var loadTime = _clock.Elapsed - loadStart;
            _recording = false;
            await DeliveredAsync();
            await stopSampling.CancelAsync();
            await sampler;
            samples.Enqueue(await SampleOnceAsync(servers, cs, loadStart));

            var checks = await CheckAsync(cs, hall.HallId);
            var report = Report(loadTime, connectSeconds, [.. samples], checks);
            TestContext.Out.WriteLine(report);
            if (!_smoke)
            {
                var folder = Path.Combine(TestProjectFolder(), "TestResults");
                Directory.CreateDirectory(folder);
                await File.WriteAllTextAsync(Path.Combine(folder, "soak.md"), report);
            }

            Assert.Multiple(() =>
            {
                Assert.That(_issued, Is.Not.Empty, "tickets were issued");
                Assert.That(checks.DuplicateNumbers, Is.Zero, "no number issued twice in a hall on a business date");
                Assert.That(checks.DoubleCalls, Is.Empty, "no ticket held by two windows, no window holding two tickets");
                Assert.That(checks.Lost, Is.Empty, "every ticket, call, finish, no-show and transfer a client was told of is in the database");
                Assert.That(checks.Unacknowledged, Is.Zero, "no ticket in the database that no kiosk was told of");
                Assert.That(checks.DisplayMisses, Is.Zero, "every display got every call");
                Assert.That(checks.DisplayDuplicates, Is.Zero, "no display got a call twice");
                Assert.That(checks.DisplayStrays, Is.Zero, "no display got a call that is not in the event log");
                Assert.That(report, Does.Match(@"\| issue ticket \(kiosk\) \| \d+ \| \d+\.\d \|"), "the table was printed");
            });
        }
        finally
        {
            await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
            phones.ForEach(p => p.Dispose());
            await serverA.StopAsync();
            await serverB.StopAsync();
        }
    }

    private sealed record SoakHall(int HallId, IReadOnlyList<string> KioskKeys, IReadOnlyList<string> DisplayKeys, IReadOnlyList<(string Login, string Password)> Clerks,
        IReadOnlyList<int> WindowIds, int[] WeightedServices, IReadOnlySet<int> PriorityServices);

    /// <summary>The demo hall grown to 30 windows (15 more comprehensive ones, serving everything) with a clerk each, 50 kiosks and 40 displays.</summary>
    private async Task<SoakHall> SeedAsync(string cs)
    {
        var now = DateTimeOffset.UtcNow;
        await using var db = PostgresCluster.Context(cs);
        var credentials = await DemoHall.SeedAsync(db, now, openAllDay: true, CancellationToken.None);
        var hallId = credentials.HallId;
        var services = await db.Services.Where(s => s.HallId == hallId).OrderBy(s => s.SortOrder).ToListAsync();
        var clerks = Enumerable.Range(1, 15).Select(n => ($"{DemoHall.Code}-clerk{n:D2}", credentials.Passwords[$"{DemoHall.Code}-clerk{n:D2}"])).ToList();
        for (var number = 16; number <= Windows; number++)
        {
            db.Windows.Add(new Hall.Server.Windows.Window
            {
                HallId = hallId,
                Number = number,
                Name = "综合受理窗口",
                Kind = WindowKind.Comprehensive,
                LedAddress = number,
                // Each ranks the services differently, so the comprehensive windows spread over the queues.
                Services = [.. services.Select((s, i) => new Hall.Server.Windows.WindowService { ServiceId = services[(i + number) % services.Count].Id, Rank = i })],
            });
            var login = $"{DemoHall.Code}-clerk{number:D2}";
            var password = Secrets.New()[..12];
            db.Staff.Add(new StaffMember { HallId = hallId, Login = login, Name = $"窗口{number}", Role = StaffRole.Clerk, PasswordHash = StaffLogin.HashPassword(password) });
            clerks.Add((login, password));
        }
        await db.SaveChangesAsync();
        var kiosks = new List<string>();
        for (var i = 1; i <= Kiosks; i++)
        {
            kiosks.Add((await DeviceKeys.CreateAsync(db, hallId, $"取号机{i}", DeviceRole.Kiosk, null, now, CancellationToken.None)).Key);
        }
        var displays = new List<string>();
        for (var i = 1; i <= Displays; i++)
        {
            displays.Add((await DeviceKeys.CreateAsync(db, hallId, $"叫号屏{i}", DeviceRole.Display, null, now, CancellationToken.None)).Key);
        }
        // A day's caps would stop the kiosks within the first minutes of the soak.
        await db.Services.ExecuteUpdateAsync(s => s.SetProperty(x => x.DailyCap, 100_000));
        var windowIds = await db.Windows.Where(w => w.HallId == hallId).OrderBy(w => w.Number).Select(w => w.Id).ToListAsync();
        var ids = services.ToDictionary(s => s.Code, s => s.Id);
        int[] weighted = [.. HallBenchmark.ServiceWeights.SelectMany(w => Enumerable.Repeat(ids[w.Key], w.Value))];
        return new SoakHall(hallId, kiosks, displays, clerks, windowIds, weighted, services.Where(s => s.AcceptsPriority).Select(s => s.Id).ToHashSet());
    }

    private async Task<HubConnection> ConnectAsync(ServerProcess server, string token)
    {
        var connection = await HubConnections.ConnectAsync(server.BaseAddress, token);
        // Two cores shared with the servers and the database: a late keep-alive is load, not a dead server.
        connection.ServerTimeout = TimeSpan.FromMinutes(2);
        connection.Closed += _ =>
        {
            Interlocked.Increment(ref _dropped);
            return Task.CompletedTask;
        };
        return connection;
    }

    /// <summary>A lobby display: records each call's arrival and acknowledges it, as the display agent does once it has spoken.</summary>
    private async Task<HubConnection> DisplayAsync(ServerProcess server, string key, int index)
    {
        var screen = await ConnectAsync(server, key);
        screen.On<CallMessage>(nameof(IHallClient.Called), call =>
        {
            _received.GetOrAdd(call.CallId, _ => new()).Enqueue((index, _clock.ElapsedTicks));
            Interlocked.Increment(ref _acksPending);
            _ = AckAsync(screen, call.CallId);
        });
        screen.On<long>(BenchmarkEndpoints.PingEvent, stamp => _pings.GetOrAdd(stamp, _ => new()).Enqueue(_clock.ElapsedTicks));
        return screen;
    }

    private async Task AckAsync(HubConnection screen, long callId)
    {
        try
        {
            await TimedAsync("ack call (display)", async () =>
            {
                await screen.InvokeAsync(nameof(IHallHub.AckCall), callId);
                return true;
            });
        }
        finally
        {
            Interlocked.Decrement(ref _acksPending);
        }
    }

    /// <summary>The morning rush before the soak: 300 tickets waiting, and every kind of command run once on each server so both are compiled.</summary>
    private async Task WarmUpAsync(List<HubConnection> kiosks, List<(HubConnection Connection, int WindowId)> clerks, SoakHall hall)
    {
        var random = new Random(1);
        for (var round = 0; round < 6; round++)
        {
            await Task.WhenAll(kiosks.Select(async k =>
            {
                var reply = await k.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), hall.WeightedServices[random.Next(hall.WeightedServices.Length)], null, null, PriorityClass.Normal));
                Assert.That(reply.Ok, Is.True, () => reply.Error?.MessageEn ?? "");
                _issued[reply.Value!.Ticket.TicketId] = reply.Value.Ticket.Number;
                AddCode(reply.Value.TrackingCode);
            }));
        }
        await Task.WhenAll(clerks.Take(4).Select(async c =>
        {
            var sent = _clock.ElapsedTicks;
            var called = await c.Connection.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), c.WindowId));
            Assert.That(called.Ok, Is.True, () => called.Error?.MessageEn ?? "");
            Called(called.Value!, sent);
            var ticket = called.Value!.Ticket.TicketId;
            (await c.Connection.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.StartService), new TicketCommand(Guid.NewGuid(), c.WindowId, ticket))).Ok();
            (await c.Connection.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Finish), new FinishCommand(Guid.NewGuid(), c.WindowId, ticket, "办结", null))).Ok();
            _finished[ticket] = 0;
        }));
    }

    /// <summary>
    /// Measured before the load, on the same connections: a hub call that touches no database (Whoami), an HTTP request
    /// that touches none (/health/live), and a bare broadcast to the hall's group through the backplane.
    /// </summary>
    private async Task BaselineAsync(ServerProcess[] servers, List<HubConnection> kiosks, List<HttpClient> phones, int hallId)
    {
        await Task.WhenAll(kiosks.Take(10).Select(async k =>
        {
            for (var i = 0; i < 200; i++)
            {
                var sent = _clock.ElapsedTicks;
                await k.InvokeAsync<Whoami>(nameof(IHallHub.Whoami));
                _baseline.Add("hub round trip (Whoami)", Ms(_clock.ElapsedTicks - sent));
            }
        }));
        await Task.WhenAll(phones.Take(10).Select(async p =>
        {
            for (var i = 0; i < 200; i++)
            {
                var sent = _clock.ElapsedTicks;
                using var response = await p.GetAsync(new Uri("/health/live", UriKind.Relative));
                _baseline.Add("HTTP round trip (/health/live)", Ms(_clock.ElapsedTicks - sent));
            }
        }));
        using var http = new HttpClient();
        for (var round = 0L; round < 30; round++)
        {
            var sent = _clock.ElapsedTicks;
            using var response = await http.PostAsync(new Uri(servers[round % 2].BaseAddress, $"/benchmark/broadcast/{hallId}/{round}"), null);
            response.EnsureSuccessStatusCode();
            var until = Environment.TickCount64 + 30_000;
            while (!(_pings.TryGetValue(round, out var got) && got.Count >= Displays) && Environment.TickCount64 < until)
            {
                await Task.Delay(1);
            }
            if (_pings.TryGetValue(round, out var arrivals))
            {
                var ms = arrivals.Select(t => Ms(t - sent)).ToList();
                ms.ForEach(m => _baseline.Add("broadcast: each display", m));
                _baseline.Add("broadcast: all displays", ms.Count == Displays ? ms.Max() : double.PositiveInfinity);
            }
            await Task.Delay(50);
        }
    }

    private async Task KioskAsync(HubConnection kiosk, int index, SoakHall hall, CancellationToken stop)
    {
        var random = new Random(100 + index);
        await PauseAsync(random.NextDouble() * KioskSeconds, stop);
        while (!stop.IsCancellationRequested)
        {
            var service = hall.WeightedServices[random.Next(hall.WeightedServices.Length)];
            var priority = hall.PriorityServices.Contains(service) && random.Next(10) == 0 ? PriorityClass.Elderly : PriorityClass.Normal;
            // Three in ten leave a mobile number for the "almost your turn" text.
            var mobile = random.Next(10) < 3 ? $"139{random.Next(100_000_000):D8}" : null;
            var reply = await CommandAsync<TicketIssued>("issue ticket (kiosk)", kiosk, nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), service, null, null, priority, mobile));
            if (reply is { Ok: true, Value: { } issued })
            {
                _issued[issued.Ticket.TicketId] = issued.Ticket.Number;
                AddCode(issued.TrackingCode);
            }
            await PauseAsync(KioskSeconds * (0.5 + random.NextDouble()), stop);
        }
    }

    /// <summary>
    /// A clerk's day at high speed: call, the citizen walks up (2–4 s), then 8 in 100 do not come (one recall, then
    /// no-show), 5 in 100 are transferred to another service, 10 in 100 need a recall first; the rest are served for
    /// 4–12 s and finished. A window finishes the citizen in front of it after the stop.
    /// </summary>
    private async Task WindowAsync(HubConnection clerk, int windowId, int index, SoakHall hall, CancellationToken stop)
    {
        var random = new Random(200 + index);
        while (!stop.IsCancellationRequested)
        {
            var sent = _clock.ElapsedTicks;
            var reply = await CommandAsync<TicketCalled>("call next (clerk)", clerk, nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), windowId));
            if (reply is not { Ok: true, Value: { } called })
            {
                // Nobody waiting for this window: look again in a second.
                await PauseAsync(1, stop);
                continue;
            }
            Called(called, sent);
            var ticket = called.Ticket.TicketId;
            await PauseAsync(2 + random.NextDouble() * 2, CancellationToken.None);
            var fate = random.Next(100);
            if (fate < 18)
            {
                sent = _clock.ElapsedTicks;
                if (await CommandAsync<TicketCalled>("recall (clerk)", clerk, nameof(IHallHub.Recall), new TicketCommand(Guid.NewGuid(), windowId, ticket)) is { Ok: true, Value: { } recalled })
                {
                    Called(recalled, sent);
                }
                await PauseAsync(1 + random.NextDouble(), CancellationToken.None);
            }
            if (fate < 8)
            {
                if (await CommandAsync<TicketView>("no-show (clerk)", clerk, nameof(IHallHub.NoShow), new TicketCommand(Guid.NewGuid(), windowId, ticket)) is { Ok: true })
                {
                    _noShows[ticket] = 0;
                }
                continue;
            }
            if (fate >= 18 && fate < 23)
            {
                var to = hall.WeightedServices.Where(s => s != called.Ticket.ServiceId).ElementAt(random.Next(50));
                if (await CommandAsync<TicketView>("transfer (clerk)", clerk, nameof(IHallHub.Transfer), new TransferCommand(Guid.NewGuid(), windowId, ticket, to, null)) is { Ok: true })
                {
                    _transferred[ticket] = 0;
                }
                continue;
            }
            await CommandAsync<TicketView>("start service (clerk)", clerk, nameof(IHallHub.StartService), new TicketCommand(Guid.NewGuid(), windowId, ticket));
            await PauseAsync(4 + random.NextDouble() * 8, CancellationToken.None);
            if (await CommandAsync<TicketView>("finish (clerk)", clerk, nameof(IHallHub.Finish), random.Next(20) == 0
                ? new FinishCommand(Guid.NewGuid(), windowId, ticket, "已受理", null, HubCalls.AcceptanceDetails, AcceptanceMode.MaterialsToFollow)
                : new FinishCommand(Guid.NewGuid(), windowId, ticket, "办结", null)) is { Ok: true })
            {
                _finished[ticket] = 0;
            }
        }
    }

    /// <summary>A citizen's phone on the ticket page: polls the ticket's state every 4 s until it is closed or missed, then a newer ticket is scanned.</summary>
    private async Task PhoneAsync(HttpClient phone, int index, CancellationToken stop)
    {
        var random = new Random(1000 + index);
        string? code = null;
        await PauseAsync(random.NextDouble() * PhonePollSeconds, stop);
        while (!stop.IsCancellationRequested)
        {
            if (code is null && TakeCode(random) is { } taken)
            {
                code = taken;
                Interlocked.Increment(ref _tracking);
            }
            if (code is not null)
            {
                const string Kind = "phone page poll (/t/{code}/state)";
                var state = await TimedAsync(Kind, async () =>
                {
                    // Not cancelled at the stop: a poll in flight completes, as it would on the phone.
                    using var response = await phone.GetAsync(new Uri($"/t/{code}/state", UriKind.Relative));
                    if (!response.IsSuccessStatusCode)
                    {
                        if (_recording)
                        {
                            _load.Refuse(Kind, $"HTTP {(int)response.StatusCode}");
                        }
                        return null;
                    }
                    return await response.Content.ReadFromJsonAsync<TrackingPage.TrackedTicket>();
                });
                if (state is { Final: true } or { State: "NoShow" })
                {
                    code = null;
                    Interlocked.Decrement(ref _tracking);
                }
            }
            await PauseAsync(PhonePollSeconds, stop);
        }
    }

    private void AddCode(string code)
    {
        var n = Interlocked.Increment(ref _codeCount) - 1;
        Volatile.Write(ref _codes[n % Phones], code);
    }

    private string? TakeCode(Random random)
    {
        var n = Interlocked.Read(ref _codeCount);
        return n == 0 ? null : Volatile.Read(ref _codes[random.Next((int)Math.Min(n, Phones))]);
    }

    private void Called(TicketCalled called, long sentTicks) => _calls[called.CallId] = (called.Ticket.TicketId, sentTicks);

    private async Task<Reply<T>?> CommandAsync<T>(string kind, HubConnection connection, string method, object command)
    {
        var reply = await TimedAsync(kind, () => connection.InvokeAsync<Reply<T>>(method, command));
        if (reply is { Ok: false, Error: { } error } && _recording)
        {
            _load.Refuse(kind, error.Code);
        }
        return reply;
    }

    /// <summary>Times an operation while the load runs; a failure (not a refusal) is counted by its exception type and yields null.</summary>
    private async Task<T?> TimedAsync<T>(string kind, Func<Task<T>> operation)
    {
        var sent = _clock.ElapsedTicks;
        try
        {
            var result = await operation();
            if (_recording)
            {
                _load.Add(kind, Ms(_clock.ElapsedTicks - sent));
            }
            return result;
        }
        catch (Exception e) when (e is Microsoft.AspNetCore.SignalR.HubException or HttpRequestException or InvalidOperationException or TaskCanceledException or IOException or System.Text.Json.JsonException)
        {
            if (_recording)
            {
                _load.Fail(kind, e.GetType().Name);
            }
            return default;
        }
    }

    /// <summary>Waits until every call the clerks were answered has reached every display (or 60 s), and every acknowledgement is back.</summary>
    private async Task DeliveredAsync()
    {
        var until = Environment.TickCount64 + 60_000;
        while (Environment.TickCount64 < until
            && (Volatile.Read(ref _acksPending) > 0 || _calls.Keys.Any(id => !_received.TryGetValue(id, out var got) || got.Count < Displays)))
        {
            await Task.Delay(100);
        }
        // Late duplicates, if any, have a moment to show.
        await Task.Delay(2000);
    }

    private sealed record ServerSample(double RssMb, double? HeapMb);

    private sealed record Sample(TimeSpan At, IReadOnlyList<ServerSample> Servers, double DatabaseMb, long Waiting, int PhonesTracking);

    private async Task SampleAsync(ServerProcess[] servers, string cs, TimeSpan loadStart, ConcurrentQueue<Sample> samples, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            samples.Enqueue(await SampleOnceAsync(servers, cs, loadStart));
            await PauseAsync(SampleEvery.TotalSeconds, stop);
        }
    }

    private async Task<Sample> SampleOnceAsync(ServerProcess[] servers, string cs, TimeSpan loadStart)
    {
        var at = _clock.Elapsed - loadStart;
        var perServer = new List<ServerSample>();
        foreach (var server in servers)
        {
            perServer.Add(new ServerSample(RssMb(server.ProcessId), await ManagedHeapMbAsync(server)));
        }
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var size = new NpgsqlCommand("SELECT pg_database_size(current_database())", conn);
        var bytes = (long)(await size.ExecuteScalarAsync())!;
        await using var waiting = new NpgsqlCommand("SELECT count(*) FROM tickets WHERE state = 'Waiting'", conn);
        var waitingCount = (long)(await waiting.ExecuteScalarAsync())!;
        return new Sample(at, perServer, bytes / 1048576.0, waitingCount, Volatile.Read(ref _tracking));
    }

    private static double RssMb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>The GC heap after the last collection, all generations, from the server's /metrics (the runtime's own meter).</summary>
    private static async Task<double?> ManagedHeapMbAsync(ServerProcess server)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        try
        {
            var text = await http.GetStringAsync(new Uri(server.BaseAddress, "/metrics"));
            var values = text.Split('\n')
                .Where(l => l.StartsWith("dotnet_gc_last_collection_heap_size_bytes", StringComparison.Ordinal))
                .Select(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture))
                .ToList();
            return values.Count == 0 ? null : values.Sum() / 1048576;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    private sealed record Checks(
        long Tickets, long DuplicateNumbers, IReadOnlyList<string> DoubleCalls, IReadOnlyList<string> Lost, long Unacknowledged,
        long CallEvents, long DisplayMisses, long DisplayDuplicates, long DisplayStrays, long AckRows);

    /// <summary>The invariants, from the database and what the clients recorded.</summary>
    private async Task<Checks> CheckAsync(string cs, int hallId)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        async Task<long> CountAsync(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        var duplicates = await CountAsync($"SELECT count(*) FROM (SELECT 1 FROM tickets WHERE hall_id = {hallId} GROUP BY hall_id, business_date, number HAVING count(*) > 1) d");
        var ackRows = await CountAsync("SELECT count(*) FROM display_call_acks");

        var tickets = new Dictionary<long, (string Number, string State)>();
        await using (var cmd = new NpgsqlCommand($"SELECT id, number, state FROM tickets WHERE hall_id = {hallId}", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tickets[reader.GetInt64(0)] = (reader.GetString(1), reader.GetString(2));
            }
        }

        // Replay the event log: a ticket is held by one window from its call until it is released; a window holds one ticket.
        var doubleCalls = new List<string>();
        var events = new Dictionary<long, (long TicketId, string Kind)>();
        var heldBy = new Dictionary<long, int>();
        var holding = new Dictionary<int, long>();
        await using (var cmd = new NpgsqlCommand($"SELECT id, ticket_id, kind, window_id FROM ticket_events WHERE hall_id = {hallId} ORDER BY id", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var (id, ticket, kind) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2));
                int? window = reader.IsDBNull(3) ? null : reader.GetInt32(3);
                events[id] = (ticket, kind);
                switch (kind)
                {
                    case "Called":
                        if (heldBy.TryGetValue(ticket, out var other))
                        {
                            doubleCalls.Add($"event {id}: ticket {ticket} called by window {window} while window {other} held it");
                        }
                        if (holding.TryGetValue(window!.Value, out var held) && held != ticket)
                        {
                            doubleCalls.Add($"event {id}: window {window} called ticket {ticket} while it held ticket {held}");
                        }
                        heldBy[ticket] = window.Value;
                        holding[window.Value] = ticket;
                        break;
                    case "Recalled" or "Started":
                        if (!heldBy.TryGetValue(ticket, out var by) || by != window)
                        {
                            doubleCalls.Add($"event {id}: {kind} of ticket {ticket} by window {window}, which did not hold it");
                        }
                        break;
                    case "NoShow" or "Finished" or "Transferred" or "Cancelled" or "Voided" or "Requeued":
                        if (heldBy.Remove(ticket, out var from))
                        {
                            holding.Remove(from);
                        }
                        break;
                    default:
                        break;
                }
            }
        }

        var lost = new List<string>();
        foreach (var (id, number) in _issued)
        {
            if (!tickets.TryGetValue(id, out var t) || t.Number != number)
            {
                lost.Add($"ticket {id} {number} issued to a kiosk is {(t.Number is null ? "missing" : "numbered " + t.Number)}");
            }
        }
        foreach (var (callId, call) in _calls)
        {
            if (!events.TryGetValue(callId, out var e) || e.TicketId != call.TicketId || e.Kind is not ("Called" or "Recalled"))
            {
                lost.Add($"call {callId} of ticket {call.TicketId} answered to a clerk is not in the event log");
            }
        }
        void Expect(IEnumerable<long> ids, string state, string what)
        {
            foreach (var id in ids.Where(id => !tickets.TryGetValue(id, out var t) || t.State != state))
            {
                lost.Add($"ticket {id} {what} is {(tickets.TryGetValue(id, out var t) ? t.State : "missing")}");
            }
        }
        Expect(_finished.Keys, "Finished", "finished by a clerk");
        Expect(_noShows.Keys, "NoShow", "marked no-show");
        foreach (var id in _transferred.Keys.Where(id => !events.Values.Any(e => e.TicketId == id && e.Kind == "Transferred")))
        {
            lost.Add($"ticket {id} transferred by a clerk has no Transferred event");
        }
        var unacknowledged = tickets.Keys.LongCount(id => !_issued.ContainsKey(id));

        var callIds = events.Where(e => e.Value.Kind is "Called" or "Recalled").Select(e => e.Key).ToHashSet();
        long misses = 0, doubles = 0;
        foreach (var id in callIds)
        {
            var byDisplay = _received.TryGetValue(id, out var got) ? got.GroupBy(g => g.Display).ToDictionary(g => g.Key, g => g.Count()) : [];
            misses += Displays - byDisplay.Count;
            doubles += byDisplay.Values.Sum(n => n - 1);
        }
        var strays = _received.Keys.LongCount(id => !callIds.Contains(id));
        return new Checks(tickets.Count, duplicates, doubleCalls, lost, unacknowledged, callIds.Count, misses, doubles, strays, ackRows);
    }

    private string Report(TimeSpan loadTime, double connectSeconds, IReadOnlyList<Sample> samples, Checks checks)
    {
        var seconds = loadTime.TotalSeconds;
        var hubBase = HallBenchmark.P(_baseline.Of("hub round trip (Whoami)"), 99);
        var httpBase = HallBenchmark.P(_baseline.Of("HTTP round trip (/health/live)"), 99);
        var r = new StringBuilder();
        r.AppendLine(CultureInfo.InvariantCulture, $"""
            ## Soak: two Hall.Server instances (Release, Production settings) behind the Redis backplane, one PostgreSQL

            {seconds / 60:F1} minutes of load on a {Environment.ProcessorCount}-core machine that also ran both servers, PostgreSQL (test cluster, fsync off), Redis and all {Kiosks + Windows + Displays + Phones} clients — and other people's builds and tests at the same time, so the figures are a floor, not a capacity.
            Clients, each alternating between the two servers: {Kiosks} kiosks (own device keys, a citizen every {KioskSeconds:0.#} s on average each), {Windows} clerks at {Windows} windows, {Displays} lobby displays (acknowledging every call) and {Phones} phones polling their ticket's page every {PhonePollSeconds:0} s (own TCP connection each). Each server's database pool: {PoolSize} connections. Connecting the clients took {connectSeconds:F1} s. Before the load: 300 tickets waiting.

            ### Commands (during the load)
            | command | count | per s | refused | failed | p50 ms | p95 ms | p99 ms | max ms | p99 vs baseline p99 |
            |---|---|---|---|---|---|---|---|---|---|
            """);
        foreach (var kind in _load.Kinds.Order(StringComparer.Ordinal))
        {
            var ms = _load.Of(kind);
            var baseline = kind.StartsWith("phone", StringComparison.Ordinal) ? httpBase : hubBase;
            r.AppendLine(CultureInfo.InvariantCulture, $"| {kind} | {ms.Count} | {ms.Count / seconds:F1} | {_load.Refused(kind)} | {_load.Failed(kind)} | {HallBenchmark.P(ms, 50):F1} | {HallBenchmark.P(ms, 95):F1} | {HallBenchmark.P(ms, 99):F1} | {ms.DefaultIfEmpty(double.NaN).Max():F0} | {HallBenchmark.P(ms, 99) / baseline:F1}× |");
        }
        var all = _load.Kinds.Sum(k => _load.Of(k).Count);
        r.AppendLine(CultureInfo.InvariantCulture, $"| **all** | {all} | {all / seconds:F1} | | | | | | | |");
        r.AppendLine();
        r.AppendLine("Refused `nobody_waiting`: a window looked for a citizen while none of its services had anyone waiting (it looks again a second later); latencies count refusals too.");
        r.AppendLine();
        r.AppendLine("Baseline, measured in the same run before the load on the same connections:");
        r.AppendLine();
        r.AppendLine("| baseline | count | p50 ms | p99 ms | max ms |");
        r.AppendLine("|---|---|---|---|---|");
        foreach (var kind in _baseline.Kinds.Order(StringComparer.Ordinal))
        {
            var ms = _baseline.Of(kind);
            r.AppendLine(CultureInfo.InvariantCulture, $"| {kind} | {ms.Count} | {HallBenchmark.P(ms, 50):F1} | {HallBenchmark.P(ms, 99):F1} | {ms.Max():F0} |");
        }

        // Fan-out of the calls made under load: from the clerk sending the command to each display receiving the call.
        var loadCalls = _calls.Where(c => _received.ContainsKey(c.Key)).ToList();
        var each = new List<double>();
        var toAll = new List<double>();
        var complete = 0;
        foreach (var (callId, call) in loadCalls)
        {
            var arrivals = _received[callId].Select(a => Ms(a.Ticks - call.SentTicks)).ToList();
            each.AddRange(arrivals);
            if (arrivals.Count >= Displays)
            {
                complete++;
                toAll.Add(arrivals.Max());
            }
        }
        var broadcastAll = HallBenchmark.P(_baseline.Of("broadcast: all displays"), 99);
        r.AppendLine(CultureInfo.InvariantCulture, $"""

            ### Call fan-out (clerk sends call / recall → display receives; includes the command itself)
            | measure | calls | p50 ms | p99 ms | max ms | p99 vs bare broadcast p99 (before the load) |
            |---|---|---|---|---|---|
            | each display | {each.Count} deliveries | {HallBenchmark.P(each, 50):F0} | {HallBenchmark.P(each, 99):F0} | {each.DefaultIfEmpty(double.NaN).Max():F0} | {HallBenchmark.P(each, 99) / HallBenchmark.P(_baseline.Of("broadcast: each display"), 99):F1}× |
            | all {Displays} displays | {toAll.Count} calls | {HallBenchmark.P(toAll, 50):F0} | {HallBenchmark.P(toAll, 99):F0} | {toAll.DefaultIfEmpty(double.NaN).Max():F0} | {HallBenchmark.P(toAll, 99) / broadcastAll:F1}× |

            Calls reached all {Displays} displays: {complete} of {_calls.Count}; hub connections dropped during the run: {Volatile.Read(ref _dropped)}.

            ### Server memory and database over time
            | t | server A RSS MB | server A GC heap MB | server B RSS MB | server B GC heap MB | database MB | waiting tickets | phones tracking |
            |---|---|---|---|---|---|---|---|
            """);
        foreach (var s in samples.OrderBy(s => s.At))
        {
            r.AppendLine(CultureInfo.InvariantCulture, $"| {s.At:mm\\:ss} | {s.Servers[0].RssMb:F0} | {s.Servers[0].HeapMb:F0} | {s.Servers[1].RssMb:F0} | {s.Servers[1].HeapMb:F0} | {s.DatabaseMb:F1} | {s.Waiting} | {s.PhonesTracking} |");
        }
        r.AppendLine(CultureInfo.InvariantCulture, $"""

            ### Invariants (from the database after the load)
            | check | result |
            |---|---|
            | tickets in the database / acknowledged to kiosks | {checks.Tickets} / {_issued.Count} |
            | duplicate numbers (hall, business date, number) | {checks.DuplicateNumbers} |
            | double calls (a ticket held by two windows, or a window holding two tickets, replaying the event log) | {checks.DoubleCalls.Count} |
            | lost: acknowledged tickets, calls ({_calls.Count}), tickets finished ({_finished.Count}), missed ({_noShows.Count}) and transferred ({_transferred.Count}) missing from the database or in another state | {checks.Lost.Count} |
            | tickets in the database no kiosk was told of | {checks.Unacknowledged} |
            | calls in the event log / calls answered to clerks | {checks.CallEvents} / {_calls.Count} |
            | display deliveries missing (of {checks.CallEvents} calls × {Displays} displays) | {checks.DisplayMisses} |
            | display deliveries twice | {checks.DisplayDuplicates} |
            | calls received that are not in the event log | {checks.DisplayStrays} |
            | acknowledgements recorded (display_call_acks) / expected | {checks.AckRows} / {checks.CallEvents * Displays} |
            """);
        foreach (var line in checks.DoubleCalls.Concat(checks.Lost).Take(20))
        {
            r.AppendLine("- " + line);
        }
        return r.ToString();
    }

    private sealed class Latencies
    {
        private readonly ConcurrentDictionary<string, ConcurrentQueue<double>> _ms = new();
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, int>> _refused = new();
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, int>> _failed = new();

        public IEnumerable<string> Kinds => _ms.Keys.Union(_refused.Keys).Union(_failed.Keys);

        public void Add(string kind, double ms) => _ms.GetOrAdd(kind, _ => new()).Enqueue(ms);

        public void Refuse(string kind, string code) => _refused.GetOrAdd(kind, _ => new()).AddOrUpdate(code, 1, (_, n) => n + 1);

        public void Fail(string kind, string why) => _failed.GetOrAdd(kind, _ => new()).AddOrUpdate(why, 1, (_, n) => n + 1);

        public List<double> Of(string kind) => _ms.TryGetValue(kind, out var ms) ? [.. ms] : [];

        public string Refused(string kind) => Describe(_refused, kind);

        public string Failed(string kind) => Describe(_failed, kind);

        private static string Describe(ConcurrentDictionary<string, ConcurrentDictionary<string, int>> counts, string kind) =>
            counts.TryGetValue(kind, out var c) && !c.IsEmpty ? string.Join(", ", c.OrderByDescending(x => x.Value).Select(x => $"{x.Value} {x.Key}")) : "0";
    }

    private static async Task PauseAsync(double seconds, CancellationToken stop)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double Setting(string name, double fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string TestProjectFolder()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Hall.Tests.csproj")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? TestContext.CurrentContext.WorkDirectory;
    }
}
