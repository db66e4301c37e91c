using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Hall.Server.Bookings;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>
/// Someone guessing booking codes over HTTP on the real server finds nothing and changes nothing, and the address is
/// stopped after its lookups of the minute; the codes of real bookings do not follow one from another.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class BookingGuessTests
{
    // Friday 20 November 2026, 10:00 in the hall: Friday the 27th is released.
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateOnly Day = new(2026, 11, 27);
    private const int LookupsPerMinute = 60;

    private HallApp _app = null!;
    private HttpClient _http = null!;
    private string _hall = "";
    private readonly List<string> _codes = [];

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = await HallApp.StartAsync("booking-guess", Now, settings: new Dictionary<string, string?> { ["Hall:Booking:LookupPerMinute"] = $"{LookupsPerMinute}" });
        var hallId = (await _app.SeedHallAsync()).HallId;
        int serviceId;
        await using (var db = _app.Db())
        {
            _hall = await db.Halls.Where(h => h.Id == hallId).Select(h => h.Code).SingleAsync();
            serviceId = await db.Services.Where(s => s.HallId == hallId).OrderBy(s => s.SortOrder).Select(s => s.Id).FirstAsync();
            db.SlotSchedules.Add(new SlotSchedule { HallId = hallId, ServiceId = serviceId, SlotMinutes = 30, Capacity = 5 });
            await db.SaveChangesAsync();
        }
        // Twenty real bookings, one after another, by twenty people.
        var bookings = _app.Services.GetRequiredService<BookingService>();
        for (var n = 0; n < 20; n++)
        {
            var start = new TimeOnly(9, 0).AddMinutes(30 * (n / 5));
            var (booking, refused) = await bookings.BookAsync(hallId, new BookRequest(Guid.NewGuid(), serviceId, null, Day, start, "王小华", IdNumber(n), "13800001234"), default);
            Assert.That(refused, Is.Null);
            _codes.Add(booking!.Code);
        }
        _http = new HttpClient { BaseAddress = _app.BaseAddress };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    /// <summary>A valid resident ID number for <paramref name="n"/> (GB 11643 check character worked out here).</summary>
    private static string IdNumber(int n)
    {
        var body = $"41010219700101{n:000}";
        return IdNumbers.Complete(body);
    }

    private async Task<string> SnapshotAsync()
    {
        await using var db = _app.Db();
        var rows = await db.Database.SqlQuery<string>($"SELECT string_agg(row_to_json(b)::text, '|' ORDER BY id) AS \"Value\" FROM bookings b").SingleAsync();
        var slots = await db.Database.SqlQuery<string>($"SELECT string_agg(row_to_json(s)::text, '|' ORDER BY start) AS \"Value\" FROM booking_slots s").SingleAsync();
        return rows + "#" + slots;
    }

    [Test, Order(1)]
    public void The_code_space_is_31_to_the_8th_of_characters_that_cannot_be_misread()
    {
        Assert.That(BookingCodes.Alphabet.Distinct().Count(), Is.EqualTo(31));
        Assert.That(BookingCodes.Alphabet.Intersect("01OIL"), Is.Empty);
        Assert.That(Math.Pow(BookingCodes.Alphabet.Length, BookingCodes.Length), Is.EqualTo(852_891_037_441d));
    }

    [Test, Order(2)]
    public void Codes_of_bookings_made_one_after_another_do_not_follow_one_from_another()
    {
        Assert.That(_codes.Distinct().Count(), Is.EqualTo(_codes.Count));
        // A counter or a clock behind the codes would leave neighbours sharing most characters; random ones share almost none.
        foreach (var (a, b) in _codes.Zip(_codes.Skip(1)))
        {
            Assert.That(a.Zip(b).Count(p => p.First == p.Second), Is.LessThan(5), $"{a} then {b}");
        }
        Assert.That(_codes, Is.Not.Ordered.And.Not.Ordered.Descending);
    }

    [Test, Order(3)]
    public async Task Guessed_codes_find_nothing_cancel_nothing_and_the_address_is_stopped_after_its_lookups_of_the_minute()
    {
        var before = await SnapshotAsync();
        var guesses = new List<string>();
        while (guesses.Count < LookupsPerMinute)
        {
            var guess = RandomNumberGenerator.GetString(BookingCodes.Alphabet, BookingCodes.Length);
            if (!_codes.Contains(guess))
            {
                guesses.Add(guesses.Count % 3 == 0 ? BookingCodes.Display(guess) : guess);
            }
        }
        for (var i = 0; i < guesses.Count; i++)
        {
            var url = $"/api/booking/{_hall}/bookings/{guesses[i]}";
            var response = i % 2 == 0 ? await _http.GetAsync(url) : await _http.DeleteAsync(url);
            var json = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.That((response.StatusCode, json.GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.NotFound, "unknown_booking")), url);
            Assert.That(json.GetProperty("messageZh").GetString(), Is.EqualTo(BookingRefusals.UnknownBooking.MessageZh));
        }

        // The address has used its lookups of the minute: even a right code is not answered now, nor cancelled.
        foreach (var response in new[] { await _http.GetAsync($"/api/booking/{_hall}/bookings/{_codes[0]}"), await _http.DeleteAsync($"/api/booking/{_hall}/bookings/{_codes[1]}") })
        {
            var json = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.That((response.StatusCode, json.GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.TooManyRequests, "too_many_requests")));
            Assert.That(json.GetProperty("messageEn").GetString(), Is.EqualTo(BookingEndpoints.TooManyRequests.MessageEn));
        }
        Assert.That(await SnapshotAsync(), Is.EqualTo(before), "no booking and no slot counter changed");
    }
}
