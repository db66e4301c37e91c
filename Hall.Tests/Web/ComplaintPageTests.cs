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
/// list to Excel with the contact masked.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ComplaintPageTests
{
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _department = "";

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
}
