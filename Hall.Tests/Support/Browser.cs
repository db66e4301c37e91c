using Microsoft.Playwright;

namespace Hall.Tests.Support;

/// <summary>
/// Playwright on Debian's Chromium (no browser download). Without /usr/bin/chromium the browser tests are
/// ignored locally — and fail when CI=true.
/// </summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private const string Missing =
        "Chromium is missing at /usr/bin/chromium — install it with `apt-get install chromium fonts-wqy-microhei` (never `playwright install`).";

    // Headless and quiet: no GPU, no QUIC, no update or sync traffic from a test run.
    private static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        // As the lobby screen's kiosk launch does: the 普法 videos play with sound without a tap.
        "--autoplay-policy=no-user-gesture-required",
    ];

    /// <summary>The kiosk's portrait touch screen.</summary>
    public static readonly ViewportSize Kiosk = new() { Width = 1080, Height = 1920 };

    /// <param name="daysAhead">
    /// Runs Chromium with its machine clock this many days off the real one (libfaketime), as a PC whose clock is wrong;
    /// the real clock by default.
    /// </param>
    public static async Task<(IPlaywright, IBrowser)> LaunchAsync(int? daysAhead = null)
    {
        if (!File.Exists(ChromiumPath))
        {
            if (PostgresCluster.OnCi)
            {
                Assert.Fail(Missing);
            }
            Assert.Ignore(Missing);
        }
        var executable = daysAhead is { } days ? FakeTimeChromium(days) : ChromiumPath;
        // Chromium's zygote does not start under libfaketime (deploy/test.sh's HALL_TEST_MACHINE_TIME puts the whole test host under it).
        string[] args = Environment.GetEnvironmentVariable("LD_PRELOAD")?.Contains("faketime", StringComparison.Ordinal) == true ? [.. Args, "--no-zygote"] : Args;
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = executable, Headless = true, Args = args });
            // What a person sees may take a while on a loaded 2-core CI machine; 5 s (Playwright's default) made tests flaky there.
            Assertions.SetDefaultExpectTimeout(15_000);
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A launcher that runs Chromium under libfaketime with its clocks <paramref name="days"/> days off. Without the zygote:
    /// Chromium's zygote does not start under libfaketime.
    /// </summary>
    private static string FakeTimeChromium(int days)
    {
        Operations.Tools.Require("faketime", "faketime");
        var script = Path.Combine(Path.GetTempPath(), $"hall-chromium-{days}d.sh");
        File.WriteAllText(script, $"""
            #!/bin/sh
            exec {Operations.Tools.Find("faketime")} -f '{days:+0;-0}d' {ChromiumPath} --no-zygote "$@"

            """.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return script;
    }

    /// <summary>
    /// A new page in its own context, in Simplified Chinese, at the given viewport (the kiosk's 1080×1920 by default),
    /// opened at <paramref name="url"/> if given — leave it out to add routes before the first navigation.
    /// </summary>
    public static async Task<IPage> OpenAsync(IBrowser browser, string? url = null, ViewportSize? viewport = null)
    {
        var context = await browser.NewContextAsync(new()
        {
            ViewportSize = viewport ?? Kiosk,
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            HasTouch = true,
        });
        var page = await context.NewPageAsync();
        if (url is not null)
        {
            await page.GotoAsync(url);
        }
        return page;
    }

    /// <summary>Saves the page as TestResults/screenshots/{name}.png under the repository root and attaches it to the test.</summary>
    public static async Task<string> Screenshot(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryRoot(), "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".png");
        await page.ScreenshotAsync(new() { Path = path });
        TestContext.AddTestAttachment(path, name);
        return path;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hall.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Hall.sln above {AppContext.BaseDirectory}.");
    }
}
