using System.Net.Http.Json;
using System.Text.Json;
using Hall.Tests.Support;
using Hall.Tests.Web;
using Microsoft.Playwright;

namespace Hall.Tests.Display;

/// <summary>
/// The lobby board read from the seats (issue 16), Hall.Display as its own process in Chromium at 1920×1080 on the demo
/// hall: long service names fit whole, 重呼 and the page counter are large, Chinese and English in turn, and the closed
/// screen outside opening hours (the server's test clock, Monday 10:00 then 20:00).
/// </summary>
[TestFixture, NonParallelizable]
public sealed class BoardReadingTests
{
    private HallApp _server = null!;
    private SeededHall _hall = null!;
    private AgentProcess _display = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;
    private string _folder = null!;

    /// <summary>Readable from the seats at 1920×1080.</summary>
    private const double SeatsMinimumPx = 40;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _server = await HallApp.StartAsync("board-reading");
        _hall = await SeededHall.CreateAsync(_server);
        _folder = Directory.CreateTempSubdirectory("hall-board-").FullName;
        _display = await AgentProcess.StartAsync("Hall.Display", new Dictionary<string, string>
        {
            ["Display__Server"] = _server.BaseAddress.ToString(),
            ["Display__DeviceKey"] = _hall.Credentials.DeviceKeys["display"],
            ["Display__Voice__Source"] = "speech",
            ["Display__MediaCacheFolder"] = Path.Combine(_folder, "cache"),
        }, ServerProcess.FreePort());
        _page = await Browser.OpenAsync(_browser, null, new ViewportSize { Width = 1920, Height = 1080 });
        await _page.GotoAsync(_display.BaseAddress.ToString());
        await Assertions.Expect(_page.Locator("[data-testid=\"hall-name\"]")).ToHaveTextAsync("新县市民之家", new() { Timeout = 20_000 });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _display.DisposeAsync();
        await _hall.DisposeAsync();
        await _server.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<HttpClient> AdminHttpAsync()
    {
        var login = _hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-admin", StringComparison.Ordinal));
        var http = new HttpClient { BaseAddress = _server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await _server.LoginAsync(login, _hall.Credentials.Passwords[login]));
        return http;
    }

