using Hall.Server.Bookings;
using Hall.Server.Halls;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>The admin's 号源与预约 page in Chromium: a service's slots set and changed without dropping a booking, the booking rules validated.</summary>
[TestFixture, NonParallelizable]
public sealed class BookingSettingsPageTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));

    private HallApp _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private DemoCredentials _credentials = null!;
    private int _serviceId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("booking-settings", Now);
        _credentials = await _app.SeedHallAsync();
        await using var db = _app.Db();
        _serviceId = await db.Services.Where(s => s.HallId == _credentials.HallId).OrderBy(s => s.SortOrder).Select(s => s.Id).FirstAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static ILocator By(ILocator scope, string testId) => scope.Locator($"[data-testid=\"{testId}\"]");

    [Test]
    public async Task The_admin_opens_a_service_for_booking_and_a_change_lists_the_bookings_it_leaves_outside_without_dropping_them()
    {
        var page = await StaffPages.SignInAsync(_browser, _app.BaseAddress, _credentials, "admin", "/admin/bookings");
        var row = page.Locator($"[data-testid=\"schedule-{_serviceId}\"]");
        await By(row, "active").CheckAsync();
        await By(row, "slot-minutes").FillAsync("30");
        await By(row, "capacity").FillAsync("2");
        await By(row, "save").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=\"message\"]")).ToHaveTextAsync("已保存：社保业务");

        var bookings = _app.Services.GetRequiredService<BookingService>();
        var nine = await bookings.BookAsync(_credentials.HallId, new BookRequest(Guid.NewGuid(), _serviceId, null, new DateOnly(2026, 11, 27), new TimeOnly(9, 0), "王小华", "410102196001010019", "13800001234"), default);
        var half = await bookings.BookAsync(_credentials.HallId, new BookRequest(Guid.NewGuid(), _serviceId, null, new DateOnly(2026, 11, 27), new TimeOnly(9, 30), "李建国", "410102196001010035", "13900005678"), default);
        Assert.That((nine.Refusal, half.Refusal), Is.EqualTo(((Hall.Server.Queue.Refusal?)null, (Hall.Server.Queue.Refusal?)null)));

        // Hour-long slots: 09:30 is no longer a slot. The booking stands and is listed to be called.
        await By(row, "slot-minutes").FillAsync("60");
        await By(row, "save").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=\"message\"]")).ToHaveTextAsync("已保存：社保业务。有 1 个预约不在新的号源内，仍然有效，将短信告知群众。");
        var affected = page.Locator($"[data-testid=\"affected-{half.Booking!.Code}\"]");
        await Assertions.Expect(affected).ToHaveTextAsync($"{BookingCodes.Display(half.Booking.Code)}2026-11-2709:30李*国139****5678");
        await Browser.Screenshot(page, "booking-settings-1-affected");
        await using (var db = _app.Db())
        {
            Assert.That(await db.Bookings.CountAsync(b => b.State == BookingState.Booked), Is.EqualTo(2), "no booking was dropped");
            Assert.That((await db.SlotSchedules.SingleAsync(s => s.ServiceId == _serviceId)).SlotMinutes, Is.EqualTo(60));
        }

        // Rules: zero open bookings per person is refused and changes nothing; three is kept.
        await By(page.Locator("body"), "max-open").FillAsync("0");
        await By(page.Locator("body"), "save-rules").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=\"message\"]")).ToContainTextAsync("预约规则有误");
        await By(page.Locator("body"), "max-open").FillAsync("3");
        // The reminder SMS: two hours before by default; a day and a half is refused, an hour is kept.
        await Assertions.Expect(By(page.Locator("body"), "reminder-minutes")).ToHaveValueAsync("120");
        await By(page.Locator("body"), "reminder-minutes").FillAsync("2160");
        await By(page.Locator("body"), "save-rules").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=\"message\"]")).ToContainTextAsync("提前 0–1440 分钟短信提醒");
        await using (var db = _app.Db())
        {
            Assert.That((await db.Halls.SingleAsync(h => h.Id == _credentials.HallId)).Booking.MaxOpenPerPerson, Is.EqualTo(2), "a refused save changes nothing");
        }
        await By(page.Locator("body"), "reminder-minutes").FillAsync("60");
        await By(page.Locator("body"), "save-rules").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=\"message\"]")).ToHaveTextAsync("预约规则已保存");
        await using (var db = _app.Db())
        {
            Assert.That((await db.Halls.SingleAsync(h => h.Id == _credentials.HallId)).Booking.MaxOpenPerPerson, Is.EqualTo(3));
            Assert.That((await db.Halls.SingleAsync(h => h.Id == _credentials.HallId)).Booking.ReminderMinutesBefore, Is.EqualTo(60));
            Assert.That(await db.AuditEntries.CountAsync(a => a.Action == "booking.schedule"), Is.EqualTo(2));
        }
    }
}
