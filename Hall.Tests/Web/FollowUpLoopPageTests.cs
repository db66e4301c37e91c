using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// 差评闭环 in Chromium (issue 20): the supervisor walks a case through 核实 → 整改 → 回访 → 办结 on /followups; the clerk appeals a
/// bad rating from 我的差评; the supervisor upholds it and the window's rate on the wall changes. Ratings come from the window's
/// evaluator, as the citizen gives them.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class FollowUpLoopPageTests
{
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("followup-loop-page");
        _hall = await SeededHall.CreateAsync(_app);
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

    [Test]
    public async Task A_case_goes_round_the_loop_and_an_upheld_appeal_changes_the_windows_rate_on_the_wall()
    {
        // Window 2 (clerk02): three citizens served, rated 不满意, 不满意, 满意 on the window's evaluator.
        var window = await _app.WindowIdAsync(_hall.HallId, 2);
        var shebao = await _app.ServiceIdAsync(_hall.HallId, "shebao");
        var kiosk = await _hall.DeviceAsync("kiosk");
        var clerk = await _hall.ClerkAsync(2);
        var evaluator = await _hall.EvaluatorAsync(2);
        (await clerk.OpenAsync(window)).Ok();
        var numbers = new List<string>();
        foreach (var level in new[] { RatingLevel.Dissatisfied, RatingLevel.Dissatisfied, RatingLevel.Satisfied })
        {
            var ticket = (await kiosk.IssueAsync(shebao)).Ok().Ticket;
            (await clerk.CallNextAsync(window)).Ok();
            (await clerk.StartAsync(window, ticket.TicketId)).Ok();
            (await clerk.FinishAsync(window, ticket.TicketId)).Ok();
            (await evaluator.RateAsync(ticket.TicketId, level)).Ok();
            numbers.Add(ticket.Number);
        }
        var (walked, appealed) = (numbers[0], numbers[1]);

        var wall = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/wall");
        await Assertions.Expect(By(wall, "tile-2").Locator(".today")).ToHaveTextAsync("办结 3 · 评价 3 · 33%", new() { Timeout = 20_000 });

        // 核实: without a conclusion the page says so and nothing changes; then 属实.
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/followups");
        await Assertions.Expect(By(page, $"step-{walked}")).ToHaveTextAsync("待核实", new() { Timeout = 20_000 });
        await By(page, $"finding-{walked}").FillAsync("调取录像：群众等候40分钟，窗口未作解释");
        await By(page, $"verify-{walked}").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("请选择核实结论：属实或不属实，未作任何更改");
        await By(page, $"founded-{walked}").SelectOptionAsync("true");
        await By(page, $"verify-{walked}").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("已核实");
        await Assertions.Expect(By(page, $"loop-verified-{walked}")).ToContainTextAsync("属实。调取录像：群众等候40分钟，窗口未作解释");
        await Assertions.Expect(By(page, $"step-{walked}")).ToHaveTextAsync("待整改");

        // 整改: two working days from Monday 11-30 is Wednesday 12-02.
        await By(page, $"plan-{walked}").FillAsync("高峰时段增开社保窗口");
        await By(page, $"days-{walked}").FillAsync("2");
        await By(page, $"plan-button-{walked}").ClickAsync();
        await Assertions.Expect(By(page, $"loop-remedy-{walked}")).ToContainTextAsync("高峰时段增开社保窗口（期限 2026-12-02）");
        await Assertions.Expect(By(page, $"step-{walked}")).ToHaveTextAsync("整改中");
        await By(page, $"remedy-result-{walked}").FillAsync("已增开3号窗口");
        await By(page, $"remedied-{walked}").ClickAsync();
        await Assertions.Expect(By(page, $"loop-remedy-{walked}")).ToContainTextAsync("已整改：已增开3号窗口");

        // 回访 with the citizen's own verdict, then 办结.
        await Assertions.Expect(By(page, $"step-{walked}")).ToHaveTextAsync("待回访");
        await By(page, $"verdict-{walked}").SelectOptionAsync("Satisfied");
        await By(page, $"callback-note-{walked}").FillAsync("群众对整改表示满意");
        await By(page, $"callback-{walked}").ClickAsync();
        await Assertions.Expect(By(page, $"loop-callback-{walked}")).ToContainTextAsync("群众意见 满意，群众对整改表示满意");
        await By(page, $"text-{walked}").FillAsync("已整改并回访");
        await By(page, $"close-{walked}").ClickAsync();
        await Assertions.Expect(By(page, $"case-{walked}").Locator("[data-testid=\"closed\"]")).ToHaveTextAsync("按期办结");
        await Browser.Screenshot(page, "followups-loop-1-walked");

        // The clerk's 我的差评: their two bad ratings, no citizen's contact; an appeal for the second.
        var mine = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk02", "/my-ratings");
        await Assertions.Expect(By(mine, $"case-{appealed}")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(By(mine, $"case-{walked}")).ToContainTextAsync("已办结");
        await Assertions.Expect(By(mine, $"contact-{appealed}")).ToHaveCountAsync(0);
        await By(mine, $"appeal-reason-{appealed}").FillAsync("该群众材料不齐被退回，离开时故意按差评");
        await By(mine, $"appeal-{appealed}").ClickAsync();
        await Assertions.Expect(By(mine, "message")).ToHaveTextAsync("请选择申诉类型：误评或恶意差评，未作任何更改");
        await By(mine, $"appeal-kind-{appealed}").SelectOptionAsync("Malicious");
        await By(mine, $"appeal-{appealed}").ClickAsync();
        await Assertions.Expect(By(mine, "message")).ToHaveTextAsync("已提出申诉，待大厅负责人复核");
        await Assertions.Expect(By(mine, $"state-{appealed}")).ToHaveTextAsync("申诉待复核");
        await Assertions.Expect(By(mine, $"appeal-form-{appealed}")).ToHaveCountAsync(0);
        await Browser.Screenshot(mine, "followups-loop-2-clerk-appeal");

        // The supervisor upholds it: the case closes as 申诉采纳, and the wall counts two ratings, one good.
        await page.ReloadAsync();
        await Assertions.Expect(By(page, $"loop-appeal-{appealed}")).ToContainTextAsync("恶意差评，该群众材料不齐被退回，离开时故意按差评 · 待复核", new() { Timeout = 20_000 });
        await By(page, $"decision-{appealed}").FillAsync("录像显示办理规范，差评与服务无关");
        await By(page, $"uphold-{appealed}").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("已采纳申诉，该评价不再计入");
        await Assertions.Expect(By(page, $"step-{appealed}")).ToHaveTextAsync("申诉采纳");
        await Assertions.Expect(By(page, $"loop-appeal-decision-{appealed}")).ToContainTextAsync("采纳：录像显示办理规范，差评与服务无关");
        await Browser.Screenshot(page, "followups-loop-3-upheld");
        await wall.ReloadAsync();
        await Assertions.Expect(By(wall, "tile-2").Locator(".today")).ToHaveTextAsync("办结 3 · 评价 2 · 50%", new() { Timeout = 20_000 });
        await Browser.Screenshot(wall, "followups-loop-4-wall");

        await using var db = _app.Db();
        var audit = await db.AuditEntries.AsNoTracking().Where(a => a.Action.StartsWith("followup.appeal.")).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.That(audit, Is.EqualTo(new[] { "followup.appeal.file", "followup.appeal.decide" }));
        Assert.That(await db.Ratings.CountAsync(r => r.WindowId == window && r.AppealUpheldAt != null), Is.EqualTo(1), "kept, marked");
    }
}
