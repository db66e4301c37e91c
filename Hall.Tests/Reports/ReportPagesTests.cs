using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Reports;
using Hall.Tests.Support;
using Hall.Tests.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Hall.Tests.Reports;

/// <summary>The supervisor's reports page in Chromium on the real server, and the reports API: who may, which hall, which files.</summary>
[TestFixture, NonParallelizable]
public sealed class ReportPagesTests
{
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private SeededHall _other = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("reportpages");
        _hall = await SeededHall.CreateAsync(_app);
        _other = await SeededHall.CreateAsync(_app, "other");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _other.DisposeAsync();
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private async Task<HttpClient> ApiAsync(SeededHall hall, string role)
    {
        var login = hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));
        var token = await _app.LoginAsync(login, hall.Credentials.Passwords[login]);
        var http = new HttpClient { BaseAddress = _app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<string?> CodeOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();

    private static ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    [Test, Order(1)]
    public async Task A_supervisor_generates_the_daily_patrol_sheet_sees_it_finish_and_downloads_its_pdf_and_workbook()
    {
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/wall");
        // From where supervisors land, the reports are one link away.
        await By(page, "nav-reports").ClickAsync();
        await Assertions.Expect(By(page, "reports")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await By(page, "kind").SelectOptionAsync("DailyPatrol");
        await By(page, "date").FillAsync("2026-11-27");
        await By(page, "generate").ClickAsync();

        await Assertions.Expect(By(page, "progress-done")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(By(page, "bar")).ToHaveAttributeAsync("value", "100");
        await Assertions.Expect(By(page, "message")).ToContainTextAsync("已生成：日巡查 2026-11-27");
        var row = page.Locator("tr[data-kind=\"DailyPatrol\"][data-from=\"2026-11-27\"]");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("[data-testid=\"report-kind\"]")).ToHaveTextAsync("日巡查");
        await Assertions.Expect(row.Locator("[data-testid=\"report-by\"]")).ToHaveTextAsync("马主任");
        await Browser.Screenshot(page, "reports-1-generated");

        var pdf = await page.RunAndWaitForDownloadAsync(() => row.Locator("[data-testid=\"pdf\"]").ClickAsync());
        Assert.That(pdf.SuggestedFilename, Is.EqualTo("日巡查-2026-11-27.pdf"));
        Assert.That(await BytesAsync(pdf), Does.StartWith("%PDF"));
        var xlsx = await page.RunAndWaitForDownloadAsync(() => row.Locator("[data-testid=\"xlsx\"]").ClickAsync());
        Assert.That(xlsx.SuggestedFilename, Is.EqualTo("日巡查-2026-11-27.xlsx"));
        Assert.That(await BytesAsync(xlsx), Does.StartWith("PK"), "an xlsx is a zip");

        await using var db = _app.Db();
        var stored = await db.Reports.AsNoTracking().Where(r => r.HallId == _hall.HallId && r.Kind == ReportKind.DailyPatrol && r.PeriodFrom == new DateOnly(2026, 11, 27))
            .Select(r => new { r.GeneratedByStaffId, r.PdfSize }).SingleAsync();
        Assert.That(stored.GeneratedByStaffId, Is.Not.Null);
        Assert.That(await db.AuditEntries.AnyAsync(a => a.HallId == _hall.HallId && a.Action == "report.generate"), Is.True, "generating is in the audit log");
        await page.Context.CloseAsync();
    }

    private static async Task<string> BytesAsync(IDownload download)
    {
        await using var stream = await download.CreateReadStreamAsync();
        var head = new byte[4];
        var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false);
        return System.Text.Encoding.ASCII.GetString(head, 0, read);
    }

    [Test, Order(2)]
    public async Task Generating_again_replaces_the_files_of_the_period_and_the_api_serves_them_with_the_chinese_file_name()
    {
        using var http = await ApiAsync(_hall, "supervisor");
        var before = (await http.GetFromJsonAsync<JsonElement>("/api/reports?kind=DailyPatrol&year=2026")).EnumerateArray()
            .Single(r => r.GetProperty("periodFrom").GetString() == "2026-11-27");
        _app.Clock.Advance(TimeSpan.FromSeconds(10));

        var started = await http.PostAsJsonAsync("/api/reports", new { kind = "DailyPatrol", date = "2026-11-27" });
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var job = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        JsonElement view;
        var polls = 0;
        do
        {
            await Task.Delay(100);
            view = await http.GetFromJsonAsync<JsonElement>($"/api/reports/jobs/{job}");
        }
        while (view.GetProperty("state").GetString() == "running" && ++polls < 200);
        Assert.That((view.GetProperty("state").GetString(), view.GetProperty("progress").GetDouble()), Is.EqualTo(("done", 1.0)));
        var id = view.GetProperty("reportId").GetInt64();

        var list = (await http.GetFromJsonAsync<JsonElement>("/api/reports?kind=DailyPatrol")).EnumerateArray().ToList();
        Assert.That(list.Count(r => r.GetProperty("periodFrom").GetString() == "2026-11-27"), Is.EqualTo(1), "replaced, not added");
        Assert.That(id, Is.EqualTo(before.GetProperty("id").GetInt64()));
        Assert.That(list[0].GetProperty("generatedAt").GetDateTimeOffset(), Is.GreaterThan(before.GetProperty("generatedAt").GetDateTimeOffset()));
        Assert.That(list[0].TryGetProperty("pdf", out _), Is.False, "a list carries no files");

        var pdf = await http.GetAsync($"/api/reports/{id}/pdf");
        Assert.That(pdf.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pdf"));
        Assert.That(pdf.Content.Headers.ContentDisposition?.ToString(), Does.Contain("filename*=UTF-8''" + Uri.EscapeDataString("日巡查-2026-11-27.pdf")));
        var xlsx = await http.GetAsync($"/api/reports/{id}/xlsx");
        Assert.That(xlsx.Content.Headers.ContentType?.MediaType, Is.EqualTo(ReportEndpoints.XlsxContentType));
    }

    [Test]
    public async Task A_clerk_may_open_neither_the_page_nor_the_api_and_nothing_changes()
    {
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk01", "/reports", expectArrival: false);
        await Assertions.Expect(By(page, "not-allowed")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        var response = await page.GotoAsync(new Uri(_app.BaseAddress, "/reports").ToString());
        Assert.That(response?.Status, Is.EqualTo(403));
        await Browser.Screenshot(page, "reports-2-clerk-refused");
        await page.Context.CloseAsync();

        using var http = await ApiAsync(_hall, "clerk01");
        var dump = await TableDump.AllAsync(_app.ConnectionString);
        var post = await http.PostAsJsonAsync("/api/reports", new { kind = "DailyPatrol", date = "2026-11-27" });
        Assert.That((post.StatusCode, await CodeOf(post)), Is.EqualTo((HttpStatusCode.Forbidden, "forbidden")));
        var list = await http.GetAsync("/api/reports");
        Assert.That((list.StatusCode, await CodeOf(list)), Is.EqualTo((HttpStatusCode.Forbidden, "forbidden")));
        Assert.That((await http.GetAsync("/api/reports/1/pdf")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        await Task.Delay(300);
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(dump));
    }

    [Test]
    public async Task Another_halls_report_is_not_found()
    {
        var store = _app.Services.GetRequiredService<ReportStore>();
        var theirs = await store.AddIfMissingAsync(_other.HallId, ReportKind.MonthlyBulletin, new DateOnly(2026, 10, 1), CancellationToken.None)
            ?? throw new AssertionException("the other hall's bulletin was stored already");

        using var mine = await ApiAsync(_hall, "supervisor");
        foreach (var file in new[] { "pdf", "xlsx" })
        {
            var response = await mine.GetAsync($"/api/reports/{theirs}/{file}");
            Assert.That((response.StatusCode, await CodeOf(response)), Is.EqualTo((HttpStatusCode.NotFound, "unknown_report")));
        }
        var list = (await mine.GetFromJsonAsync<JsonElement>("/api/reports")).EnumerateArray();
        Assert.That(list.Select(r => r.GetProperty("id").GetInt64()), Does.Not.Contain(theirs));
        using var them = await ApiAsync(_other, "supervisor");
        Assert.That((await them.GetAsync($"/api/reports/{theirs}/pdf")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "their own supervisor gets it");
    }

    [TestCase("Daily", "2026-11-27", "invalid_report_kind")]
    [TestCase("1", "2026-11-27", "invalid_report_kind")]
    [TestCase("DailyPatrol", "27/11/2026", "invalid_report_date")]
    [TestCase("DailyPatrol", "2026-12-01", "report_date_in_future")]
    public async Task A_bad_kind_or_date_is_refused_with_its_code_and_nothing_changes(string kind, string date, string code)
    {
        using var http = await ApiAsync(_hall, "supervisor");
        var dump = await TableDump.AllAsync(_app.ConnectionString);
        var response = await http.PostAsJsonAsync("/api/reports", new { kind, date });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((response.StatusCode, body.GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.BadRequest, code)));
        Assert.That(body.GetProperty("messageZh").GetString(), Is.Not.Empty);
        Assert.That(body.GetProperty("messageEn").GetString(), Is.Not.Empty);
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(dump));
    }

    [Test, Order(3)]
    public async Task The_list_filters_by_kind_and_a_report_is_generated_with_the_keyboard_alone()
    {
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/reports");
        await Assertions.Expect(By(page, "reports")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await By(page, "kind").FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(By(page, "kind")).ToHaveValueAsync("MonthlyBulletin");
        await By(page, "date").FillAsync("2026-10-15");
        await By(page, "generate").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "progress-done")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(By(page, "message")).ToContainTextAsync("已生成：月通报 2026-10");

        await By(page, "filter").SelectOptionAsync("MonthlyBulletin");
        await Assertions.Expect(page.Locator("tr[data-kind]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tr[data-kind=\"MonthlyBulletin\"] [data-testid=\"report-period\"]")).ToHaveTextAsync("2026-10");
        await Assertions.Expect(page.Locator("tr[data-kind=\"MonthlyBulletin\"] [data-testid=\"report-partial\"]")).ToHaveCountAsync(0, new() { Timeout = 1_000 });
        await By(page, "filter").SelectOptionAsync("DailyPatrol");
        await Assertions.Expect(page.Locator("tr[data-kind=\"DailyPatrol\"]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tr[data-kind=\"MonthlyBulletin\"]")).ToHaveCountAsync(0);
        await By(page, "filter").SelectOptionAsync("");
        await Assertions.Expect(page.Locator("tr[data-kind]").First).ToHaveAttributeAsync("data-kind", "MonthlyBulletin", new() { Timeout = 5_000 });
        await Browser.Screenshot(page, "reports-3-filtered");
        await page.Context.CloseAsync();
    }

    [Test, Order(4)]
    public async Task A_bulletin_made_before_its_month_is_over_says_up_to_when_it_counts()
    {
        // The test clock stands on 30 November: November's bulletin is made on its last day, before the day is over.
        using var api = await ApiAsync(_hall, "supervisor");
        var started = await api.PostAsJsonAsync("/api/reports", new { kind = "MonthlyBulletin", date = "2026-11-15" });
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var job = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        for (var polls = 0; polls < 200 && (await api.GetFromJsonAsync<JsonElement>($"/api/reports/jobs/{job}")).GetProperty("state").GetString() == "running"; polls++)
        {
            await Task.Delay(100);
        }
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/reports");
        var row = page.Locator("tr[data-kind=\"MonthlyBulletin\"][data-from=\"2026-11-01\"]");
        await Assertions.Expect(row.Locator("[data-testid=\"report-period\"]")).ToHaveTextAsync("2026-11", new() { Timeout = 20_000 });
        var madeAt = TimeZoneInfo.ConvertTime(_app.Clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        await Assertions.Expect(row.Locator("[data-testid=\"report-partial\"]")).ToContainTextAsync($"未满期，数据截至 {madeAt:MM-dd}");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_county_admin_generates_a_township_sites_report_but_a_supervisor_may_not()
    {
        int site;
        await using (var db = _app.Db())
        {
            var admin = await db.Staff.AsNoTracking().SingleAsync(m => m.Login == "xinxian-admin");
            var actor = new Hall.Server.Queue.Actor(Hall.Server.Queue.ActorKind.Staff, admin.Id, _hall.HallId, admin.Name, Hall.Server.Contracts.StaffRole.Admin, null, null);
            Assert.That(await _app.Services.GetRequiredService<Hall.Server.Admin.AdminStore>().CreateSiteAsync(actor, "zhaihe", "陡山河乡便民服务中心", CancellationToken.None), Is.Null);
            site = await db.Halls.Where(h => h.Code == "zhaihe").Select(h => h.Id).SingleAsync();
        }
        using var county = await ApiAsync(_hall, "admin");
        var started = await county.PostAsJsonAsync($"/api/reports?hall={site}", new { kind = "DailyPatrol", date = "2026-11-27" });
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var job = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        for (var polls = 0; polls < 200 && (await county.GetFromJsonAsync<JsonElement>($"/api/reports/jobs/{job}?hall={site}")).GetProperty("state").GetString() == "running"; polls++)
        {
            await Task.Delay(100);
        }
        var theirs = (await county.GetFromJsonAsync<JsonElement>($"/api/reports?hall={site}")).EnumerateArray().Single().GetProperty("id").GetInt64();
        Assert.That((await county.GetAsync($"/api/reports/{theirs}/pdf?hall={site}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await county.GetAsync($"/api/reports/{theirs}/pdf")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "without ?hall= the admin's own hall is meant");

        using var supervisor = await ApiAsync(_hall, "supervisor");
        var refused = await supervisor.GetAsync($"/api/reports?hall={site}");
        Assert.That((refused.StatusCode, await CodeOf(refused)), Is.EqualTo((HttpStatusCode.Forbidden, "forbidden")));
    }
}
