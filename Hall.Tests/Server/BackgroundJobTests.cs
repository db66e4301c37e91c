using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Operations;
using Hall.Tests.Catalog;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// A report or catalogue import runs on the server that took the request, but the page that follows it may reach any
/// server behind the proxy: the job's progress and end are in the database, and a job whose server died reads as failed.
/// </summary>
public sealed class BackgroundJobTests
{
    [Test]
    public async Task A_report_started_on_one_server_is_followed_and_downloaded_on_the_other()
    {
        await using var first = await HallApp.StartAsync("jobs-report");
        await using var second = HallApp.StartAlongside(first);
        await using var hall = await SeededHall.CreateAsync(first);
        using var onFirst = await hall.HttpAsync("supervisor");
        using var onSecond = await hall.HttpAsync("supervisor", second);

        var started = await onFirst.PostAsJsonAsync("/api/reports", new { kind = "DailyPatrol", date = "2026-11-27" });
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await started.Content.ReadAsStringAsync());
        var job = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var view = await FollowAsync(onSecond, $"/api/reports/jobs/{job}");
        Assert.That((view.GetProperty("state").GetString(), view.GetProperty("progress").GetDouble()), Is.EqualTo(("done", 1.0)), "the other server sees the end");
        var pdf = await onSecond.GetAsync($"/api/reports/{view.GetProperty("reportId").GetInt64()}/pdf");
        Assert.That(pdf.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(pdf.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pdf"));

        await using var township = await SeededHall.CreateAsync(first, "dahe");
        using var stranger = await township.HttpAsync("supervisor", second);
        var answer = await stranger.GetAsync($"/api/reports/jobs/{job}");
        Assert.That((answer.StatusCode, await CodeOf(answer)), Is.EqualTo((HttpStatusCode.NotFound, "unknown_report_job")), "another hall's job is unknown on every server");
    }

    [Test]
    public async Task The_same_report_asked_on_two_servers_is_made_once_and_a_job_whose_server_died_reads_as_failed()
    {
        await using var first = await HallApp.StartAsync("jobs-dead");
        await using var second = HallApp.StartAlongside(first);
        await using var hall = await SeededHall.CreateAsync(first);
        using var onSecond = await hall.HttpAsync("supervisor", second);
        // The first server is making the bulletin of October (its heartbeat is fresh).
        var elsewhere = Guid.NewGuid();
        await InsertRunningAsync(first, elsewhere, hall.HallId, "report", "MonthlyBulletin:2026-10-01",
            """{"id":"00000000-0000-0000-0000-000000000000","state":"running","progress":0.4,"kind":2,"periodFrom":"2026-10-01","periodTo":"2026-10-31","reportId":null,"error":null}""",
            first.Clock.GetUtcNow());

        var asked = await onSecond.PostAsJsonAsync("/api/reports", new { kind = "MonthlyBulletin", date = "2026-10-15" });
        var id = (await asked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.That(id, Is.EqualTo(elsewhere), "asking again while it runs answers the running job, whichever server runs it");
        var running = await onSecond.GetFromJsonAsync<JsonElement>($"/api/reports/jobs/{id}");
        Assert.That((running.GetProperty("state").GetString(), running.GetProperty("progress").GetDouble()), Is.EqualTo(("running", 0.4)));
        await using (var db = first.Db())
        {
            Assert.That(await db.Reports.CountAsync(r => r.HallId == hall.HallId), Is.Zero, "no second bulletin was started");
        }

        // That server was killed: its heartbeat stops.
        second.Clock.Advance(BackgroundJobs.Silence + TimeSpan.FromSeconds(1));
        var dead = await onSecond.GetFromJsonAsync<JsonElement>($"/api/reports/jobs/{id}");
        Assert.That((dead.GetProperty("state").GetString(), dead.GetProperty("error").GetProperty("code").GetString()), Is.EqualTo(("failed", "report_failed")));
        Assert.That(dead.GetProperty("error").GetProperty("messageZh").GetString(), Is.EqualTo("报表生成失败，请重试"));

        var again = await onSecond.PostAsJsonAsync("/api/reports", new { kind = "MonthlyBulletin", date = "2026-10-15" });
        var retry = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.That(retry, Is.Not.EqualTo(elsewhere), "the supervisor's retry starts a new job");
        var done = await FollowAsync(onSecond, $"/api/reports/jobs/{retry}");
        Assert.That(done.GetProperty("state").GetString(), Is.EqualTo("done"));
        await using (var db = first.Db())
        {
            Assert.That(await db.BackgroundJobs.Where(j => j.HallId == hall.HallId).OrderBy(j => j.StartedAt).Select(j => j.State).ToListAsync(),
                Is.EqualTo(new[] { "interrupted", "finished" }));
        }
    }

    [Test]
    public async Task A_catalogue_import_runs_once_across_servers_and_its_progress_is_seen_on_the_other()
    {
        await using var first = await HallApp.StartAsync("jobs-import");
        await using var second = HallApp.StartAlongside(first);
        await using var hall = await SeededHall.CreateAsync(first);
        using var onFirst = await hall.HttpAsync("admin");
        using var onSecond = await hall.HttpAsync("admin", second);
        var list = CatalogImportTests.CountyList.Build();

        var started = await PostImportAsync(onFirst, list.Bytes);
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await started.Content.ReadAsStringAsync());
        var job = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var twice = await PostImportAsync(onSecond, list.Bytes);
        Assert.That((twice.StatusCode, await CodeOf(twice)), Is.EqualTo((HttpStatusCode.Conflict, "catalogue_import_running")), "one import per hall, whichever server is asked");

        var seen = new List<(string State, int Processed)>();
        var view = await FollowAsync(onSecond, $"/api/admin/catalogue/import/{job}", v => seen.Add((v.GetProperty("state").GetString()!, v.GetProperty("processed").GetInt32())));
        Assert.That(view.GetProperty("state").GetString(), Is.EqualTo("done"));
        Assert.That(view.GetProperty("total").GetInt32(), Is.EqualTo(list.Total));
        Assert.That(view.GetProperty("added").GetInt32() + view.GetProperty("updated").GetInt32() + view.GetProperty("unchanged").GetInt32() + view.GetProperty("rejected").GetArrayLength(),
            Is.EqualTo(list.Total), "the other server reports every row");
        var onTheServerThatRanIt = await onFirst.GetFromJsonAsync<JsonElement>($"/api/admin/catalogue/import/{job}");
        Assert.That(onTheServerThatRanIt.GetProperty("added").GetInt32(), Is.EqualTo(view.GetProperty("added").GetInt32()), "both servers tell the same result");
        TestContext.Out.WriteLine($"progress seen on the other server: {string.Join(", ", seen.Select(s => $"{s.State} {s.Processed}"))}");
    }

    [Test]
    public async Task An_import_cut_off_by_its_servers_death_reads_as_not_done_and_does_not_block_the_next()
    {
        await using var first = await HallApp.StartAsync("jobs-import-dead");
        await using var hall = await SeededHall.CreateAsync(first);
        using var admin = await hall.HttpAsync("admin");
        var dead = Guid.NewGuid();
        await InsertRunningAsync(first, dead, hall.HallId, "catalogue_import", "",
            """{"id":"00000000-0000-0000-0000-000000000000","state":"running","processed":1200,"total":2224,"added":0,"updated":0,"unchanged":0,"rejected":[],"error":null}""",
            first.Clock.GetUtcNow() - BackgroundJobs.Silence - TimeSpan.FromSeconds(5));
        int items;
        await using (var db = first.Db())
        {
            items = await db.ServiceItems.CountAsync(i => i.HallId == hall.HallId);
        }

        var view = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/catalogue/import/{dead}");
        Assert.That((view.GetProperty("state").GetString(), view.GetProperty("processed").GetInt32(), view.GetProperty("error").GetProperty("code").GetString()),
            Is.EqualTo(("refused", 0, "catalogue_import_failed")), "the admin is told the import did not complete");
        Assert.That(view.GetProperty("error").GetProperty("messageZh").GetString(), Is.EqualTo("导入未完成，事项清单没有任何改动，请重试"));
        await using (var db = first.Db())
        {
            Assert.That(await db.ServiceItems.CountAsync(i => i.HallId == hall.HallId), Is.EqualTo(items), "nothing was imported");
        }

        var list = CatalogImportTests.CountyList.Build();
        var next = await PostImportAsync(admin, list.Bytes);
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "a dead import does not block the next one");
        var job = (await next.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.That((await FollowAsync(admin, $"/api/admin/catalogue/import/{job}")).GetProperty("state").GetString(), Is.EqualTo("done"));
    }

    private static async Task InsertRunningAsync(HallApp app, Guid id, int hallId, string kind, string key, string view, DateTimeOffset heartbeat)
    {
        await using var db = app.Db();
        db.BackgroundJobs.Add(new BackgroundJob { Id = id, HallId = hallId, Kind = kind, Key = key, State = BackgroundJobs.Running, View = view, StartedAt = heartbeat, HeartbeatAt = heartbeat });
        await db.SaveChangesAsync();
    }

    private static async Task<HttpResponseMessage> PostImportAsync(HttpClient http, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "新县政务服务事项清单.xlsx");
        return await http.PostAsync(new Uri("/api/admin/catalogue/import", UriKind.Relative), form);
    }

    /// <summary>Polls the job as a page does until it no longer runs.</summary>
    private static async Task<JsonElement> FollowAsync(HttpClient http, string uri, Action<JsonElement>? seen = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var response = await http.GetAsync(new Uri(uri, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            var view = JsonDocument.Parse(body).RootElement;
            seen?.Invoke(view);
            if (view.GetProperty("state").GetString() != "running")
            {
                return view;
            }
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the job never ended");
            await Task.Delay(50);
        }
    }

    private static async Task<string?> CodeOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
}
