using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// The citizen's 好差评 in Chromium: a level chosen on the evaluator is kept when the reasons screen is left alone; the clerk's
/// 邀请评价 brings the rating screen back; the phone page rates once, with the national reasons, and then says so.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class CitizenRatingPageTests
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
        _app = await HallApp.StartAsync("citizenratingpage");
        _hall = await SeededHall.CreateAsync(_app);
        _window = await _app.WindowIdAsync(_hall.HallId, 2);
        var key = await _app.CreateDeviceAsync(_hall.HallId, "2号窗口评价器（平板）", DeviceRole.Evaluator, _window);
        _clerk = await _hall.ClerkAsync(2);
        _kiosk = await _hall.DeviceAsync("kiosk");
        (await _clerk.OpenAsync(_window)).Ok();
        _tablet = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, "/evaluator").ToString(), new ViewportSize { Width = 1280, Height = 800 });
        await _tablet.WaitForURLAsync("**/evaluator/pair");
        await _tablet.FillAsync("input[name=key]", key);
        await _tablet.ClickAsync("button[type=submit]");
        await Assertions.Expect(By(_tablet, "idle")).ToBeVisibleAsync(new() { Timeout = 20_000 });
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

    /// <summary>A citizen served and finished at window 2: the ticket and its tracking code.</summary>
    private async Task<(TicketView Ticket, string Code)> ServeAsync()
    {
        var issued = (await _kiosk.IssueAsync(await _app.ServiceIdAsync(_hall.HallId, "shebao"))).Ok();
        (await _clerk.CallNextAsync(_window)).Ok();
        (await _clerk.StartAsync(_window, issued.Ticket.TicketId)).Ok();
        (await _clerk.FinishAsync(_window, issued.Ticket.TicketId)).Ok();
        return (issued.Ticket, issued.TrackingCode);
    }

    [Test, Order(1)]
    public async Task A_level_chosen_on_the_evaluator_is_stored_when_the_reasons_screen_is_left_alone()
    {
        var (ticket, _) = await ServeAsync();
        await By(_tablet, "level-2").ClickAsync(new() { Timeout = 10_000 });
        await _tablet.Locator("[data-testid=\"reason\"]", new() { HasTextString = "办理时间长" }).ClickAsync();
        await Assertions.Expect(_tablet.Locator("[data-testid=\"reason\"].chosen")).ToHaveTextAsync(["办理时间长"]);

        // The citizen walks away without touching 提交评价.
        _app.Clock.Advance(TimeSpan.FromSeconds(61));

        await Assertions.Expect(By(_tablet, "idle")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await using var db = _app.Db();
        var rating = await db.Ratings.AsNoTracking().SingleAsync(r => r.TicketId == ticket.TicketId);
        Assert.That((rating.Level, rating.Channel, rating.Reasons), Is.EqualTo((RatingLevel.Dissatisfied, RatingChannel.Evaluator, new List<string> { "办理时间长" })));
        Assert.That(await db.FollowUpCases.CountAsync(f => f.TicketId == ticket.TicketId), Is.EqualTo(1), "the bad rating is followed up");
    }

    [Test, Order(2)]
    public async Task The_clerk_invites_from_the_console_and_the_evaluator_offers_the_rating_screen_again()
    {
        var (ticket, _) = await ServeAsync();
        await Assertions.Expect(By(_tablet, "level-5")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        // Left alone on the levels: back to welcome, nothing recorded, and the ticket is not offered again by itself.
        _app.Clock.Advance(TimeSpan.FromSeconds(61));
        await Assertions.Expect(By(_tablet, "idle")).ToBeVisibleAsync(new() { Timeout = 10_000 });

        var console = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk02", $"/console/{_window}");
        var invite = console.Locator("button[data-key=\"v\"]");
        await Assertions.Expect(invite).ToHaveTextAsync($"邀请评价 {ticket.Number} V", new() { Timeout = 20_000 });
        await console.Keyboard.PressAsync("v");

        await Assertions.Expect(By(_tablet, "level-4")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(_tablet.Locator(".ticket")).ToContainTextAsync(ticket.Number);
        await using (var db = _app.Db())
        {
            Assert.That(await db.Ratings.AnyAsync(r => r.TicketId == ticket.TicketId), Is.False, "inviting is not rating");
        }
        await By(_tablet, "level-4").ClickAsync();
        await Assertions.Expect(By(_tablet, "thanks")).ToBeVisibleAsync();
        await using (var db = _app.Db())
        {
            var rating = await db.Ratings.AsNoTracking().SingleAsync(r => r.TicketId == ticket.TicketId);
            Assert.That((rating.Level, rating.Channel), Is.EqualTo((RatingLevel.Satisfied, RatingChannel.Evaluator)));
        }
        await console.ReloadAsync();
        await Assertions.Expect(invite).ToHaveTextAsync($"{ticket.Number} 已评价 V", new() { Timeout = 20_000 });
        await Assertions.Expect(invite).ToBeDisabledAsync();
        _app.Clock.Advance(TimeSpan.FromSeconds(6));
    }

    [Test, Order(3)]
    public async Task On_the_phone_the_citizen_rates_with_the_national_reasons_once()
    {
        var (ticket, code) = await ServeAsync();
        // The evaluator offers it too; the citizen uses the phone instead.
        var phone = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, $"/t/{code}").ToString(), new ViewportSize { Width = 390, Height = 844 });
        await Assertions.Expect(By(phone, "status")).ToHaveTextAsync("已办结", new() { Timeout = 20_000 });
        await Assertions.Expect(phone.Locator("[data-testid=rate] .level")).ToHaveTextAsync(["非常满意", "满意", "基本满意", "不满意", "非常不满意"]);
        await Assertions.Expect(By(phone, "rate-submit")).ToBeDisabledAsync();
        await By(phone, "rate-level-2").ClickAsync();
        await Assertions.Expect(By(phone, "rate-reason")).ToHaveTextAsync(
            ["等候时间长", "办理时间长", "未一次性告知", "业务不熟练", "要求重复提交材料", "需多次跑动", "服务态度差", "推诿扯皮", "其他"]);
        await phone.Locator("[data-testid=rate-reason]", new() { HasTextString = "需多次跑动" }).ClickAsync();
        await phone.Locator("[data-testid=rate-reason]", new() { HasTextString = "要求重复提交材料" }).ClickAsync();
        await Browser.Screenshot(phone, "phone-rating-1-reasons");
        await By(phone, "rate-submit").ClickAsync();
        await Assertions.Expect(By(phone, "rated")).ToHaveTextAsync("感谢您的评价！");

        await using (var db = _app.Db())
        {
            var rating = await db.Ratings.AsNoTracking().SingleAsync(r => r.TicketId == ticket.TicketId);
            Assert.That((rating.Level, rating.Channel, rating.Reasons), Is.EqualTo((RatingLevel.Dissatisfied, RatingChannel.Phone, new List<string> { "需多次跑动", "要求重复提交材料" })));
        }
        await phone.ReloadAsync();
        await Assertions.Expect(By(phone, "rated")).ToHaveTextAsync("您已评价：不满意（手机评价）", new() { Timeout = 20_000 });
        await Assertions.Expect(phone.Locator("[data-testid=rate] .level")).ToHaveCountAsync(0);

        // The evaluator still showing the ticket cannot add a second rating: the first stands.
        if (await By(_tablet, "level-5").IsVisibleAsync())
        {
            await By(_tablet, "level-5").ClickAsync();
        }
        await using var check = _app.Db();
        Assert.That(await check.Ratings.CountAsync(r => r.TicketId == ticket.TicketId), Is.EqualTo(1));
        Assert.That(await check.Ratings.Where(r => r.TicketId == ticket.TicketId).Select(r => r.Level).SingleAsync(), Is.EqualTo(RatingLevel.Dissatisfied));
    }

    [Test, Order(4)]
    public async Task A_phone_left_open_shows_a_rating_given_at_the_window_meanwhile()
    {
        var (ticket, code) = await ServeAsync();
        var phone = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, $"/t/{code}").ToString(), new ViewportSize { Width = 390, Height = 844 });
        await Assertions.Expect(By(phone, "rate-level-4")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await By(phone, "rate-level-4").ClickAsync();

        // Before submitting on the phone, the citizen rates at the window's evaluator instead: that rating stands, and the
        // phone, left open, says so on its next poll rather than offering a form the server would refuse.
        var evaluator = await _hall.EvaluatorAsync(2);
        (await evaluator.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Rate), new RateCommand(Guid.NewGuid(), ticket.TicketId, RatingLevel.VerySatisfied, null))).Ok();
        await Assertions.Expect(By(phone, "rated")).ToHaveTextAsync("您已评价：非常满意（窗口评价器）", new() { Timeout = 40_000 });
        await Assertions.Expect(By(phone, "rate-submit")).ToHaveCountAsync(0);
    }
}
