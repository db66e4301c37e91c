using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Bookings;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// The booking page's item search (as on the kiosk: 汉字, full pinyin or initials) on a phone (390×844) in Chromium against
/// the real server, and its API: only items of bookable services are found, and an item of another service is refused.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class BookingItemPageTests
{
    // Friday 20 November 2026, 10:00 at the hall: the 27th is the last date released (7 days ahead at 08:00).
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private HallApp _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private HttpClient _http = null!;
    private string _hall = "";
    private int _serviceId;
    private int _cardItemId;
    private int _otherServiceItemId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("booking-items", Now);
        var hallId = (await _app.SeedHallAsync()).HallId;
        await using var db = _app.Db();
        _hall = await db.Halls.Where(h => h.Id == hallId).Select(h => h.Code).SingleAsync();
        // 社保业务 takes bookings; 医保业务 does not.
        _serviceId = await db.Services.Where(s => s.HallId == hallId && s.Name == "社保业务").Select(s => s.Id).SingleAsync();
        _cardItemId = await db.ServiceItems.Where(i => i.HallId == hallId && i.Name == "社会保障卡申领").Select(i => i.Id).SingleAsync();
        _otherServiceItemId = await db.ServiceItems.Where(i => i.HallId == hallId && i.Name == "异地就医备案").Select(i => i.Id).SingleAsync();
        db.SlotSchedules.Add(new SlotSchedule { HallId = hallId, ServiceId = _serviceId, SlotMinutes = 30, Capacity = 2 });
        await db.SaveChangesAsync();
        _http = new HttpClient { BaseAddress = _app.BaseAddress };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    [Test]
    public async Task A_citizen_finds_an_item_by_its_pinyin_initials_books_it_and_the_booking_shows_the_item()
    {
        var page = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, $"/book/{_hall}").ToString(), Phone);
        await By(page, "item-search").FillAsync("shbzk");
        await Assertions.Expect(By(page, $"item-{_cardItemId}")).ToContainTextAsync("社会保障卡申领");
        await Assertions.Expect(By(page, $"item-{_cardItemId}")).ToContainTextAsync("社保业务");
        await Browser.Screenshot(page, "booking-item-1-found");
        await By(page, $"item-{_cardItemId}").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("第二步：社会保障卡申领（社保业务），请选择日期");
        await By(page, "date-2026-11-27").ClickAsync();
        await By(page, "slot-10:00").ClickAsync();
        await By(page, "name").FillAsync("王小华");
        await By(page, "id-number").FillAsync("410102196001010019");
        await By(page, "mobile").FillAsync("13800001234");
        await By(page, "submit").ClickAsync();
        await Assertions.Expect(By(page, "booked")).ToHaveTextAsync("预约成功");
        await Assertions.Expect(By(page, "booking-facts")).ToContainTextAsync("社会保障卡申领（社保业务）");
        await Browser.Screenshot(page, "booking-item-2-booked");

        await By(page, "manage").ClickAsync();
        await Assertions.Expect(By(page, "state")).ToHaveTextAsync("已预约");
        await Assertions.Expect(By(page, "booking-facts")).ToContainTextAsync("社会保障卡申领（社保业务）");
        await using var db = _app.Db();
        var stored = await db.Bookings.SingleAsync();
        Assert.That((stored.ServiceId, stored.ServiceItemId), Is.EqualTo((_serviceId, (int?)_cardItemId)));
    }

    [Test]
    public async Task The_item_search_finds_only_bookable_items_and_an_item_of_another_service_is_refused_storing_nothing()
    {
        async Task<List<string>> FoundAsync(string q) =>
            [.. (await _http.GetFromJsonAsync<JsonElement>($"/api/booking/{_hall}/items?q={Uri.EscapeDataString(q)}")).EnumerateArray().Select(i => i.GetProperty("name").GetString()!)];
        Assert.That(await FoundAsync("社会保障卡"), Does.Contain("社会保障卡申领"), "汉字");
        Assert.That(await FoundAsync("shehuibaozhang"), Does.Contain("社会保障卡申领"), "full pinyin");
        Assert.That(await FoundAsync("yidijiuyi"), Is.Empty, "医保业务 takes no bookings");
        Assert.That(await FoundAsync(""), Is.Empty);
        var tooLong = await _http.GetAsync($"/api/booking/{_hall}/items?q={new string('a', 31)}");
        Assert.That((tooLong.StatusCode, (await tooLong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_search")));

        await using var db = _app.Db();
        var before = await db.Bookings.CountAsync();
        foreach (var (itemId, code, zh) in new[] { (_otherServiceItemId, "item_not_in_service", "该办理事项不属于所选业务，请重新选择"), (int.MaxValue, "unknown_service_item", "没有这个办理事项") })
        {
            var response = await _http.PostAsJsonAsync($"/api/booking/{_hall}/bookings", new
            {
                requestId = Guid.NewGuid(),
                serviceId = _serviceId,
                serviceItemId = itemId,
                date = "2026-11-27",
                start = "11:00",
                name = "李建国",
                idNumber = "410102196001010035",
                mobile = "13912345678",
            });
            var json = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.That((response.StatusCode, json.GetProperty("code").GetString(), json.GetProperty("messageZh").GetString()), Is.EqualTo((HttpStatusCode.BadRequest, code, zh)));
            Assert.That(json.GetProperty("messageEn").GetString(), Is.Not.Empty);
        }
        Assert.That(await db.Bookings.CountAsync(), Is.EqualTo(before), "nothing stored");
    }
}