    private async Task SetDisplayAsync(object settings)
    {
        using var admin = await AdminHttpAsync();
        var response = await admin.PutAsJsonAsync(new Uri("/api/admin/display-settings", UriKind.Relative), settings);
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> AgentBoardAsync()
    {
        using var agent = new HttpClient { BaseAddress = _display.BaseAddress };
        using var board = JsonDocument.Parse(await agent.GetStringAsync(new Uri("/api/board", UriKind.Relative)));
        return board.RootElement.Clone();
    }

    private async Task WaitAgentAsync(Func<JsonElement, bool> condition, string what)
    {
        for (var until = DateTime.UtcNow.AddSeconds(75); DateTime.UtcNow < until; await Task.Delay(200))
        {
            if (condition(await AgentBoardAsync()))
            {
                return;
            }
        }
        Assert.Fail($"{what}: not within 75 s; the agent says {await AgentBoardAsync()}");
    }

    private sealed record NameBox(string Text, double ScrollWidth, double ClientWidth, double ScrollHeight, double ClientHeight, double FontPx);

    private async Task<List<NameBox>> VisibleNamesAsync() =>
        JsonSerializer.Deserialize<List<NameBox>>(await _page.EvaluateAsync<string>("""
            () => JSON.stringify([...document.querySelectorAll('.service:not([hidden]) [data-testid="service-name"]')].map(n => ({
              Text: n.textContent, ScrollWidth: n.scrollWidth, ClientWidth: n.clientWidth, ScrollHeight: n.scrollHeight, ClientHeight: n.clientHeight,
              FontPx: parseFloat(getComputedStyle(n).fontSize) })))
            """))!;

    private async Task<double> FontPxAsync(ILocator locator) => await locator.EvaluateAsync<double>("n => parseFloat(getComputedStyle(n).fontSize)");

    [Test, Order(1)]
    public async Task Long_service_names_fit_their_boxes_whole_and_the_page_counter_is_readable_from_the_seats()
    {
        var counter = _page.Locator("[data-testid=\"services-page\"]");
        // Thirteen services: two pages, nine then four.
        await Assertions.Expect(counter).ToHaveTextAsync("1/2");
        await Assertions.Expect(counter).ToBeVisibleAsync();
        Assert.That(await FontPxAsync(counter), Is.GreaterThanOrEqualTo(SeatsMinimumPx), "the page counter");
        var seen = new List<NameBox>();
        seen.AddRange(await VisibleNamesAsync());
        await Browser.Screenshot(_page, "board-reading-1-services-page-1");
        await Assertions.Expect(counter).ToHaveTextAsync("2/2");
        seen.AddRange(await VisibleNamesAsync());
        await Browser.Screenshot(_page, "board-reading-2-services-page-2");

        Assert.That(seen.Select(n => n.Text), Is.EquivalentTo(new[]
        {
            "社保业务", "医保业务", "不动产登记", "公安户政", "税务业务", "市场监管/企业开办", "住房公积金", "人社就业", "民政婚姻", "交通运输", "综合受理", "办不成事反映", "企业家会客厅",
        }), "every name whole, each on one of the two pages");
        foreach (var name in seen)
        {
            Assert.That(name.ScrollWidth, Is.LessThanOrEqualTo(name.ClientWidth + 1), $"{name.Text} fits across");
            Assert.That(name.ScrollHeight, Is.LessThanOrEqualTo(name.ClientHeight + 1), $"{name.Text} fits down");
            Assert.That(name.FontPx, Is.GreaterThanOrEqualTo(24), $"{name.Text} stays readable");
        }
    }

    [Test, Order(2)]
    public async Task A_recall_is_tagged_on_the_board_in_type_readable_from_the_seats()
    {
        var kiosk = await _hall.DeviceAsync("kiosk");
        var supervisor = await _hall.StaffAsync("supervisor");
        var window = await _server.WindowIdAsync(_hall.HallId, 8);
        (await kiosk.IssueAsync(await _server.ServiceIdAsync(_hall.HallId, "qiye"))).Ok();
        (await supervisor.OpenAsync(window)).Ok();
        var call = (await supervisor.CallNextAsync(window)).Ok();
        await Assertions.Expect(_page.Locator("[data-testid=\"newest-number\"]")).ToHaveTextAsync(call.Ticket.Number, new() { Timeout = 10_000 });
        await Assertions.Expect(_page.Locator("[data-testid=\"newest-recall\"]")).ToBeHiddenAsync();

        (await supervisor.RecallAsync(window, call.Ticket.TicketId)).Ok();

        var tag = _page.Locator("[data-testid=\"newest-recall\"]");
        await Assertions.Expect(tag).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(tag).ToHaveTextAsync("重呼");
        Assert.That(await FontPxAsync(tag), Is.GreaterThanOrEqualTo(SeatsMinimumPx), "重呼 on the call card");
        var banner = _page.Locator("[data-testid=\"call-banner\"] .banner-label");
        await Assertions.Expect(banner).ToHaveTextAsync("重呼");
        Assert.That(await FontPxAsync(banner), Is.GreaterThanOrEqualTo(SeatsMinimumPx), "重呼 on the banner over the video");
        // The long name of this service is whole on the call card.
        var service = _page.Locator("[data-testid=\"newest-service\"]");
        await Assertions.Expect(service).ToHaveTextAsync("市场监管/企业开办");
        var box = await service.EvaluateAsync<string>("n => [n.scrollWidth, n.clientWidth, n.scrollHeight, n.clientHeight].join(' ')");
        var sizes = box.Split(' ').Select(double.Parse).ToArray();
        Assert.That(sizes[0] <= sizes[1] + 1 && sizes[2] <= sizes[3] + 1, Is.True, $"the name fits the card (scroll and client width, height: {box})");
        await Browser.Screenshot(_page, "board-reading-3-recall");
    }

    [Test, Order(3)]
    public async Task With_the_bilingual_setting_the_call_card_shows_chinese_and_english_in_turn()
    {
        var card = _page.Locator("[data-testid=\"newest-call\"]");
        await Assertions.Expect(card).ToContainTextAsync("请到");
        Assert.That((await AgentBoardAsync()).GetProperty("bilingual").GetBoolean(), Is.False, "off by default: Chinese only");

        await SetDisplayAsync(new { bilingual = true });

        await Assertions.Expect(card).ToContainTextAsync("Please go to window 8", new() { Timeout = 90_000 });
        await Assertions.Expect(_page.Locator("[data-testid=\"newest-service\"]")).ToHaveTextAsync("Business start-up");
        await Assertions.Expect(_page.Locator("[data-testid=\"services\"]")).ToContainTextAsync("Social insurance");
        foreach (var name in await VisibleNamesAsync())
        {
            Assert.That(name.ScrollWidth <= name.ClientWidth + 1 && name.ScrollHeight <= name.ClientHeight + 1, Is.True, $"{name.Text} fits its box whole");
        }
        await Browser.Screenshot(_page, "board-reading-4-english-turn");
        await Assertions.Expect(card).ToContainTextAsync("请到8号窗口");
        await Assertions.Expect(_page.Locator("[data-testid=\"newest-service\"]")).ToHaveTextAsync("市场监管/企业开办");
        await Assertions.Expect(card).ToContainTextAsync("Please go to window 8");

        await SetDisplayAsync(new { bilingual = false });
    }

    [Test, Order(4)]
    public async Task Outside_opening_hours_the_board_shows_the_closed_screen_the_hall_chose()
    {
        // The citizen called earlier came to the window: nobody is being called.
        var supervisor = await _hall.StaffAsync("supervisor");
        var window = await _server.WindowIdAsync(_hall.HallId, 8);
        var called = await _page.Locator("[data-testid=\"newest-number\"]").TextContentAsync();
        await using (var db = _server.Db())
        {
            var ticket = db.Tickets.Single(t => t.HallId == _hall.HallId && t.Number == called);
            (await supervisor.StartAsync(window, ticket.Id)).Ok();
        }
        using var admin = await AdminHttpAsync();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(MediaFiles.Png()), "file", "xiuxi.png" }, { new StringContent("下班画面"), "title" } };
        var uploaded = await admin.PostAsync(new Uri("/api/admin/media", UriKind.Relative), form);
        Assert.That(uploaded.IsSuccessStatusCode, Is.True, await uploaded.Content.ReadAsStringAsync());
        var mediaId = JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32();

