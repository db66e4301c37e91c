using System.Text;
using Hall.Server.Contracts;
using Hall.Tests.Outbox;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// The admin's 事件推送 page in Chromium: a bad address is refused in both languages' Chinese text and nothing is added;
/// an endpoint registered there shows its secret once; its delivery log shows each event's attempts, status code and error.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class WebhookPageTests
{
    [Test]
    public async Task The_delivery_log_shows_each_events_attempts_and_status()
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        await using var receiver = new StandInReceiver("/county/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await receiver.StartAsync();
        await using var app = await HallApp.StartAsync("webhook-page");
        await using var hall = await SeededHall.CreateAsync(app, openAllDay: true);
        await using var kit = await OutboxTestKit.StartAsync(app, hall);

        var page = await StaffPages.SignInAsync(browser, app, hall, "admin", "/admin/webhooks");
        ILocator By(string testId) => page.Locator($"[data-testid=\"{testId}\"]");
        await Assertions.Expect(By("admin-nav")).ToBeVisibleAsync(new() { Timeout = 20_000 });

        await By("new-url").FillAsync("county.example/events");
        await By("register").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("接收地址须为完整的 http 或 https 网址（不含用户名密码），未作任何更改");
        await using (var db = app.Db())
        {
            Assert.That(await db.WebhookEndpoints.CountAsync(), Is.Zero);
        }

        await By("new-url").FillAsync(receiver.Url);
        await By("event-complaint.*").UncheckAsync();
        await By("event-ticket.case_number").UncheckAsync();
        await By("register").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync($"已登记：{receiver.Url}");
        var secret = await By("secret").TextContentAsync();
        Assert.That(secret, Has.Length.EqualTo(43));
        receiver.Secret = Encoding.UTF8.GetBytes(secret!);
        int endpointId;
        await using (var db = app.Db())
        {
            endpointId = await db.WebhookEndpoints.Select(w => w.Id).SingleAsync();
        }
        var endpoint = By($"endpoint-{endpointId}");
        await Assertions.Expect(endpoint.Locator("[data-testid=events]")).ToHaveTextAsync("ticket.issued，ticket.called，ticket.finished，ticket.rated");

        receiver.NextStatuses.Enqueue(503);
        var (_, ticketId, _) = await kit.RateAsync(RatingLevel.VerySatisfied);
        await kit.SettleAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(10));
        await kit.SettleAsync();

        await page.ReloadAsync();
        await Assertions.Expect(By("admin-nav")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await endpoint.Locator("[data-testid=log]").ClickAsync();
        await Assertions.Expect(endpoint.Locator("[data-testid=counts]")).ToHaveTextAsync("0 / 4 / 0");
        var issuedId = receiver.Accepted.First(p => p.Json.GetProperty("type").GetString() == "ticket.issued").Json.GetProperty("id").GetString();
        var issued = By($"delivery-{issuedId}");
        await Assertions.Expect(issued.Locator("[data-testid=type]")).ToHaveTextAsync("ticket.issued");
        await Assertions.Expect(issued.Locator("[data-testid=state]")).ToHaveTextAsync("已送达");
        await Assertions.Expect(issued.Locator("[data-testid=attempts]")).ToHaveTextAsync("2");
        await Assertions.Expect(issued.Locator("[data-testid=status]")).ToHaveTextAsync("200");
        await Assertions.Expect(By("deliveries").Locator("tbody tr")).ToHaveCountAsync(4);
        await Assertions.Expect(By("deliveries").Locator("[data-testid=attempts]")).ToHaveTextAsync(["1", "1", "1", "2"]);
        await Browser.Screenshot(page, "webhooks-delivery-log");

        Assert.That(receiver.Posts.Select(p => p.Status), Is.EqualTo(new[] { 503, 200, 200, 200, 200 }));
        Assert.That(receiver.Posts.All(p => p.SignatureValid), Is.True);
        Assert.That(receiver.Accepted.Select(p => p.Json.GetProperty("data").GetProperty("ticketId").GetInt64()).Distinct(), Is.EqualTo(new[] { ticketId }));
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
