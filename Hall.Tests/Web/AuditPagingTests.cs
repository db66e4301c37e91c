using Hall.Server.Admin;
using Hall.Tests.Support;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// The audit log that hurts (issue 15): a hall's log grows for years; its page shows 100 entries at a time, newest
/// first, and the admin goes to older and newer pages with the keyboard — every entry can be reached, none is cut off.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class AuditPagingTests() : HallFixture("audit-paging")
{
    private const int Entries = 250;

    [Test]
    public async Task The_audit_log_shows_a_hundred_entries_a_page_newest_first_and_reaches_the_oldest_by_keyboard()
    {
        await using (var db = App.Db())
        {
            var at = App.Clock.GetUtcNow().AddDays(-30);
            for (var i = 1; i <= Entries; i++)
            {
                db.AuditEntries.Add(new AuditEntry { HallId = Seeded.HallId, StaffId = 1, StaffName = "管理员", At = at.AddMinutes(i), Action = "service.update", Subject = $"paging:{i}", Before = "{}", After = "{}" });
            }
            await db.SaveChangesAsync();
        }
        var (playwright, browser) = await Browser.LaunchAsync();
        try
        {
            var page = await StaffPages.SignInAsync(browser, App, Seeded, "admin", "/admin/audit");
            var rows = page.Locator("[data-testid=\"audit\"] tbody tr");
            var subjects = rows.Locator("td:nth-child(4)");
            var label = page.Locator("[data-testid=\"audit-page\"]");
            // The pager's label reads 第 1 页 before the page has loaded; the loaded navigation says the rows are there.
            await Assertions.Expect(page.Locator("[data-testid=\"admin-nav\"]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await Assertions.Expect(label).ToContainTextAsync("第 1 页");
            Assert.That(await rows.CountAsync(), Is.EqualTo(100), "a hundred entries a page");
            var first = await subjects.AllInnerTextsAsync();
            Assert.That(first.Where(s => s.StartsWith("paging:", StringComparison.Ordinal)).Take(3), Is.EqualTo(new[] { "paging:250", "paging:249", "paging:248" }), "newest first");
            Assert.That(await page.Locator("[data-testid=\"audit-newer\"]").CountAsync(), Is.Zero, "nothing newer than the first page");
            await Browser.Screenshot(page, "admin-audit-page-1");

            // Older pages with the keyboard until the oldest entry shows.
            var seen = new List<string>(first);
            for (var n = 2; !seen.Contains("paging:1"); n++)
            {
                Assert.That(n, Is.LessThan(10), "the oldest entry is reached");
                var older = page.Locator("[data-testid=\"audit-older\"]");
                await older.FocusAsync();
                await page.Keyboard.PressAsync("Enter");
                await Assertions.Expect(label).ToContainTextAsync($"第 {n} 页");
                await Assertions.Expect(page.Locator("[data-testid=\"admin-nav\"]")).ToBeVisibleAsync();
                seen.AddRange(await subjects.AllInnerTextsAsync());
            }
            Assert.That(await page.Locator("[data-testid=\"audit-older\"]").CountAsync(), Is.Zero, "nothing older than the last page");
            var paged = seen.Where(s => s.StartsWith("paging:", StringComparison.Ordinal)).ToList();
            Assert.That(paged, Is.EqualTo(Enumerable.Range(1, Entries).Reverse().Select(i => $"paging:{i}")), "every entry once, newest to oldest");

            var newer = page.Locator("[data-testid=\"audit-newer\"]");
            await newer.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(label).ToContainTextAsync("第 2 页");
            Assert.That(await rows.CountAsync(), Is.EqualTo(100), "back to a full page");
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