        var wrong = await admin.PutAsJsonAsync(new Uri("/api/admin/display-settings", UriKind.Relative), new { closedShow = "image" });
        Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("invalid_closed_display").And.Contain("静态图片"), "a picture must be chosen");
        // The admin chooses it on the lobby screens page.
        var adminPage = await StaffPages.SignInAsync(_browser, _server, _hall, "admin", "/admin/screens");
        await Assertions.Expect(adminPage.Locator("[data-testid=\"admin-nav\"]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(adminPage.Locator("[data-testid=\"closed-media\"] option", new() { HasText = "下班画面" })).ToHaveCountAsync(1);
        await adminPage.Locator("[data-testid=\"closed-show\"]").SelectOptionAsync("image");
        await adminPage.Locator("[data-testid=\"closed-media\"]").SelectOptionAsync(new SelectOptionValue { Label = "下班画面" });
        await adminPage.Locator("[data-testid=\"closed-lead\"]").FillAsync("30");
        await adminPage.Locator("[data-testid=\"voice-save\"]").ClickAsync();
        await Assertions.Expect(adminPage.Locator("[data-testid=\"message\"]")).ToHaveTextAsync("已保存，大屏随即生效");
        await Browser.Screenshot(adminPage, "board-reading-5-admin-closed-setting");
        await adminPage.Context.CloseAsync();
        await using (var db = _server.Db())
        {
            var display = db.Halls.Single(h => h.Id == _hall.HallId).Display;
            Assert.That((display.ClosedShow, display.ClosedMediaId, display.ClosedLeadMinutes), Is.EqualTo(("image", (int?)mediaId, (int?)30)));
        }

        // Monday 10:00, inside hours: the normal board.
        var closed = _page.Locator("[data-testid=\"closed-screen\"]");
        await Assertions.Expect(_page.Locator("[data-testid=\"newest-call\"]")).ToContainTextAsync("请取号后留意叫号", new() { Timeout = 10_000 });
        await WaitAgentAsync(b => b.GetProperty("closed").ValueKind == JsonValueKind.Null && b.GetProperty("calling").ValueKind == JsonValueKind.Null, "open, nobody called");
        await Assertions.Expect(closed).ToBeHiddenAsync();

        // 20:00: the hall closed at 17:30 (plus 30 minutes): the chosen picture fills the screen.
        _server.Clock.Advance(TimeSpan.FromHours(10));
        await SetDisplayAsync(new { closedLeadMinutes = 30 });
        await Assertions.Expect(closed).ToBeVisibleAsync(new() { Timeout = 90_000 });
        await Assertions.Expect(closed).ToHaveAttributeAsync("data-show", "image");
        var image = _page.Locator("[data-testid=\"closed-image\"]");
        await Assertions.Expect(image).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await _page.WaitForFunctionAsync("() => document.querySelector('[data-testid=\"closed-image\"]').naturalWidth > 0");
        Assert.That(await image.EvaluateAsync<string>("i => JSON.stringify(i.getBoundingClientRect())"), Does.Contain("\"width\":1920"), "the picture covers the screen");
        await Browser.Screenshot(_page, "board-reading-6-closed-picture");

        // Dimmed instead: the board shows faintly behind a dark veil with the hall's name.
        await SetDisplayAsync(new { closedShow = "dim" });
        await Assertions.Expect(closed).ToHaveAttributeAsync("data-show", "dim", new() { Timeout = 90_000 });
        await Assertions.Expect(closed).ToContainTextAsync("今日办理时间已结束");
        Assert.That(await closed.EvaluateAsync<string>("n => getComputedStyle(n).backgroundColor"), Is.EqualTo("rgba(0, 0, 0, 0.82)"));
        await Assertions.Expect(image).ToBeHiddenAsync();
        await Browser.Screenshot(_page, "board-reading-7-closed-dim");

        // The setting cleared: the normal board again, even at night.
        await SetDisplayAsync(new { closedShow = "" });
        await Assertions.Expect(closed).ToBeHiddenAsync(new() { Timeout = 90_000 });
    }
}
