using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Hall.Tests.Kiosk.EscPosDecoder;

namespace Hall.Tests.Kiosk;

/// <summary>
/// A kiosk that gives no paper ticket — none set up, or a printer that cannot print in a hall that issues without paper —
/// shows the ticket on its screen: the number, the QR code and the address of the ticket's phone page, for the citizen to
/// photograph or scan, long enough to do so. Hall.Kiosk as its own process (one without a printer, one with a fake printer
/// on a socat serial pair, both on the hall's defaults but for the times), Hall.Server on real Kestrel, the touch page in
/// Chromium at 1080×1920 under its Content-Security-Policy.
/// </summary>
[TestFixture, NonParallelizable]
public sealed partial class ScreenTicketTests
{
    // Records what the page's policy refused, before any script of the page runs.
    private const string Recorder = """
        window.__violations = [];
        document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`));
        """;

    private HallApp _server = null!;
    private SeededHall _hall = null!;
    private FakeSerialPrinter _printer = null!;
    private AgentProcess _noPrinter = null!;
    private AgentProcess _withPrinter = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _printer = await FakeSerialPrinter.StartAsync();
        _server = await HallApp.StartAsync("kiosk-screen-ticket");
        _hall = await SeededHall.CreateAsync(_server);
        // A printed ticket's screen stays 15 s (the default); one on the screen only, 45 s here.
        _noPrinter = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
        {
            ["Kiosk__Server"] = _server.BaseAddress.ToString(),
            ["Kiosk__DeviceKey"] = _hall.Credentials.DeviceKeys["kiosk"],
            ["Kiosk__IdleSeconds"] = "600",
            ["Kiosk__ResultSeconds"] = "15",
            ["Kiosk__ScreenTicketSeconds"] = "45",
        });
        _withPrinter = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
        {
            ["Kiosk__Server"] = _server.BaseAddress.ToString(),
            ["Kiosk__DeviceKey"] = await _server.CreateDeviceAsync(_hall.HallId, "二号取号机", DeviceRole.Kiosk),
            ["Kiosk__Printer__PortName"] = _printer.PortPath,
            ["Kiosk__PrinterCheckSeconds"] = "0.5",
            ["Kiosk__IdleSeconds"] = "600",
            ["Kiosk__ResultSeconds"] = "600",
            ["Kiosk__ScreenTicketSeconds"] = "600",
        });
        await WaitForAsync(async () => await StateAsync(_noPrinter) is { Link: "online", Printer: "Disabled", OutOfService: false, ScreenTickets: true }, "the kiosk without a printer online");
        await WaitForAsync(async () => await StateAsync(_withPrinter) is { Link: "online", Printer: "Ready", ScreenTickets: false }, "the kiosk with a printer online, its printer ready");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _withPrinter.DisposeAsync();
        await _noPrinter.DisposeAsync();
        await _hall.DisposeAsync();
        await _server.DisposeAsync();
        await _printer.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private sealed record AgentState(string Link, string Printer, bool OutOfService, bool ScreenTickets);

    private static async Task<AgentState> StateAsync(AgentProcess kiosk)
    {
        using var http = new HttpClient { BaseAddress = kiosk.BaseAddress };
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/state", UriKind.Relative)));
        var r = json.RootElement;
        return new(r.GetProperty("link").GetString()!, r.GetProperty("printer").GetString()!, r.GetProperty("outOfService").GetBoolean(), r.GetProperty("screenTickets").GetBoolean());
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

    /// <summary>The kiosk's page, its policy violations recorded; with the page's clock under the test's hand when <paramref name="clock"/>.</summary>
    private async Task<IPage> OpenAsync(AgentProcess kiosk, bool clock = false)
    {
        var page = await Browser.OpenAsync(_browser);
        await page.AddInitScriptAsync(Recorder);
        if (clock)
        {
            await page.Clock.InstallAsync();
        }
        await page.GotoAsync(kiosk.BaseAddress.ToString());
        return page;
    }

    private static ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    private static ILocator Screen(IPage page, string name) => page.Locator($"[data-screen=\"{name}\"]");

    private async Task<string> TakeTicketAsync(IPage page, string service)
    {
        await page.Locator($"button[data-service-id=\"{await _server.ServiceIdAsync(_hall.HallId, service)}\"]").ClickAsync();
        await Assertions.Expect(Screen(page, "confirm")).ToBeVisibleAsync();
        await page.Locator("[data-testid=\"take-ticket\"]").ClickAsync();
        var number = By(page, "result-number");
        await Assertions.Expect(number).ToHaveTextAsync(TicketNumber(), new() { Timeout = 15_000 });
        return await number.InnerTextAsync();
    }

    private async Task<Hall.Server.Tickets.Ticket> TicketAsync(string number)
    {
        await using var db = _server.Db();
        return await db.Tickets.AsNoTracking().SingleAsync(t => t.HallId == _hall.HallId && t.Number == number);
    }

    private static string TrackingUrl(Hall.Server.Tickets.Ticket ticket) => $"{HallApp.PublicBaseUrl}/t/{ticket.TrackingCode}";

    /// <summary>The screen says no paper ticket came out, points nowhere, and shows the phone page's address and QR code.</summary>
    private static async Task AssertScreenTicketAsync(IPage page, string url)
    {
        await Assertions.Expect(By(page, "screen-ticket")).ToBeVisibleAsync();
        await Assertions.Expect(By(page, "no-paper")).ToHaveTextAsync("本机未打印纸质号票");
        await Assertions.Expect(By(page, "screen-ticket")).ToContainTextAsync("请用手机拍下本屏幕");
        await Assertions.Expect(By(page, "result-take-note")).ToBeHiddenAsync();
        Assert.That(await Screen(page, "result").InnerTextAsync(), Does.Not.Contain("请取走您的号票").And.Not.Contain("↓"));
        await Assertions.Expect(By(page, "result-url")).ToHaveTextAsync(url);
        var qr = By(page, "result-qr");
        await Assertions.Expect(qr).ToBeVisibleAsync();
        var src = await qr.GetAttributeAsync("src") ?? "";
        Assert.That(src, Does.StartWith("data:image/svg+xml;base64,"));
        Assert.That(Encoding.UTF8.GetString(Convert.FromBase64String(src["data:image/svg+xml;base64,".Length..])), Does.StartWith("<svg"));
        Assert.That(await qr.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0"), Is.GreaterThan(0), "the QR image loaded");
    }

    [Test, Order(1)]
    public async Task Without_a_printer_the_screen_shows_the_number_the_QR_code_and_the_address_and_says_no_paper_ticket_was_printed()
    {
        var page = await OpenAsync(_noPrinter);
        await Assertions.Expect(By(page, "screen-note")).ToHaveTextAsync("本机暂不打印纸质号票，取号后号码显示在屏幕上");
        await Browser.Screenshot(page, "kiosk-20-home-no-printer");

        var number = await TakeTicketAsync(page, "shebao");
        var ticket = await TicketAsync(number);
        Assert.That(ticket.State, Is.EqualTo(TicketState.Waiting));
        var url = TrackingUrl(ticket);
        await AssertScreenTicketAsync(page, url);
        await Assertions.Expect(By(page, "result-service")).ToContainTextAsync("社保业务");
        await Assertions.Expect(By(page, "result-ahead")).ToHaveTextAsync(PeopleAhead());
        await Assertions.Expect(By(page, "result-wait")).ToHaveTextAsync("暂无窗口办理");
        await Assertions.Expect(By(page, "result-done")).ToBeInViewportAsync(new() { Ratio = 1 });
        var shot = await Browser.Screenshot(page, "kiosk-21-screen-ticket");
        Assert.That(QrReader.Read(await File.ReadAllBytesAsync(shot)), Is.EqualTo(url), "a phone scanning the screen opens the ticket's own page");
        Assert.That(await page.EvaluateAsync<string[]>("() => window.__violations"), Is.Empty, "the page keeps to its Content-Security-Policy");

        await By(page, "lang-toggle").ClickAsync();
        await Assertions.Expect(By(page, "no-paper")).ToHaveTextAsync("No paper ticket was printed");
        await Assertions.Expect(By(page, "result-wait")).ToHaveTextAsync("No window is serving this now");
        await Assertions.Expect(By(page, "screen-ticket")).ToContainTextAsync("Please photograph this screen");
        await Assertions.Expect(By(page, "result-url")).ToHaveTextAsync(url);
        await Assertions.Expect(By(page, "result-done")).ToBeInViewportAsync(new() { Ratio = 1 });
        await Browser.Screenshot(page, "kiosk-22-screen-ticket-en");
    }

    [Test, Order(2)]
    public async Task A_ticket_shown_only_on_the_screen_stays_past_the_usual_15_s_and_can_be_finished_early()
    {
        var page = await OpenAsync(_noPrinter, clock: true);
        var number = await TakeTicketAsync(page, "yibao");

        await page.Clock.FastForwardAsync("00:20");
        await Assertions.Expect(By(page, "result-done")).ToHaveTextAsync(new Regex("^完成（2[0-5] 秒后自动返回）$"));
        await Assertions.Expect(By(page, "result-number")).ToHaveTextAsync(number);
        await Assertions.Expect(By(page, "result-url")).ToHaveTextAsync(TrackingUrl(await TicketAsync(number)));
        await Browser.Screenshot(page, "kiosk-23-screen-ticket-after-20s");
        await page.Clock.FastForwardAsync("00:30");
        await Assertions.Expect(Screen(page, "home")).ToBeVisibleAsync();

        await TakeTicketAsync(page, "yibao");
        await By(page, "result-done").ClickAsync();
        await Assertions.Expect(Screen(page, "home")).ToBeVisibleAsync();
    }

    [Test, Order(3)]
    public async Task With_a_printer_that_printed_the_page_still_says_take_your_ticket()
    {
        await WaitForAsync(async () => await StateAsync(_withPrinter) is { Printer: "Ready", ScreenTickets: false }, "the printer ready");
        var page = await OpenAsync(_withPrinter);
        await Assertions.Expect(Screen(page, "home")).ToBeVisibleAsync();
        await Assertions.Expect(By(page, "screen-note")).ToBeHiddenAsync();
        var number = await TakeTicketAsync(page, "shebao");

        await Assertions.Expect(By(page, "result-take-note")).ToHaveTextAsync(new Regex("请取走您的号票"));
        await Assertions.Expect(By(page, "screen-ticket")).ToBeHiddenAsync();
        await Browser.Screenshot(page, "kiosk-24-printed");
        await WaitForAsync(() => Task.FromResult(_printer.Printed is [.., 0x1D, (byte)'V', _, _]), "the ticket printed");
        Assert.That(Decode(_printer.Printed).OfType<Text>().Select(t => t.Value), Does.Contain(number));
        _printer.ClearPrinted();
    }

    [Test, Order(4)]
    public async Task Out_of_paper_the_kiosk_keeps_issuing_on_the_screen_and_the_supervisor_sees_the_printer_fault()
    {
        _printer.State = FakePrinterState.PaperOut;
        try
        {
            await WaitForAsync(async () => await StateAsync(_withPrinter) is { Printer: "PaperOut", OutOfService: false, ScreenTickets: true }, "the kiosk in service without paper");
            var page = await OpenAsync(_withPrinter);
            await Assertions.Expect(Screen(page, "home")).ToBeVisibleAsync();
            await Assertions.Expect(By(page, "screen-note")).ToBeVisibleAsync();
            var number = await TakeTicketAsync(page, "gongjijin");

            var ticket = await TicketAsync(number);
            Assert.That(ticket.State, Is.EqualTo(TicketState.Waiting), "issued, not voided");
            await AssertScreenTicketAsync(page, TrackingUrl(ticket));
            await Browser.Screenshot(page, "kiosk-25-screen-ticket-paper-out");
            Assert.That(_printer.Printed, Is.Empty, "nothing printed");
            await WaitForAsync(async () =>
            {
                await using var db = _server.Db();
                return await db.Devices.AnyAsync(d => d.HallId == _hall.HallId && d.Name == "二号取号机" && d.Status == "PaperOut");
            }, "the supervisor's device list says paper out");
        }
        finally
        {
            _printer.State = FakePrinterState.Ready;
        }
    }

    [Test, Order(5)]
    public async Task A_ticket_the_printer_could_not_finish_stays_issued_and_is_shown_on_the_screen()
    {
        await WaitForAsync(async () => await StateAsync(_withPrinter) is { Printer: "Ready", ScreenTickets: false }, "the printer ready");
        var page = await OpenAsync(_withPrinter);
        _printer.RunsOutWhilePrinting = true;
        try
        {
            var number = await TakeTicketAsync(page, "shuiwu");
            var ticket = await TicketAsync(number);
            Assert.That(ticket.State, Is.EqualTo(TicketState.Waiting), "not voided: the citizen has the number on the screen");
            await AssertScreenTicketAsync(page, TrackingUrl(ticket));
            await Browser.Screenshot(page, "kiosk-26-screen-ticket-print-failed");
        }
        finally
        {
            _printer.RunsOutWhilePrinting = false;
            _printer.State = FakePrinterState.Ready;
            _printer.ClearPrinted();
        }
    }

    [GeneratedRegex("^[A-Z][0-9]{3}$")]
    private static partial Regex TicketNumber();

    [GeneratedRegex("^前面还有 [0-9]+ 人$")]
    private static partial Regex PeopleAhead();
}
