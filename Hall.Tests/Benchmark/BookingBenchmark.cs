using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hall.Server.Bookings;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Benchmark;

/// <summary>
/// The release rush (not a test): the moment a day's slots are released, 2,000 different people (valid ID numbers and
/// mobiles) try to book one service's 50 slots of that day, 4 places each — 200 places — through the public booking API
/// over HTTP on the real server (Kestrel, PostgreSQL), 64 requests in flight; every tenth person's request is also sent a
/// second time with the same request id, as a phone retrying after a lost answer. Checked: exactly the 200 places are
/// booked, never more (the booking rows and the slot counters in PostgreSQL), every refusal is <c>slot_full</c>, a resent
/// request answers the same as the first and books once. Latency p50/p99 beside a baseline measured in the same run:
/// <c>GET /services</c> (one small query) with the same requests in flight. The address and person limits are lifted by
/// configuration.
/// Run: <c>dotnet test Hall.Tests -c Release --filter "TestCategory=Benchmark&amp;FullyQualifiedName~BookingBenchmark" --logger "console;verbosity=detailed"</c>;
/// <c>HALL_BENCH_BOOKING_ATTEMPTS</c> sets the number of people (default 2000).
/// </summary>
[TestFixture(BenchmarkRun.Full, Explicit = true, Reason = "benchmark: run on demand", Category = "Benchmark")]
[TestFixture(BenchmarkRun.Smoke, Category = "BenchmarkSmoke")]
[NonParallelizable]
public sealed class BookingBenchmark(BenchmarkRun run)
{
    // Friday 20 November 2026, 10:00 at the hall: Friday the 27th was released at 08:00 (7 days ahead).
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));
    private const string Day = "2026-11-27";
    private const string WarmUpDay = "2026-11-26";
    private const int Slots = 50;

    private readonly bool _smoke = run == BenchmarkRun.Smoke;
    private int Capacity => _smoke ? 1 : 4;
    private int People => _smoke ? 150 : int.Parse(Environment.GetEnvironmentVariable("HALL_BENCH_BOOKING_ATTEMPTS") ?? "2000", CultureInfo.InvariantCulture);
    private int InFlight => _smoke ? 16 : 64;

    private HallApp _app = null!;
    private HttpClient _http = null!;
    private string _hall = "";
    private int _serviceId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var unlimited = "1000000";
        _app = await HallApp.StartAsync($"booking-bench-{run}", Now, settings: new Dictionary<string, string?>
        {
            ["Hall:Booking:BookPerMinute"] = unlimited,
            ["Hall:Booking:LookupPerMinute"] = unlimited,
            ["Hall:Booking:BookPerPersonPerMinute"] = unlimited,
            ["Hall:Booking:LookupPerCodePerMinute"] = unlimited,
        });
        var hallId = (await _app.SeedHallAsync()).HallId;
        await using var db = _app.Db();
        _hall = await db.Halls.Where(h => h.Id == hallId).Select(h => h.Code).SingleAsync();
        var service = await db.Services.Where(s => s.HallId == hallId).OrderBy(s => s.SortOrder).FirstAsync();
        _serviceId = service.Id;
        // 6-minute slots over 09:00–12:00 and 14:00–16:00: 30 + 20 = 50 slots a weekday.
        service.Hours = WeeklyHours.Weekdays(new TimeRange(new TimeOnly(9, 0), new TimeOnly(12, 0)), new TimeRange(new TimeOnly(14, 0), new TimeOnly(16, 0)));
        db.SlotSchedules.Add(new SlotSchedule { HallId = hallId, ServiceId = _serviceId, SlotMinutes = 6, Capacity = Capacity, DaysAhead = 7, ReleaseAt = new TimeOnly(8, 0) });
        await db.SaveChangesAsync();
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = InFlight }) { BaseAddress = _app.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    /// <summary>A valid resident ID number for person <paramref name="n"/>: a real birth date, a sequence number, the GB 11643 check character.</summary>
    private static string IdNumber(int n)
    {
        var born = new DateOnly(1960, 1, 1).AddDays(n / 1000);
        var body = string.Create(CultureInfo.InvariantCulture, $"410102{born:yyyyMMdd}{n % 1000:000}");
        return IdNumbers.Complete(body);
    }

    private static string Mobile(int n) => string.Create(CultureInfo.InvariantCulture, $"139{n:00000000}");

    private sealed record Attempt(int Person, Guid RequestId, string Start, bool Resend);

    private sealed record Answer(Attempt Attempt, HttpStatusCode Status, string? Code, string? BookingCode, double Ms);

    private object Body(Attempt a, string day) =>
        new { requestId = a.RequestId, serviceId = _serviceId, date = day, start = a.Start, name = "王小华", idNumber = IdNumber(a.Person), mobile = Mobile(a.Person) };

    private async Task<Answer> BookAsync(Attempt a, string day)
    {
        var watch = Stopwatch.StartNew();
        using var response = await _http.PostAsJsonAsync($"/api/booking/{_hall}/bookings", Body(a, day));
        var text = await response.Content.ReadAsStringAsync();
        watch.Stop();
        string? code = null, bookingCode = null;
        if (text.StartsWith('{'))
        {
            var json = JsonDocument.Parse(text).RootElement;
            code = json.TryGetProperty("messageEn", out _) ? json.GetProperty("code").GetString() : null;
            bookingCode = response.StatusCode == HttpStatusCode.Created ? json.GetProperty("code").GetString() : null;
        }
        return new Answer(a, response.StatusCode, code, bookingCode, watch.Elapsed.TotalMilliseconds);
    }

    private async Task<double> ServicesAsync()
    {
        var watch = Stopwatch.StartNew();
        using var response = await _http.GetAsync($"/api/booking/{_hall}/services");
        await response.Content.ReadAsByteArrayAsync();
        watch.Stop();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>Runs <paramref name="count"/> calls with <see cref="InFlight"/> of them in flight at any time; their results and the wall time.</summary>
    private async Task<(List<T> Results, TimeSpan Took)> FireAsync<T>(int count, Func<int, Task<T>> call)
    {
        var results = new ConcurrentBag<T>();
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                results.Add(await call(i));
            }
        })));
        return ([.. results], watch.Elapsed);
    }

    private static double Percentile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private async Task<List<string>> SlotStartsAsync(string day)
    {
        var slots = (await _http.GetFromJsonAsync<JsonElement>($"/api/booking/{_hall}/slots?service={_serviceId}&date={day}")).GetProperty("slots");
        return [.. slots.EnumerateArray().Select(s => s.GetProperty("start").GetString()!)];
    }

    [Test]
    public async Task Release_rush_on_one_days_slots()
    {
        var starts = await SlotStartsAsync(Day);
        Assert.That(starts, Has.Count.EqualTo(Slots));
        var places = Slots * Capacity;

        // Warm-up on the day before (JIT, connection pools): other people, other slots, not counted.
        await FireAsync(Math.Min(2 * InFlight, Slots), i => BookAsync(new Attempt(1_000_000 + i, Guid.NewGuid(), starts[i % Slots], false), WarmUpDay));
        await FireAsync(2 * InFlight, _ => ServicesAsync());

        // Baseline in the same run: as many GET /services as there will be booking requests, as many in flight.
        var random = new Random(19);
        var attempts = Enumerable.Range(0, People).Select(p => new Attempt(p, Guid.NewGuid(), starts[p % Slots], false)).ToList();
        attempts.AddRange(attempts.Where(a => a.Person % 10 == 0).Select(a => a with { Resend = true }).ToList());
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(attempts));
        var (baseline, baselineTook) = await FireAsync(attempts.Count, _ => ServicesAsync());

        var (answers, took) = await FireAsync(attempts.Count, i => BookAsync(attempts[i], Day));

        var booked = answers.Where(a => a.Status == HttpStatusCode.Created).ToList();
        var refused = answers.Where(a => a.Status != HttpStatusCode.Created).ToList();
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# Booking benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores");
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Release rush on {Day}: {People:N0} people for {Slots} slots × {Capacity} places = {places:N0} places; {attempts.Count(a => a.Resend):N0} of their requests resent with the same request id; "
            + $"{attempts.Count:N0} requests, {InFlight} in flight, sent in {took.TotalSeconds:0.0} s ({attempts.Count / took.TotalSeconds:0} requests/s; baseline {attempts.Count / baselineTook.TotalSeconds:0} requests/s).");
        report.AppendLine();
        report.AppendLine("| requests | count | p50 | p99 | p50 × baseline | p99 × baseline |");
        report.AppendLine("|---|---|---|---|---|---|");
        var (b50, b99) = (Percentile(baseline, 0.5), Percentile(baseline, 0.99));
        void Row(string name, IReadOnlyCollection<double> ms) => report.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {ms.Count:N0} | {Percentile(ms, 0.5):0.0} ms | {Percentile(ms, 0.99):0.0} ms | {Percentile(ms, 0.5) / b50:0.0}× | {Percentile(ms, 0.99) / b99:0.0}× |"));
        Row("baseline: GET /services", baseline);
        Row("POST /bookings, all", [.. answers.Select(a => a.Ms)]);
        Row("POST /bookings, booked (201)", [.. booked.Select(a => a.Ms)]);
        Row("POST /bookings, refused (409 slot_full)", [.. refused.Select(a => a.Ms)]);
        report.AppendLine();
        var refusals = string.Join(", ", refused.GroupBy(a => $"{(int)a.Status} {a.Code}").OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count():N0}"));
        report.AppendLine(CultureInfo.InvariantCulture, $"Answers: 201 booked {booked.Count:N0} ({booked.Select(a => a.BookingCode).Distinct().Count():N0} distinct bookings); refused {refusals}.");

        await using var db = _app.Db();
        var day = DateOnly.ParseExact(Day, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var rows = await db.Bookings.Where(b => b.ServiceId == _serviceId && b.Date == day).Select(b => new { b.Start, b.RequestId, b.IdHmac, b.Code }).ToListAsync();
        var counters = await db.BookingSlots.Where(s => s.ServiceId == _serviceId && s.Date == day).ToDictionaryAsync(s => s.Start.ToString("HH:mm", CultureInfo.InvariantCulture), s => s.Booked);
        report.AppendLine(CultureInfo.InvariantCulture, $"PostgreSQL: {rows.Count:N0} booking rows, slot counters summing to {counters.Values.Sum():N0}; the fullest slot holds {rows.GroupBy(r => r.Start).Max(g => g.Count())}.");

        var text = report.ToString();
        TestContext.Out.WriteLine(text);
        if (!_smoke)
        {
            File.WriteAllText(Path.Combine(TestContext.CurrentContext.WorkDirectory, "booking-benchmark.md"), text);
        }

        Assert.That(refused.Where(a => a.Status != HttpStatusCode.Conflict || a.Code != "slot_full").Select(a => $"{(int)a.Status} {a.Code}"), Is.Empty, "every refusal is slot_full");
        Assert.That(rows, Has.Count.EqualTo(places), "exactly the places are booked");
        Assert.That(rows.GroupBy(r => r.Start).Select(g => g.Count()), Is.EqualTo(Enumerable.Repeat(Capacity, Slots)), "each slot holds its capacity, none more");
        Assert.That(counters.Values, Is.EqualTo(Enumerable.Repeat(Capacity, Slots)), "each slot's counter stands at its capacity");
        Assert.That(rows.Select(r => Convert.ToHexString(r.IdHmac)).Distinct().Count(), Is.EqualTo(places), "nobody booked twice");
        Assert.That(booked.Select(a => BookingCodes.Normalize(a.BookingCode)).Distinct().Order(), Is.EqualTo(rows.Select(r => r.Code).Order()), "every booking answered is stored, and only those");
        foreach (var request in answers.GroupBy(a => a.Attempt.RequestId).Where(g => g.Count() > 1))
        {
            Assert.That(request.Select(a => (a.Status, a.Code, a.BookingCode)).Distinct().Count(), Is.EqualTo(1), "a resent request answers as the first did");
        }
        Assert.That(rows.Select(r => r.RequestId).Distinct().Count(), Is.EqualTo(rows.Count), "a resent request books once");
        var left = (await _http.GetFromJsonAsync<JsonElement>($"/api/booking/{_hall}/slots?service={_serviceId}&date={Day}")).GetProperty("slots");
        Assert.That(left.EnumerateArray().Select(s => (s.GetProperty("left").GetInt32(), s.GetProperty("state").GetString())), Has.All.EqualTo((0, "full")), "the page shows every slot full");
        Assert.That(text, Does.Match(@"\| POST /bookings, all \| [\d,]+ \| \d+\.\d ms \| \d+\.\d ms \| \d+\.\d× \| \d+\.\d× \|"));
    }
}
