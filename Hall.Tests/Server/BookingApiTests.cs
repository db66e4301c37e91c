using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Bookings;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>The public booking API over HTTP on the real server: services, slots with places left, book, look up, cancel; refusals by name; a rate limit per address.</summary>
[TestFixture, NonParallelizable]
public sealed class BookingApiTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));

    private HallApp _app = null!;
    private HttpClient _http = null!;
    private string _hall = "";
    private int _serviceId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // Three bookings a minute from one address, so the limit is reached within the test.
        _app = await HallApp.StartAsync("booking-api", Now, settings: new Dictionary<string, string?> { ["Hall:Booking:BookPerMinute"] = "3" });
        var hallId = (await _app.SeedHallAsync()).HallId;
        await using var db = _app.Db();
        _hall = await db.Halls.Where(h => h.Id == hallId).Select(h => h.Code).SingleAsync();
        _serviceId = await db.Services.Where(s => s.HallId == hallId).OrderBy(s => s.SortOrder).Select(s => s.Id).FirstAsync();
        db.SlotSchedules.Add(new SlotSchedule { HallId = hallId, ServiceId = _serviceId, SlotMinutes = 30, Capacity = 3 });
        await db.SaveChangesAsync();
        _http = new HttpClient { BaseAddress = _app.BaseAddress };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    private Task<HttpResponseMessage> BookAsync(object body) => _http.PostAsJsonAsync($"/api/booking/{_hall}/bookings", body);

    [Test, Order(1)]
    public async Task A_citizen_sees_the_places_left_books_one_looks_it_up_and_cancels_it()
    {
        var services = await JsonAsync(await _http.GetAsync($"/api/booking/{_hall}/services"));
        Assert.That(services.EnumerateArray().Select(s => s.GetProperty("id").GetInt32()), Is.EqualTo(new[] { _serviceId }));
        var slots = (await JsonAsync(await _http.GetAsync($"/api/booking/{_hall}/slots?service={_serviceId}&date=2026-11-27"))).GetProperty("slots");
        Assert.That(slots.GetArrayLength(), Is.EqualTo(14));
        Assert.That((slots[0].GetProperty("start").GetString(), slots[0].GetProperty("left").GetInt32(), slots[0].GetProperty("state").GetString()), Is.EqualTo(("09:00", 3, "open")));

        var booked = await BookAsync(new { requestId = Guid.NewGuid(), serviceId = _serviceId, date = "2026-11-27", start = "09:00", name = "李建国", idNumber = "410102196001010019", mobile = "13912345678" });
        Assert.That(booked.StatusCode, Is.EqualTo(HttpStatusCode.Created), await booked.Content.ReadAsStringAsync());
        var booking = await JsonAsync(booked);
        var code = booking.GetProperty("code").GetString()!;
        Assert.That(code, Does.Match("^[2-9A-Z]{4}-[2-9A-Z]{4}$"));
        Assert.That((booking.GetProperty("nameMasked").GetString(), booking.GetProperty("idMasked").GetString(), booking.GetProperty("start").GetString(), booking.GetProperty("end").GetString()),
            Is.EqualTo(("李*国", "4101**********0019", "09:00", "09:30")));
        slots = (await JsonAsync(await _http.GetAsync($"/api/booking/{_hall}/slots?service={_serviceId}&date=2026-11-27"))).GetProperty("slots");
        Assert.That(slots[0].GetProperty("left").GetInt32(), Is.EqualTo(2), "one place taken");

        var found = await JsonAsync(await _http.GetAsync($"/api/booking/{_hall}/bookings/{code.ToLowerInvariant()}"));
        Assert.That(found.GetProperty("state").GetString(), Is.EqualTo("Booked"));
        Assert.That((await _http.DeleteAsync($"/api/booking/{_hall}/bookings/{code}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var again = await _http.DeleteAsync($"/api/booking/{_hall}/bookings/{code}");
        Assert.That((again.StatusCode, (await JsonAsync(again)).GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.Conflict, "booking_not_cancellable")));
        Assert.That((await JsonAsync(await _http.GetAsync($"/api/booking/{_hall}/bookings/{code}"))).GetProperty("state").GetString(), Is.EqualTo("Cancelled"));
    }

    [Test, Order(2)]
    public async Task Malformed_requests_are_refused_by_name_in_chinese_and_english()
    {
        foreach (var (body, code) in new (object Body, string Code)[]
        {
            (new { requestId = "x", serviceId = _serviceId, date = "2026-11-27", start = "09:00" }, "invalid_request_id"),
            (new { requestId = Guid.NewGuid(), serviceId = _serviceId, date = "27/11/2026", start = "09:00" }, "invalid_date"),
        })
        {
            var response = await BookAsync(body);
            var json = await JsonAsync(response);
            Assert.That((response.StatusCode, json.GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.BadRequest, code)));
            Assert.That(json.GetProperty("messageZh").GetString(), Is.Not.Empty);
            Assert.That(json.GetProperty("messageEn").GetString(), Is.Not.Empty);
        }
        var unknown = await _http.GetAsync("/api/booking/nowhere/services");
        Assert.That((unknown.StatusCode, (await JsonAsync(unknown)).GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.NotFound, "unknown_hall")));
        var missing = await _http.GetAsync($"/api/booking/{_hall}/bookings/ABCD-EFGH");
        Assert.That((missing.StatusCode, (await JsonAsync(missing)).GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.NotFound, "unknown_booking")));
    }

    [Test, Order(3)]
    public async Task An_address_that_books_too_often_is_told_to_wait()
    {
        // The first test booked once and the second sent two: the fourth booking request of the minute is one too many.
        var response = await BookAsync(new { requestId = Guid.NewGuid(), serviceId = _serviceId, date = "2026-11-27", start = "10:00", name = "张三", idNumber = "410102196001010035", mobile = "13912345678" });
        Assert.That((response.StatusCode, (await JsonAsync(response)).GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.TooManyRequests, "too_many_requests")));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(60)));
        await using var db = _app.Db();
        Assert.That(await db.Bookings.CountAsync(b => b.Start == new TimeOnly(10, 0)), Is.Zero, "nothing stored");
    }
}
