using Hall.Server.Bookings;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>The citizen's booking page on a phone (390×844) in Chromium against the real server: book a slot, see the code, cancel from the link.</summary>
[TestFixture, NonParallelizable]
public sealed class BookingPageTests
{
    // Friday 20 November 2026, 10:00 at the hall: the 27th is the last date released (7 days ahead at 08:00).
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private HallApp _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _hall = "";
    private int _serviceId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("booking-page", Now);
        var hallId = (await _app.SeedHallAsync()).HallId;
        await using var db = _app.Db();
        _hall = await db.Halls.Where(h => h.Id == hallId).Select(h => h.Code).SingleAsync();
        _serviceId = await db.Services.Where(s => s.HallId == hallId).OrderBy(s => s.SortOrder).Select(s => s.Id).FirstAsync();
        db.SlotSchedules.Add(new SlotSchedule { HallId = hallId, ServiceId = _serviceId, SlotMinutes = 30, Capacity = 1 });
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
    public async Task A_citizen_books_a_slot_on_the_phone_gets_a_code_and_cancels_it_from_the_link()
    {
        var page = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, $"/book/{_hall}").ToString(), Phone);
        await By(page, $"service-{_serviceId}").ClickAsync();
        // The dates run from the hall's today (the server's date, not the phone's) to seven days ahead.
        await Assertions.Expect(page.Locator("[data-testid^=\"date-\"]")).ToHaveCountAsync(8);
        await Assertions.Expect(By(page, "date-2026-11-20")).ToHaveTextAsync("11月20日 周五");
        await By(page, "date-2026-11-21").ClickAsync();
        await Assertions.Expect(By(page, "no-slots")).ToHaveTextAsync("当日不办理此业务，请选择其他日期。");
        await page.GetByText("‹ 重新选择日期").ClickAsync();
        await By(page, "date-2026-11-27").ClickAsync();
        await Assertions.Expect(By(page, "slot-09:00")).ToHaveTextAsync("09:00–09:30余 1 个");
        await By(page, "slot-09:00").ClickAsync();

        await By(page, "name").FillAsync("王小华");
        await By(page, "id-number").FillAsync("410102196001010010");
        await By(page, "mobile").FillAsync("13800001234");
        await By(page, "submit").ClickAsync();
        await Assertions.Expect(By(page, "error")).ToHaveTextAsync("身份证号码不正确");
        await using (var db = _app.Db())
        {
            Assert.That(await db.Bookings.CountAsync(), Is.Zero, "a refused booking stores nothing");
        }
        await By(page, "id-number").FillAsync("410102196001010019");
        await By(page, "submit").ClickAsync();
        await Assertions.Expect(By(page, "booked")).ToHaveTextAsync("预约成功");
        var code = await By(page, "code").InnerTextAsync();
        await Assertions.Expect(By(page, "booking-facts")).ToContainTextAsync("11月27日 周五 09:00–09:30");
        await Assertions.Expect(By(page, "booking-facts")).ToContainTextAsync("王*华 4101**********0019");
        await Browser.Screenshot(page, "booking-1-booked");
        await using (var db = _app.Db())
        {
            var stored = await db.Bookings.SingleAsync();
            Assert.That(BookingCodes.Display(stored.Code), Is.EqualTo(code));
        }

        // The slot held one: it now reads full for the next citizen.
        var next = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, $"/book/{_hall}").ToString(), Phone);
        await By(next, $"service-{_serviceId}").ClickAsync();
        await By(next, "date-2026-11-27").ClickAsync();
        await Assertions.Expect(By(next, "slot-09:00")).ToHaveTextAsync("09:00–09:30已约满");
        await Assertions.Expect(By(next, "slot-09:00")).ToBeDisabledAsync();

        await By(page, "manage").ClickAsync();
        await Assertions.Expect(By(page, "state")).ToHaveTextAsync("已预约");
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await By(page, "cancel").ClickAsync();
        await Assertions.Expect(By(page, "state")).ToHaveTextAsync("已取消");
        await Browser.Screenshot(page, "booking-2-cancelled");
        await using (var db = _app.Db())
        {
            Assert.That((await db.Bookings.SingleAsync()).State, Is.EqualTo(BookingState.Cancelled));
        }
    }
}
