using Hall.Server.Bookings;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>线上取号 on the phone (390×844) in Chromium against the real server: choose the service, give the ID and mobile, land on the ticket's live page.</summary>
[TestFixture, NonParallelizable]
public sealed class RemoteTicketPageTests
{
    private static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private HallApp _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private int _serviceId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        // Monday 30 November 2026, 10:00: the hall is open.
        _app = await HallApp.StartAsync("remote-ticket-page");
        var hallId = (await _app.SeedHallAsync()).HallId;
        _serviceId = await _app.ServiceIdAsync(hallId, "huzheng");
        await using var db = _app.Db();
        db.SlotSchedules.Add(new SlotSchedule { HallId = hallId, ServiceId = _serviceId, RemoteTickets = true });
        await db.SaveChangesAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    [Test]
    public async Task A_citizen_takes_a_number_on_the_phone_and_lands_on_its_live_page()
    {
        var page = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, "/book/xinxian").ToString(), Phone);
        await By(page, $"service-{_serviceId}").ClickAsync();
        await By(page, "remote-ticket").ClickAsync();
        await By(page, "id-number").FillAsync("41010219600101001X");
        await By(page, "mobile").FillAsync("13912345678");
        await By(page, "take").ClickAsync();
        await Assertions.Expect(By(page, "error")).ToHaveTextAsync("身份证号码不正确");

        await By(page, "id-number").FillAsync("410102196001010019");
        await By(page, "take").ClickAsync();

        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/t/[a-z2-9]{16}$"));
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("D001");
        await Browser.Screenshot(page, "remote-ticket-live");
        await using var db = _app.Db();
        var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.ServiceId == _serviceId);
        Assert.That((ticket.Number, ticket.IdMasked, ticket.MobileMasked), Is.EqualTo(("D001", "4101**********0019", "139****5678")));
        Assert.That(page.Url, Does.EndWith("/t/" + ticket.TrackingCode));
    }
}
