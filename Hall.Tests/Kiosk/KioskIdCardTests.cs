using System.Text;
using System.Text.Json;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Kiosk;

/// <summary>
/// An elderly citizen lays their resident ID card on the kiosk's reader instead of typing 18 digits: Hall.Kiosk as its
/// own process with a fake reader on a socat serial pair (no printer: tickets on the screen), Hall.Server on real
/// Kestrel, the touch page in Chromium at 1080×1920.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class KioskIdCardTests
{
    private const string Masked = "1101**********0030";
    // The card's photo as the reader hands it over: bytes no served page, answer or log line may carry.
    private static readonly byte[] Photo = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("WLTPHOTO-7f3a9c-", 64)));

    // The kiosk: its agent with the reader on its serial port, its page in the browser, its local API.
    private AgentProcess _kiosk = null!;
    private FakeIdCardReader _reader = null!;
    private IPage _page = null!;
    private readonly HttpClient _http = new();
    private IBrowser _browser = null!;
    private IPlaywright _playwright = null!;
    // The hall's server, where the tickets are kept.
    private HallApp _server = null!;
    private SeededHall _hall = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await HallApp.StartAsync("kiosk-idcard");
        _hall = await SeededHall.CreateAsync(_server);
        _reader = await FakeIdCardReader.StartAsync();
        _reader.Photo = Photo;
        _kiosk = await AgentProcess.StartKioskAsync(_server, _hall, new Dictionary<string, string>
        {
            ["Kiosk__IdCardReader__PortName"] = _reader.PortPath,
            ["Kiosk__IdCardReader__PollMs"] = "200",
            ["Kiosk__IdleSeconds"] = "600",
            ["Kiosk__ScreenTicketSeconds"] = "600",
            // Everything the agent logs, to show what it never logs.
            ["Logging__LogLevel__Default"] = "Debug",
        });
        _http.BaseAddress = _kiosk.BaseAddress;
        Assert.That(async () => await StateAsync(), Is.EqualTo(("online", "Connected")).After(20).Seconds.PollEvery(200).MilliSeconds, "the kiosk online, its reader answering");
        (_playwright, _browser) = await Browser.LaunchAsync();
        _page = await Browser.OpenAsync(_browser, _kiosk.BaseAddress.ToString());
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _kiosk.DisposeAsync();
        await _reader.DisposeAsync();
        await _hall.DisposeAsync();
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private async Task<(string Link, string Reader)> StateAsync()
    {
        using var json = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/api/state", UriKind.Relative)));
        return (json.RootElement.GetProperty("link").GetString()!, json.RootElement.GetProperty("idCardReader").GetString()!);
    }

    private ILocator TestId(string id) => _page.Locator($"[data-testid=\"{id}\"]");

    private async Task<Hall.Server.Tickets.Ticket> TicketForServiceAsync(string screenshot)
    {
        await _page.Locator($"button[data-service-id=\"{await _server.ServiceIdAsync(_hall.HallId, "shebao")}\"]").ClickAsync();
        await TestId("take-ticket").ClickAsync();
        // The result screen shows the new ticket (the number element still holds the previous one while it is hidden).
        await Assertions.Expect(_page.Locator("[data-screen=\"result\"]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(TestId("result-number")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[A-Z][0-9]{3}$"));
        await Browser.Screenshot(_page, screenshot);
        var number = await TestId("result-number").InnerTextAsync();
        await using var db = _server.Db();
        var ticket = await db.Tickets.AsNoTracking().OrderBy(t => t.Id).LastAsync();
        Assert.That(ticket.Number, Is.EqualTo(number), "the server's newest ticket is the one on the screen");
        return ticket;
    }

    private async Task ReaderPolledAsync(int finds)
    {
        var before = _reader.Commands.Count(c => c.Name == "find");
        Assert.That(() => _reader.Commands.Count(c => c.Name == "find") - before, Is.GreaterThanOrEqualTo(finds).After(10).Seconds.PollEvery(100).MilliSeconds);
    }

    [Test, Order(1)]
    public async Task A_card_laid_on_the_reader_puts_the_number_on_the_ticket_and_the_citizen_only_chooses_the_service()
    {
        await Assertions.Expect(TestId("idcard-read")).ToBeHiddenAsync();
        _reader.Lay(IdCardReaderTests.Elder);

        await Assertions.Expect(TestId("idcard-read")).ToHaveTextAsync($"已读取身份证 {Masked}");
        await Browser.Screenshot(_page, "kiosk-idcard-1-read");
        var fontPx = await TestId("idcard-read").EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)");
        Assert.That(fontPx, Is.GreaterThanOrEqualTo(48), "large type");

        var ticket = await TicketForServiceAsync("kiosk-idcard-2-result");

        await Assertions.Expect(TestId("result-idcard")).ToHaveTextAsync($"已登记身份证 {Masked}");
        Assert.That((ticket.IdMasked, ticket.IdHmac?.Length), Is.EqualTo((Masked, 32)), "kept as the server keeps IDs: an HMAC and the masked form");
        Assert.That(await _page.ContentAsync(), Does.Not.Contain(IdCardReaderTests.Elder.IdNumber), "the page shows the number masked only");
    }

    [Test, Order(2)]
    public async Task The_same_card_left_lying_does_not_go_on_the_next_ticket()
    {
        await TestId("result-done").ClickAsync();
        await ReaderPolledAsync(finds: 5);
        await Assertions.Expect(TestId("idcard-read")).ToBeHiddenAsync();

        var ticket = await TicketForServiceAsync("kiosk-idcard-3-lying");

        await Assertions.Expect(TestId("result-idcard")).ToBeHiddenAsync();
        Assert.That((ticket.IdMasked, ticket.IdHmac), Is.EqualTo(((string?)null, (byte[]?)null)), "a walk-in ticket with no ID");
    }

    [Test, Order(3)]
    public async Task Lifted_and_laid_again_the_card_goes_on_the_next_ticket()
    {
        await TestId("result-done").ClickAsync();
        _reader.Lift();
        await ReaderPolledAsync(finds: 3);
        _reader.Lay(IdCardReaderTests.Elder);

        await Assertions.Expect(TestId("idcard-read")).ToHaveTextAsync($"已读取身份证 {Masked}");
        Assert.That((await TicketForServiceAsync("kiosk-idcard-4-again")).IdMasked, Is.EqualTo(Masked));
        await TestId("result-done").ClickAsync();
    }

    [Test, Order(4)]
    public async Task The_photo_and_the_full_number_are_nowhere_in_what_the_agent_serves_or_logs()
    {
        var served = string.Join("\n", await _http.GetStringAsync(new Uri("/api/state", UriKind.Relative)), await _http.GetStringAsync(new Uri("/health", UriKind.Relative)), await _page.ContentAsync());
        var logged = _kiosk.Output;
        Assert.That(logged, Does.Contain(Masked), "the agent logged the card read, masked");
        var photoForms = new[] { "WLTPHOTO", Convert.ToBase64String(Photo[..48]), Convert.ToHexString(Photo[..16]), BitConverter.ToString(Photo[..16]) };
        foreach (var form in photoForms)
        {
            Assert.That(served, Does.Not.Contain(form).IgnoreCase, "the photo is never served");
            Assert.That(logged, Does.Not.Contain(form).IgnoreCase, "the photo is never logged");
        }
        Assert.That(logged, Does.Not.Contain(IdCardReaderTests.Elder.IdNumber).And.Not.Contain(IdCardReaderTests.Elder.Name), "neither the number in full nor the name is logged");
    }

    [Test, Order(5)]
    public async Task An_unplugged_reader_shows_in_health_and_plugged_back_it_reads_again_without_a_restart()
    {
        _reader.Lift();
        await _reader.UnplugAsync();
        Assert.That(async () => await StateAsync(), Is.EqualTo(("online", "Unplugged")).After(10).Seconds.PollEvery(200).MilliSeconds);
        using (var health = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/health", UriKind.Relative))))
        {
            Assert.That(health.RootElement.GetProperty("idCardReader").GetString(), Is.EqualTo("Unplugged"));
        }
        await Assertions.Expect(TestId("services")).ToBeVisibleAsync();

        await _reader.PlugInAsync();
        _reader.Lay(IdCardReaderTests.Elder);
        await Assertions.Expect(TestId("idcard-read")).ToHaveTextAsync($"已读取身份证 {Masked}", new() { Timeout = 15_000 });
        Assert.That((await StateAsync()).Reader, Is.EqualTo("Connected"));
    }
}
