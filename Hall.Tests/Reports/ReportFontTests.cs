using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Server.Reports.Pdf;
using Hall.Tests.Support;
using Hall.Tests.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Reports;

/// <summary>
/// The report font is the one thing a report needs that a hall does not: a server without it serves the hall and says,
/// in its log, on the reports page and through the API, what to install; with the configured font missing it finds another.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ReportFontTests
{
    private const string Nowhere = "/nowhere/fonts/msyh.ttc";

    [Test]
    public async Task A_server_without_a_report_font_issues_calls_and_finishes_tickets_and_its_reports_page_and_api_say_why_there_is_no_report()
    {
        await using var app = await HallApp.StartAsync("no-font", reportSchedule: true, captureDebugLogs: true, settings: new Dictionary<string, string?>
        {
            [ReportFont.FontPathKey] = Nowhere,
            [ReportFont.SearchKey] = "false",
        });
        await using var hall = await SeededHall.CreateAsync(app);

        // The hall works.
        var kiosk = await hall.DeviceAsync("kiosk");
        var clerk = await hall.ClerkAsync(1);
        var shebao = await app.ServiceIdAsync(hall.HallId, "shebao");
        var window = await app.WindowIdAsync(hall.HallId, 1);
        var issued = (await kiosk.IssueAsync(shebao)).Ok();
        (await clerk.OpenAsync(window)).Ok();
        Assert.That((await clerk.CallNextAsync(window)).Ok().Ticket.Number, Is.EqualTo(issued.Ticket.Number));
        (await clerk.StartAsync(window, issued.Ticket.TicketId)).Ok();
        Assert.That((await clerk.FinishAsync(window, issued.Ticket.TicketId, "办结")).Ok().State, Is.EqualTo(TicketState.Finished));

        // The API refuses a report, says why in both languages, and starts nothing.
        using var http = await hall.HttpAsync("supervisor");
        using var response = await http.PostAsJsonAsync(new Uri("/api/reports", UriKind.Relative), new { kind = "DailyPatrol", date = "2026-11-27" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(body.GetProperty("code").GetString(), Is.EqualTo("report_font_missing"));
        Assert.That(body.GetProperty("messageZh").GetString(), Does.Contain("报表字体缺失").And.Contain("apt-get install fonts-wqy-microhei"));
        Assert.That(body.GetProperty("messageEn").GetString(), Does.Contain("fonts-wqy-microhei"));

        // The schedule makes nothing either (its catch-up would have made last week's and last month's reports by now).
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await Task.Delay(1500);
        await using (var db = app.Db())
        {
            Assert.That((await db.Reports.CountAsync(), await db.BackgroundJobs.CountAsync()), Is.EqualTo((0, 0)), "no report stored, no job started");
        }

        // The log says it once, with what to install.
        var warnings = app.Logs.Lines.Where(l => l.Contains("报表字体缺失", StringComparison.Ordinal)).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0], Does.Contain("Warning").And.Contain("fonts-wqy-microhei"));

        // The reports page says the same and offers no button that cannot work.
        var (playwright, browser) = await Browser.LaunchAsync();
        try
        {
            var page = await StaffPages.SignInAsync(browser, app, hall, "supervisor", "/reports");
            await Assertions.Expect(page.Locator("[data-testid=\"font-missing\"]")).ToContainTextAsync("报表字体缺失", new() { Timeout = 20_000 });
            await Assertions.Expect(page.Locator("[data-testid=\"font-missing\"]")).ToContainTextAsync("fonts-wqy-microhei");
            await Assertions.Expect(page.Locator("[data-testid=\"generate\"]")).ToBeDisabledAsync();
            await Browser.Screenshot(page, "reports-without-font");
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    [Test]
    public async Task A_server_whose_configured_font_is_missing_finds_a_chinese_font_on_the_machine_and_makes_reports()
    {
        await using var app = await HallApp.StartAsync("other-font", captureDebugLogs: true, settings: new Dictionary<string, string?> { [ReportFont.FontPathKey] = Nowhere });
        await using var hall = await SeededHall.CreateAsync(app);
        using var http = await hall.HttpAsync("supervisor");
        using var response = await http.PostAsJsonAsync(new Uri("/api/reports", UriKind.Relative), new { kind = "DailyPatrol", date = "2026-11-27" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var job = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var state = "running";
        for (var until = Environment.TickCount64 + 60_000; state == "running" && Environment.TickCount64 < until; await Task.Delay(200))
        {
            state = (await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/reports/jobs/{job}", UriKind.Relative))).GetProperty("state").GetString();
        }
        Assert.That(state, Is.EqualTo("done"));
        var used = app.Logs.Lines.Single(l => l.Contains("Report font " + Nowhere + " not found; using", StringComparison.Ordinal));
        Assert.That(FontSearch.Probe(used.Split("using ")[1].Split(' ')[0]), Is.Not.Null, "the font it took draws Chinese");
    }

    [Test]
    public void The_search_goes_configured_path_fontconfig_common_paths_folders_each_once()
    {
        var candidates = FontSearch.Candidates("/etc/hall/font.ttc", ["/fc/a.ttc", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"], ["/usr/share/fonts/x.ttf", "/fc/a.ttc"]).ToList();
        Assert.That(candidates.Take(3), Is.EqualTo(new[] { "/etc/hall/font.ttc", "/fc/a.ttc", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc" }));
        Assert.That(candidates, Is.Unique);
        Assert.That(candidates, Does.Contain(@"C:\Windows\Fonts\msyh.ttc").And.Contain("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"));
        Assert.That(candidates[^1], Is.EqualTo("/usr/share/fonts/x.ttf"));
    }

    [Test]
    public void TrueType_outlines_win_over_CFF_ones_and_a_CFF_font_is_taken_when_it_is_the_only_one()
    {
        Dictionary<string, FontSearch.Found?> fonts = new()
        {
            ["/latin.ttf"] = null,
            ["/noto-cjk.ttc"] = new("/noto-cjk.ttc", CompactOutlines: true),
            ["/wqy.ttc"] = new("/wqy.ttc", CompactOutlines: false),
        };
        Assert.That(FontSearch.Find(["/latin.ttf", "/noto-cjk.ttc", "/wqy.ttc"], p => fonts[p])?.Path, Is.EqualTo("/wqy.ttc"));
        Assert.That(FontSearch.Find(["/latin.ttf", "/noto-cjk.ttc"], p => fonts[p])?.Path, Is.EqualTo("/noto-cjk.ttc"));
        Assert.That(FontSearch.Find(["/latin.ttf"], p => fonts[p]), Is.Null);
    }

    [Test]
    public void A_latin_font_or_a_file_that_is_no_font_is_not_taken_and_wenquanyi_is()
    {
        Assert.That(FontSearch.Probe(Nowhere), Is.Null);
        var notAFont = Path.GetTempFileName();
        try
        {
            File.WriteAllText(notAFont, "not a font");
            Assert.That(FontSearch.Probe(notAFont), Is.Null);
        }
        finally
        {
            File.Delete(notAFont);
        }
        // DejaVu comes with Chromium's dependencies, WenQuanYi with deploy/test.sh.
        const string latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
        Assert.That((File.Exists(latin), File.Exists(PdfFonts.DefaultPath)), Is.EqualTo((true, true)), "apt-get install fonts-dejavu-core fonts-wqy-microhei");
        Assert.That(FontSearch.Probe(latin), Is.Null, "DejaVu Sans has no Chinese");
        Assert.That(FontSearch.Probe(PdfFonts.DefaultPath), Is.EqualTo(new FontSearch.Found(PdfFonts.DefaultPath, CompactOutlines: false)));
    }
}
