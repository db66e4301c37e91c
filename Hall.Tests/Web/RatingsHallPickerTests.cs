using Hall.Server.Contracts;
using Hall.Server.Ratings;
using Hall.Tests.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// /ratings for a county admin in Chromium (issue 20): the page has a hall picker of the county hall and its township centres;
/// picking 胡集镇 lists that centre's windows, and the workbook downloaded holds that centre's ratings only, as the database has them.
/// A supervisor gets no picker.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class RatingsHallPickerTests
{
    private const string Town = "胡集镇便民服务中心";
    private HallApp _app = null!;
    private MonthScenario _county = null!;
    private MonthScenario _town = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task RateInBothHallsAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("ratings-hall-picker", new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.FromHours(8)));
        _county = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: true, 1);
        _town = await MonthScenario.CreateAsync(_app, "huji", openAllDay: true, 1);
        await using (var db = _app.Db())
        {
            // 胡集镇's centre belongs to the county; its window gets a name of its own, so a person can tell the halls' rows apart.
            await db.Halls.Where(h => h.Id == _town.HallId).ExecuteUpdateAsync(s => s.SetProperty(h => h.ParentId, _county.HallId).SetProperty(h => h.Name, Town));
            await db.Windows.Where(w => w.Id == _town.WindowId(1)).ExecuteUpdateAsync(s => s.SetProperty(w => w.Name, "胡集镇综合窗口"));
        }
        // Monday 2 November: two ratings at the county hall, two at the township centre.
        _county.At(11, 2, 9, 0);
        await _county.OpenAsync(1, 1);
        await _county.ServeAndRateAsync(1, 1, "shebao", RatingLevel.Satisfied);
        await _county.ServeAndRateAsync(1, 1, "shebao", RatingLevel.VerySatisfied);
        _town.At(11, 2, 10, 0);
        await _town.OpenAsync(1, 1);
        await _town.ServeAndRateAsync(1, 1, "shebao", RatingLevel.VerySatisfied);
        await _town.ServeAndRateAsync(1, 1, "shebao", RatingLevel.Dissatisfied);
        _county.At(11, 2, 11, 0);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    [Test]
    public async Task A_county_admin_picks_a_township_centre_and_exports_only_its_ratings()
    {
        var page = await StaffPages.SignInAsync(_browser, _app.BaseAddress, _county.Credentials, "admin", "/ratings");
        await Assertions.Expect(By(page, "ratings")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        var options = await By(page, "hall").Locator("option").AllInnerTextsAsync();
        Assert.That(options, Has.Count.GreaterThanOrEqualTo(2).And.Contains(Town), "the county hall and its township centres");
        Assert.That(options[0], Is.Not.EqualTo(Town), "the county hall first, as the page starts");
        await Assertions.Expect(By(page, "window")).Not.ToContainTextAsync("胡集镇综合窗口");

        await By(page, "hall").SelectOptionAsync(new SelectOptionValue { Label = Town });
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(_app.BaseAddress, $"/ratings?hall={_town.HallId}").ToString());
        await Assertions.Expect(page.Locator("h1 small")).ToHaveTextAsync(Town);
        await Assertions.Expect(By(page, "window")).ToContainTextAsync("1号胡集镇综合窗口");
        await Browser.Screenshot(page, "ratings-hall-picker");

        var download = await page.RunAndWaitForDownloadAsync(() => By(page, "export").ClickAsync());
        Assert.That(download.SuggestedFilename, Does.StartWith($"{Town}-评价明细-").And.EndWith(".xlsx"));
        var file = Path.Combine(Path.GetTempPath(), $"ratings-{Guid.NewGuid():N}.xlsx");
        await download.SaveAsAsync(file);
        List<string[]> rows;
        try
        {
            using var book = new StyledWorkbook(await File.ReadAllBytesAsync(file));
            // 号码 | 业务 | 窗口 | 工作人员 | 等级 | …
            rows = [.. book.Sheet(RatingExport.SheetName).Descendants<DocumentFormat.OpenXml.Spreadsheet.Row>().Skip(2)
                .Select(r => r.Descendants<DocumentFormat.OpenXml.Spreadsheet.Cell>().Skip(1).Take(5).Select(c => book.Text(c) ?? "").ToArray())];
        }
        finally
        {
            File.Delete(file);
        }

        await using var db = _app.Db();
        var expected = await (from r in db.Ratings.AsNoTracking()
                              join t in db.Tickets.AsNoTracking() on r.TicketId equals t.Id
                              where r.HallId == _town.HallId
                              orderby r.At
                              select new { t.Number, r.Level }).ToListAsync();
        Assert.That(expected, Has.Count.EqualTo(2));
        Assert.That(await db.Ratings.CountAsync(r => r.HallId == _county.HallId), Is.EqualTo(2), "the county hall's own two ratings are not the township's");
        Assert.That(rows.Select(r => (r[0], r[2], r[4])).OrderBy(r => r.Item1, StringComparer.Ordinal),
            Is.EqualTo(expected.Select(e => (e.Number, "1号胡集镇综合窗口", Hall.Server.Reports.ReportFormat.Level(e.Level))).OrderBy(r => r.Item1, StringComparer.Ordinal)),
            "only the township centre's ratings, each as the database holds it");
        await page.Context.CloseAsync();

        // A supervisor exports their own hall only: no picker, and another hall's ratings are refused.
        var supervisor = await StaffPages.SignInAsync(_browser, _app.BaseAddress, _county.Credentials, "supervisor", "/ratings");
        await Assertions.Expect(By(supervisor, "ratings")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(By(supervisor, "hall")).ToHaveCountAsync(0);
        var refused = await supervisor.APIRequest.GetAsync(new Uri(_app.BaseAddress, $"/api/ratings/xlsx?hall={_town.HallId}").ToString());
        Assert.That(refused.Status, Is.EqualTo(403));
        await supervisor.Context.CloseAsync();
    }
}
