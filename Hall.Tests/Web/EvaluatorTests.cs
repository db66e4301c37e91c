using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>The 好差评 evaluator facing the citizen, and the supervisor's follow-up of a bad rating, in Chromium on the real server.</summary>
[TestFixture, NonParallelizable]
public sealed class EvaluatorTests
{
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _tablet = null!;
    private HubClient _clerk = null!;
    private HubClient _kiosk = null!;
    private int _window;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("evaluator");
        _hall = await SeededHall.CreateAsync(_app);
        _window = await _app.WindowIdAsync(_hall.HallId, 2);
        var key = await _app.CreateDeviceAsync(_hall.HallId, "2号窗口评价器（平板）", DeviceRole.Evaluator, _window);
        _clerk = await _hall.ClerkAsync(2);
        _kiosk = await _hall.DeviceAsync("kiosk");
        (await _clerk.OpenAsync(_window)).Ok();

        // The installer puts the tablet in service once: the key is typed, kept in the browser, and the page is the device.
        _tablet = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, "/evaluator").ToString(), new ViewportSize { Width = 1280, Height = 800 });
        await _tablet.WaitForURLAsync("**/evaluator/pair");
        await _tablet.FillAsync("input[name=key]", "hd_1_not-a-key");
        await _tablet.ClickAsync("button[type=submit]");
        await Assertions.Expect(_tablet.Locator("[data-testid=\"pair-error\"]")).ToBeVisibleAsync();
        await _tablet.FillAsync("input[name=key]", key);
        await _tablet.ClickAsync("button[type=submit]");
        await Assertions.Expect(_tablet.Locator("[data-testid=\"idle\"]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    /// <summary>A citizen served and finished at window 2.</summary>
    private async Task<TicketView> ServeAsync()
    {
        var ticket = (await _kiosk.IssueAsync(await _app.ServiceIdAsync(_hall.HallId, "shebao"))).Ok().Ticket;
        var called = (await _clerk.CallNextAsync(_window)).Ok();
        Assert.That(called.Ticket.TicketId, Is.EqualTo(ticket.TicketId));
        (await _clerk.StartAsync(_window, ticket.TicketId)).Ok();
        (await _clerk.FinishAsync(_window, ticket.TicketId)).Ok();
        return ticket;
    }

    [Test, Order(1)]
    public async Task After_finish_the_citizen_rates_satisfied_with_one_touch_and_the_screen_thanks_and_returns()
    {
        var ticket = await ServeAsync();

        await Assertions.Expect(By(_tablet, "level-5")).ToContainTextAsync("非常满意", new() { Timeout = 10_000 });
        await Assertions.Expect(_tablet.Locator(".level")).ToHaveTextAsync(["非常满意", "满意", "基本满意", "不满意", "非常不满意"]);
        await Browser.Screenshot(_tablet, "evaluator-1-levels");
        await By(_tablet, "level-4").ClickAsync();

        await Assertions.Expect(By(_tablet, "thanks")).ToBeVisibleAsync();
        await using var db = _app.Db();
        var rating = await db.Ratings.AsNoTracking().SingleAsync(r => r.TicketId == ticket.TicketId);
        Assert.That((rating.Level, rating.WindowId, rating.Reasons.Count), Is.EqualTo((RatingLevel.Satisfied, (int?)_window, 0)));
        Assert.That(await db.FollowUpCases.CountAsync(), Is.Zero, "no follow-up for a good rating");
        _app.Clock.Advance(TimeSpan.FromSeconds(6));
        await Assertions.Expect(By(_tablet, "idle")).ToBeVisibleAsync();
    }

    [Test, Order(2)]
    public async Task Left_alone_the_rating_screen_times_out_quietly_and_records_nothing()
    {
        var ticket = await ServeAsync();
        await Assertions.Expect(By(_tablet, "level-5")).ToBeVisibleAsync(new() { Timeout = 10_000 });

        _app.Clock.Advance(TimeSpan.FromSeconds(61));

        await Assertions.Expect(By(_tablet, "idle")).ToBeVisibleAsync();
        await using var db = _app.Db();
        Assert.That(await db.Ratings.AnyAsync(r => r.TicketId == ticket.TicketId), Is.False, "a rating is never forced nor invented");
    }

    [Test, Order(3)]
    public async Task A_mis_tap_on_very_dissatisfied_is_undone_before_anything_is_recorded()
    {
        var ticket = await ServeAsync();
        await By(_tablet, "level-1").ClickAsync(new() { Timeout = 10_000 });
        // The national reasons, the same on every hall's evaluator and on the phone.
        await Assertions.Expect(_tablet.Locator("[data-testid=\"reason\"]")).ToHaveTextAsync(
            ["等候时间长", "办理时间长", "未一次性告知", "业务不熟练", "要求重复提交材料", "需多次跑动", "服务态度差", "推诿扯皮", "其他"]);
        await _tablet.Locator("[data-testid=\"reason\"]", new() { HasTextString = "等候时间长" }).ClickAsync();
        await By(_tablet, "back").ClickAsync();
        await Assertions.Expect(By(_tablet, "level-5")).ToBeVisibleAsync();
        await using (var db = _app.Db())
        {
            Assert.That(await db.Ratings.AnyAsync(r => r.TicketId == ticket.TicketId), Is.False, "going back records nothing");
        }
        await By(_tablet, "level-5").ClickAsync();
        await Assertions.Expect(By(_tablet, "thanks")).ToBeVisibleAsync();
        await using (var db = _app.Db())
        {
            var rating = await db.Ratings.AsNoTracking().SingleAsync(r => r.TicketId == ticket.TicketId);
            Assert.That((rating.Level, rating.Reasons), Is.EqualTo((RatingLevel.VerySatisfied, Array.Empty<string>())));
            Assert.That(await db.FollowUpCases.AnyAsync(f => f.TicketId == ticket.TicketId), Is.False, "no follow-up for the level the citizen meant");
        }
        _app.Clock.Advance(TimeSpan.FromSeconds(6));
        await Assertions.Expect(By(_tablet, "idle")).ToBeVisibleAsync();
    }

    [Test, Order(4)]
    public async Task A_bad_rating_with_reasons_opens_a_follow_up_case_the_supervisor_works_and_closes_and_lateness_shows()
    {
        var ticket = await ServeAsync();
        await By(_tablet, "level-2").ClickAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(_tablet.Locator("[data-testid=\"reason\"]")).ToHaveCountAsync(9);
        await _tablet.Locator("[data-testid=\"reason\"]", new() { HasTextString = "等候时间长" }).ClickAsync();
        await _tablet.Locator("[data-testid=\"reason\"]", new() { HasTextString = "未一次性告知" }).ClickAsync();
        await Browser.Screenshot(_tablet, "evaluator-2-reasons");
        await By(_tablet, "submit").ClickAsync();
        await Assertions.Expect(By(_tablet, "thanks")).ToContainTextAsync("回访");

        await using (var db = _app.Db())
        {
            var rating = await db.Ratings.AsNoTracking().SingleAsync(r => r.TicketId == ticket.TicketId);
            Assert.That(rating.Reasons, Is.EqualTo(new[] { "等候时间长", "未一次性告知" }));
            var opened = await db.FollowUpCases.AsNoTracking().SingleAsync(f => f.TicketId == ticket.TicketId);
            // Rated on Monday 2026-11-30: three working days later is Thursday 12-03.
            Assert.That((opened.Level, opened.DueDate, opened.WindowId), Is.EqualTo((RatingLevel.Dissatisfied, new DateOnly(2026, 12, 3), (int?)_window)));
        }

        var wall = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/followups");
        var item = By(wall, $"case-{ticket.Number}");
        await Assertions.Expect(item).ToContainTextAsync("等候时间长、未一次性告知", new() { Timeout = 20_000 });
        await Assertions.Expect(item).ToContainTextAsync("2026-12-03");
        await Assertions.Expect(By(wall, "overdue")).ToHaveCountAsync(0);
        await By(wall, $"text-{ticket.Number}").FillAsync("已电话回访，群众反映等候40分钟");
        await By(wall, $"note-{ticket.Number}").ClickAsync();
        await Assertions.Expect(item).ToContainTextAsync("已电话回访，群众反映等候40分钟");

        // Friday 12-04 in the hall (a new day, a new sign-in): the case is overdue and stands out.
        _app.Clock.Advance(TimeSpan.FromDays(4));
        wall = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/followups");
        item = By(wall, $"case-{ticket.Number}");
        await Assertions.Expect(By(wall, "overdue")).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await Assertions.Expect(By(wall, "overdue-count")).ToHaveTextAsync("1");
        await Browser.Screenshot(wall, "followups-1-overdue");
        // 核实 (not founded: no 整改) and 回访 come before the closing.
        await By(wall, $"finding-{ticket.Number}").FillAsync("调取录像，当日医保窗口排队较长");
        await By(wall, $"founded-{ticket.Number}").SelectOptionAsync("false");
        await By(wall, $"verify-{ticket.Number}").ClickAsync();
        await Assertions.Expect(By(wall, $"loop-verified-{ticket.Number}")).ToContainTextAsync("不属实");
        await By(wall, $"verdict-{ticket.Number}").SelectOptionAsync("Basic");
        await By(wall, $"callback-{ticket.Number}").ClickAsync();
        await Assertions.Expect(By(wall, $"loop-callback-{ticket.Number}")).ToContainTextAsync("基本满意");
        await By(wall, $"text-{ticket.Number}").FillAsync("已增开医保窗口，高峰期弹性排班");
        await By(wall, $"close-{ticket.Number}").ClickAsync();
        await Assertions.Expect(By(wall, "closed")).ToHaveTextAsync("逾期办结");

        await using var check = _app.Db();
        var closed = await check.FollowUpCases.AsNoTracking().SingleAsync(f => f.TicketId == ticket.TicketId);
        Assert.That((closed.Result, closed.Notes.Count, closed.ClosedAt is not null), Is.EqualTo(("已增开医保窗口，高峰期弹性排班", 1, true)));
    }

    [Test, Order(5)]
    public async Task The_idle_screen_shows_the_window_the_clerk_and_the_photo_the_admin_uploaded()
    {
        string login, name;
        await using (var db = _app.Db())
        {
            var clerk = await db.Staff.AsNoTracking().SingleAsync(s => s.Login.EndsWith("-clerk02"));
            (login, name) = (clerk.Login, clerk.Name);
        }
        await _tablet.ReloadAsync();
        await Assertions.Expect(By(_tablet, "idle-window")).ToHaveTextAsync("2号窗口 · 社保窗口", new() { Timeout = 20_000 });
        await Assertions.Expect(By(_tablet, "idle-clerk")).ToHaveTextAsync($"工作人员 {name}");
        await Assertions.Expect(By(_tablet, "idle-code")).ToHaveTextAsync("工号 ZW0102", new() { Timeout = 20_000 });
        await Assertions.Expect(By(_tablet, "clerk-photo")).ToHaveCountAsync(0);

        var admin = await StaffPages.SignInAsync(_browser, _app, _hall, "admin", "/admin/staff");
        var card = By(admin, $"card-{login}");
        await card.Locator("[data-testid=\"staff-code\"]").FillAsync("XJ0102");
        await card.Locator("[data-testid=\"save-code\"]").ClickAsync();
        await Assertions.Expect(card.Locator("[data-testid=\"card-message\"]")).ToHaveTextAsync($"已保存 {name} 的工号");

        // A file named .png that is not an image is refused, and nothing is kept.
        await card.Locator("[data-testid=\"photo-file\"]").SetInputFilesAsync(new FilePayload { Name = "photo.png", MimeType = "image/png", Buffer = "<html>not a picture</html>"u8.ToArray() });
        await Assertions.Expect(card.Locator("[data-testid=\"card-message\"]")).ToHaveTextAsync("照片须为 JPEG 或 PNG 图片，该文件无法作为图片读取，未作任何更改");
        await using (var db = _app.Db())
        {
            Assert.That(await db.StaffPhotos.CountAsync(), Is.Zero, "a refused upload keeps nothing");
        }

        await card.Locator("[data-testid=\"photo-file\"]").SetInputFilesAsync(new FilePayload { Name = "photo.png", MimeType = "image/png", Buffer = Portrait(900, 1200) });
        await Assertions.Expect(card.Locator("[data-testid=\"card-message\"]")).ToHaveTextAsync($"已更新 {name} 的照片");
        await Assertions.Expect(card.Locator("[data-testid=\"photo\"]")).ToBeVisibleAsync();
        await Browser.Screenshot(admin, "admin-staff-photo");
        await using (var db = _app.Db())
        {
            var kept = await db.StaffPhotos.AsNoTracking().Select(p => p.Jpeg).SingleAsync();
            using var decoded = SkiaSharp.SKBitmap.Decode(kept);
            Assert.That((kept[0], kept[1], decoded.Width, decoded.Height), Is.EqualTo(((byte)0xFF, (byte)0xD8, 300, 400)), "kept re-encoded as JPEG, shrunk to 300×400");
        }

        await _tablet.ReloadAsync();
        await Assertions.Expect(By(_tablet, "idle-code")).ToHaveTextAsync("工号 XJ0102", new() { Timeout = 20_000 });
        await Assertions.Expect(By(_tablet, "clerk-photo")).ToBeVisibleAsync();
        Assert.That(await By(_tablet, "clerk-photo").EvaluateAsync<int>("img => img.complete ? img.naturalWidth : new Promise(r => img.onload = () => r(img.naturalWidth))"), Is.EqualTo(300));
        await Browser.Screenshot(_tablet, "evaluator-idle-clerk");
    }

    [Test, Order(6)]
    public async Task A_follow_up_shows_the_ticket_and_the_citizens_number_masked_until_the_supervisor_opens_it_which_is_audited()
    {
        // Days have passed on the test clock since the fixture signed in: the kiosk and the clerk connect again.
        var kiosk = await _hall.DeviceAsync("kiosk");
        var clerk = await _hall.ClerkAsync(2);
        var shebao = await _app.ServiceIdAsync(_hall.HallId, "shebao");
        var ticket = (await kiosk.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket),
            new IssueTicketCommand(Guid.NewGuid(), shebao, null, null, PriorityClass.Normal, Mobile: "13812345678"))).Ok().Ticket;
        (await clerk.CallNextAsync(_window)).Ok();
        (await clerk.StartAsync(_window, ticket.TicketId)).Ok();
        (await clerk.FinishAsync(_window, ticket.TicketId, "办结", acceptance: AcceptanceMode.OnPromise)).Ok();
        await By(_tablet, "level-1").ClickAsync(new() { Timeout = 10_000 });
        await By(_tablet, "submit").ClickAsync();
        await Assertions.Expect(By(_tablet, "thanks")).ToBeVisibleAsync();
        string clerkName;
        await using (var db = _app.Db())
        {
            clerkName = await db.Staff.Where(s => s.Login.EndsWith("-clerk02")).Select(s => s.Name).SingleAsync();
        }

        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/followups");
        var facts = By(page, $"facts-{ticket.Number}");
        await Assertions.Expect(facts).ToContainTextAsync(ticket.Number, new() { Timeout = 20_000 });
        await Assertions.Expect(facts).ToContainTextAsync("社保");
        await Assertions.Expect(facts).ToContainTextAsync(clerkName);
        await Assertions.Expect(By(page, $"outcome-{ticket.Number}")).ToHaveTextAsync("告知承诺 · 办结");
        await Assertions.Expect(By(page, $"contact-{ticket.Number}")).ToContainTextAsync("138****5678");
        Assert.That(await page.ContentAsync(), Does.Not.Contain("13812345678"), "masked until opened");
        await using (var db = _app.Db())
        {
            Assert.That(await db.AuditEntries.CountAsync(a => a.Action == "followup.contact.view"), Is.Zero);
        }

        // The empty box: the message names the box, a note or the result.
        await By(page, $"note-{ticket.Number}").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("请填写回访记录或办结结果，未作任何更改");

        await By(page, $"open-contact-{ticket.Number}").ClickAsync();
        await Assertions.Expect(By(page, $"contact-{ticket.Number}")).ToHaveTextAsync("13812345678");
        await Browser.Screenshot(page, "followups-2-contact-opened");
        await using (var db = _app.Db())
        {
            var caseId = await db.FollowUpCases.Where(f => f.TicketId == ticket.TicketId).Select(f => f.Id).SingleAsync();
            var opened = await db.AuditEntries.AsNoTracking().SingleAsync(a => a.Action == "followup.contact.view");
            var supervisor = await db.Staff.Where(s => s.Login.EndsWith("-supervisor")).Select(s => s.Id).SingleAsync();
            Assert.That((opened.Subject, opened.StaffId, opened.At), Is.EqualTo(($"followup:{caseId}", supervisor, _app.Clock.GetUtcNow())), "who opened which case, when");
            // Past the retention the full number is erased: the page keeps the masked form and says so.
            await db.Tickets.Where(t => t.Id == ticket.TicketId).ExecuteUpdateAsync(u => u.SetProperty(t => t.ContactCipher, (string?)null));
        }
        await page.ReloadAsync();
        await Assertions.Expect(By(page, $"contact-{ticket.Number}")).ToHaveTextAsync("138****5678（完整号码已超过保存期限，不再保存）", new() { Timeout = 20_000 });
        await Assertions.Expect(By(page, $"open-contact-{ticket.Number}")).ToHaveCountAsync(0);
    }

    /// <summary>A PNG picture of the given size.</summary>
    private static byte[] Portrait(int width, int height)
    {
        using var bitmap = new SkiaSharp.SKBitmap(width, height);
        using (var canvas = new SkiaSharp.SKCanvas(bitmap))
        {
            canvas.Clear(new SkiaSharp.SKColor(0x2a, 0x6f, 0xb0));
            using var paint = new SkiaSharp.SKPaint { Color = SkiaSharp.SKColors.Bisque };
            canvas.DrawCircle(width / 2f, height / 3f, width / 4f, paint);
        }
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [Test]
    public async Task A_clerk_cannot_open_the_follow_up_cases()
    {
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk03", "/followups", expectArrival: false);
        await Assertions.Expect(By(page, "not-allowed")).ToBeVisibleAsync();
    }
}
