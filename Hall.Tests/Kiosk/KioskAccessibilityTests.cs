using System.Text.Json;
using Hall.Tests.Support;
using Microsoft.Playwright;

namespace Hall.Tests.Kiosk;

/// <summary>
/// The kiosk's 大字 switch for elderly and low-vision citizens (issue 16): larger type and a high-contrast theme whose main
/// texts meet WCAG AAA (7:1), reset when the kiosk goes idle after the citizen left. Hall.Kiosk as its own process,
/// the touch page in Chromium at 1080×1920, the page's clock under the test's hand for the idle time.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class KioskAccessibilityTests
{
    private HallApp _server = null!;
    private SeededHall _hall = null!;
    private AgentProcess _kiosk = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    // For each main text: its font size and its contrast with the colour behind it (the first opaque background up the tree).
    private const string Measure = """
        (selectors) => {
          const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
          const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
          const behind = (n) => { for (let e = n; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0.99) return c; } return [255, 255, 255]; };
          return JSON.stringify(selectors.map((s) => {
            const n = document.querySelector(s);
            const style = getComputedStyle(n);
            const a = lum(rgb(style.color)), b = lum(behind(n));
            return { Selector: s, FontPx: parseFloat(style.fontSize), Contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
          }));
        }
        """;

    private static readonly string[] MainTexts =
    [
        ".screen-home .screen-title", ".screen-home .screen-lead", ".screen-home .service-name", ".screen-home .service-wait", ".wide-main", ".wide-sub",
        "[data-testid=\"hall-name\"]", "[data-testid=\"access-toggle\"]", "[data-testid=\"voice-toggle\"]",
    ];

    private sealed record Text(string Selector, double FontPx, double Contrast);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _server = await HallApp.StartAsync("kiosk-accessibility");
        _hall = await SeededHall.CreateAsync(_server);
        _kiosk = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
        {
            ["Kiosk__Server"] = _server.BaseAddress.ToString(),
            ["Kiosk__DeviceKey"] = _hall.Credentials.DeviceKeys["kiosk"],
            ["Kiosk__IdleSeconds"] = "60",
        });
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

    private static async Task<Dictionary<string, Text>> MeasureAsync(IPage page) =>
        JsonSerializer.Deserialize<List<Text>>(await page.EvaluateAsync<string>(Measure, MainTexts))!.ToDictionary(t => t.Selector);

    [Test]
    public async Task The_large_text_switch_enlarges_the_type_in_high_contrast_and_resets_when_the_kiosk_goes_idle()
    {
        var page = await Browser.OpenAsync(_browser);
        await page.Clock.InstallAsync();
        await page.GotoAsync(_kiosk.BaseAddress.ToString());
        var toggle = page.Locator("[data-testid=\"access-toggle\"]");
        await Assertions.Expect(page.Locator(".screen-home .service-name").First).ToHaveTextAsync("社保业务", new() { Timeout = 20_000 });
        await Assertions.Expect(toggle).ToBeVisibleAsync();
        await Assertions.Expect(toggle).ToHaveTextAsync("AA大字");
        Assert.That((await toggle.BoundingBoxAsync())!.Height, Is.GreaterThanOrEqualTo(100), "a button to find and press");
        var normal = await MeasureAsync(page);

        await toggle.ClickAsync();

        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        var large = await MeasureAsync(page);
        await Browser.Screenshot(page, "kiosk-large-1-home");
        foreach (var selector in MainTexts.Where(s => !s.Contains("hall-name", StringComparison.Ordinal) && !s.Contains("toggle", StringComparison.Ordinal)))
        {
            Assert.That(large[selector].FontPx, Is.GreaterThanOrEqualTo(normal[selector].FontPx * 1.2), $"{selector}: larger type");
        }
        foreach (var text in large.Values)
        {
            Assert.That(text.Contrast, Is.GreaterThanOrEqualTo(7), $"{text.Selector}: WCAG AAA contrast");
        }
        Assert.That(large[".screen-home .screen-title"].FontPx, Is.GreaterThanOrEqualTo(84));
        var spilling = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.screen-home .service')].filter(b => b.scrollHeight > b.clientHeight + 1).map(b => b.textContent)");
        Assert.That(spilling, Is.Empty, "each service card holds its name and its wait in the large type");

        // It holds on the next screens the citizen goes to, the switch still there.
        await page.Locator("[data-testid=\"open-search\"]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-screen=\"search\"]")).ToBeVisibleAsync();
        await Assertions.Expect(toggle).ToBeVisibleAsync();
        Assert.That(await page.Locator(".screen-search .bar-title").EvaluateAsync<double>("n => parseFloat(getComputedStyle(n).fontSize)"), Is.EqualTo(72));
        await Browser.Screenshot(page, "kiosk-large-2-search");

        // The citizen walks away: after the idle time the attract screen, and the next citizen gets the normal look.
        await page.Clock.FastForwardAsync("01:05");
        await Assertions.Expect(page.Locator("[data-screen=\"attract\"]")).ToBeVisibleAsync();
        await page.Locator("[data-screen=\"attract\"]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-screen=\"home\"]")).ToBeVisibleAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        var after = await MeasureAsync(page);
        Assert.That(after[".screen-home .screen-title"].FontPx, Is.EqualTo(normal[".screen-home .screen-title"].FontPx), "back to the normal type");
        Assert.That(await page.Locator(".screen-home .screen-title").EvaluateAsync<string>("n => getComputedStyle(n).color"), Is.EqualTo("rgb(6, 47, 92)"), "and the normal colours: dark blue on white");
    }
}
