using Hall.Server.Patrol;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// 日巡查 on the supervisor's tablet (issue 18), in Chromium on the real server: a round walked category by category, a
/// finding with its due date, the sign-off that freezes the round, refusals that say why and change nothing, and a
/// finding closed days later with its result.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class PatrolPageTests
{
    private static readonly ViewportSize Tablet = new() { Width = 820, Height = 1180 };

    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _supervisor = "";
    private int _window3;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        // Monday 2026-11-30, 10:00 in the hall.
        _app = await HallApp.StartAsync("patrol-page");
        _hall = await SeededHall.CreateAsync(_app);
        _window3 = await _app.WindowIdAsync(_hall.HallId, 3);
        await using var db = _app.Db();
        _supervisor = await db.Staff.Where(s => s.HallId == _hall.HallId && s.Login.EndsWith("-supervisor")).Select(s => s.Name).SingleAsync();
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

    private async Task<IPage> TabletAsync() =>
        await StaffPages.SignInAsync(await Browser.OpenAsync(_browser, null, Tablet), _app, _hall, "supervisor", "/patrol");

    [Test, Order(1)]
    public async Task A_supervisor_walks_a_round_records_a_finding_and_signs_it_off_after_which_it_is_frozen()
    {
        var page = await TabletAsync();
        await Assertions.Expect(By(page, "today")).ToHaveTextAsync("2026-11-30", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator(".staff-bar nav a[href=\"/patrol\"]")).ToHaveTextAsync("日巡查");
        await By(page, "start").ClickAsync();
        await Assertions.Expect(By(page, "inspector")).ToHaveTextAsync($"巡查人：{_supervisor}");
        await Assertions.Expect(By(page, "unsigned")).ToHaveTextAsync("未签字");

        // Signing before every category is checked is refused with the categories left, and nothing changes.
        await By(page, "sign").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("还有检查项目未填写：纪律、着装、环境、设备、告知公示，不能签字，未作任何更改");
        await using (var db = _app.Db())
        {
            var round = await db.PatrolRounds.AsNoTracking().SingleAsync(r => r.HallId == _hall.HallId);
            Assert.That((round.SignedAt, round.Checks.Count, round.InspectorName, round.BusinessDate), Is.EqualTo(((DateTimeOffset?)null, 0, _supervisor, new DateOnly(2026, 11, 30))));
        }

        foreach (var category in new[] { "Discipline", "Dress", "Equipment", "Notices" })
        {
            await By(page, $"normal-{category}").ClickAsync();
            await Assertions.Expect(By(page, $"result-{category}")).ToHaveTextAsync("正常");
        }
        // 有问题 needs a note saying what.
        await By(page, "problem-Environment").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("标为“有问题”时请写明说明，未作任何更改");
        await Assertions.Expect(By(page, "result-Environment")).ToHaveTextAsync("未检查");
        await By(page, "note-Environment").FillAsync("3号窗口台面堆放杂物");
        await By(page, "problem-Environment").ClickAsync();
        await Assertions.Expect(By(page, "result-Environment")).ToHaveTextAsync("有问题：3号窗口台面堆放杂物");

        // The finding: its due date comes prefilled three working days ahead (Thursday 12-03).
        await Assertions.Expect(By(page, "finding-due")).ToHaveValueAsync("2026-12-03");
        await By(page, "finding-category").SelectOptionAsync("Environment");
        await By(page, "finding-window").SelectOptionAsync(_window3.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await By(page, "finding-description").FillAsync("窗口台面堆放材料和水杯");
        await By(page, "finding-requirement").FillAsync("当日清理台面，材料归档");
        // A due date before today is refused; what was typed stays.
        await By(page, "finding-due").FillAsync("2026-11-27");
        await By(page, "finding-add").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("整改期限不能早于今天，未作任何更改");
        await Assertions.Expect(By(page, "finding-description")).ToHaveValueAsync("窗口台面堆放材料和水杯");
        await using (var db = _app.Db())
        {
            Assert.That(await db.PatrolFindings.CountAsync(f => f.HallId == _hall.HallId), Is.Zero, "a refused finding is not kept");
        }
        await By(page, "finding-due").FillAsync("2026-12-03");
        await By(page, "finding-add").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("已登记问题");
        var finding = page.Locator(".round .finding");
        await Assertions.Expect(finding).ToHaveCountAsync(1);
        await Assertions.Expect(finding.Locator("[data-testid=\"description\"]")).ToHaveTextAsync("窗口台面堆放材料和水杯");
        await Assertions.Expect(finding.Locator("[data-testid=\"due\"]")).ToHaveTextAsync("整改期限 2026-12-03");
        await Assertions.Expect(finding).ToContainTextAsync("3号 ");
        await Assertions.Expect(finding).ToContainTextAsync("整改要求：当日清理台面，材料归档");
        await Browser.Screenshot(page, "patrol-1-walking");

        await By(page, "sign").ClickAsync();
        await Assertions.Expect(By(page, "signed")).ToHaveTextAsync($"已签字 {_supervisor} 10:00");
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("已签字确认，本次巡查已完成");
        // Frozen: no more marks, findings or signing on the page; another round may start.
        await Assertions.Expect(By(page, "normal-Discipline")).ToHaveCountAsync(0);
        await Assertions.Expect(By(page, "new-finding")).ToHaveCountAsync(0);
        await Assertions.Expect(By(page, "sign")).ToHaveCountAsync(0);
        await Assertions.Expect(By(page, "start")).ToHaveTextAsync("开始新一轮巡查");
        await Browser.Screenshot(page, "patrol-2-signed");

        await using var check = _app.Db();
        var signed = await check.PatrolRounds.AsNoTracking().SingleAsync(r => r.HallId == _hall.HallId);
        var supervisorId = await check.Staff.Where(s => s.HallId == _hall.HallId && s.Login.EndsWith("-supervisor")).Select(s => s.Id).SingleAsync();
        Assert.That((signed.SignedByName, signed.Checks.Count(c => c.Problem), signed.CheckOf(PatrolCategory.Environment)?.Note), Is.EqualTo((_supervisor, 1, "3号窗口台面堆放杂物")));
        // Changing the signed round by any way in is refused and changes nothing.
        var actor = new Actor(ActorKind.Staff, supervisorId, _hall.HallId, _supervisor, Hall.Server.Contracts.StaffRole.Supervisor, null, null);
        var refused = await _app.Services.GetRequiredService<Patrols>().CheckAsync(actor, signed.Id, PatrolCategory.Environment, false, null, default);
        Assert.That(refused?.MessageZh, Is.EqualTo("本次巡查已签字确认，不能再更改，未作任何更改"));
        var after = await check.PatrolRounds.AsNoTracking().SingleAsync(r => r.Id == signed.Id);
        Assert.That(after.CheckOf(PatrolCategory.Environment)?.Problem, Is.True);
        Assert.That(await check.AuditEntries.Where(a => a.HallId == _hall.HallId && a.Action.StartsWith("patrol.")).Select(a => a.Action).Distinct().ToListAsync(),
            Is.EquivalentTo(new[] { "patrol.start", "patrol.check", "patrol.finding.add", "patrol.sign" }));
        await page.Context.CloseAsync();
    }

    [Test, Order(2)]
    public async Task Days_later_the_overdue_finding_comes_first_and_closes_only_with_its_result()
    {
        // Friday 12-04 in the hall: Thursday's due date has passed.
        _app.Clock.Advance(TimeSpan.FromDays(4));
        var page = await TabletAsync();
        await Assertions.Expect(By(page, "today")).ToHaveTextAsync("2026-12-04", new() { Timeout = 20_000 });
        var earlier = By(page, "earlier");
        await Assertions.Expect(By(page, "earlier-overdue")).ToHaveTextAsync("1");
        var finding = earlier.Locator(".finding");
        await Assertions.Expect(finding).ToHaveCountAsync(1);
        await Assertions.Expect(finding.Locator("[data-testid=\"overdue\"]")).ToHaveTextAsync("已逾期");
        await Assertions.Expect(finding).ToContainTextAsync("发现于 2026-11-30");
        await Assertions.Expect(finding.Locator("[data-testid=\"description\"]")).ToHaveTextAsync("窗口台面堆放材料和水杯");
        await Browser.Screenshot(page, "patrol-3-overdue");

        long id;
        await using (var db = _app.Db())
        {
            id = await db.PatrolFindings.Where(f => f.HallId == _hall.HallId).Select(f => f.Id).SingleAsync();
        }
        await By(page, $"close-{id}").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("请填写整改结果，未作任何更改");
        await using (var db = _app.Db())
        {
            Assert.That(await db.PatrolFindings.AsNoTracking().Where(f => f.Id == id).Select(f => f.ClosedAt).SingleAsync(), Is.Null, "refused: still open");
        }

        await By(page, $"result-text-{id}").FillAsync("台面已清理，材料已归档");
        await By(page, $"close-{id}").ClickAsync();
        await Assertions.Expect(finding.Locator("[data-testid=\"closed\"]")).ToHaveTextAsync("逾期整改");
        await Assertions.Expect(finding.Locator("[data-testid=\"finding-result\"]")).ToHaveTextAsync($"整改结果：台面已清理，材料已归档（{_supervisor} 12-04 10:00）");
        await Assertions.Expect(By(page, "earlier-open")).ToHaveTextAsync("0");

        await using var check = _app.Db();
        var closed = await check.PatrolFindings.AsNoTracking().SingleAsync(f => f.Id == id);
        Assert.That((closed.Result, closed.ClosedByName), Is.EqualTo(("台面已清理，材料已归档", _supervisor)));
        Assert.That(await check.AuditEntries.CountAsync(a => a.Action == "patrol.finding.close" && a.Subject == $"patrolfinding:{id}"), Is.EqualTo(1));
        await page.Context.CloseAsync();
    }

    [Test, Order(3)]
    public async Task The_page_speaks_english_when_asked()
    {
        var page = await TabletAsync();
        await page.Locator(".staff-bar .lang").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Daily patrol", new() { Timeout = 20_000 });
        await By(page, "start").ClickAsync();
        await By(page, "sign").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("Some categories are not checked yet: Discipline, Dress, Environment, Equipment, Notices on show. The round cannot be signed. Nothing was changed.");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_clerk_cannot_open_the_patrol_nor_record_anything()
    {
        var page = await StaffPages.SignInAsync(await Browser.OpenAsync(_browser, null, Tablet), _app, _hall, "clerk03", "/patrol", expectArrival: false);
        await Assertions.Expect(By(page, "not-allowed")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator(".staff-bar nav a[href=\"/patrol\"]")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();

        int clerk;
        await using (var db = _app.Db())
        {
            clerk = await db.Staff.Where(s => s.HallId == _hall.HallId && s.Login.EndsWith("-clerk03")).Select(s => s.Id).SingleAsync();
        }
        var actor = new Actor(ActorKind.Staff, clerk, _hall.HallId, "clerk", Hall.Server.Contracts.StaffRole.Clerk, null, 3);
        var (_, refused) = await _app.Services.GetRequiredService<Patrols>().StartAsync(actor, default);
        Assert.That(refused?.MessageZh, Is.EqualTo("无权执行此操作"));
    }
}
