using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Hall.Tests.Kiosk.EscPosDecoder;

namespace Hall.Tests.Kiosk;

/// <summary>
/// The kiosk as a citizen meets it: Hall.Kiosk as its own process with its touch page in Chromium at 1080×1920, a fake
/// printer on a socat serial pair, and Hall.Server on real Kestrel. Each screen is kept as a screenshot.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class KioskAgentTests
{
    // Disposed in StopAsync; replaced once by the restarted server (the analyzer cannot follow the replacement).
#pragma warning disable NUnit1032
    private HallApp _server = null!;
#pragma warning restore NUnit1032
    private SeededHall _hall = null!;
    private FakeSerialPrinter _printer = null!;
    private AgentProcess _kiosk = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly HttpClient _http = new();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _printer = await FakeSerialPrinter.StartAsync();
        _server = await HallApp.StartAsync("kiosk-agent");
        _hall = await SeededHall.CreateAsync(_server);
        _kiosk = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
        {
            ["Kiosk__Server"] = _server.BaseAddress.ToString(),
            ["Kiosk__DeviceKey"] = _hall.Credentials.DeviceKeys["kiosk"],
            ["Kiosk__Printer__PortName"] = _printer.PortPath,
            ["Kiosk__PrinterCheckSeconds"] = "0.5",
            ["Kiosk__IdleSeconds"] = "600",
            ["Kiosk__ResultSeconds"] = "600",
            // A hall that stops issuing while its printer cannot print (the default issues on the screen: ScreenTicketTests).
            ["Kiosk__IssueWithoutPaper"] = "false",
        });
        _http.BaseAddress = _kiosk.BaseAddress;
        await WaitForAsync(async () => await StateAsync() is { Link: "online", Printer: "Ready" }, "the kiosk online with its printer ready");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _kiosk.DisposeAsync();
        await _hall.DisposeAsync();
        await _server.DisposeAsync();
        await _printer.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private sealed record KioskState(string Link, string Printer, bool OutOfService);

    private async Task<KioskState> StateAsync()
    {
        using var json = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/api/state", UriKind.Relative)));
        var r = json.RootElement;
        return new(r.GetProperty("link").GetString()!, r.GetProperty("printer").GetString()!, r.GetProperty("outOfService").GetBoolean());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        for (var until = DateTime.UtcNow.AddSeconds(seconds); DateTime.UtcNow < until; await Task.Delay(200))
        {
            if (await condition())
            {
                return;
            }
        }
        Assert.Fail($"Not within {seconds} s: {what}");
    }

    private Task<IPage> OpenKioskAsync() => Browser.OpenAsync(_browser, _kiosk.BaseAddress.ToString());

    private static ILocator Screen(IPage page, string name) => page.Locator($"[data-screen=\"{name}\"]");

    private async Task<int> ServiceIdAsync(string code) => await _server.ServiceIdAsync(_hall.HallId, code);

    private async Task<List<Hall.Server.Tickets.Ticket>> TicketsAsync()
    {
        await using var db = _server.Db();
        return await db.Tickets.AsNoTracking().OrderBy(t => t.Id).ToListAsync();
    }

    private async Task<string> TakeTicketAsync(IPage page, string screenshot)
    {
        await page.Locator("[data-testid=\"take-ticket\"]").ClickAsync();
        var number = page.Locator("[data-testid=\"result-number\"]");
        await Assertions.Expect(number).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[A-Z][0-9]{3}$"), new() { Timeout = 15_000 });
        await Browser.Screenshot(page, screenshot);
        return await number.InnerTextAsync();
    }

    private async Task<List<string>> PrintedLinesAsync(string number)
    {
        var printed = Array.Empty<byte>();
        for (var i = 0; i < 100; i++)
        {
            printed = _printer.Printed;
            if (printed.Length > 4 && printed[^4] == 0x1D && printed[^3] == (byte)'V')
            {
                break;
            }
            await Task.Delay(50);
        }
        _printer.ClearPrinted();
        var lines = Decode(printed).OfType<Text>().Select(t => t.Value).ToList();
        Assert.That(lines, Does.Contain(number), "the printed ticket carries the number the page shows");
        return lines;
    }

    [Test, Order(1)]
    public async Task A_citizen_takes_a_ticket_by_service_and_the_printer_prints_the_number_the_server_issued()
    {
        var page = await OpenKioskAsync();
        var shebao = await ServiceIdAsync("shebao");
        var button = page.Locator($"button[data-service-id=\"{shebao}\"]");
        await Assertions.Expect(button).ToBeEnabledAsync();
        await Assertions.Expect(button).ToContainTextAsync("社保业务");
        await Browser.Screenshot(page, "kiosk-1-home");

        await button.ClickAsync();
        await Assertions.Expect(Screen(page, "confirm")).ToBeVisibleAsync();
        await Browser.Screenshot(page, "kiosk-2-confirm");
        var number = await TakeTicketAsync(page, "kiosk-3-result");

        var ticket = (await TicketsAsync()).Last();
        Assert.That((ticket.Number, ticket.ServiceId, ticket.State), Is.EqualTo((number, shebao, TicketState.Waiting)));
        await Assertions.Expect(page.Locator("[data-testid=\"result-service\"]")).ToContainTextAsync("社保业务");
        await Assertions.Expect(page.Locator("[data-testid=\"result-ahead\"]")).ToContainTextAsync("0");
        await Assertions.Expect(page.Locator("[data-testid=\"result-take-note\"]")).ToContainTextAsync("请取走您的号票");
        await Assertions.Expect(page.Locator("[data-testid=\"screen-ticket\"]")).ToBeHiddenAsync();
        var lines = await PrintedLinesAsync(number);
        Assert.That(lines, Does.Contain("新县市民之家").And.Contain("社保业务").And.Contain("前面还有 0 人"));
    }

    [Test, Order(2)]
    public async Task A_citizen_finds_an_item_by_pinyin_initials_sees_its_materials_and_the_ticket_remembers_the_item()
    {
        var page = await OpenKioskAsync();
        await page.Locator("[data-testid=\"open-search\"]").ClickAsync();
        foreach (var key in "bdc")
        {
            await page.Locator($"button[data-key=\"{key}\"]").ClickAsync();
        }
        var results = page.Locator("[data-item-id]");
        await Assertions.Expect(results.First).ToBeVisibleAsync();
        await Assertions.Expect(results.First).ToContainTextAsync("不动产");
        await Browser.Screenshot(page, "kiosk-4-search");

        var itemId = int.Parse(await results.First.GetAttributeAsync("data-item-id") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        await results.First.ClickAsync();
        await Assertions.Expect(Screen(page, "item")).ToBeVisibleAsync();
        await using (var db = _server.Db())
        {
            var item = await db.ServiceItems.AsNoTracking().SingleAsync(i => i.Id == itemId);
            await Assertions.Expect(page.Locator("[data-testid=\"item-department\"]")).ToContainTextAsync(item.Department);
            await Assertions.Expect(page.Locator("[data-testid=\"item-materials\"] li")).ToHaveCountAsync(item.Materials.Count);
        }
        await Browser.Screenshot(page, "kiosk-5-item");
        await page.Locator("[data-testid=\"item-take\"]").ClickAsync();
        await Assertions.Expect(Screen(page, "confirm")).ToBeVisibleAsync();
        var number = await TakeTicketAsync(page, "kiosk-6-result-item");

        var ticket = (await TicketsAsync()).Last();
        Assert.That((ticket.Number, ticket.ServiceItemId), Is.EqualTo((number, (int?)itemId)));
        await PrintedLinesAsync(number);
    }

    [Test, Order(3)]
    public async Task An_elderly_citizen_declares_priority_and_leaves_a_mobile_number_for_the_notice()
    {
        var page = await OpenKioskAsync();
        await page.Locator($"button[data-service-id=\"{await ServiceIdAsync("yibao")}\"]").ClickAsync();
        await page.Locator("button[data-priority=\"Elderly\"]").ClickAsync();
        await page.Locator("[data-testid=\"mobile-open\"]").ClickAsync();
        await Assertions.Expect(Screen(page, "mobile")).ToBeVisibleAsync();
        foreach (var digit in "13812345678")
        {
            await page.Locator($"button[data-digit=\"{digit}\"]").ClickAsync();
        }
        await Browser.Screenshot(page, "kiosk-7-mobile");
        await page.Locator("[data-testid=\"mobile-ok\"]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=\"mobile-masked\"]")).ToHaveTextAsync("138****5678");
        await Browser.Screenshot(page, "kiosk-8-confirm-priority");
        var number = await TakeTicketAsync(page, "kiosk-9-result-priority");

        var ticket = (await TicketsAsync()).Last();
        Assert.That((ticket.Number, ticket.Priority, ticket.MobileMasked), Is.EqualTo((number, PriorityClass.Elderly, "138****5678")));
        Assert.That(await PrintedLinesAsync(number), Does.Contain("【优先】70岁以上老人"));
    }

    [Test, Order(3)]
    public async Task A_citizen_registers_a_resident_id_number_a_wrong_one_is_caught_on_screen_and_only_the_masked_form_is_shown()
    {
        var page = await OpenKioskAsync();
        await page.Locator($"button[data-service-id=\"{await ServiceIdAsync("shebao")}\"]").ClickAsync();
        await page.Locator("[data-testid=\"idcard-open\"]").ClickAsync();
        await Assertions.Expect(Screen(page, "idcard")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-id-key=\"X\"]")).ToBeDisabledAsync();
        // One digit wrong: the check character does not match.
        foreach (var key in "410102199001011235")
        {
            await page.Locator($"button[data-id-key=\"{key}\"]").ClickAsync();
        }
        await Assertions.Expect(page.Locator("[data-testid=\"idcard-display\"]")).ToHaveTextAsync("410102 19900101 1235");
        await Assertions.Expect(page.Locator("[data-testid=\"idcard-error\"]")).ToHaveTextAsync("号码有误，请核对后重新输入");
        await Assertions.Expect(page.Locator("[data-testid=\"idcard-ok\"]")).ToBeDisabledAsync();
        await Browser.Screenshot(page, "kiosk-7b-idcard-wrong");
        await page.Locator("[data-testid=\"idcard-delete\"]").ClickAsync();
        await page.Locator("button[data-id-key=\"4\"]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=\"idcard-error\"]")).ToBeHiddenAsync();
        await page.Locator("[data-testid=\"idcard-ok\"]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=\"idcard-masked\"]")).ToHaveTextAsync("4101**********1234");
        var number = await TakeTicketAsync(page, "kiosk-7c-result-idcard");
        await Assertions.Expect(page.Locator("[data-testid=\"result-idcard\"]")).ToHaveTextAsync("已登记身份证 4101**********1234");
        Assert.That(await page.ContentAsync(), Does.Not.Contain("410102199001011234"), "the page keeps no number in clear once the ticket is taken");

        var ticket = (await TicketsAsync()).Last();
        Assert.That((ticket.Number, ticket.IdMasked, ticket.IdHmac?.Length), Is.EqualTo((number, "4101**********1234", 32)), "kept as an HMAC and a masked form");
        var printed = string.Join("\n", await PrintedLinesAsync(number));
        Assert.That(printed, Does.Not.Contain("19900101").And.Not.Contain("4101"), "the ID number is not printed");
    }

    [Test, Order(4)]
    public async Task Out_of_paper_the_kiosk_stops_issuing_tells_the_server_and_recovers_by_itself()
    {
        var page = await OpenKioskAsync();
        var before = (await TicketsAsync()).Count;
        _printer.State = FakePrinterState.PaperOut;

        await Assertions.Expect(page.Locator("[data-testid=\"oos-message\"]")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("[data-testid=\"oos-reason\"]")).ToContainTextAsync("打印纸");
        await Browser.Screenshot(page, "kiosk-10-out-of-paper");
        await WaitForAsync(async () =>
        {
            await using var db = _server.Db();
            return await db.Devices.AnyAsync(d => d.HallId == _hall.HallId && d.Role == DeviceRole.Kiosk && d.Status == "PaperOut");
        }, "the supervisor's device list says paper out");
        var refused = await _http.PostAsJsonAsync(new Uri("/api/tickets", UriKind.Relative), new { serviceId = await ServiceIdAsync("shebao"), priority = "Normal" });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That((await TicketsAsync()).Count, Is.EqualTo(before), "no ticket issued");
        Assert.That(_printer.Printed, Is.Empty, "nothing printed");

        _printer.State = FakePrinterState.Ready;
        await Assertions.Expect(Screen(page, "home")).ToBeVisibleAsync(new() { Timeout = 10_000 });
    }

    [Test, Order(5)]
    public async Task A_ticket_the_printer_could_not_finish_is_voided_on_the_server_with_the_reason()
    {
        var page = await OpenKioskAsync();
        _printer.RunsOutWhilePrinting = true;
        await page.Locator($"button[data-service-id=\"{await ServiceIdAsync("shuiwu")}\"]").ClickAsync();
        await page.Locator("[data-testid=\"take-ticket\"]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=\"oos-message\"]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Browser.Screenshot(page, "kiosk-11-printing-failed");
        var ticket = (await TicketsAsync()).Last();
        Assert.That(ticket.State, Is.EqualTo(TicketState.Voided));
        await using (var db = _server.Db())
        {
            var voided = await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == ticket.Id).OrderBy(e => e.Id).LastAsync();
            Assert.That(voided.Detail, Is.EqualTo("print_failed: PaperOut"));
        }
        _printer.ClearPrinted();
        _printer.State = FakePrinterState.Ready;
        await Assertions.Expect(Screen(page, "home")).ToBeVisibleAsync(new() { Timeout = 10_000 });
    }

    [Test, Order(6)]
    public async Task With_the_server_stopped_the_kiosk_prints_nothing_and_works_again_when_it_returns()
    {
        var page = await OpenKioskAsync();
        await Assertions.Expect(Screen(page, "home")).ToBeVisibleAsync();
        var shebao = await ServiceIdAsync("shebao");
        await _server.DisposeAsync();

        await Assertions.Expect(page.Locator("[data-testid=\"oos-message\"]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=\"oos-reason\"]")).ToContainTextAsync("服务器");
        await Browser.Screenshot(page, "kiosk-12-server-down");
        var refused = await _http.PostAsJsonAsync(new Uri("/api/tickets", UriKind.Relative), new { serviceId = shebao, priority = "Normal" });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        await Task.Delay(500);
        Assert.That(_printer.Printed, Is.Empty, "nothing printed while the server is away");

        _server = HallApp.Restart(_server);
        await WaitForAsync(async () => await StateAsync() is { Link: "online", OutOfService: false }, "the kiosk back online by itself", 40);
        await Assertions.Expect(Screen(page, "home")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await page.Locator($"button[data-service-id=\"{shebao}\"]").ClickAsync();
        var number = await TakeTicketAsync(page, "kiosk-13-result-after-restart");
        Assert.That((await TicketsAsync()).Last().Number, Is.EqualTo(number));
        await PrintedLinesAsync(number);
    }

    [Test, Order(9)]
    public async Task An_unplugged_printer_stops_the_kiosk_and_plugged_back_it_prints_again_without_a_restart()
    {
        var page = await OpenKioskAsync();
        await Assertions.Expect(Screen(page, "home")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        var before = (await TicketsAsync()).Count;

        await _printer.UnplugAsync();
        await Assertions.Expect(page.Locator("[data-testid=\"oos-reason\"]")).ToContainTextAsync("打印机未连接", new() { Timeout = 10_000 });
        var refused = await _http.PostAsJsonAsync(new Uri("/api/tickets", UriKind.Relative), new { serviceId = await ServiceIdAsync("shebao"), priority = "Normal" });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That((await TicketsAsync()).Count, Is.EqualTo(before), "no ticket issued without a printer");

        await _printer.PlugInAsync();
        await Assertions.Expect(Screen(page, "home")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.Locator($"button[data-service-id=\"{await ServiceIdAsync("shebao")}\"]").ClickAsync();
        var number = await TakeTicketAsync(page, "kiosk-15-result-after-replug");
        await PrintedLinesAsync(number);
    }

    [Test, Order(7)]
    public async Task Left_alone_the_kiosk_shows_its_attract_screen_and_a_touch_brings_back_the_services()
    {
        var context = await _browser.NewContextAsync(new() { ViewportSize = Browser.Kiosk, Locale = "zh-CN", HasTouch = true });
        var page = await context.NewPageAsync();
        await page.Clock.InstallAsync();
        await page.GotoAsync(_kiosk.BaseAddress.ToString());
        await Assertions.Expect(Screen(page, "home")).ToBeVisibleAsync();

        await page.Clock.FastForwardAsync("10:05");
        await page.Clock.RunForAsync(2000);

        await Assertions.Expect(Screen(page, "attract")).ToBeVisibleAsync();
        await Browser.Screenshot(page, "kiosk-14-attract");
        await Screen(page, "attract").ClickAsync();
        await Assertions.Expect(Screen(page, "home")).ToBeVisibleAsync();
        await context.DisposeAsync();
    }

    [Test, Order(8)]
    public async Task The_phone_page_shows_the_place_in_line_and_changes_when_the_ticket_is_called()
    {
        var kiosk = await _hall.DeviceAsync("kiosk");
        var clerk = await _hall.ClerkAsync(10);
        var gongjijin = await ServiceIdAsync("gongjijin");
        var window = await _server.WindowIdAsync(_hall.HallId, 10);
        var ahead = (await kiosk.IssueAsync(gongjijin)).Ok();
        var mine = (await kiosk.IssueAsync(gongjijin)).Ok();
        var phone = await Browser.OpenAsync(_browser, mine.TrackingUrl!.Replace(HallApp.PublicBaseUrl, _server.BaseAddress.ToString().TrimEnd('/'), StringComparison.Ordinal), new ViewportSize { Width = 390, Height = 844 });

        await Assertions.Expect(phone.Locator("[data-testid=\"number\"]")).ToHaveTextAsync(mine.Ticket.Number);
        await Assertions.Expect(phone.Locator("[data-testid=\"status\"]")).ToHaveTextAsync("等候中");
        await Assertions.Expect(phone.Locator("[data-testid=\"facts\"]")).ToContainTextAsync("前面还有 1 人");
        await Browser.Screenshot(phone, "phone-1-waiting");

        (await clerk.OpenAsync(window)).Ok();
        var first = (await clerk.CallNextAsync(window)).Ok();
        Assert.That(first.Ticket.TicketId, Is.EqualTo(ahead.Ticket.TicketId));
        (await clerk.NoShowAsync(window, first.Ticket.TicketId)).Ok();
        (await clerk.CallNextAsync(window)).Ok();
        await Assertions.Expect(phone.Locator("[data-testid=\"status\"]")).ToHaveTextAsync("请到10号窗口", new() { Timeout = 15_000 });
        await Browser.Screenshot(phone, "phone-2-called");

        var unknown = await phone.GotoAsync(_server.BaseAddress + "t/abcdefghjkmnpqrs");
        Assert.That(unknown!.Status, Is.EqualTo(404));
        await Assertions.Expect(phone.Locator("[data-testid=\"not-found\"]")).ToHaveTextAsync("未找到该号票");
    }
}
