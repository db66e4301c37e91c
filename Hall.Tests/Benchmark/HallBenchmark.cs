using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Hub;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hall.Tests.Benchmark;

/// <summary>
/// The benchmark (not a test): Hall.Server on its embedded database, driven through the hub. Prints throughput against raw
/// PostgreSQL on the same cluster, open-loop latency at a fixed offered rate, and call fan-out against a bare broadcast.
/// Run: <c>dotnet test Hall.Tests -c Release --filter "TestCategory=Benchmark&amp;FullyQualifiedName~HallBenchmark" --logger "console;verbosity=detailed"</c>.
/// </summary>
[TestFixture(BenchmarkRun.Full, Explicit = true, Reason = "benchmark: run on demand", Category = "Benchmark")]
[TestFixture(BenchmarkRun.Smoke, Category = "BenchmarkSmoke")]
[NonParallelizable]
public sealed class HallBenchmark(BenchmarkRun run)
{
    private readonly bool _smoke = run == BenchmarkRun.Smoke;
    private int Clients => _smoke ? 4 : int.Parse(Environment.GetEnvironmentVariable("HALL_BENCH_CLIENTS") ?? "16", CultureInfo.InvariantCulture);
    private TimeSpan Phase => TimeSpan.FromSeconds(_smoke ? 1 : Environment.GetEnvironmentVariable("HALL_BENCH_SECONDS") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : 8);

