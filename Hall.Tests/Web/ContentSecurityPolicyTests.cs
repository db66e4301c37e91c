using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Server.Ratings;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// Every page of Hall — the staff pages, the evaluator, the phone's tracking page, the kiosk's touch page and the lobby
/// board — in Chromium under its Content-Security-Policy: a page that breaks the policy (an inline script or style, a
/// file from elsewhere) is reported by the browser's <c>securitypolicyviolation</c> event, which each page here records
/// from its first line. The hall's names and texts hold markup an attacker might type; every page shows it as text.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ContentSecurityPolicyTests
{
    private const string Script = "<script>alert(1)</script>";
    private const string Image = "<img src=x onerror=alert(1)>";
    private const string WindowName = "社保窗口" + Image;
    private const string ClerkName = "张三" + Script;
    private const string ServiceName = "社保业务" + Image;
    private const string NoticeLine = "今日通知" + Script + Image;
    private const string NoteText = "已电话回访" + Image + Script;

    // Records every violation and every dialog a script opens, before any script of the page runs.
    private const string Recorder = """
        window.__violations = [];
        document.addEventListener("securitypolicyviolation", (e) =>
          window.__violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));
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
    private readonly Dictionary<IPage, List<string>> _problems = [];

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _folder = Directory.CreateTempSubdirectory("hall-csp-").FullName;
        _app = await HallApp.StartAsync("csp");
        _hall = await SeededHall.CreateAsync(_app);
        _window = await _app.WindowIdAsync(_hall.HallId, 1);
        await using (var db = _app.Db())
        {
            // Before anything reads the hall: the names as an admin with bad intent (or a bad import file) would set them.
            var window = await db.Windows.SingleAsync(w => w.Id == _window);
            window.Name = WindowName;
            var service = await db.Services.SingleAsync(s => s.HallId == _hall.HallId && s.Code == "shebao");
            service.Name = ServiceName;
            var member = await db.Staff.SingleAsync(s => s.HallId == _hall.HallId && s.Login.EndsWith("-clerk01"));
            member.Name = ClerkName;
            var site = await db.Halls.SingleAsync(h => h.Id == _hall.HallId);
            site.NoticeLine = NoticeLine;
            await db.SaveChangesAsync();
        }

        var admin = _hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-admin", StringComparison.Ordinal));
        using var adminHttp = new HttpClient { BaseAddress = _app.BaseAddress };
        adminHttp.DefaultRequestHeaders.Authorization = new("Bearer", await _app.LoginAsync(admin, _hall.Credentials.Passwords[admin]));
        var clip = Path.Combine(_folder, "xianfa.mp4");
        await MediaFiles.EncodeH264Async(clip, seconds: 3);
        var media = new List<int>();
        foreach (var content in new[]
        {
            new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(clip)), "file", "xianfa.mp4" }, { new StringContent("宪法宣传片"), "title" }, { new StringContent("true"), "legal" } },
            new MultipartFormDataContent { { new ByteArrayContent(MediaFiles.Png()), "file", "fazhi.png" }, { new StringContent("法治宣传海报"), "title" }, { new StringContent("true"), "legal" }, { new StringContent("3"), "seconds" } },
        })
        {
            using (content)
            {
                using var uploaded = await adminHttp.PostAsync(new Uri("/api/admin/media", UriKind.Relative), content);
                Assert.That(uploaded.IsSuccessStatusCode, Is.True, await uploaded.Content.ReadAsStringAsync());
                using var json = JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync());
                media.Add(json.RootElement.GetProperty("id").GetInt32());
            }
        }
        (await adminHttp.PostAsJsonAsync(new Uri("/api/admin/playlists", UriKind.Relative), new { name = "法治宣传", mediaIds = media, priority = 0 })).EnsureSuccessStatusCode();

        // A citizen waiting (for the phone page) and one called to window 1 (for the board and the console).
        var kiosk = await _hall.DeviceAsync("kiosk");
        var clerk = await _hall.ClerkAsync(1);
        var serviceId = await _app.ServiceIdAsync(_hall.HallId, "shebao");
        var called = (await kiosk.IssueAsync(serviceId)).Ok();
        _trackingUrl = (await kiosk.IssueAsync(serviceId)).Ok().TrackingUrl!.Replace(HallApp.PublicBaseUrl, _app.BaseAddress.ToString().TrimEnd('/'), StringComparison.Ordinal);
        (await clerk.OpenAsync(_window)).Ok();
        (await clerk.CallNextAsync(_window)).Ok();
        await using (var db = _app.Db())
        {
            var clerkId = await db.Staff.Where(s => s.Name == ClerkName).Select(s => s.Id).SingleAsync();
            db.FollowUpCases.Add(new FollowUpCase
            {
                HallId = _hall.HallId,
                TicketId = called.Ticket.TicketId,
                TicketNumber = called.Ticket.Number,
                WindowId = _window,
                StaffId = clerkId,
                Level = RatingLevel.Dissatisfied,
                Reasons = [Image],
                OpenedAt = _app.Clock.GetUtcNow(),
                DueDate = new DateOnly(2026, 12, 3),
                Notes = [new FollowUpNote(_app.Clock.GetUtcNow(), clerkId, ClerkName, NoteText)],
            });
            await db.SaveChangesAsync();
        }

        _kiosk = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
        {
            ["Kiosk__Server"] = _app.BaseAddress.ToString(),
            ["Kiosk__DeviceKey"] = _hall.Credentials.DeviceKeys["kiosk"],
            ["Kiosk__IdleSeconds"] = "600",
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

    /// <summary>A page that records violations, CSP errors on its console and any dialog (an injected alert) from its first line on.</summary>
    private async Task<IPage> WatchedPageAsync(ViewportSize? viewport = null)
    {
        var page = await Browser.OpenAsync(_browser, null, viewport ?? StaffPages.Desk);
        await page.Context.AddInitScriptAsync(Recorder);
        var problems = new List<string>();
        _problems[page] = problems;
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (problems)
                {
                    problems.Add("console: " + message.Text);
                }
            }
        };
        page.Dialog += (_, dialog) =>
        {
            lock (problems)
            {
                problems.Add("dialog: " + dialog.Message);
            }
            _ = dialog.DismissAsync();
        };
        return page;
    }

    private static async Task<string[]> ViolationsAsync(IPage page) => await page.EvaluateAsync<string[]>("() => window.__violations ?? []");

    /// <summary>Nothing the policy refused, no CSP error on the console, no dialog; the page kept as a screenshot.</summary>
    private async Task AssertCleanAsync(IPage page, string name)
    {
        await Browser.Screenshot(page, "csp-" + name);
        var problems = (await ViolationsAsync(page)).ToList();
        lock (_problems[page])
        {
            problems.AddRange(_problems[page]);
        }
        Assert.That(problems, Is.Empty, $"{name} ({page.Url})");
    }

    private static ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    /// <summary>The staff page's circuit is up: the layout (rendered interactively, never prerendered) shows who is signed in.</summary>
    private static Task ConnectedAsync(IPage page) => Assertions.Expect(By(page, "who")).ToBeVisibleAsync(new() { Timeout = 20_000 });

    [Test]
    public async Task An_inline_script_or_style_put_into_a_page_is_refused_and_reported()
    {
        var page = await WatchedPageAsync();
        await page.GotoAsync(new Uri(_app.BaseAddress, "/login").ToString());
        var response = await page.GotoAsync(new Uri(_app.BaseAddress, "/login").ToString());
        Assert.That(await response!.HeaderValueAsync("content-security-policy"), Does.Contain("script-src 'self'"));
        Assert.That(await ViolationsAsync(page), Is.Empty, "the sign-in page itself is clean");

        await page.EvaluateAsync("""
            () => {
              const script = document.createElement("script");
              script.textContent = "window.__ran = true";
              document.body.append(script);
              const box = document.createElement("div");
              box.setAttribute("style", "color: red");
              box.innerHTML = '<img src="/x.png" onerror="window.__ran = true">';
              document.body.append(box);
            }
            """);
        await page.WaitForFunctionAsync("() => window.__violations.length >= 3");
        var violations = await ViolationsAsync(page);
        Assert.That(violations, Has.Some.StartsWith("script-src-elem blocked inline"));
        Assert.That(violations, Has.Some.StartsWith("style-src-attr blocked inline"));
        Assert.That(violations, Has.Some.StartsWith("script-src-attr blocked inline"));
        Assert.That(await page.EvaluateAsync<bool>("() => window.__ran === true"), Is.False, "neither script ran");
    }

    [Test]
    public async Task Every_staff_page_keeps_to_the_policy_and_shows_hostile_names_as_text()
    {
        var page = await WatchedPageAsync();
        await StaffPages.SignInAsync(page, _app, _hall, "admin", "/wall");
        await ConnectedAsync(page);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(ClerkName);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(ServiceName);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(WindowName);
        await page.Locator("[data-testid=\"open-A\"]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=\"call\"]").First).ToBeVisibleAsync();
        await AssertCleanAsync(page, "wall");

        await page.GotoAsync(new Uri(_app.BaseAddress, "/followups").ToString());
        await ConnectedAsync(page);
        await Assertions.Expect(By(page, "followups")).ToContainTextAsync(NoteText);
        await page.FillAsync("[data-testid^=\"text-\"]", "再次回访" + Script);
        await page.Locator("[data-testid^=\"note-\"]").ClickAsync();
        await Assertions.Expect(By(page, "followups")).ToContainTextAsync("再次回访" + Script);
        await AssertCleanAsync(page, "followups");

        // One's own password, with a refusal shown (typed markup stays text).
        await page.GotoAsync(new Uri(_app.BaseAddress, "/account/password").ToString());
        await ConnectedAsync(page);
        await Assertions.Expect(By(page, "password-page")).ToBeVisibleAsync();
        await By(page, "current").FillAsync(Script);
        await By(page, "new").FillAsync(Image);
        await By(page, "repeat").FillAsync(Script);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "message")).ToHaveAttributeAsync("data-code", "mismatch");
        await AssertCleanAsync(page, "account-password");

        foreach (var path in new[] { "/reports", "/admin", "/admin/hall", "/admin/services", "/admin/windows", "/admin/staff", "/admin/devices", "/admin/screens", "/admin/catalogue", "/admin/synonyms", "/admin/audit" })
        {
            await page.GotoAsync(new Uri(_app.BaseAddress, path).ToString());
            await ConnectedAsync(page);
            await Assertions.Expect(page.Locator("h1").First).ToBeVisibleAsync();
            await AssertCleanAsync(page, path.Trim('/').Replace('/', '-'));
        }
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("无权");
        // Within the circuit: the nav link is followed by Blazor's router, not a new page load.
        await page.Locator("a[href=\"/admin/windows\"]").First.ClickAsync();
        await page.WaitForURLAsync("**/admin/windows");
        await Assertions.Expect(page.Locator("h1").First).ToBeVisibleAsync();
        await AssertCleanAsync(page, "admin-windows-navigated");

        // Signing out is a form with its token; back on the sign-in page, clean.
        await page.Locator("form.logout button").ClickAsync();
        await page.WaitForURLAsync("**/login");
        await AssertCleanAsync(page, "signed-out");
    }

    [Test]
    public async Task The_clerk_console_keeps_to_the_policy()
    {
        var page = await WatchedPageAsync();
        await StaffPages.SignInAsync(page, _app, _hall, "clerk01", "/clerk", expectArrival: false);
        await page.WaitForURLAsync("**/console**");
        await ConnectedAsync(page);
        await page.GotoAsync(new Uri(_app.BaseAddress, $"/console/{_window}").ToString());
        await Assertions.Expect(By(page, "holder")).ToHaveTextAsync(ClerkName);
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync(WindowName);
        await Assertions.Expect(By(page, "current-number")).ToBeVisibleAsync();
        await Assertions.Expect(By(page, "who")).ToHaveTextAsync(ClerkName);
        // A key of the console, pressed as the clerk does.
        await page.Locator("button.key:not([disabled])").First.ClickAsync();
        await AssertCleanAsync(page, "console");
    }

    [Test]
    public async Task The_evaluator_tablet_keeps_to_the_policy()
    {
        var key = await _app.CreateDeviceAsync(_hall.HallId, "1号窗口评价器", DeviceRole.Evaluator, _window);
        var page = await WatchedPageAsync(new ViewportSize { Width = 1280, Height = 800 });
        await page.GotoAsync(new Uri(_app.BaseAddress, "/evaluator").ToString());
        await page.WaitForURLAsync("**/evaluator/pair");
        await AssertCleanAsync(page, "evaluator-pair");
        await page.FillAsync("input[name=key]", key);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(By(page, "idle")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await AssertCleanAsync(page, "evaluator");
    }

    [Test]
    public async Task The_phone_tracking_page_keeps_to_the_policy()
    {
        var page = await WatchedPageAsync(new ViewportSize { Width = 390, Height = 844 });
        await page.GotoAsync(_trackingUrl);
        await Assertions.Expect(By(page, "service")).ToHaveTextAsync(ServiceName);
        // Its script polls the state: one refresh done, and the status still shown.
        await page.WaitForResponseAsync(r => r.Url.EndsWith("/state", StringComparison.Ordinal) && r.Status == 200, new() { Timeout = 20_000 });
        await Assertions.Expect(By(page, "facts")).ToContainTextAsync("前面还有");
        await AssertCleanAsync(page, "tracking");

        var missing = await WatchedPageAsync(new ViewportSize { Width = 390, Height = 844 });
        await missing.GotoAsync(new Uri(_app.BaseAddress, "/t/AAAAAAAAAAAAAAAA").ToString());
        await Assertions.Expect(By(missing, "not-found")).ToBeVisibleAsync();
        await AssertCleanAsync(missing, "tracking-not-found");
    }

    [Test]
    public async Task The_kiosk_page_keeps_to_the_policy_and_its_agent_sends_the_headers()
    {
        var page = await WatchedPageAsync(Browser.Kiosk);
        var response = await page.GotoAsync(_kiosk.BaseAddress.ToString());
        var headers = await response!.AllHeadersAsync();
        Assert.That(headers["content-security-policy"], Is.EqualTo(PageSecurity.Policy));
        Assert.That((headers["x-frame-options"], headers["x-content-type-options"], headers["referrer-policy"]), Is.EqualTo(("DENY", "nosniff", "same-origin")));
        var service = By(page, "services").Locator("button", new() { HasText = "社保业务" });
        await Assertions.Expect(service).ToContainTextAsync(ServiceName, new() { Timeout = 20_000 });
        await service.ClickAsync();
        await Assertions.Expect(By(page, "confirm-service")).ToContainTextAsync(ServiceName);
        await page.Locator("[data-testid=\"confirm-back\"]").ClickAsync();
        await AssertCleanAsync(page, "kiosk");
    }

    [Test]
    public async Task The_lobby_board_keeps_to_the_policy_while_it_plays_video_and_shows_hostile_text()
    {
        var page = await WatchedPageAsync(new ViewportSize { Width = 1920, Height = 1080 });
        var response = await page.GotoAsync(_display.BaseAddress.ToString());
        Assert.That(await response!.HeaderValueAsync("content-security-policy"), Is.EqualTo(PageSecurity.Policy));
        await Assertions.Expect(By(page, "notice-line")).ToContainTextAsync(NoticeLine, new() { Timeout = 20_000 });
        await Assertions.Expect(By(page, "newest-service")).ToHaveTextAsync(ServiceName);
        await Assertions.Expect(By(page, "services")).ToContainTextAsync(ServiceName);
        // The 普法 video from the agent's cache plays (media-src 'self'), then the picture.
        var video = page.Locator("video[data-testid=\"media\"]");
        await Assertions.Expect(video).ToBeAttachedAsync(new() { Timeout = 60_000 });
        await page.WaitForFunctionAsync("() => document.querySelector('video[data-testid=media]')?.currentTime > 0.5", null, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("img[data-testid=\"media\"]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await AssertCleanAsync(page, "board");
    }
}
