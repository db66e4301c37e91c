using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Reports;
using Hall.Tests.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hall.Tests.Benchmark;

/// <summary>
/// The report benchmark (not a test): a month of 100,000 tickets seeded in bulk, then the bulletin built, laid out as PDF
/// and written as Excel, with time and peak memory; the baseline is reading the month's event rows with a bare reader.
/// Run: <c>dotnet test Hall.Tests -c Release --filter "TestCategory=Benchmark&amp;FullyQualifiedName~ReportBenchmark" --logger "console;verbosity=detailed"</c>;
/// <c>HALL_BENCH_REPORT_TICKETS</c> sets the month's tickets (default 100000).
/// </summary>
[TestFixture(BenchmarkRun.Full, Explicit = true, Reason = "benchmark: run on demand", Category = "Benchmark")]
[TestFixture(BenchmarkRun.Smoke, Category = "BenchmarkSmoke")]
[NonParallelizable]
public sealed class ReportBenchmark(BenchmarkRun run)
{
    private readonly bool _smoke = run == BenchmarkRun.Smoke;
    private int Tickets => _smoke ? 2_000 : int.Parse(Environment.GetEnvironmentVariable("HALL_BENCH_REPORT_TICKETS") ?? "100000", CultureInfo.InvariantCulture);
    private static readonly DateOnly Month = new(2026, 9, 1);

    private string _db = null!;
    private int _hallId;
    private MonthSeeder.Seeded _seeded = null!;

    private sealed class Factory(string connectionString) : IDbContextFactory<HallDb>
    {
        public HallDb CreateDbContext() => PostgresCluster.Context(connectionString);
    }

    [OneTimeSetUp]
    public async Task SeedAsync()
    {
        _db = await PostgresCluster.NewDatabaseAsync($"report-bench-{run}");
        await using (var db = PostgresCluster.Context(_db))
        {
            _hallId = (await DemoHall.SeedAsync(db, new DateTimeOffset(2026, 8, 31, 0, 0, 0, TimeSpan.Zero), false, CancellationToken.None)).HallId;
        }
        _seeded = await MonthSeeder.SeedAsync(_db, _hallId, Month.Year, Month.Month, Tickets);
        await using var conn = new NpgsqlConnection(_db);
        await conn.OpenAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE", conn);
        await analyze.ExecuteNonQueryAsync();
    }

