using Hall.Server.Staff;
using Hall.Tests.Support;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// A county PC's clock is often days off, and a test's server clock is fixed while the browser lives on the real date:
/// signing in holds whatever the two clocks say, because the session cookie's lifetime is a Max-Age the browser counts on
/// its own clock. Shown with the server a year behind and a year ahead of Chromium, and with Chromium's machine clock set a
/// year ahead by libfaketime while the server keeps the suite's fixed Monday.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ClockSkewTests
{
    [TestCase(-365)]
    [TestCase(365)]
    public async Task A_supervisor_signs_in_and_stays_signed_in_with_the_server_clock_a_year_off_the_browser(int days)
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        try
        {
            await SignInAndBrowseAsync(browser, DateTimeOffset.UtcNow.AddDays(days));
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    [Test]
    public async Task A_supervisor_signs_in_from_a_browser_whose_machine_clock_is_a_year_ahead()
    {
        var (playwright, browser) = await Browser.LaunchAsync(daysAhead: 365);
        var yearAhead = DateTimeOffset.UtcNow.AddDays(365);
        try
        {
            var page = await SignInAndBrowseAsync(browser, HallApp.MondayMorning);
            var browserNow = DateTimeOffset.FromUnixTimeMilliseconds((long)await page.EvaluateAsync<double>("Date.now()"));
            Assert.That(browserNow - yearAhead, Is.LessThan(TimeSpan.FromMinutes(10)).And.GreaterThan(TimeSpan.Zero), "Chromium ran a year ahead");
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    /// <summary>Signs the supervisor in on a server whose clock reads <paramref name="serverNow"/>, then opens two more pages; the last page.</summary>
    private static async Task<IPage> SignInAndBrowseAsync(IBrowser browser, DateTimeOffset serverNow)
    {
        await using var app = await HallApp.StartAsync("clock-skew", serverNow);
        await using var hall = await SeededHall.CreateAsync(app, openAllDay: true);
        var page = await StaffPages.SignInAsync(browser, app, hall, "supervisor", "/wall");
        await Assertions.Expect(page.Locator("[data-testid=\"wall\"]")).ToBeVisibleAsync(new() { Timeout = 20_000 });

        // The cookie lasts the session's 12 hours on the browser's own clock, whatever the server's clock says.
        var browserNow = DateTimeOffset.FromUnixTimeMilliseconds((long)await page.EvaluateAsync<double>("Date.now()"));
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == Hall.Server.Security.HallAuth.Cookie);
        var lifetime = DateTimeOffset.FromUnixTimeMilliseconds((long)(session.Expires * 1000)) - browserNow;
        Assert.That(lifetime, Is.EqualTo(StaffLogin.SessionLength).Within(TimeSpan.FromMinutes(2)));

        // Still signed in on the next pages: not sent back to the sign-in page.
        await page.GotoAsync(new Uri(app.BaseAddress, "/reports").ToString());
        await Assertions.Expect(page.Locator("[data-testid=\"reports\"]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await page.GotoAsync(new Uri(app.BaseAddress, "/wall").ToString());
        await Assertions.Expect(page.Locator("[data-testid=\"wall\"]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/wall"));
        return page;
    }
}
