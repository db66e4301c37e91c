using Hall.Server.Contracts;
using Hall.Server.Ratings;
using Hall.Tests.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// In Chromium: the clerk scans a 办件编号 (keys typed then Enter, as a scanner does) into the finish dialog and finishes with a
/// number key; the supervisor downloads the ratings with it from /ratings.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class CaseNumberPageTests
{
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private long _finished;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("case-number-pages");
        _hall = await SeededHall.CreateAsync(_app);
        await using var db = _app.Db();
        await db.Services.Where(s => s.HallId == _hall.HallId && s.Code == "yibao").ExecuteUpdateAsync(s => s.SetProperty(x => x.CaseNumberRequired, true));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    private async Task<TicketState> StateAsync(long ticketId)
    {
        await using var db = _app.Db();
        return await db.Tickets.Where(t => t.Id == ticketId).Select(t => t.State).SingleAsync();
    }

    [Test, Order(1)]
    public async Task The_clerk_scans_the_case_number_then_finishes_with_a_number_key()
    {
        var kiosk = await _hall.DeviceAsync("kiosk");
        var ticket = (await kiosk.IssueAsync(await _app.ServiceIdAsync(_hall.HallId, "yibao"))).Ok().Ticket;
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk03");
        await page.ClickAsync("[data-testid=\"window-3\"]");
        await Assertions.Expect(By(page, "console")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await page.Keyboard.PressAsync("o");
        await Assertions.Expect(By(page, "window-status")).ToHaveTextAsync("服务中");
        await page.Keyboard.PressAsync("n");
        await Assertions.Expect(By(page, "current-number")).ToHaveTextAsync(ticket.Number, new() { Timeout = 10_000 });
        await page.Keyboard.PressAsync("s");
        await Assertions.Expect(By(page, "current-state")).ToHaveTextAsync("办理中");

        // 医保业务 requires the number: the field is marked 必填 and has the cursor as the dialog opens.
        await page.Keyboard.PressAsync("f");
        await Assertions.Expect(By(page, "dialog")).ToContainTextAsync("办件编号（必填）");
        await Assertions.Expect(By(page, "case-number")).ToBeFocusedAsync();
        await Browser.Screenshot(page, "case-number-1-finish-dialog");
        // Enter on an empty field only leaves it; 1 (办结) without a number is refused and nothing changes.
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "case-number")).Not.ToBeFocusedAsync();
        await page.Keyboard.PressAsync("1");
        await Assertions.Expect(By(page, "finish-error")).ToHaveTextAsync("该业务办结须录入办件编号，未作任何更改");
        Assert.That(await StateAsync(ticket.TicketId), Is.EqualTo(TicketState.Serving));

        // B puts the cursor back in the field; the scanner types the number and Enter, which finishes nothing by itself.
        await page.Keyboard.PressAsync("b");
        await Assertions.Expect(By(page, "case-number")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("YB-2026-000777");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "case-number")).Not.ToBeFocusedAsync();
        await Assertions.Expect(By(page, "case-number")).ToHaveValueAsync("YB-2026-000777");
        await Assertions.Expect(By(page, "dialog")).ToBeVisibleAsync();
        Assert.That(await StateAsync(ticket.TicketId), Is.EqualTo(TicketState.Serving));
        await Browser.Screenshot(page, "case-number-2-scanned");

        await page.Keyboard.PressAsync("1");
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync($"{ticket.Number} 办结 · 办件编号 YB-2026-000777");
        await Assertions.Expect(By(page, "current")).ToContainTextAsync("当前没有号");
        await using var db = _app.Db();
        var done = await db.Tickets.Where(t => t.Id == ticket.TicketId).Select(t => new { t.State, t.Outcome, t.CaseNumber }).SingleAsync();
        Assert.That((done.State, done.Outcome, done.CaseNumber), Is.EqualTo((TicketState.Finished, "办结", "YB-2026-000777")));
        _finished = ticket.TicketId;
    }

    [Test, Order(2)]
    public async Task The_supervisor_downloads_the_ratings_with_the_case_number_from_the_ratings_page()
    {
        Assert.That(_finished, Is.Not.Zero, "the console test finished a ticket");
        var evaluator = await _hall.EvaluatorAsync(3);
        (await evaluator.RateAsync(_finished, RatingLevel.Satisfied)).Ok();
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/ratings");
        await Assertions.Expect(By(page, "ratings")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await page.SelectOptionAsync("[data-testid=\"level\"]", "Satisfied");
        await page.SelectOptionAsync("[data-testid=\"channel\"]", "Evaluator");
        await Browser.Screenshot(page, "ratings-export");

        var download = await page.RunAndWaitForDownloadAsync(() => By(page, "export").ClickAsync());

        Assert.That(download.SuggestedFilename, Does.StartWith("新县市民之家-评价明细-").And.EndWith(".xlsx"));
        var file = Path.Combine(Path.GetTempPath(), $"ratings-{Guid.NewGuid():N}.xlsx");
        await download.SaveAsAsync(file);
        try
        {
            using var book = new StyledWorkbook(await File.ReadAllBytesAsync(file));
            var cells = book.Sheet(RatingExport.SheetName).Descendants<DocumentFormat.OpenXml.Spreadsheet.Row>().Skip(2)
                .Select(r => r.Descendants<DocumentFormat.OpenXml.Spreadsheet.Cell>().Skip(1).Select(c => book.Text(c) ?? "").ToArray()).ToList();
            Assert.That(cells, Is.EqualTo(new[] { new[] { "B001", "医保业务", "3号医保窗口", "张秀英（ZW0103）", "满意", "", "现场评价器", "YB-2026-000777", "" } }));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test, Order(3)]
    public async Task The_admin_ticks_the_case_number_setting_and_makes_the_case_systems_key()
    {
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "admin", "/admin/services");
        var row = page.Locator("[data-testid=\"service-jiaotong\"]");
        await Assertions.Expect(row.Locator("[data-testid=\"case-number-required\"]")).Not.ToBeCheckedAsync(new() { Timeout = 20_000 });
        await row.Locator("[data-testid=\"case-number-required\"]").CheckAsync();
        await row.Locator("[data-testid=\"save\"]").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("已保存：交通运输");
        await using (var db = _app.Db())
        {
            Assert.That(await db.Services.Where(s => s.HallId == _hall.HallId && s.Code == "jiaotong").Select(s => s.CaseNumberRequired).SingleAsync(), Is.True);
            var entry = await db.AuditEntries.Where(a => a.Action == "service.update").OrderByDescending(a => a.Id).FirstAsync();
            Assert.That(entry.Before, Does.Contain("\"CaseNumberRequired\": false"));
            Assert.That(entry.After, Does.Contain("\"CaseNumberRequired\": true"));
        }
        await page.GotoAsync(new Uri(_app.BaseAddress, "/admin/audit").ToString());
        await Assertions.Expect(page.Locator("[data-testid=\"audit-service.update\"]").First).ToContainTextAsync("必须录入办件编号");

        await page.GotoAsync(new Uri(_app.BaseAddress, "/admin/devices").ToString());
        await By(page, "new-name").FillAsync("省一窗受理系统");
        await page.SelectOptionAsync("[data-testid=\"new-role\"]", "CaseSystem");
        await By(page, "create").ClickAsync();
        await Assertions.Expect(By(page, "secret")).ToContainTextAsync("hd_");
        await Assertions.Expect(By(page, "devices")).ToContainTextAsync("对接系统（办件编号）");
        await Browser.Screenshot(page, "case-system-key");
        await using (var db = _app.Db())
        {
            Assert.That(await db.Devices.Where(d => d.HallId == _hall.HallId && d.Name == "省一窗受理系统").Select(d => d.Role).SingleAsync(), Is.EqualTo(DeviceRole.CaseSystem));
        }
    }
}
