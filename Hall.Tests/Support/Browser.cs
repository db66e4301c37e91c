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

    /// <summary>
    /// Environment variable: run every test's Chromium with its machine clock at this libfaketime time (e.g.
    /// <c>@2027-12-06 02:00:00</c>, a year ahead), to show that no browser test depends on the date it runs on.
    /// </summary>
    public const string MachineTimeVariable = "HALL_TEST_BROWSER_TIME";

    /// <param name="machineTime">
    /// The time Chromium's machine clock starts at (libfaketime's <c>@yyyy-MM-dd HH:mm:ss</c>, UTC), e.g. a year ahead of the
    /// real one; by default <see cref="MachineTimeVariable"/> or the real clock.
    /// </param>
    public static async Task<(IPlaywright, IBrowser)> LaunchAsync(string? machineTime = null)
    {
        if (!File.Exists(ChromiumPath))
        {
            if (PostgresCluster.OnCi)
            {
                Assert.Fail(Missing);
            }
            Assert.Ignore(Missing);
        }
        machineTime ??= Environment.GetEnvironmentVariable(MachineTimeVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        var executable = machineTime is null ? ChromiumPath : FakeTimeChromium(machineTime);
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = executable, Headless = true, Args = Args });
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

    private const string FakeTimeMissing = "faketime is missing — install it with `apt-get install faketime` to run Chromium on another date.";

    /// <summary>
    /// A launcher that runs Chromium under libfaketime with its wall clock at <paramref name="machineTime"/> (its monotonic
    /// clock stays real, so timers run as usual). Without the zygote: Chromium's zygote does not start under libfaketime.
    /// </summary>
    private static string FakeTimeChromium(string machineTime)
    {
        if (!File.Exists("/usr/bin/faketime"))
        {
            if (PostgresCluster.OnCi)
            {
                Assert.Fail(FakeTimeMissing);
            }
            Assert.Ignore(FakeTimeMissing);
        }
        var script = Path.Combine(Path.GetTempPath(), $"hall-chromium-{Guid.NewGuid():N}.sh");
        File.WriteAllText(script, $"""
            #!/bin/sh
            export FAKETIME_DONT_FAKE_MONOTONIC=1
            exec /usr/bin/faketime -f '{machineTime.Replace("'", "", StringComparison.Ordinal)}' {ChromiumPath} --no-zygote "$@"

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
