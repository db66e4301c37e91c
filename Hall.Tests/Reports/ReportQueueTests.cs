using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Tests.Support;
using Npgsql;

namespace Hall.Tests.Reports;

/// <summary>
/// Reports made on demand are bounded: two of one hall and four in all draw at once, more wait their turn up to a
/// limit, and beyond it the request is refused with <c>report_queue_full</c> (429); a period outside the hall's life is
/// refused with a clear error and starts nothing.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ReportQueueTests
{
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private SeededHall _other = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = await HallApp.StartAsync("reportqueue");
        _hall = await SeededHall.CreateAsync(_app);
        _other = await SeededHall.CreateAsync(_app, "other");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _other.DisposeAsync();
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> AskAsync(HttpClient http, string kind, string date)
    {
        using var response = await http.PostAsJsonAsync(new Uri("/api/reports", UriKind.Relative), new { kind, date });
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient http, Guid job, Func<JsonElement, bool> until, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var view = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/reports/jobs/{job}", UriKind.Relative));
            if (until(view))
            {
                return view;
            }
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"job {job}: {what}; last {view}");
            await Task.Delay(50);
        }
    }

    private static bool Drawing(JsonElement view) => view.GetProperty("state").GetString() == "running" && !view.GetProperty("queued").GetBoolean();

    private static bool Waiting(JsonElement view) => view.GetProperty("state").GetString() == "running" && view.GetProperty("queued").GetBoolean();

    [Test]
    public async Task Two_reports_of_a_hall_draw_at_once_more_wait_and_past_the_queue_they_are_refused()
    {
        using var supervisor = await _hall.HttpAsync("supervisor");
        using var otherSupervisor = await _other.HttpAsync("supervisor");
        // Every finished report waits at its storing: the reports table is held by this test until it lets go.
        await using var holder = new NpgsqlConnection(_app.ConnectionString);
        await holder.OpenAsync();
        var held = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE reports IN EXCLUSIVE MODE", holder, held))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var jobs = new List<Guid>();
        for (var day = 11; day <= 16; day++)
        {
            var (status, body) = await AskAsync(supervisor, "DailyPatrol", $"2026-11-{day}");
            Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), body.ToString());
            jobs.Add(body.GetProperty("id").GetGuid());
        }
        await WaitForAsync(supervisor, jobs[0], Drawing, "draws");
        await WaitForAsync(supervisor, jobs[1], Drawing, "draws");
        foreach (var waiting in jobs.Skip(2))
        {
            Assert.That(Waiting(await WaitForAsync(supervisor, waiting, _ => true, "")), Is.True, "a third report of the hall waits its turn");
        }

        // Past two drawing and four waiting, the hall's next report is refused and starts nothing.
        using (var refused = await supervisor.PostAsJsonAsync(new Uri("/api/reports", UriKind.Relative), new { kind = "DailyPatrol", date = "2026-11-17" }))
        {
            var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), body.ToString());
            Assert.That(body.GetProperty("code").GetString(), Is.EqualTo("report_queue_full"));
            Assert.That(body.GetProperty("messageZh").GetString(), Does.Contain("请稍后再试"));
            Assert.That(body.GetProperty("messageEn").GetString(), Does.Contain("try again"));
            Assert.That(refused.Headers.RetryAfter, Is.Not.Null);
        }
        // Asking again for one that waits answers the same job.
        var (againStatus, again) = await AskAsync(supervisor, "DailyPatrol", "2026-11-16");
        Assert.That((againStatus, again.GetProperty("id").GetGuid()), Is.EqualTo((HttpStatusCode.Accepted, jobs[5])));

        // Another hall is not held back by this one's queue: it draws at once (three of four places taken).
        var (otherStatus, other) = await AskAsync(otherSupervisor, "DailyPatrol", "2026-11-20");
        Assert.That(otherStatus, Is.EqualTo(HttpStatusCode.Accepted));
        var otherJob = other.GetProperty("id").GetGuid();
        await WaitForAsync(otherSupervisor, otherJob, Drawing, "the other hall's report draws");
        Assert.That(Waiting(await WaitForAsync(supervisor, jobs[2], _ => true, "")), Is.True, "still only two of the first hall draw");

        await held.RollbackAsync();
        foreach (var job in jobs)
        {
            var done = await WaitForAsync(supervisor, job, v => v.GetProperty("state").GetString() != "running", "finishes");
            Assert.That(done.GetProperty("state").GetString(), Is.EqualTo("done"), done.ToString());
        }
        Assert.That((await WaitForAsync(otherSupervisor, otherJob, v => v.GetProperty("state").GetString() != "running", "finishes")).GetProperty("state").GetString(), Is.EqualTo("done"));
    }

    [TestCase("Year", "0001-01-01")]
    [TestCase("Weekly", "0001-01-01")]
    [TestCase("MonthlyBulletin", "1999-06-15")]
    [TestCase("DailyPatrol", "2025-12-31")]
    public async Task A_period_before_the_hall_existed_is_refused_and_starts_nothing(string kind, string date)
    {
        using var supervisor = await _hall.HttpAsync("supervisor");
        var (status, body) = await AskAsync(supervisor, kind, date);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("code").GetString(), Is.EqualTo("report_outside_hall_life"));
        Assert.That(body.GetProperty("messageZh").GetString(), Does.Contain("使用期"));
        Assert.That(body.GetProperty("messageEn").GetString(), Does.Contain("outside the hall's life"));
    }

    [TestCase("Weekly", "9999-12-31")]
    [TestCase("DailyPatrol", "2026-12-01")]
    public async Task A_period_after_today_is_refused(string kind, string date)
    {
        using var supervisor = await _hall.HttpAsync("supervisor");
        var (status, body) = await AskAsync(supervisor, kind, date);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("code").GetString(), Is.EqualTo("report_date_in_future"));
    }

    [Test]
    public async Task The_annual_review_of_the_halls_first_year_is_still_made()
    {
        using var supervisor = await _hall.HttpAsync("supervisor");
        var (status, body) = await AskAsync(supervisor, "Year", "2026-01-05");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), body.ToString());
        var done = await WaitForAsync(supervisor, body.GetProperty("id").GetGuid(), v => v.GetProperty("state").GetString() != "running", "finishes");
        Assert.That(done.GetProperty("state").GetString(), Is.EqualTo("done"));
    }
}