    private string _folder = null!;
    private ServerProcess _server = null!;
    private string _db = null!;
    private Dictionary<string, string> _passwords = null!;
    private Dictionary<string, string> _keys = null!;
    private int _hallId;
    private readonly StringBuilder _report = new();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"hall-bench-{run}-{Environment.ProcessId}");
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
        _server = await ServerProcess.StartAsync(ServerSettings, "Production");
        _db = EmbeddedPostgres.ConnectionStringOf(_folder);
        if (Profile)
        {
            // The statement profile needs pg_stat_statements preloaded: set it and restart the server (and with it the cluster).
            await using (var setup = await OpenAsync())
            {
                await Exec(setup, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
            }
            await _server.StopAsync();
            await _server.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            _server = await ServerProcess.StartAsync(ServerSettings, "Production");
            await using var again = await OpenAsync();
            await Exec(again, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
        (_passwords, _keys) = ReadCredentials(Path.Combine(_folder, "demo-credentials.txt"));
        await using var conn = await OpenAsync();
        _hallId = (int)(await Scalar(conn, "SELECT id FROM halls WHERE code = 'xinxian'"))!;
        // Every call-next closes the window's previous ticket as a no-show: a closed loop of one command per call.
        await Exec(conn, $"UPDATE halls SET auto_no_show_after_calls = 1, ageing_minutes = 100000 WHERE id = {_hallId}");
        await Exec(conn, "UPDATE services SET daily_cap = 999");
        if (Environment.GetEnvironmentVariable("HALL_BENCH_ASYNC_COMMIT") == "1")
        {
            await Exec(conn, "ALTER SYSTEM SET synchronous_commit = off; SELECT pg_reload_conf();");
        }
        // A 16th window, opened by the supervisor, so 16 windows call at once.
        await Exec(conn, $"""
            INSERT INTO windows (hall_id, number, name, kind, active, expect_staffed, normals_since_priority, state_version) VALUES ({_hallId}, 16, '综合受理窗口', 'Comprehensive', true, true, 1000, 0);
            INSERT INTO window_services (window_id, service_id, rank) SELECT w.id, s.id, 0 FROM windows w, services s WHERE w.hall_id = {_hallId} AND w.number = 16 AND s.code = 'zonghe';
            CREATE TABLE bench_raw (id bigserial PRIMARY KEY, client int NOT NULL, at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE bench_counter (id int PRIMARY KEY, n bigint NOT NULL);
            INSERT INTO bench_counter SELECT g, 0 FROM generate_series(0, {Clients - 1}) g;
            """);
        await WarmUpAsync();
    }

    /// <summary>
    /// The server's settings. Its limits on a kiosk's rate and a person's open tickets are raised out of reach: the
    /// benchmark's 16 kiosks issue thousands of tickets a minute, and a refused command would be measured as if it were work.
    /// </summary>
    private Dictionary<string, string> ServerSettings => new()
    {
        ["Hall__DataFolder"] = _folder,
        ["Hall__Demo__OpenAllDay"] = "true",
        ["Hall__Benchmark"] = "true",
        ["Hall__Limits__KioskTicketsPerMinute"] = "1000000",
        ["Hall__Limits__OpenTicketsPerPersonPerService"] = "1000000",
        ["DOTNET_TieredCompilation"] = Environment.GetEnvironmentVariable("HALL_BENCH_TC") ?? "1",
    };

    /// <summary>
    /// Thousands of commands before anything is measured, so the server's code is compiled to its last tier and its pools are
    /// filled: after 100 rounds a profile still showed a sixth of the server's CPU in the JIT and its hot methods instrumented.
    /// </summary>
    private async Task WarmUpAsync()
    {
        var kiosks = await ConnectKiosksAsync(4);
        var windows = await OpenWindowsAsync(4);
        var services = await ServicesAsync();
        var random = new Random(1);
        for (var i = 0; i < (_smoke ? 5 : 600); i++)
        {
            await Task.WhenAll(kiosks.Select(k => k.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), services.Pick(random), null, null, PriorityClass.Normal))));
            await Task.WhenAll(windows.Select(w => w.Connection.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), w.WindowId))));
        }
        await DisposeAll(kiosks.Concat(windows.Select(w => w.Connection)));
        await ResetQueueAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (!_smoke)
        {
            File.WriteAllText(Path.Combine(TestContext.CurrentContext.WorkDirectory, "benchmark-report.md"), _report.ToString());
        }
        await _server.StopAsync();
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Test, Order(1)]
    public async Task Throughput_against_raw_PostgreSQL()
    {
        var load = LoadAverage();
        // The baselines take turns in rounds: run one after another, each came out faster the later it ran (on a shared
        // machine), so a whole phase each would rank them by their place in the order.
        var baselines = new[] { RawMode.Prepared, RawMode.Unprepared, RawMode.Pipelined, RawMode.ThroughEf };
        var rounds = _smoke ? 1 : 5;
        var rates = await InterleavedAsync(baselines, rounds);
        var (prepared, unprepared, pipelined, rawEf) = (rates[0], rates[1], rates[2], rates[3]);
        await ResetQueueAsync();
        var kiosks = await ConnectKiosksAsync(Clients);
        var services = await ServicesAsync();
        await ResetStatementProfileAsync();
        var issueCpu = CpuSplit.Sample(_server.ProcessId, _folder);
        var issue = await ClosedLoopAsync(kiosks, async (c, i, r) =>
        {
            var service = services.Pick(r);
            var error = (await c.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), service, null, null, services.PriorityOf(service, r)))).Error;
            services.Saw(service, error);
            return error;
        });
        issueCpu = CpuSplit.Sample(_server.ProcessId, _folder) - issueCpu;
        await ReportStatementProfileAsync("issue", issue.Done);

        await ResetQueueAsync();
        // Every service's whole day of numbers waiting, so no window runs dry while it is measured.
        await PrefillAsync(_ => TicketsPerServiceAndDay);
        var windows = await OpenWindowsAsync();
        await ResetStatementProfileAsync();
        var callCpu = CpuSplit.Sample(_server.ProcessId, _folder);
        var call = await ClosedLoopAsync(windows.Select(w => w.Connection).ToList(), async (c, i, r) =>
            (await c.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), windows[i].WindowId))).Error);
        callCpu = CpuSplit.Sample(_server.ProcessId, _folder) - callCpu;
        await ReportStatementProfileAsync("call next", call.Done);
        await DisposeAll(kiosks.Concat(windows.Select(w => w.Connection)));

        string Row(string operation, double rate, string refused) => $"| {operation,-72} | {rate,6:F0} | {rate / prepared,4:F2}            | {refused}";
        var table = Report($"""

            Throughput, closed loop, {Clients} clients, {Phase.TotalSeconds:F0} s each (client, server and database on one {Environment.ProcessorCount}-core machine; load average before: {load})
            Ratios against raw PostgreSQL with prepared statements. The four baselines take turns, {rounds} of {Phase.TotalSeconds / rounds:0.#} s each. Refused commands are counted apart: they are not in ops/s.
            | operation                                                                | ops/s  | vs prepared raw | refused
            |--------------------------------------------------------------------------|--------|-----------------|--------
            {Row("raw PostgreSQL, prepared: BEGIN+insert, update, COMMIT (3 round trips)", prepared, "-")}
            {Row("raw PostgreSQL, the same unprepared", unprepared, "-")}
            {Row("raw PostgreSQL, prepared and pipelined: insert+update, 1 round trip", pipelined, "-")}
            {Row("the same transaction through EF Core (unprepared)", rawEf, "-")}
            {Row("Hall issue ticket (through the hub)", issue.Rate, issue.Refused.ToString())}
            {Row("Hall call next (through the hub)", call.Rate, call.Refused.ToString())}
            """);
        Report($"""

            Where the time goes: CPU per command, by process (from /proc, over the whole phase)
            | operation  | client (benchmark) | Hall.Server | PostgreSQL | all     |
            |------------|--------------------|-------------|------------|---------|
            {issueCpu.Row("issue", issue.Done)}
            {callCpu.Row("call next", call.Done)}
            """);
        Assert.That(issue.Done, Is.GreaterThan(0));
        Assert.That(call.Done, Is.GreaterThan(0));
        Assert.That(table, Does.Match(@"\| raw PostgreSQL, prepared: .+ +\| +\d+ \| 1\.00 "));
        Assert.That(table, Does.Match(@"\| raw PostgreSQL, prepared and pipelined: .+ +\| +\d+ \| +\d+\.\d\d "));
        Assert.That(table, Does.Match(@"\| Hall call next \(through the hub\) +\| +\d+ \| +\d+\.\d\d +\| \d+"));
    }

    [Test, Order(2)]
    public Task Latency_at_1000_ops_per_second_offered() => LatencyAsync(1000);

    /// <summary>The same at a rate this machine sustains, so the latency of the work itself shows apart from queueing.</summary>
    [Test, Order(2)]
    public Task Latency_at_100_ops_per_second_offered() => LatencyAsync(100);

    private async Task LatencyAsync(int rate)
    {
        var total = (int)(rate * Phase.TotalSeconds);
        await ResetQueueAsync();
        // Waiting tickets for the windows to call, leaving each service room under its 999 numbers a day for the
        // tickets this phase issues to it (with a quarter to spare), so that no issue is refused for a full day.
        var weights = ServiceWeights.Values.Sum();
        await PrefillAsync(code => Math.Clamp(TicketsPerServiceAndDay - (int)Math.Ceiling(1.25 * total / 2 * ServiceWeights[code] / weights), 0, 600));
        var kiosks = await ConnectKiosksAsync(8);
        var windows = await OpenWindowsAsync();
        var services = await ServicesAsync();
        var issueLatency = new ConcurrentBag<double>();
        var callLatency = new ConcurrentBag<double>();
        var issueRefused = new Refusals();
        var callRefused = new Refusals();
        var clock = Stopwatch.StartNew();
        var random = new Random(7);
        var pending = new List<Task>(total);
        for (var n = 0; n < total; n++)
        {
            var due = n * 1000.0 / rate;
            while (clock.Elapsed.TotalMilliseconds < due)
            {
                var wait = due - clock.Elapsed.TotalMilliseconds;
                if (wait > 2)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait - 1));
                }
                else
                {
                    Thread.SpinWait(50);
                }
            }
            var isIssue = n % 2 == 0;
            var service = services.Pick(random);
            var priority = services.PriorityOf(service, random);
            var index = n / 2;
            // Latency counts from the moment the operation was due, so a server that falls behind is not excused.
            // Only completed commands give a latency; a refused one is counted apart, by its code.
            pending.Add(Task.Run(async () =>
            {
                if (isIssue)
                {
                    var error = (await kiosks[index % kiosks.Count].InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), service, null, null, priority))).Error;
                    services.Saw(service, error);
                    Record(error, issueLatency, issueRefused, clock.Elapsed.TotalMilliseconds - due);
                }
                else
                {
                    var w = windows[index % windows.Count];
                    var error = (await w.Connection.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), w.WindowId))).Error;
                    Record(error, callLatency, callRefused, clock.Elapsed.TotalMilliseconds - due);
                }
            }));
        }
        await Task.WhenAll(pending);
        var completed = (issueLatency.Count + callLatency.Count) / clock.Elapsed.TotalSeconds;
        await DisposeAll(kiosks.Concat(windows.Select(w => w.Connection)));
        var table = Report($"""

            Latency, open loop, {rate} ops/s offered (half issue on {kiosks.Count} kiosks, half call-next on {windows.Count} windows) for {Phase.TotalSeconds:F0} s; completed {completed:F0} ops/s
            Latency of completed commands, from when each was due; refused commands are counted apart.
            | operation | p50 ms | p99 ms | max ms | refused
            |-----------|--------|--------|--------|--------
            | issue     | {P(issueLatency, 50),6:F1} | {P(issueLatency, 99),6:F1} | {issueLatency.DefaultIfEmpty(double.NaN).Max(),6:F0} | {issueRefused}
            | call next | {P(callLatency, 50),6:F1} | {P(callLatency, 99),6:F1} | {callLatency.DefaultIfEmpty(double.NaN).Max(),6:F0} | {callRefused}
            """);
        Assert.That(issueLatency, Is.Not.Empty);
        Assert.That(table, Does.Match(@"\| call next \| +\d+\.\d \| +\d+\.\d \| +\d+ \| \d+"));
    }

    private static void Record(HallError? error, ConcurrentBag<double> latency, Refusals refused, double ms)
    {
        if (error is null)
        {
            latency.Add(ms);
        }
        else
        {
            refused.Add(error.Code);
        }
    }

    [Test, Order(3)]
    public Task Fan_out_of_a_call_to_200_display_clients() => FanOutAsync(200);

    [Test, Order(4)]
    public Task Fan_out_of_a_call_to_1000_display_clients() => FanOutAsync(1000);

    /// <summary>
    /// What the outbox costs a ticket command, and how fast it delivers: issue and call-next with no webhook endpoint (the
    /// command's batch then holds one INSERT … SELECT that finds none) and with one endpoint that wants every ticket event,
    /// its receiver a stand-in on Kestrel in this process answering 200; the two take turns. After each turn with the
    /// endpoint, the sender's backlog is timed until every event was delivered.
    /// </summary>
    [Test, Order(5)]
    public async Task Ticket_commands_with_every_event_posted_to_a_webhook()
    {
        await using var receiver = new StandInReceiver("/bench/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await receiver.StartAsync();
        using (var http = new HttpClient { BaseAddress = _server.BaseAddress })
        {
            var answer = await http.PostAsync($"/benchmark/webhook/{_hallId}?url={Uri.EscapeDataString(receiver.Url)}", null);
            var text = await answer.Content.ReadAsStringAsync();
            Assert.That(answer.IsSuccessStatusCode, Is.True, text);
            receiver.Secret = Encoding.UTF8.GetBytes(text);
        }
        var rounds = _smoke ? 1 : 4;
        var turn = Phase / rounds;
        var services = await ServicesAsync();
        await using var conn = await OpenAsync();
        var issue = new Turns();
        var call = new Turns();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var hooked in new[] { false, true })
            {
                await Exec(conn, $"UPDATE webhook_endpoints SET active = {hooked} WHERE hall_id = {_hallId}");
                await ResetQueueAsync();
                await Exec(conn, "TRUNCATE outbox");
                var kiosks = await ConnectKiosksAsync(Clients);
                issue.Add(hooked, await ClosedLoopAsync(kiosks, async (c, i, r) =>
                {
                    var service = services.Pick(r);
                    var error = (await c.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), service, null, null, services.PriorityOf(service, r)))).Error;
                    services.Saw(service, error);
                    return error;
                }, turn));
                await DisposeAll(kiosks);
                issue.Drained(hooked, await DrainAsync(conn));

                await ResetQueueAsync();
                await Exec(conn, "TRUNCATE outbox");
                await PrefillAsync(_ => TicketsPerServiceAndDay);
                var windows = await OpenWindowsAsync();
                call.Add(hooked, await ClosedLoopAsync([.. windows.Select(w => w.Connection)], async (c, i, r) =>
                    (await c.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), windows[i].WindowId))).Error, turn));
                await DisposeAll(windows.Select(w => w.Connection));
                call.Drained(hooked, await DrainAsync(conn));
            }
        }
        await Exec(conn, $"UPDATE webhook_endpoints SET active = false WHERE hall_id = {_hallId}");
        var posted = issue.Events + call.Events;
        var delivered = receiver.Accepted.Select(p => p.Json.GetProperty("id").GetString()).Distinct().Count();

        var table = Report($"""

            Ticket commands and webhook events, closed loop, {Clients} clients; without and with one endpoint that wants every ticket event take turns, {rounds} × {turn.TotalSeconds:0.#} s each way
            Ratio: with the endpoint against without, measured in the same turns. Delivery: the events written in the turns with the endpoint, over the turns and the time the backlog took to drain after them.
            | operation  | no endpoint ops/s | with endpoint ops/s | ratio | events delivered | drained after (s, total) | delivered/s | refused
            |------------|-------------------|---------------------|-------|------------------|--------------------------|-------------|--------
            {issue.Row("issue")}
            {call.Row("call next")}
            """);
        Assert.That(delivered, Is.EqualTo(posted), "every event the commands wrote reached the receiver");
        Assert.That(receiver.Posts.All(p => p.SignatureValid), Is.True, "every request signed with the endpoint's secret");
        Assert.That(posted, Is.GreaterThan(0));
        Assert.That(table, Does.Match(@"\| call next +\| +\d+ +\| +\d+ +\| +\d+\.\d\d"));
        await Exec(conn, "DELETE FROM outbox; DELETE FROM webhook_endpoints;");
    }

    /// <summary>Waits until the sender delivered every webhook event of the turn; answers how long that took and how many there were.</summary>
    private async Task<(TimeSpan Took, int Events)> DrainAsync(NpgsqlConnection conn)
    {
        var clock = Stopwatch.StartNew();
        while ((long)(await Scalar(conn, "SELECT count(*) FROM outbox WHERE channel = 'webhook' AND state <> 'sent'"))! > 0)
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(30)), "the sender stopped delivering");
            await Task.Delay(100);
        }
        return (clock.Elapsed, (int)(long)(await Scalar(conn, "SELECT count(*) FROM outbox WHERE channel = 'webhook'"))!);
    }

    /// <summary>One operation's turns without and with the webhook endpoint.</summary>
    private sealed class Turns
    {
        private readonly (int Done, TimeSpan Elapsed)[] _loops = new (int, TimeSpan)[2];
        private readonly Refusals _refused = new();
        private TimeSpan _drain;

        public int Events { get; private set; }

        public void Add(bool hooked, Loop loop)
        {
            var i = hooked ? 1 : 0;
            _loops[i] = (_loops[i].Done + loop.Done, _loops[i].Elapsed + loop.Elapsed);
            _refused.Add(loop.Refused);
        }

        public void Drained(bool hooked, (TimeSpan Took, int Events) drain)
        {
            if (hooked)
            {
                _drain += drain.Took;
            }
            Events += drain.Events;
        }

        private double Rate(int i) => _loops[i].Done / _loops[i].Elapsed.TotalSeconds;

        public string Row(string operation) =>
            $"| {operation,-10} | {Rate(0),17:F0} | {Rate(1),19:F0} | {Rate(1) / Rate(0),5:F2} | {Events,16} | {_drain.TotalSeconds,24:F1} | {Events / (_loops[1].Elapsed + _drain).TotalSeconds,11:F0} | {_refused}";
    }

    private async Task FanOutAsync(int displays)
    {
        // The smoke connects a tenth of the displays for three calls.
        displays = _smoke ? displays / 10 : displays;
        var rounds = _smoke ? 3 : 30;
        await ResetQueueAsync();
        await PrefillAsync(_ => 1000 / ServiceWeights.Count + 1);
        var screens = await ConnectManyAsync(_keys["display"], displays);
        var arrivals = new ConcurrentDictionary<long, ConcurrentBag<long>>();
        var pings = new ConcurrentDictionary<long, ConcurrentBag<long>>();
        var clock = Stopwatch.StartNew();
        foreach (var s in screens)
        {
            s.On<CallMessage>(nameof(IHallClient.Called), c => arrivals.GetOrAdd(c.TicketId, _ => []).Add(clock.ElapsedTicks));
            s.On<long>(BenchmarkEndpoints.PingEvent, p => pings.GetOrAdd(p, _ => []).Add(clock.ElapsedTicks));
        }
        var windows = await OpenWindowsAsync(1);
        using var http = new HttpClient { BaseAddress = _server.BaseAddress };
        var callLatency = new List<double>();
        var pingLatency = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var sent = clock.ElapsedTicks;
            var reply = await windows[0].Connection.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), windows[0].WindowId));
            var ticket = reply.Value!.Ticket.TicketId;
            await WaitForAsync(() => arrivals.TryGetValue(ticket, out var a) && a.Count >= displays);
            callLatency.AddRange(arrivals[ticket].Select(t => Ms(t - sent)));

            var pingSent = clock.ElapsedTicks;
            await http.PostAsync($"/benchmark/broadcast/{_hallId}/{round}", null);
            await WaitForAsync(() => pings.TryGetValue(round, out var p) && p.Count >= displays);
            pingLatency.AddRange(pings[round].Select(t => Ms(t - pingSent)));
            await Task.Delay(50);
        }
        await DisposeAll(screens.Concat(windows.Select(w => w.Connection)));
        var table = Report($"""

            Fan-out to {displays} display connections, {rounds} calls (from the clerk's CallNext to each display's Called) vs a bare hub broadcast in the same run
            | message              | p50 ms | p99 ms | ratio p99 |
            |----------------------|--------|--------|-----------|
            | call (CallNext)      | {P(callLatency, 50),6:F1} | {P(callLatency, 99),6:F1} | {P(callLatency, 99) / P(pingLatency, 99),5:F2}     |
            | bare broadcast       | {P(pingLatency, 50),6:F1} | {P(pingLatency, 99),6:F1} | 1.00      |
            """);
        Assert.That(callLatency, Has.Count.EqualTo(rounds * displays));
        Assert.That(table, Does.Match(@"\| call \(CallNext\) +\| +\d+\.\d \| +\d+\.\d \| +\d+\.\d\d"));
    }

    private string Report(string section)
    {
        _report.AppendLine(section);
        TestContext.Out.WriteLine(section);
        return section;
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    internal static double P(IEnumerable<double> values, double percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1)];
    }

    /// <summary>Commands the server refused in one phase, by code: counted apart from the completed ones.</summary>
    private sealed class Refusals
    {
        private readonly ConcurrentDictionary<string, int> _byCode = new();

        public int Count => _byCode.Values.Sum();

        public void Add(string code) => _byCode.AddOrUpdate(code, 1, (_, n) => n + 1);

        public void Add(Refusals other)
        {
            foreach (var (code, n) in other._byCode)
            {
                _byCode.AddOrUpdate(code, n, (_, m) => m + n);
            }
        }

        /// <summary>"0", "245 (kiosk_rate_limited)" or "250 (kiosk_rate_limited 245, nobody_waiting 5)".</summary>
        public override string ToString() => _byCode.Count switch
        {
            0 => "0",
            1 => $"{Count} ({_byCode.Keys.Single()})",
            _ => $"{Count} ({string.Join(", ", _byCode.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))})",
        };
    }

    /// <summary>
    /// Picks services by their weight, leaving out a service once it was refused for a full day (999 numbers), as the kiosk
    /// greys out such a service: its refusals still count, but the kiosks go on issuing for the others.
    /// </summary>
    private sealed class ServicePicker(int[] weighted, IReadOnlySet<int> acceptPriority)
    {
        private readonly ConcurrentDictionary<int, bool> _full = new();

        /// <summary>One citizen in ten is elderly, where the service takes priority tickets (not every one does).</summary>
        public PriorityClass PriorityOf(int service, Random random) =>
            random.Next(10) == 0 && acceptPriority.Contains(service) ? PriorityClass.Elderly : PriorityClass.Normal;

        public int Pick(Random random)
        {
            var open = _full.IsEmpty ? weighted : [.. weighted.Where(s => !_full.ContainsKey(s))];
            return open.Length == 0 ? weighted[random.Next(weighted.Length)] : open[random.Next(open.Length)];
        }

        public void Saw(int service, HallError? error)
        {
            if (error?.Code == "daily_cap_reached")
            {
                _full[service] = true;
            }
        }
    }

    private sealed record Loop(double Rate, int Done, Refusals Refused, TimeSpan Elapsed);

    private async Task<Loop> ClosedLoopAsync(IReadOnlyList<HubConnection> clients, Func<HubConnection, int, Random, Task<HallError?>> op, TimeSpan? length = null)
    {
        var phase = length ?? Phase;
        var done = 0;
        var refused = new Refusals();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select((c, i) => Task.Run(async () =>
        {
            var random = new Random(i);
            while (clock.Elapsed < phase)
            {
                if (await op(c, i, random) is { } error)
                {
                    refused.Add(error.Code);
                }
                else
                {
                    Interlocked.Increment(ref done);
                }
            }
        })));
        return new Loop(done / clock.Elapsed.TotalSeconds, done, refused, clock.Elapsed);
    }

    /// <summary>
    /// Where the clients of a baseline wait until every one has connected, prepared and run its transaction once: the clock
    /// starts when the last is ready, so opening connections, preparing and compiling are not measured (as for the hub's clients).
    /// </summary>
    private sealed class StartLine(int clients, TimeSpan phase)
    {
        private readonly TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Stopwatch _clock = new();
        private int _ready;
        private int _done;

        /// <summary>Runs the client's transaction once, waits for the others, then runs it until the phase is over.</summary>
        public async Task RunAsync(Func<Task> transaction)
        {
            try
            {
                await transaction();
            }
            catch (Exception e)
            {
                // The others would wait for this client forever.
                _go.TrySetException(e);
                throw;
            }
            if (Interlocked.Increment(ref _ready) == clients)
            {
                _clock.Start();
                _go.SetResult();
            }
            await _go.Task;
            while (_clock.Elapsed < phase)
            {
                await transaction();
                Interlocked.Increment(ref _done);
            }
        }

        public (int Done, TimeSpan Elapsed) Result => (_done, _clock.Elapsed);
    }

    /// <summary>Each baseline's rate over <paramref name="rounds"/> turns of a phase's share each, the baselines in turn.</summary>
    private async Task<double[]> InterleavedAsync(RawMode[] modes, int rounds)
    {
        var done = new int[modes.Length];
        var elapsed = new TimeSpan[modes.Length];
        for (var round = 0; round < rounds; round++)
        {
            for (var m = 0; m < modes.Length; m++)
            {
                var (d, e) = modes[m] == RawMode.ThroughEf ? await RawThroughEfAsync(Phase / rounds) : await RawPostgresAsync(modes[m], Phase / rounds);
                done[m] += d;
                elapsed[m] += e;
            }
        }
        return [.. done.Select((d, m) => d / elapsed[m].TotalSeconds)];
    }

    /// <summary>The same transaction through EF Core on the server's model, a context per transaction: the cost of EF per statement.</summary>
    private async Task<(int Done, TimeSpan Elapsed)> RawThroughEfAsync(TimeSpan phase)
    {
        var line = new StartLine(Clients, phase);
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            async Task TransactionAsync()
            {
                await using var db = PostgresCluster.Context(_db);
                await using var tx = await db.Database.BeginTransactionAsync();
                await db.Database.ExecuteSqlAsync($"INSERT INTO bench_raw (client) VALUES ({client})");
                await db.Database.ExecuteSqlAsync($"UPDATE bench_counter SET n = n + 1 WHERE id = {client}");
                await tx.CommitAsync();
            }
            await line.RunAsync(TransactionAsync);
        })));
        return line.Result;
    }

    private enum RawMode
    {
        /// <summary>BEGIN (sent with the insert), the insert, the update, COMMIT: three round trips, each statement parsed and planned each time.</summary>
        Unprepared,

        /// <summary>The same three round trips, the insert and update prepared once per connection.</summary>
        Prepared,

        /// <summary>The insert and update, prepared, sent as one batch: one round trip, one implicit transaction.</summary>
        Pipelined,

        /// <summary>The same three round trips through EF Core, unprepared.</summary>
        ThroughEf,
    }

    /// <summary>The raw baseline: one insert and one update in a transaction, a connection per client.</summary>
    private async Task<(int Done, TimeSpan Elapsed)> RawPostgresAsync(RawMode mode, TimeSpan phase)
    {
        // No automatic preparing: what is prepared here is prepared explicitly, below.
        var connectionString = new NpgsqlConnectionStringBuilder(_db) { MaxAutoPrepare = 0 }.ConnectionString;
        var line = new StartLine(Clients, phase);
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO bench_raw (client) VALUES ($1)", conn) { Parameters = { new NpgsqlParameter<int> { TypedValue = client } } };
            await using var update = new NpgsqlCommand("UPDATE bench_counter SET n = n + 1 WHERE id = $1", conn) { Parameters = { new NpgsqlParameter<int> { TypedValue = client } } };
            await using var batch = new NpgsqlBatch(conn)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand(insert.CommandText) { Parameters = { new NpgsqlParameter<int> { TypedValue = client } } },
                    new NpgsqlBatchCommand(update.CommandText) { Parameters = { new NpgsqlParameter<int> { TypedValue = client } } },
                },
            };
            switch (mode)
            {
                case RawMode.Prepared:
                    await insert.PrepareAsync();
                    await update.PrepareAsync();
                    break;
                case RawMode.Pipelined:
                    await batch.PrepareAsync();
                    break;
                case RawMode.Unprepared:
                case RawMode.ThroughEf:
                    break;
            }
            async Task TransactionAsync()
            {
                if (mode == RawMode.Pipelined)
                {
                    // No BEGIN: statements sent together before one Sync run in one implicit transaction, committed at the Sync.
                    await batch.ExecuteNonQueryAsync();
                    return;
                }
                await using var tx = await conn.BeginTransactionAsync();
                insert.Transaction = tx;
                update.Transaction = tx;
                await insert.ExecuteNonQueryAsync();
                await update.ExecuteNonQueryAsync();
                await tx.CommitAsync();
            }
            await line.RunAsync(TransactionAsync);
        })));
        return line.Result;
    }

    /// <summary>The machine's load average (1, 5, 15 minutes) as the phase starts, where the system tells it.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>The services weighted as a county hall's day is: social and medical insurance, real estate and household registration busiest.</summary>
    internal static readonly IReadOnlyDictionary<string, int> ServiceWeights = new Dictionary<string, int>
    {
        ["shebao"] = 18,
        ["yibao"] = 14,
        ["budongchan"] = 14,
        ["huzheng"] = 12,
        ["shuiwu"] = 10,
        ["qiye"] = 8,
        ["gongjijin"] = 7,
        ["jiuye"] = 5,
        ["minzheng"] = 4,
        ["jiaotong"] = 3,
        ["zonghe"] = 3,
        ["fanying"] = 1,
        ["qiyejia"] = 1,
    };

    /// <summary>The hall's services, picked by weight.</summary>
    private async Task<ServicePicker> ServicesAsync()
    {
        await using var conn = await OpenAsync();
        var ids = new Dictionary<string, int>();
        var acceptPriority = new HashSet<int>();
        await using (var cmd = new NpgsqlCommand($"SELECT code, id, accepts_priority FROM services WHERE hall_id = {_hallId}", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids[reader.GetString(0)] = reader.GetInt32(1);
                if (reader.GetBoolean(2))
                {
                    acceptPriority.Add(reader.GetInt32(1));
                }
            }
        }
        // Each id repeated by its weight: a uniform pick from it is a pick by weight.
        return new ServicePicker([.. ServiceWeights.SelectMany(w => Enumerable.Repeat(ids[w.Key], w.Value))], acceptPriority);
    }

    /// <summary>HALL_BENCH_PROFILE=1: report PostgreSQL's time per statement (pg_stat_statements) after each Hall phase.</summary>
    private bool Profile => !_smoke && Environment.GetEnvironmentVariable("HALL_BENCH_PROFILE") == "1";

    private async Task ResetStatementProfileAsync()
    {
        if (Profile)
        {
            await using var conn = await OpenAsync();
            await Exec(conn, "SELECT pg_stat_statements_reset()");
        }
    }

    private async Task ReportStatementProfileAsync(string phase, long operations)
    {
        if (!Profile)
        {
            return;
        }
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT calls, total_exec_time, left(regexp_replace(query, '\s+', ' ', 'g'), 90)
            FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
            ORDER BY total_exec_time DESC LIMIT 12
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        Report($"\nPostgreSQL time per {phase} ({operations} operations), by statement:\n| calls | ms total | µs per op | statement |\n|---|---|---|---|");
        while (await reader.ReadAsync())
        {
            Report($"| {reader.GetInt64(0)} | {reader.GetDouble(1):F0} | {reader.GetDouble(1) * 1000 / Math.Max(1, operations):F0} | `{reader.GetString(2)}` |");
        }
    }

    private async Task ResetQueueAsync()
    {
        await using var conn = await OpenAsync();
        // CASCADE: whatever refers to the queue's rows (follow-up cases, notices …) goes with them, tables added later included.
        await Exec(conn, "TRUNCATE display_call_acks, ratings, ticket_events, tickets, number_counters, commands, window_events, window_sessions CASCADE");
    }

    /// <summary>A service's numbers a day: its daily cap as the benchmark sets it, and the most a ticket number holds.</summary>
    private const int TicketsPerServiceAndDay = 999;

    /// <summary>Waiting tickets for every service, as if the morning rush had already arrived: <paramref name="perService"/> by service code.</summary>
    private async Task PrefillAsync(Func<string, int> perService)
    {
        var codes = ServiceWeights.Keys.ToArray();
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand($"""
            INSERT INTO tickets (hall_id, service_id, business_date, sequence, number, priority, state, issued_at, queued_at, transferred, call_count, handled_item_ids, tracking_code)
            SELECT s.hall_id, s.id, (now() AT TIME ZONE 'Asia/Shanghai')::date, g, s.prefix || lpad(g::text, 3, '0'), CASE WHEN g % 10 = 0 THEN 'Elderly' ELSE 'Normal' END,
                   'Waiting', now() - interval '1 hour', now() - interval '1 hour' + g * interval '1 ms', false, 0, '{"{}"}', md5(s.id || '-' || g || '-' || random())
            FROM services s JOIN unnest(@codes::text[], @counts::int[]) AS p(code, n) ON p.code = s.code, generate_series(1, p.n) g WHERE s.hall_id = {_hallId};
            INSERT INTO number_counters (service_id, business_date, hall_id, last_number)
            SELECT service_id, business_date, hall_id, max(sequence) FROM tickets GROUP BY service_id, business_date, hall_id;
            """, conn)
        {
            Parameters = { new NpgsqlParameter<string[]>("codes", codes), new NpgsqlParameter<int[]>("counts", [.. codes.Select(perService)]) },
        };
        await cmd.ExecuteNonQueryAsync();
    }

    private sealed record OpenWindow(HubConnection Connection, int WindowId);

    private async Task<List<OpenWindow>> OpenWindowsAsync(int? windows = null)
    {
        var result = new List<OpenWindow>();
        await using var conn = await OpenAsync();
        var count = windows ?? Clients;
        for (var number = 1; number <= count; number++)
        {
            var login = number <= 15 ? $"xinxian-clerk{number:D2}" : "xinxian-supervisor";
            var windowId = (int)(await Scalar(conn, $"SELECT id FROM windows WHERE hall_id = {_hallId} AND number = {number}"))!;
            var connection = await ConnectAsync(await LoginAsync(login, _passwords[login]));
            var open = await connection.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.OpenWindow), new WindowCommand(Guid.NewGuid(), windowId));
            Assert.That(open.Ok, Is.True, () => open.Error?.MessageEn ?? "");
            result.Add(new OpenWindow(connection, windowId));
        }
        return result;
    }

    private Task<List<HubConnection>> ConnectManyAsync(string token, int count) => ConnectManyAsync(Enumerable.Repeat(token, count).ToList());

    /// <summary>
    /// One kiosk device per client, as in a hall: a kiosk issues one ticket at a time (its rate limit holds its own lock
    /// while it counts), so many clients sharing one kiosk's key would measure that lock, not the hall.
    /// </summary>
    private async Task<List<HubConnection>> ConnectKiosksAsync(int count)
    {
        while (_kioskKeys.Count < count)
        {
            await using var db = Hall.Tests.Support.PostgresCluster.Context(_db);
            var (_, key) = await Hall.Server.Devices.DeviceKeys.CreateAsync(db, _hallId, $"基准取号机{_kioskKeys.Count + 1}", DeviceRole.Kiosk, null, DateTimeOffset.UtcNow, CancellationToken.None);
            _kioskKeys.Add(key);
        }
        return await ConnectManyAsync(_kioskKeys.Take(count).ToList());
    }

    private readonly List<string> _kioskKeys = [];

    private async Task<List<HubConnection>> ConnectManyAsync(IReadOnlyList<string> tokens)
    {
        var result = new ConcurrentBag<HubConnection>();
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(tokens.Select(async token =>
        {
            await gate.WaitAsync();
            try
            {
                result.Add(await ConnectAsync(token));
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. result];
    }

    private async Task<HubConnection> ConnectAsync(string token)
    {
        var connection = await HubConnections.ConnectAsync(_server.BaseAddress, token);
        connection.ServerTimeout = TimeSpan.FromMinutes(2);
        return connection;
    }

    private Task<string> LoginAsync(string login, string password) => HubConnections.LoginAsync(_server.BaseAddress, login, password);

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var until = Environment.TickCount64 + 30_000;
        while (!condition())
        {
            Assert.That(Environment.TickCount64, Is.LessThan(until), "messages did not all arrive within 30 s");
            await Task.Delay(1);
        }
    }

    private static async Task DisposeAll(IEnumerable<HubConnection> connections) =>
        await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var conn = new NpgsqlConnection(_db);
        await conn.OpenAsync();
        return conn;
    }

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<object?> Scalar(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }

    private static (Dictionary<string, string> Passwords, Dictionary<string, string> Keys) ReadCredentials(string file)
    {
        var passwords = new Dictionary<string, string>();
        var keys = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines(file))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["staff", var login, "password", var password])
            {
                passwords[login] = password;
            }
            else if (parts is ["device", var name, "key", var key])
            {
                keys[name] = key;
            }
        }
        return (passwords, keys);
    }
}
