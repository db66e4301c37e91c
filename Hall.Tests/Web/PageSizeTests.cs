using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// Every page at the size its user sees it: the kiosk's 1080×1920 portrait screen, the lobby board's 1920×1080, a
/// staff laptop's 1366×768, the evaluator tablet's 1280×800 and a citizen's 390×844 phone. At each, nothing is wider
/// than the screen (no sideways scrolling) and no text is cut off or spills out of its box; each is kept as a
/// screenshot for a person to look at.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class PageSizeTests
{
    private static readonly ViewportSize Laptop = new() { Width = 1366, Height = 768 };
    private static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };
    private static readonly ViewportSize Board = new() { Width = 1920, Height = 1080 };
    private static readonly ViewportSize Tablet = new() { Width = 1280, Height = 800 };

    // What a person would call broken: the page wider than the screen; text cut by its box (overflow hidden, an
    // ellipsis) or spilling over its box's edge. Scrolling boxes (a table in a scroller) are meant to scroll.
    private const string Problems = """
        () => {
          const out = [];
          const page = document.scrollingElement;
          if (page.scrollWidth > window.innerWidth + 1) out.push(`the page is ${page.scrollWidth}px wide in a ${window.innerWidth}px screen`);
          const name = el => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""}`;
          for (const el of document.querySelectorAll("body *")) {
            if (["INPUT", "SELECT", "TEXTAREA", "OPTION", "SCRIPT", "STYLE", "VIDEO", "IMG", "CANVAS", "SVG"].includes(el.tagName)) continue;
            const style = getComputedStyle(el);
            if (style.display === "none" || style.visibility === "hidden" || el.getClientRects().length === 0) continue;
            if (el.closest("[aria-hidden=true]") || el.closest(".sr-only")) continue;
            const ownText = [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim().length > 0);
            if (!ownText) continue;
            const text = el.textContent.trim().replace(/\s+/g, " ").slice(0, 40);
            const scrolls = /(auto|scroll)/.test(style.overflowX + style.overflowY);
            if (scrolls) continue;
            const clips = /(hidden|clip)/.test(style.overflowX + style.overflowY);
            const wide = el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
            const tall = el.scrollHeight > el.clientHeight + 1 && el.clientHeight > 0;
            if (clips && (wide || tall)) out.push(`cut: ${name(el)} "${text}" (${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight})`);
            else if (!clips && wide && style.display !== "inline") out.push(`spills: ${name(el)} "${text}" (${el.scrollWidth}px in ${el.clientWidth}px)`);
          }
          return out;
        }
        """;

    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private AgentProcess _kiosk = null!;
    private AgentProcess _display = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _folder = null!;
    private string _trackingUrl = null!;
    private int _window;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _folder = Directory.CreateTempSubdirectory("hall-sizes-").FullName;
        _app = await HallApp.StartAsync("sizes");
        _hall = await SeededHall.CreateAsync(_app);
        _window = await _app.WindowIdAsync(_hall.HallId, 1);

        // A morning's hall: people waiting in several services, one called to window 1, one being served at window 3.
        var kiosk = await _hall.DeviceAsync("kiosk");
        var shebao = await _app.ServiceIdAsync(_hall.HallId, "shebao");
        var yibao = await _app.ServiceIdAsync(_hall.HallId, "yibao");
        for (var i = 0; i < 6; i++)
        {
            (await kiosk.IssueAsync(i % 2 == 0 ? shebao : yibao)).Ok();
        }
        _trackingUrl = (await kiosk.IssueAsync(shebao)).Ok().TrackingUrl!.Replace(HallApp.PublicBaseUrl, _app.BaseAddress.ToString().TrimEnd('/'), StringComparison.Ordinal);
        var clerk = await _hall.ClerkAsync(1);
        (await clerk.OpenAsync(_window)).Ok();
        (await clerk.CallNextAsync(_window)).Ok();
        var third = await _app.WindowIdAsync(_hall.HallId, 3);
        var other = await _hall.ClerkAsync(3);
        (await other.OpenAsync(third)).Ok();
        var serving = (await other.CallNextAsync(third)).Ok();
        (await other.StartAsync(third, serving.Ticket.TicketId)).Ok();

        _kiosk = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
        {
            ["Kiosk__Server"] = _app.BaseAddress.ToString(),
            ["Kiosk__DeviceKey"] = _hall.Credentials.DeviceKeys["kiosk"],
            ["Kiosk__IdleSeconds"] = "600",
            ["Kiosk__ScreenTicketSeconds"] = "600",
        });
        _display = await AgentProcess.StartAsync("Hall.Display", new Dictionary<string, string>
        {
            ["Display__Server"] = _app.BaseAddress.ToString(),
            ["Display__DeviceKey"] = _hall.Credentials.DeviceKeys["display"],
            ["Display__MediaCacheFolder"] = Path.Combine(_folder, "cache"),
            ["Display__Voice__PackFolder"] = Path.Combine(_folder, "no-pack"),
            ["Display__Voice__FallbackFolder"] = Path.Combine(_folder, "no-fallback"),
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _display.DisposeAsync();
        await _kiosk.DisposeAsync();
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    /// <summary>Kept as a full-page screenshot, then nothing too wide, cut or spilling.</summary>
    private static async Task AssertFitsAsync(IPage page, string name, List<string> found)
    {
        await page.EvaluateAsync("() => document.fonts.ready");
        var shot = Path.Combine(Path.GetDirectoryName(await Browser.Screenshot(page, "size-" + name))!, $"size-{name}-full.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        found.AddRange((await page.EvaluateAsync<string[]>(Problems)).Select(p => $"{name}: {p}"));
    }

    [Test]
    public async Task Every_staff_page_fits_a_1366x768_laptop()
    {
        var found = new List<string>();
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "admin", "/wall");
        await page.SetViewportSizeAsync(Laptop.Width, Laptop.Height);
        foreach (var path in new[] { "/wall", "/followups", "/bookings", "/reports", "/account/password", "/admin/hall", "/admin/services", "/admin/windows", "/admin/staff", "/admin/devices", "/admin/screens", "/admin/catalogue", "/admin/synonyms", "/admin/audit" })
        {
            await page.GotoAsync(new Uri(_app.BaseAddress, path).ToString());
            await Assertions.Expect(By(page, "who")).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await Assertions.Expect(page.Locator("main").First).ToBeVisibleAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await AssertFitsAsync(page, "laptop" + path.Replace('/', '-'), found);
        }

        var console = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk01", $"/console/{_window}");
        await console.SetViewportSizeAsync(Laptop.Width, Laptop.Height);
        await Assertions.Expect(By(console, "current-number")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await AssertFitsAsync(console, "laptop-console", found);
        Assert.That(found, Is.Empty);
    }

    [Test]
    public async Task The_kiosk_fits_its_portrait_screen_in_each_of_its_states()
    {
        var found = new List<string>();
        var page = await Browser.OpenAsync(_browser, _kiosk.BaseAddress.ToString(), Browser.Kiosk);
        var service = By(page, "services").Locator("button").First;
        await Assertions.Expect(service).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await AssertFitsAsync(page, "kiosk-home", found);
        // A county hall's thirteen services all on the first screen, without scrolling (and with the no-printer note).
        int active;
        await using (var db = _app.Db())
        {
            active = await db.Services.CountAsync(s => s.HallId == _hall.HallId && s.Active);
        }
        Assert.That(active, Is.GreaterThan(12));
        Assert.That(await By(page, "services").EvaluateAsync<int[]>("l => [l.children.length, l.scrollHeight - l.clientHeight]"), Is.EqualTo(new[] { active, 0 }));
        await By(page, "open-search").ClickAsync();
        await By(page, "search-input").FillAsync("sb");
        await Assertions.Expect(By(page, "candidates")).ToBeVisibleAsync();
        await AssertFitsAsync(page, "kiosk-search", found);
        await page.ReloadAsync();
        await By(page, "access-toggle").ClickAsync();
        await AssertFitsAsync(page, "kiosk-large", found);
        await By(page, "access-toggle").ClickAsync();
        await By(page, "lang-toggle").ClickAsync();
        await AssertFitsAsync(page, "kiosk-english", found);
        await By(page, "lang-toggle").ClickAsync();
        await page.Locator($"button[data-service-id=\"{await _app.ServiceIdAsync(_hall.HallId, "shebao")}\"]").ClickAsync();
        await Assertions.Expect(By(page, "take-ticket")).ToBeVisibleAsync();
        await AssertFitsAsync(page, "kiosk-confirm", found);
        await By(page, "take-ticket").ClickAsync();
        await Assertions.Expect(By(page, "result-number")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await AssertFitsAsync(page, "kiosk-ticket", found);
        Assert.That(found, Is.Empty);
    }

    [Test]
    public async Task The_lobby_board_fits_1920x1080()
    {
        var found = new List<string>();
        var page = await Browser.OpenAsync(_browser, _display.BaseAddress.ToString(), Board);
        await Assertions.Expect(By(page, "services")).ToContainTextAsync("社保业务", new() { Timeout = 20_000 });
        await AssertFitsAsync(page, "board", found);
        Assert.That(found, Is.Empty);
    }

    [Test]
    public async Task The_evaluator_fits_its_tablet_and_the_tracking_page_a_phone()
    {
        var found = new List<string>();
        var key = await _app.CreateDeviceAsync(_hall.HallId, "1号窗口评价器", DeviceRole.Evaluator, _window);
        var tablet = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, "/evaluator").ToString(), Tablet);
        await tablet.WaitForURLAsync("**/evaluator/pair");
        await tablet.FillAsync("input[name=key]", key);
        await tablet.ClickAsync("button[type=submit]");
        await Assertions.Expect(By(tablet, "idle")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await AssertFitsAsync(tablet, "tablet-evaluator", found);

        var phone = await Browser.OpenAsync(_browser, _trackingUrl, Phone);
        await Assertions.Expect(By(phone, "facts")).ToContainTextAsync("前面还有", new() { Timeout = 20_000 });
        await AssertFitsAsync(phone, "phone-tracking", found);
        var login = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, "/login").ToString(), Phone);
        await AssertFitsAsync(login, "phone-login", found);
        Assert.That(found, Is.Empty);
    }
}
