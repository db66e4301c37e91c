using System.Globalization;
using System.Text;
using Hall.Server.Contracts;
using Hall.Server.Outbox;
using Hall.Tests.Outbox;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// The 事件推送 page in Chromium: an event box left unticked stays unticked after a registration (refused or done) and the
/// endpoint gets what the boxes showed; the admin edits an endpoint's address and events, rotates its secret (the new
/// one shown once, the old one's end of validity shown), and pauses it; the delivery log names the ticket by its number
/// and day; the receiver at the new address verifies each request with either secret.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class WebhookEditPageTests
{
    [Test]
    public async Task The_admin_edits_rotates_and_pauses_an_endpoint_and_reads_the_ticket_in_the_log()
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        await using var receiver = new StandInReceiver("/county/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await receiver.StartAsync();
        await using var moved = new StandInReceiver("/county/v2/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await moved.StartAsync();
        await using var app = await HallApp.StartAsync("webhook-edit-page");
        await using var hall = await SeededHall.CreateAsync(app, openAllDay: true);
        await using var kit = await OutboxTestKit.StartAsync(app, hall);

        var page = await StaffPages.SignInAsync(browser, app, hall, "admin", "/admin/webhooks");
        ILocator By(string testId) => page.Locator($"[data-testid=\"{testId}\"]");
        await Assertions.Expect(By("admin-nav")).ToBeVisibleAsync(new() { Timeout = 20_000 });

        // The complaint.* box unticked stays unticked through a refused and a done registration.
        await By("event-complaint.*").UncheckAsync();
        await By("event-ticket.case_number").UncheckAsync();
        await By("new-url").FillAsync("county.example/events");
        await By("register").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("接收地址须为完整的 http 或 https 网址（不含用户名密码），未作任何更改");
        await Assertions.Expect(By("event-complaint.*")).Not.ToBeCheckedAsync();
        await By("new-url").FillAsync(receiver.Url);
        await By("register").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync($"已登记：{receiver.Url}");
        await Assertions.Expect(By("event-complaint.*")).Not.ToBeCheckedAsync();
        await Assertions.Expect(By("event-ticket.issued")).ToBeCheckedAsync();
        var old = Encoding.UTF8.GetBytes((await By("secret").TextContentAsync())!);
        int endpointId;
        string zoneId;
        await using (var db = app.Db())
        {
            endpointId = await db.WebhookEndpoints.Select(w => w.Id).SingleAsync();
            zoneId = await db.Halls.Where(h => h.Id == hall.HallId).Select(h => h.TimeZoneId).SingleAsync();
        }
        var endpoint = By($"endpoint-{endpointId}");
        await Assertions.Expect(endpoint.Locator("[data-testid=events]")).ToHaveTextAsync("ticket.issued，ticket.called，ticket.finished，ticket.rated");

        // Edit: a bad address is refused and the row keeps its address; then the new address and events are saved.
        await endpoint.Locator("[data-testid=edit]").ClickAsync();
        await Assertions.Expect(By("edit-url")).ToHaveValueAsync(receiver.Url);
        await Assertions.Expect(By("edit-event-complaint.*")).Not.ToBeCheckedAsync();
        await By("edit-url").FillAsync("ftp://county.example/events");
        await endpoint.Locator("[data-testid=save]").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("接收地址须为完整的 http 或 https 网址（不含用户名密码），未作任何更改");
        await By("edit-url").FillAsync(moved.Url);
        await By("edit-event-ticket.rated").UncheckAsync();
        await By("edit-event-complaint.*").CheckAsync();
        await endpoint.Locator("[data-testid=save]").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync($"已保存：{moved.Url}");
        await Assertions.Expect(endpoint.Locator("[data-testid=url]")).ToHaveTextAsync(moved.Url);
        await Assertions.Expect(endpoint.Locator("[data-testid=events]")).ToHaveTextAsync("ticket.issued，ticket.called，ticket.finished，complaint.*");

        // Rotate: asked first, then the new secret shown once and the old one's end of validity.
        await endpoint.Locator("[data-testid=rotate]").ClickAsync();
        await Assertions.Expect(endpoint.Locator("[data-testid=rotate-confirm]")).ToContainTextAsync("生成新密钥？旧密钥在 24 小时内仍可验签。");
        await endpoint.Locator("[data-testid=rotate-yes]").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync($"已更换密钥：{moved.Url}");
        var until = TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow().AddHours(24), TimeZoneInfo.FindSystemTimeZoneById(zoneId)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        await Assertions.Expect(By("overlap")).ToHaveTextAsync($"旧密钥到 {until} 前仍可验签：这期间每个请求同时带新旧两个签名，接收方换好新密钥即可，不丢事件。");
        await Assertions.Expect(endpoint.Locator("[data-testid=rotation]")).ToHaveTextAsync($"旧密钥有效至 {until}");
        var secret = await By("secret").TextContentAsync();
        Assert.That(secret, Has.Length.EqualTo(43));
        var fresh = Encoding.UTF8.GetBytes(secret!);
        Assert.That(fresh, Is.Not.EqualTo(old));
        await Browser.Screenshot(page, "webhooks-rotated");

        // A ticket's events go to the new address, each verifying with either secret; the log names the ticket.
        moved.Secret = fresh;
        var (ticketId, number) = await kit.ServeAsync();
        await kit.SettleAsync();
        Assert.That(moved.Accepted.Select(p => p.Json.GetProperty("type").GetString()), Is.EqualTo(new[] { "ticket.issued", "ticket.called", "ticket.finished" }));
        Assert.That(receiver.Posts, Is.Empty, "nothing to the old address");
        foreach (var post in moved.Accepted)
        {
            var signatures = post.Headers["X-Hall-Signature"].Split(',');
            bool Verifies(byte[] key) => signatures.Any(s => OutboxSigning.Verify(key, post.Headers["X-Hall-Timestamp"], post.Headers["X-Hall-Nonce"], post.Body, s));
            Assert.That((signatures.Length, Verifies(old), Verifies(fresh)), Is.EqualTo((2, true, true)));
        }
        DateOnly day;
        await using (var db = app.Db())
        {
            day = await db.Tickets.Where(t => t.Id == ticketId).Select(t => t.BusinessDate).SingleAsync();
        }
        await endpoint.Locator("[data-testid=log]").ClickAsync();
        await Assertions.Expect(By("deliveries").Locator("[data-testid=subject]")).ToHaveTextAsync(Enumerable.Repeat($"{number} · {day:MM-dd}", 3).ToArray());
        await Assertions.Expect(endpoint.Locator("[data-testid=counts]")).ToHaveTextAsync("0 / 3 / 0");

        // Pause: the row says so; a ticket issued meanwhile is not sent.
        await endpoint.Locator("[data-testid=toggle]").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync($"已暂停推送：{moved.Url}");
        await Assertions.Expect(endpoint.Locator("[data-testid=state]")).ToHaveTextAsync("已暂停");
        await Assertions.Expect(endpoint.Locator("[data-testid=toggle]")).ToHaveTextAsync("恢复");
        (await kit.Kiosk.IssueAsync(kit.ServiceId)).Ok();
        await kit.SettleAsync();
        Assert.That(moved.Posts, Has.Count.EqualTo(3));
        await using (var db = app.Db())
        {
            Assert.That(await db.AuditEntries.Where(a => a.Subject == $"webhook:{endpointId}").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(),
                Is.EqualTo(new[] { "webhook.create", "webhook.update", "webhook.rotate_secret", "webhook.stop" }));
        }
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
