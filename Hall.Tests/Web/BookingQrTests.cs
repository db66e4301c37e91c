using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Bookings;
using Hall.Tests.Kiosk;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// The QR code of a booking, as a camera reads it off the phone's screen in Chromium against the real server: it holds the
/// booking's code as printed (ABCD-EFGH) — what the kiosk's scanner types to check in — and that code finds the booking.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class BookingQrTests
{
    // Friday 20 November 2026, 10:00 at the hall: the 27th is released.
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private HallApp _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private HttpClient _http = null!;
    private string _hall = "";
    private int _serviceId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("booking-qr", Now);
        var hallId = (await _app.SeedHallAsync()).HallId;
        await using var db = _app.Db();
        _hall = await db.Halls.Where(h => h.Id == hallId).Select(h => h.Code).SingleAsync();
        _serviceId = await db.Services.Where(s => s.HallId == hallId).OrderBy(s => s.SortOrder).Select(s => s.Id).FirstAsync();
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

    private async Task<string> BookAsync(string idNumber)
    {
        var response = await _http.PostAsJsonAsync($"/api/booking/{_hall}/bookings",
            new { requestId = Guid.NewGuid(), serviceId = _serviceId, date = "2026-11-27", start = "09:00", name = "王小华", idNumber, mobile = "13800001234" });
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
    }

    [Test]
    public async Task The_QR_on_the_booking_page_reads_as_the_bookings_code_and_that_code_finds_the_booking()
    {
        var code = await BookAsync("410102196001010019");
        var other = await BookAsync("410102196001010035");

        var page = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, $"/book/{_hall}/b/{code}").ToString(), Phone);
        await Assertions.Expect(page.Locator("[data-testid=\"code\"]")).ToHaveTextAsync(code);
        var qr = page.Locator("img.qr");
        await Assertions.Expect(qr).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => { const img = document.querySelector('img.qr'); return img.complete && img.naturalWidth > 0; }");
        await Browser.Screenshot(page, "booking-3-qr");
        var read = QrReader.Read(await qr.ScreenshotAsync());
        Assert.That(read, Is.EqualTo(code), "a camera reads the code as printed");
        Assert.That(read, Is.Not.EqualTo(other));

        // What the kiosk's scanner types finds this booking, and nothing personal is in the code.
        var found = await _http.GetFromJsonAsync<JsonElement>($"/api/booking/{_hall}/bookings/{Uri.EscapeDataString(read!)}");
        Assert.That((found.GetProperty("code").GetString(), found.GetProperty("start").GetString()), Is.EqualTo((code, "09:00")));
        await using var db = _app.Db();
        Assert.That(await db.Bookings.CountAsync(b => b.Code == BookingCodes.Normalize(read)), Is.EqualTo(1));
    }

    [Test]
    public async Task The_QR_image_on_its_own_reads_as_the_code_it_was_asked_for()
    {
        var code = await BookAsync("410102196001010051");
        var page = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, $"/api/booking/{_hall}/bookings/{code}/qr.svg").ToString(), Phone);
        Assert.That(QrReader.Read(await page.ScreenshotAsync()), Is.EqualTo(code));
    }
}
