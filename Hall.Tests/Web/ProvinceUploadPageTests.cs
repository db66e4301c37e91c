using System.Globalization;
using System.Text;
using Hall.Server.Contracts;
using Hall.Tests.Outbox;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// The admin's 好差评上传 page in Chromium: a rating the province kept refusing shows as failed with the province's
/// answer; 重新上传 sends it, and the page then reads it as uploaded.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ProvinceUploadPageTests
{
    [Test]
    public async Task A_failed_upload_shows_its_error_and_sending_it_again_uploads_it()
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        await using var province = new StandInReceiver("/hcp/api/evaluation", "X-Hcp-Timestamp", "X-Hcp-Nonce", "X-Hcp-Sign") { Secret = Encoding.UTF8.GetBytes("province-secret-2026") };
        await province.StartAsync();
        var settings = ProvinceUploadTests.Settings(province);
        settings["Hall:Outbox:MaxAttempts"] = "2";
        await using var app = await HallApp.StartAsync("province-page", settings: settings);
        await using var hall = await SeededHall.CreateAsync(app, openAllDay: true);
        await using var kit = await OutboxTestKit.StartAsync(app, hall);
        province.Status = 500;
        var (ratingId, _, number) = await kit.RateAsync(RatingLevel.Dissatisfied, ["服务态度差"]);
        var id = ratingId.ToString(CultureInfo.InvariantCulture);
        await kit.SettleAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(10));
        await kit.SettleAsync();

        var page = await StaffPages.SignInAsync(browser, app, hall, "admin", "/admin/uploads");
        ILocator By(string testId) => page.Locator($"[data-testid=\"{testId}\"]");
        await Assertions.Expect(By("admin-nav")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(By("counts")).ToHaveTextAsync("待上传 0 · 已上传 0 · 失败 1");
        var row = By($"upload-{id}");
        await Assertions.Expect(row.Locator("[data-testid=subject]")).ToHaveTextAsync($"{number} · 不满意");
        await Assertions.Expect(row.Locator("[data-testid=state]")).ToHaveTextAsync("失败");
        await Assertions.Expect(row.Locator("[data-testid=attempts]")).ToHaveTextAsync("2");
        await Assertions.Expect(row.Locator("[data-testid=error]")).ToHaveTextAsync("HTTP 500 Internal Server Error");
        await Browser.Screenshot(page, "province-upload-1-failed");

        province.Status = 200;
        await row.Locator("[data-testid=retry]").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync($"已重新排队上传：评价 {id}");
        await Assertions.Expect(row.Locator("[data-testid=state]")).ToHaveTextAsync("待上传");
        await kit.SettleAsync();
        await By("refresh").ClickAsync();
        await Assertions.Expect(By("counts")).ToHaveTextAsync("待上传 0 · 已上传 1 · 失败 0");
        await Assertions.Expect(row.Locator("[data-testid=state]")).ToHaveTextAsync("已上传");
        await Assertions.Expect(row.Locator("[data-testid=error]")).ToHaveTextAsync("");
        await Assertions.Expect(row.Locator("[data-testid=sent-at]")).ToHaveTextAsync(TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        await page.Locator("[data-testid=state-filter]").SelectOptionAsync("failed");
        await Assertions.Expect(By("none")).ToHaveTextAsync("没有记录");
        await Browser.Screenshot(page, "province-upload-2-sent");

        Assert.That(province.Accepted.Select(p => p.Json.GetProperty("pjId").GetString()), Is.EqualTo(new[] { id }), "uploaded once by id");
        await using var db = app.Db();
        Assert.That(await db.AuditEntries.CountAsync(a => a.Action == "outbox.retry" && a.Subject == $"rating:{id}"), Is.EqualTo(1));
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