    [Test]
    public async Task Bulletin_of_a_busy_month()
    {
        var builder = new ReportBuilder(new Factory(_db), new FixedClock(new DateTimeOffset(2026, 10, 1, 1, 0, 0, TimeSpan.Zero)));
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# Report benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores");
        report.AppendLine(CultureInfo.InvariantCulture, $"Seeded {Month:yyyy-MM}: {_seeded.Tickets:N0} tickets, {_seeded.Events:N0} ticket events, {_seeded.WindowEvents:N0} window events, {_seeded.Ratings:N0} ratings, {_seeded.Plays:N0} plays in {_seeded.Took.TotalSeconds:0.0} s.");
        report.AppendLine();

        // Warm-up: JIT, connection pool, font.
        await builder.BuildAsync(_hallId, ReportKind.DailyPatrol, Month.AddDays(1), null, default);

        var baseline = await MeasureAsync(ReadEventRowsAsync);
        report.AppendLine("| step | time (best of 3) | × baseline | peak managed memory | allocated |");
        report.AppendLine("|---|---|---|---|---|");
        report.AppendLine(Row("baseline: read the month's ticket events with a bare reader", baseline, baseline));
        ReportDocument bulletin = null!;
        var build = await MeasureAsync(async () => bulletin = await builder.BuildAsync(_hallId, ReportKind.MonthlyBulletin, Month, null, default));
        report.AppendLine(Row("bulletin: read + figures + document", build, baseline));
        byte[] pdf = [];
        var layout = await MeasureAsync(() => { pdf = ReportRendering.Pdf(bulletin); return Task.CompletedTask; });
        report.AppendLine(Row("bulletin: PDF", layout, baseline));
        byte[] xlsx = [];
        var excel = await MeasureAsync(() => { xlsx = ReportRendering.Excel(bulletin); return Task.CompletedTask; });
        report.AppendLine(Row("bulletin: Excel", excel, baseline));
        report.AppendLine(Row("bulletin: all (build + PDF + Excel)", new Measured(build.Time + layout.Time + excel.Time, Math.Max(build.PeakBytes, Math.Max(layout.PeakBytes, excel.PeakBytes)), build.Allocated + layout.Allocated + excel.Allocated), baseline));
        ReportDocument day = null!;
        var daily = await MeasureAsync(async () =>
        {
            day = await builder.BuildAsync(_hallId, ReportKind.DailyPatrol, Month.AddDays(14), null, default);
            ReportRendering.Pdf(day);
        });
        report.AppendLine(Row("daily patrol sheet: build + PDF", daily, baseline));
        var year = await MeasureAsync(async () => ReportRendering.Pdf(await builder.BuildAsync(_hallId, ReportKind.Year, Month, null, default)));
        report.AppendLine(Row("year view: build + PDF", year, baseline));
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Bulletin PDF {pdf.Length / 1024.0:0} KB, Excel {xlsx.Length / 1024.0:0} KB; process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MB.");

        var text = report.ToString();
        TestContext.Out.WriteLine(text);
        if (!_smoke)
        {
            File.WriteAllText(Path.Combine(TestContext.CurrentContext.WorkDirectory, "report-benchmark.md"), text);
        }
        Assert.That(pdf[..4], Is.EqualTo("%PDF"u8.ToArray()));
        Assert.That(text, Does.Match(@"\| bulletin: all \(build \+ PDF \+ Excel\) \| \d+ ms \| \d+\.\d× \|"));
    }

    private sealed record Measured(TimeSpan Time, long PeakBytes, long Allocated);

    private static string Row(string step, Measured m, Measured baseline) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {step} | {m.Time.TotalMilliseconds:0} ms | {m.Time / baseline.Time:0.0}× | {m.PeakBytes / 1048576.0:0} MB | {m.Allocated / 1048576.0:0} MB |");

    /// <summary>Best time of three runs, and the highest managed heap seen (sampled every 5 ms) during them.</summary>
    private static async Task<Measured> MeasureAsync(Func<Task> step)
    {
        var best = TimeSpan.MaxValue;
        long peak = 0;
        long allocated = long.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var baseHeap = GC.GetTotalMemory(false);
            using var stop = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                long max = 0;
                while (!stop.IsCancellationRequested)
                {
                    max = Math.Max(max, GC.GetTotalMemory(false) - baseHeap);
                    await Task.Delay(5);
                }
                return max;
            });
            var watch = Stopwatch.StartNew();
            await step();
            watch.Stop();
            await stop.CancelAsync();
            peak = Math.Max(peak, await sampler);
            allocated = Math.Min(allocated, GC.GetTotalAllocatedBytes(precise: true) - before);
            best = watch.Elapsed < best ? watch.Elapsed : best;
        }
        return new Measured(best, peak, allocated);
    }

    private async Task ReadEventRowsAsync()
    {
        await using var conn = new NpgsqlConnection(_db);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT e.ticket_id, e.kind, e.service_id, e.window_id, e.staff_id, e.outcome, e.at FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id " +
            "WHERE t.hall_id = $1 AND t.business_date BETWEEN $2 AND $3 ORDER BY e.ticket_id, e.id", conn);
        cmd.Parameters.Add(new() { Value = _hallId });
        cmd.Parameters.Add(new() { Value = Month });
        cmd.Parameters.Add(new() { Value = Month.AddMonths(1).AddDays(-1) });
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
        }
        Assert.That(rows, Is.GreaterThan(Tickets));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
