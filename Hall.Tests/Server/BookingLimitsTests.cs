using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Bookings;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// The booking API's limits per person and per booking code over HTTP on the real server: one ID number cannot keep
/// trying to book, one code cannot be looked up or cancelled over and over — whatever address the requests come from.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class BookingLimitsTests
{
    // Friday 20 November 2026, 10:00 in the hall: Friday the 27th is released.
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));

    private HallApp _app = null!;
    private HttpClient _http = null!;
    private string _hall = "";
    private int _serviceId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // The limits per address lifted out of the way; three booking attempts per ID number and five lookups per code a minute.
        _app = await HallApp.StartAsync("booking-limits", Now, settings: new Dictionary<string, string?>
        {
            ["Hall:Booking:BookPerMinute"] = "1000",
            ["Hall:Booking:LookupPerMinute"] = "1000",
            ["Hall:Booking:BookPerPersonPerMinute"] = "3",
            ["Hall:Booking:LookupPerCodePerMinute"] = "5",
        });
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

    private async Task<HttpResponseMessage> BookAsync(Guid requestId, string start, string idNumber) =>
        await _http.PostAsJsonAsync($"/api/booking/{_hall}/bookings",
            new { requestId, serviceId = _serviceId, date = "2026-11-27", start, name = "李建国", idNumber, mobile = "13912345678" });

    private static async Task AssertTooManyAsync(HttpResponseMessage response, string messageEn)
    {
        var json = await JsonAsync(response);
        Assert.That((response.StatusCode, json.GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.TooManyRequests, "too_many_requests")));
        Assert.That(json.GetProperty("messageEn").GetString(), Is.EqualTo(messageEn));
        Assert.That(json.GetProperty("messageZh").GetString(), Does.Contain("过于频繁"));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(60)));
    }

    [Test]
    public async Task One_ID_number_that_tries_to_book_too_often_is_told_to_wait_and_nothing_is_stored()
    {
        const string person = "410102196001010019";
        var first = Guid.NewGuid();
        Assert.That((await BookAsync(first, "09:00", person)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await BookAsync(first, "09:00", person)).StatusCode, Is.EqualTo(HttpStatusCode.Created), "a resend answers the same booking");
        Assert.That((await BookAsync(Guid.NewGuid(), "09:30", person)).StatusCode, Is.EqualTo(HttpStatusCode.Created));

        // The fourth attempt of the minute.
        await AssertTooManyAsync(await BookAsync(Guid.NewGuid(), "10:00", person), "Too many booking attempts for this ID number: try again in a minute.");
        await using (var db = _app.Db())
        {
            Assert.That(await db.Bookings.CountAsync(b => b.IdMasked == "4101**********0019"), Is.EqualTo(2), "two bookings, the refused attempt stored nothing");
            Assert.That(await db.Bookings.CountAsync(b => b.Start == new TimeOnly(10, 0)), Is.Zero);
        }

        // Another person from the same address books as before.
        var other = await BookAsync(Guid.NewGuid(), "10:00", "410102196001010035");
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Created), await other.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task One_booking_code_looked_up_too_often_is_told_to_wait_and_cannot_be_cancelled_meanwhile()
    {
        var booked = await BookAsync(Guid.NewGuid(), "11:00", "410102196001010051");
        var code = (await JsonAsync(booked)).GetProperty("code").GetString()!;
        var otherCode = (await JsonAsync(await BookAsync(Guid.NewGuid(), "11:00", "410102196001010078"))).GetProperty("code").GetString()!;

        for (var i = 0; i < 5; i++)
        {
            // Written as people type it, each time otherwise: it is the same code.
            var written = i % 2 == 0 ? code : code.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
            Assert.That((await _http.GetAsync($"/api/booking/{_hall}/bookings/{written}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        await AssertTooManyAsync(await _http.GetAsync($"/api/booking/{_hall}/bookings/{code}"), "Too many requests for this booking code: try again in a minute.");
        await AssertTooManyAsync(await _http.DeleteAsync($"/api/booking/{_hall}/bookings/{code}"), "Too many requests for this booking code: try again in a minute.");
        await using (var db = _app.Db())
        {
            var stored = BookingCodes.Normalize(code);
            Assert.That(await db.Bookings.Where(b => b.Code == stored).Select(b => b.State).SingleAsync(), Is.EqualTo(BookingState.Booked), "the refused cancel changed nothing");
        }

        // Another code is looked up as before.
        Assert.That((await _http.GetAsync($"/api/booking/{_hall}/bookings/{otherCode}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
