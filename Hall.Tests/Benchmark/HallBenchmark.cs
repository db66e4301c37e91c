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
        _server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Hall__DataFolder"] = _folder,
            ["Hall__Demo__OpenAllDay"] = "true",
            ["Hall__Benchmark"] = "true",
            ["Hall__Limits__KioskTicketsPerMinute"] = "1000000",
            ["DOTNET_TieredCompilation"] = Environment.GetEnvironmentVariable("HALL_BENCH_TC") ?? "1",
        }, "Production");
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
            _server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Hall__DataFolder"] = _folder,
                ["Hall__Demo__OpenAllDay"] = "true",
                ["Hall__Benchmark"] = "true",
                ["Hall__Limits__KioskTicketsPerMinute"] = "1000000",
                ["DOTNET_TieredCompilation"] = Environment.GetEnvironmentVariable("HALL_BENCH_TC") ?? "1",
            }, "Production");
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

    /// <summary>A few hundred commands before anything is measured, so the server's code is compiled and its pools are filled.</summary>
    private async Task WarmUpAsync()
    {
        var kiosks = await ConnectManyAsync(_keys["kiosk"], 4);
        var windows = await OpenWindowsAsync(4);
        var services = await ServiceWeightsAsync();
        var random = new Random(1);
        for (var i = 0; i < (_smoke ? 5 : 100); i++)
        {
            await Task.WhenAll(kiosks.Select(k => k.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), services[random.Next(services.Length)], null, null, PriorityClass.Normal))));
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
        var raw = await RawPostgresAsync();
        var rawEf = await RawThroughEfAsync();
        await ResetQueueAsync();
        var kiosks = await ConnectManyAsync(_keys["kiosk"], Clients);
        var services = await ServiceWeightsAsync();
        await ResetStatementProfileAsync();
        var issue = await ClosedLoopAsync(kiosks, async (c, i, r) =>
            (await c.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), services[r.Next(services.Length)], null, null, PriorityOf(r)))).Error);
        await ReportStatementProfileAsync("issue", issue.Done);

        await ResetQueueAsync();
        await PrefillAsync(6000);
        var windows = await OpenWindowsAsync();
        await ResetStatementProfileAsync();
        var call = await ClosedLoopAsync(windows.Select(w => w.Connection).ToList(), async (c, i, r) =>
            (await c.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), windows[i].WindowId))).Error);
        await ReportStatementProfileAsync("call next", call.Done);
        await DisposeAll(kiosks.Concat(windows.Select(w => w.Connection)));

        var table = Report($"""

            Throughput, closed loop, {Clients} clients, {Phase.TotalSeconds:F0} s each (client, server and database on one {Environment.ProcessorCount}-core machine)
            | operation                               | ops/s  | vs raw PostgreSQL |
            |-----------------------------------------|--------|-------------------|
            | raw PostgreSQL: 1 insert + 1 update txn | {raw,6:F0} | 1.00              |
            | the same transaction through EF Core    | {rawEf,6:F0} | {rawEf / raw,4:F2}              |
            | Hall issue ticket (through the hub)     | {issue.Rate,6:F0} | {issue.Rate / raw,4:F2}              |
            | Hall call next (through the hub)        | {call.Rate,6:F0} | {call.Rate / raw,4:F2}              |
            refused: issue {issue.Refused}, call {call.Refused}
            """);
        Assert.That(issue.Done, Is.GreaterThan(0));
        Assert.That(call.Done, Is.GreaterThan(0));
        Assert.That(table, Does.Match(@"\| Hall call next \(through the hub\) +\| +\d+ \| +\d\.\d\d"));
    }

    [Test, Order(2)]
    public Task Latency_at_1000_ops_per_second_offered() => LatencyAsync(1000);

    /// <summary>The same at a rate this machine sustains, so the latency of the work itself shows apart from queueing.</summary>
    [Test, Order(2)]
    public Task Latency_at_100_ops_per_second_offered() => LatencyAsync(100);

    private async Task LatencyAsync(int rate)
    {
        await ResetQueueAsync();
        await PrefillAsync(6000);
        var kiosks = await ConnectManyAsync(_keys["kiosk"], 8);
        var windows = await OpenWindowsAsync();
        var services = await ServiceWeightsAsync();
        var issueLatency = new ConcurrentBag<double>();
        var callLatency = new ConcurrentBag<double>();
        var refused = 0;
        var total = (int)(rate * Phase.TotalSeconds);
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
            var service = services[random.Next(services.Length)];
            var priority = PriorityOf(random);
            var index = n / 2;
            // Latency counts from the moment the operation was due, so a server that falls behind is not excused.
            pending.Add(Task.Run(async () =>
            {
                bool ok;
                if (isIssue)
                {
                    ok = (await kiosks[index % kiosks.Count].InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), service, null, null, priority))).Ok;
                    issueLatency.Add(clock.Elapsed.TotalMilliseconds - due);
                }
                else
                {
                    var w = windows[index % windows.Count];
                    ok = (await w.Connection.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), w.WindowId))).Ok;
                    callLatency.Add(clock.Elapsed.TotalMilliseconds - due);
                }
                if (!ok)
                {
                    Interlocked.Increment(ref refused);
                }
            }));
        }
        await Task.WhenAll(pending);
        var achieved = total / clock.Elapsed.TotalSeconds;
        await DisposeAll(kiosks.Concat(windows.Select(w => w.Connection)));
        var table = Report($"""

            Latency, open loop, {rate} ops/s offered (half issue on {kiosks.Count} kiosks, half call-next on {windows.Count} windows) for {Phase.TotalSeconds:F0} s; completed at {achieved:F0} ops/s, {refused} refused
            | operation | p50 ms | p99 ms | max ms |
            |-----------|--------|--------|--------|
            | issue     | {P(issueLatency, 50),6:F1} | {P(issueLatency, 99),6:F1} | {issueLatency.Max(),6:F0} |
            | call next | {P(callLatency, 50),6:F1} | {P(callLatency, 99),6:F1} | {callLatency.Max(),6:F0} |
            """);
        Assert.That(issueLatency, Is.Not.Empty);
        Assert.That(table, Does.Match(@"\| call next \| +\d+\.\d \| +\d+\.\d \|"));
    }

    [Test, Order(3)]
    public Task Fan_out_of_a_call_to_200_display_clients() => FanOutAsync(200);

    [Test, Order(4)]
    public Task Fan_out_of_a_call_to_1000_display_clients() => FanOutAsync(1000);

    private async Task FanOutAsync(int displays)
    {
        // The smoke connects a tenth of the displays for three calls.
        displays = _smoke ? displays / 10 : displays;
        var rounds = _smoke ? 3 : 30;
        await ResetQueueAsync();
        await PrefillAsync(1000);
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

    private static PriorityClass PriorityOf(Random r) => r.Next(10) == 0 ? PriorityClass.Elderly : PriorityClass.Normal;

    private sealed record Loop(double Rate, int Done, string Refused);

    private async Task<Loop> ClosedLoopAsync(IReadOnlyList<HubConnection> clients, Func<HubConnection, int, Random, Task<HallError?>> op)
    {
        var done = 0;
        var refused = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select((c, i) => Task.Run(async () =>
        {
            var random = new Random(i);
            while (clock.Elapsed < Phase)
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
        var codes = string.Join(", ", refused.GroupBy(r => r).Select(g => $"{g.Count()} {g.Key}"));
        return new Loop(done / clock.Elapsed.TotalSeconds, done, codes.Length == 0 ? "none" : codes);
    }

    /// <summary>The same transaction through EF Core on the server's model: the cost of EF per statement.</summary>
    private async Task<double> RawThroughEfAsync()
    {
        var done = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            while (clock.Elapsed < Phase)
            {
                await using var db = PostgresCluster.Context(_db);
                await using var tx = await db.Database.BeginTransactionAsync();
                await db.Database.ExecuteSqlAsync($"INSERT INTO bench_raw (client) VALUES ({client})");
                await db.Database.ExecuteSqlAsync($"UPDATE bench_counter SET n = n + 1 WHERE id = {client}");
                await tx.CommitAsync();
                Interlocked.Increment(ref done);
            }
        })));
        return done / clock.Elapsed.TotalSeconds;
    }

    private async Task<double> RawPostgresAsync()
    {
        var done = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            await using var conn = await OpenAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO bench_raw (client) VALUES (@c)", conn);
            insert.Parameters.AddWithValue("c", client);
            await using var update = new NpgsqlCommand("UPDATE bench_counter SET n = n + 1 WHERE id = @c", conn);
            update.Parameters.AddWithValue("c", client);
            while (clock.Elapsed < Phase)
            {
                await using var tx = await conn.BeginTransactionAsync();
                insert.Transaction = tx;
                update.Transaction = tx;
                await insert.ExecuteNonQueryAsync();
                await update.ExecuteNonQueryAsync();
                await tx.CommitAsync();
                Interlocked.Increment(ref done);
            }
        })));
        return done / clock.Elapsed.TotalSeconds;
    }

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

    /// <summary>Service ids, each repeated by its weight: a uniform pick from it is a pick by weight.</summary>
    private async Task<int[]> ServiceWeightsAsync()
    {
        await using var conn = await OpenAsync();
        var ids = new Dictionary<string, int>();
        await using (var cmd = new NpgsqlCommand($"SELECT code, id FROM services WHERE hall_id = {_hallId}", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids[reader.GetString(0)] = reader.GetInt32(1);
            }
        }
        return [.. ServiceWeights.SelectMany(w => Enumerable.Repeat(ids[w.Key], w.Value))];
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

    /// <summary>Waiting tickets for every service, as if the morning rush had already arrived.</summary>
    private async Task PrefillAsync(int count)
    {
        await using var conn = await OpenAsync();
        await Exec(conn, $"""
            INSERT INTO tickets (hall_id, service_id, business_date, sequence, number, priority, state, issued_at, queued_at, transferred, call_count, handled_item_ids, tracking_code)
            SELECT s.hall_id, s.id, (now() AT TIME ZONE 'Asia/Shanghai')::date, g, s.prefix || lpad(g::text, 3, '0'), CASE WHEN g % 10 = 0 THEN 'Elderly' ELSE 'Normal' END,
                   'Waiting', now() - interval '1 hour', now() - interval '1 hour' + g * interval '1 ms', false, 0, '{"{}"}', md5(s.id || '-' || g || '-' || random())
            FROM services s, generate_series(1, {count} / 13 + 1) g WHERE s.hall_id = {_hallId} AND g <= 600;
            INSERT INTO number_counters (service_id, business_date, hall_id, last_number)
            SELECT service_id, business_date, hall_id, max(sequence) FROM tickets GROUP BY service_id, business_date, hall_id;
            """);
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

    private async Task<List<HubConnection>> ConnectManyAsync(string token, int count)
    {
        var result = new ConcurrentBag<HubConnection>();
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
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
