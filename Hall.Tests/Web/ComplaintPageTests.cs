using Hall.Server.Complaints;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Tests.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// 有诉即办 in Chromium on the real server (issue 20): a clerk at a regular window is told they cannot register; the clerk of
/// the 办不成事反映 window registers a complaint from the keyboard (masked name and number, the due date in working days);
/// the supervisor assigns it, answers, opens the number for the call-back, records the verdict, closes it, and exports the
/// list to Excel with the contact masked. The admin's deadline setting (1–30 working days) on the hall page: a bad value is refused
/// in Chinese and English and changes nothing; 5 is audited and the next complaint is due five working days later.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ComplaintPageTests
{
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _department = "";
    private IPage? _admin;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        // Monday 2026-11-30, 10:00 in the hall.
        _app = await HallApp.StartAsync("complaint-page");
        _hall = await SeededHall.CreateAsync(_app);
        await using var db = _app.Db();
        var clerk = await db.Staff.SingleAsync(s => s.HallId == _hall.HallId && s.Login.EndsWith("-clerk14"));
        var window = await _app.WindowIdAsync(_hall.HallId, 14);
        var opened = await _app.Services.GetRequiredService<QueueService>()
            .OpenWindowAsync(new Actor(ActorKind.Staff, clerk.Id, _hall.HallId, clerk.Name, StaffRole.Clerk, null, null), new WindowCommand(Guid.NewGuid(), window), default);
        Assert.That(opened.Ok, Is.True);
        _department = (await Hall.Server.Complaints.Complaints.DepartmentsAsync(db, _hall.HallId, default))[0];
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

    private async Task GoAsync(string path)
    {
        await _admin!.GotoAsync(new Uri(_app.BaseAddress, path).ToString());
        await Assertions.Expect(By(_admin, "admin-nav")).ToBeVisibleAsync(new() { Timeout = 20_000 });
    }

    [Test, Order(1)]
    public async Task A_clerk_at_a_regular_window_is_told_only_the_special_window_registers()
    {
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk01", "/complaints");
        await Assertions.Expect(By(page, "register-refused")).ToHaveTextAsync("只有办不成事反映窗口的工作人员或值班长可以登记诉求", new() { Timeout = 20_000 });
        await Assertions.Expect(By(page, "register")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".staff-bar nav a[href=\"/complaints\"]")).ToHaveTextAsync("有诉即办");
        await page.Context.CloseAsync();
    }

    [Test, Order(2)]
    public async Task The_special_windows_clerk_registers_a_complaint_from_the_keyboard()
    {
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk14", "/complaints");
        await Assertions.Expect(By(page, "register")).ToContainTextAsync("14号 办不成事反映窗口", new() { Timeout = 20_000 });
        await Assertions.Expect(By(page, "due-if-today")).ToHaveTextAsync("2026-12-03");
        // Enter with nothing written is refused, and nothing is kept.
        await By(page, "citizen").FillAsync("张三");
        await By(page, "mobile").FillAsync("13812345678");
        await By(page, "mobile").PressAsync("Enter");
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("请填写反映的问题，未作任何更改");
        await using (var db = _app.Db())
        {
            Assert.That(await db.Complaints.CountAsync(c => c.HallId == _hall.HallId), Is.Zero);
        }
        await By(page, "category").SelectOptionAsync("CouldNotGetDone");
        await By(page, "description").FillAsync("跑了三次仍办不成，窗口说缺材料但说不清缺什么");
        await By(page, "mobile").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("已登记 TS-20261130-001");
        var item = By(page, "complaint-TS-20261130-001");
        await Assertions.Expect(By(page, "citizen-TS-20261130-001")).ToHaveTextAsync("张*");
        await Assertions.Expect(By(page, "contact-TS-20261130-001")).ToHaveTextAsync("138****5678");
        await Assertions.Expect(By(page, "due-TS-20261130-001")).ToHaveTextAsync("期限 2026-12-03");
        await Assertions.Expect(By(page, "state-TS-20261130-001")).ToHaveTextAsync("已登记");
        await Assertions.Expect(item).Not.ToContainTextAsync("13812345678");
        // The clerk takes no step beyond registering.
        await Assertions.Expect(By(page, "assign-TS-20261130-001")).ToHaveCountAsync(0);
        await Browser.Screenshot(page, "complaints-1-registered");
        await page.Context.CloseAsync();
    }

    [Test, Order(3)]
    public async Task The_supervisor_takes_the_complaint_to_closure_and_exports_it_with_the_contact_masked()
    {
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/complaints");
        const string n = "TS-20261130-001";
        await Assertions.Expect(By(page, $"state-{n}")).ToHaveTextAsync("已登记", new() { Timeout = 20_000 });
        // Assigning without a department is refused and changes nothing.
        await By(page, $"assign-{n}").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("请选择责任部门，未作任何更改");
        await By(page, $"assign-department-{n}").SelectOptionAsync(_department);
        await By(page, $"assign-{n}").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("已交办");
        await Assertions.Expect(By(page, $"state-{n}")).ToHaveTextAsync("已交办");
        await Assertions.Expect(By(page, $"department-{n}")).ToHaveTextAsync(_department);

        await By(page, $"answer-text-{n}").FillAsync("已告知所缺材料清单，预约周三办理");
        await By(page, $"answer-{n}").ClickAsync();
        await Assertions.Expect(By(page, $"state-{n}")).ToHaveTextAsync("已答复");

        await By(page, $"open-contact-{n}").ClickAsync();
        await Assertions.Expect(By(page, $"contact-{n}")).ToHaveTextAsync("13812345678");
        await By(page, $"verdict-{n}").SelectOptionAsync("Satisfied");
        await By(page, $"callback-note-{n}").FillAsync("群众表示满意");
        await By(page, $"callback-{n}").ClickAsync();
        await Assertions.Expect(By(page, $"state-{n}")).ToHaveTextAsync("已回访");
        await By(page, $"close-{n}").ClickAsync();
        await Assertions.Expect(By(page, $"state-{n}")).ToHaveTextAsync("已办结");
        await Assertions.Expect(By(page, $"contact-{n}")).ToHaveTextAsync("138****5678");
        await Assertions.Expect(By(page, $"open-contact-{n}")).ToHaveCountAsync(0);
        await Assertions.Expect(By(page, $"steps-{n}")).ToContainTextAsync("回访 11-30 10:00 马主任：满意，群众表示满意");
        await Browser.Screenshot(page, "complaints-2-closed");

        await using (var db = _app.Db())
        {
            var c = await db.Complaints.AsNoTracking().SingleAsync(x => x.Number == n && x.HallId == _hall.HallId);
            Assert.That((c.State, c.Verdict, c.MobileCipher, c.MobileMasked), Is.EqualTo((ComplaintState.Closed, (CallBackVerdict?)CallBackVerdict.Satisfied, (string?)null, "138****5678")));
            Assert.That(await db.AuditEntries.CountAsync(a => a.HallId == _hall.HallId && a.Action == "complaint.contact.view"), Is.EqualTo(1));
        }

        // The export (the filter's link, with the browser's own sign-in): one row, the contact masked.
        await By(page, "filter-category").SelectOptionAsync("CouldNotGetDone");
        await By(page, "filter-apply").ClickAsync();
        var href = await By(page, "export").GetAttributeAsync("href");
        Assert.That(href, Is.EqualTo("/api/complaints/export.xlsx?category=CouldNotGetDone"));
        var response = await page.APIRequest.GetAsync(new Uri(_app.BaseAddress, href).ToString());
        Assert.That(response.Status, Is.EqualTo(200));
        var sheet = ReportRendering.Sheets(await response.BodyAsync())["群众诉求"];
        Assert.That(sheet, Has.Count.EqualTo(1));
        var row = sheet[0].Select(v => v?.ToString() ?? "").ToList();
        Assert.That(row.Take(7), Is.EqualTo(new[] { n, "2026-11-30 10:00", "窗口", "张*", "138****5678", "办不成事", "跑了三次仍办不成，窗口说缺材料但说不清缺什么" }));
        Assert.That(row, Has.None.Contains("13812345678"));
        // Another category's export is empty; a clerk may not export.
        var none = await page.APIRequest.GetAsync(new Uri(_app.BaseAddress, "/api/complaints/export.xlsx?category=Waiting").ToString());
        Assert.That(ReportRendering.Sheets(await none.BodyAsync())["群众诉求"], Is.Empty);
        using var clerk = await _hall.HttpAsync("clerk14");
        var refused = await clerk.GetAsync(new Uri("/api/complaints/export.xlsx", UriKind.Relative));
        Assert.That((int)refused.StatusCode, Is.EqualTo(403));
        await page.Context.CloseAsync();
    }

    [Test, Order(4)]
    public async Task A_deadline_outside_1_to_30_working_days_is_refused_in_chinese_and_english_and_changes_nothing()
    {
        _admin = await StaffPages.SignInAsync(_browser, _app, _hall, "admin", "/admin/hall");
        await GoAsync("/admin/hall");
        await Assertions.Expect(By(_admin, "complaint-working-days")).ToHaveValueAsync("3");
        var before = await TableDump.AllAsync(_app.ConnectionString);
        await By(_admin, "complaint-working-days").FillAsync("0");
        await By(_admin, "save").ClickAsync();
        await Assertions.Expect(By(_admin, "message")).ToHaveTextAsync("大厅设置有误：有诉即办办理期限（工作日）须在 1–30 之间，未作任何更改");
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before), "a refused setting leaves the database as it was");

        await _admin.GotoAsync(new Uri(_app.BaseAddress, "/lang/en?back=/admin/hall").ToString());
        await Assertions.Expect(_admin.Locator("h1")).ToHaveTextAsync("Hall settings", new() { Timeout = 20_000 });
        await By(_admin, "complaint-working-days").FillAsync("31");
        await By(_admin, "save").ClickAsync();
        await Assertions.Expect(By(_admin, "message")).ToHaveTextAsync("Invalid hall settings: the complaint deadline (working days) must be 1–30. Nothing was changed.");
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before));
        await Browser.Screenshot(_admin, "complaint-deadline-refused-en");
        await _admin.GotoAsync(new Uri(_app.BaseAddress, "/lang/zh?back=/admin/hall").ToString());
        await Assertions.Expect(_admin.Locator("h1")).ToHaveTextAsync("大厅设置", new() { Timeout = 20_000 });
    }

    [Test, Order(5)]
    public async Task The_admin_sets_five_working_days_it_is_audited_and_the_next_complaint_is_due_five_working_days_later()
    {
        _admin ??= await StaffPages.SignInAsync(_browser, _app, _hall, "admin", "/admin/hall");
        await GoAsync("/admin/hall");
        await By(_admin, "complaint-working-days").FillAsync("5");
        await By(_admin, "save").ClickAsync();
        await Assertions.Expect(By(_admin, "message")).ToHaveTextAsync("已保存");
        await using (var db = _app.Db())
        {
            Assert.That(await db.Halls.Where(h => h.Id == _hall.HallId).Select(h => h.ComplaintWorkingDays).SingleAsync(), Is.EqualTo(5));
        }
        await GoAsync("/admin/hall");
        await Assertions.Expect(By(_admin, "complaint-working-days")).ToHaveValueAsync("5");

        // The audit log names the field with its old and new value.
        await GoAsync("/admin/audit");
        var entry = _admin.Locator("[data-testid=\"audit-hall.update\"]").First;
        var changes = (await entry.Locator(".changes > span").AllInnerTextsAsync()).Chunk(3).Select(c => string.Join(" | ", c)).ToList();
        Assert.That(changes, Is.EqualTo(new[] { "字段 | 原值 | 新值", "有诉即办办理期限（工作日） | 3 | 5" }), "the one changed field");

        // Received Monday 30 November: five working days later is Monday 7 December (3 days would have been Thursday 3 December).
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/complaints");
        await Assertions.Expect(By(page, "due-if-today")).ToHaveTextAsync("2026-12-07", new() { Timeout = 20_000 });
        await By(page, "citizen").FillAsync("李四");
        await By(page, "mobile").FillAsync("13900001111");
        await By(page, "category").SelectOptionAsync("Waiting");
        await By(page, "description").FillAsync("排队两个小时无人解释");
        await By(page, "register-submit").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^已登记 "));
        string number;
        await using (var db = _app.Db())
        {
            var c = await db.Complaints.AsNoTracking().Where(x => x.HallId == _hall.HallId).OrderBy(x => x.Id).LastAsync();
            Assert.That(c.DueDate, Is.EqualTo(new DateOnly(2026, 12, 7)));
            number = c.Number;
        }
        await Assertions.Expect(By(page, $"due-{number}")).ToHaveTextAsync("期限 2026-12-07");
        // The complaint received before the change keeps the deadline it was given.
        await Assertions.Expect(By(page, "due-TS-20261130-001")).ToHaveTextAsync("期限 2026-12-03");
        await Browser.Screenshot(page, "complaint-deadline-five-days");
        await page.Context.CloseAsync();
    }
}
