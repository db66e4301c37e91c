using System.Text.Json;
using Hall.Tests.Support;
using Microsoft.Playwright;

namespace Hall.Tests.Kiosk;

/// <summary>
/// The kiosk's search screen and service cards as a citizen meets them: Hall.Kiosk as its own process (no printer: tickets on
/// the screen) with its touch page in Chromium at 1080×1920, Hall.Server on real Kestrel with the demo hall.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class KioskSearchPageTests
{
    private HallApp _server = null!;
    private SeededHall _hall = null!;
    private AgentProcess _kiosk = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _server = await HallApp.StartAsync("kiosk-search-page");
        _hall = await SeededHall.CreateAsync(_server);
        _kiosk = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
        {
            ["Kiosk__Server"] = _server.BaseAddress.ToString(),
            ["Kiosk__DeviceKey"] = _hall.Credentials.DeviceKeys["kiosk"],
            ["Kiosk__IdleSeconds"] = "600",
            ["Kiosk__ResultSeconds"] = "600",
            ["Kiosk__ScreenTicketSeconds"] = "600",
        });
        using var http = new HttpClient { BaseAddress = _kiosk.BaseAddress };
        for (var until = DateTime.UtcNow.AddSeconds(20); ; await Task.Delay(200))
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/state", UriKind.Relative)));
            if (json.RootElement.GetProperty("link").GetString() == "online")
                break;
            if (DateTime.UtcNow > until)
                Assert.Fail("the kiosk did not come online within 20 s");
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _kiosk.DisposeAsync();
        await _hall.DisposeAsync();
        await _server.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    private async Task<IPage> OpenAsync()
    {
        var page = await Browser.OpenAsync(_browser, _kiosk.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("button[data-service-id]").First).ToBeVisibleAsync();
        return page;
    }

    [Test]
    public async Task A_citizen_types_pinyin_on_the_screen_keys_taps_the_chinese_word_and_finds_the_item()
    {
        var page = await OpenAsync();
        await By(page, "open-search").ClickAsync();
        foreach (var key in "diya")
            await page.Locator($"button[data-key=\"{key}\"]").ClickAsync();
        var candidate = By(page, "candidates").Locator("button").First;
        await Assertions.Expect(candidate).ToHaveTextAsync("抵押");
        await Browser.Screenshot(page, "kiosk-search-1-candidates");

        await candidate.ClickAsync();
        await Assertions.Expect(By(page, "search-input")).ToHaveValueAsync("抵押");
        var results = page.Locator("[data-item-id]");
        await Assertions.Expect(results).ToHaveCountAsync(1);
        await Assertions.Expect(results.First.Locator(".row-name")).ToHaveTextAsync("抵押权登记");
        await Assertions.Expect(By(page, "candidates")).ToBeHiddenAsync();
        await Browser.Screenshot(page, "kiosk-search-2-chinese");

        // Letters after the Chinese spell the next word: 抵押 + "q" offers 权.
        await page.Locator("button[data-key=\"q\"]").ClickAsync();
        await By(page, "candidates").Locator("button", new() { HasText = "权" }).First.ClickAsync();
        await Assertions.Expect(By(page, "search-input")).ToHaveValueAsync("抵押权");
        await Assertions.Expect(results.First.Locator(".row-name")).ToHaveTextAsync("抵押权登记");
    }

    [Test]
    public async Task Bdc_on_the_screen_keys_lists_the_real_estate_items_including_one_found_by_its_service()
    {
        var page = await OpenAsync();
        await By(page, "open-search").ClickAsync();
        foreach (var key in "bdc")
            await page.Locator($"button[data-key=\"{key}\"]").ClickAsync();
        var names = page.Locator("[data-item-id] .row-name");
        await Assertions.Expect(names.First).ToContainTextAsync("不动产");
        await Assertions.Expect(page.Locator("[data-item-id]", new() { HasText = "抵押权登记" })).ToBeVisibleAsync();
        await Browser.Screenshot(page, "kiosk-search-3-bdc");
    }

    [Test]
    public async Task In_english_mode_the_service_cards_and_the_ticket_show_the_services_english_names()
    {
        var page = await OpenAsync();
        await By(page, "lang-toggle").ClickAsync();
        var shebao = await _server.ServiceIdAsync(_hall.HallId, "shebao");
        var card = page.Locator($"button[data-service-id=\"{shebao}\"] .service-name");
        await Assertions.Expect(card).ToHaveTextAsync("Social insurance");
        var qiye = await _server.ServiceIdAsync(_hall.HallId, "qiye");
        await Assertions.Expect(page.Locator($"button[data-service-id=\"{qiye}\"] .service-name")).ToHaveTextAsync("Business start-up");
        await Browser.Screenshot(page, "kiosk-english-1-home");

        await card.ClickAsync();
        await Assertions.Expect(By(page, "confirm-service")).ToHaveTextAsync("Social insurance");
        await By(page, "take-ticket").ClickAsync();
        await Assertions.Expect(By(page, "result-number")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^A[0-9]{3}$"), new() { Timeout = 15_000 });
        await Assertions.Expect(By(page, "result-service")).ToHaveTextAsync("Social insurance");
        await Browser.Screenshot(page, "kiosk-english-2-ticket");
    }

    /// <summary>Every text of every service card, in the page's language, that is wider or taller than its card or than its own box.</summary>
    private const string Overflowing = """
        () => {
          const out = [];
          for (const card of document.querySelectorAll("button[data-service-id]")) {
            const box = card.getBoundingClientRect();
            if (card.scrollWidth > card.clientWidth + 1) out.push(`card ${card.textContent} is wider than its box`);
            for (const part of card.querySelectorAll("span")) {
              const r = part.getBoundingClientRect();
              if (part.scrollWidth > part.clientWidth + 1 || r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
                out.push(`"${part.textContent}" spills out of ${card.querySelector(".service-name").textContent}`);
            }
          }
          return out;
        }
        """;

    [Test]
    public async Task No_service_cards_text_spills_out_of_its_card_in_chinese_or_english()
    {
        var page = await OpenAsync();
        var cards = page.Locator("button[data-service-id]");
        Assert.That(await cards.CountAsync(), Is.EqualTo(13), "all demo services shown");
        await Browser.Screenshot(page, "kiosk-cards-zh");
        Assert.That(await page.EvaluateAsync<string[]>(Overflowing), Is.Empty);

        await By(page, "lang-toggle").ClickAsync();
        await Assertions.Expect(page.Locator(".service-name", new() { HasText = "Entrepreneurs' lounge" })).ToBeVisibleAsync();
        await Browser.Screenshot(page, "kiosk-cards-en");
        Assert.That(await page.EvaluateAsync<string[]>(Overflowing), Is.Empty);
    }
}
