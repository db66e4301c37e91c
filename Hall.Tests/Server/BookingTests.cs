using Hall.Server.Bookings;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>
/// 网上预约 against PostgreSQL: a booking is stored as the tickets store a person (hash and masked forms), a slot never holds
/// more than its capacity however many ask at once, a resent request books once, and every refusal says why and stores nothing.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class BookingTests
{
    // Friday 20 November 2026, 10:00 in the hall: Friday the 27th is released (7 days ahead at 08:00).
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateOnly Day = new(2026, 11, 27);
    private static readonly TimeOnly Nine = new(9, 0);

    private HallApp _app = null!;
    private int _hallId;
    private int _serviceId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = await HallApp.StartAsync("bookings", Now);
        _hallId = (await _app.SeedHallAsync()).HallId;
        await using var db = _app.Db();
        _serviceId = await db.Services.Where(s => s.HallId == _hallId).OrderBy(s => s.SortOrder).Select(s => s.Id).FirstAsync();
        db.SlotSchedules.Add(new SlotSchedule { HallId = _hallId, ServiceId = _serviceId, SlotMinutes = 30, Capacity = 3, DaysAhead = 7, ReleaseAt = new TimeOnly(8, 0) });
        await db.SaveChangesAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private BookingService Service => _app.Services.GetRequiredService<BookingService>();

    /// <summary>A valid resident ID number for <paramref name="n"/> (GB 11643 check character worked out here).</summary>
    private static string IdNumber(int n)
    {
        var body = $"410102{1960 + n / 1000 % 40}0101{n % 1000:000}";
        return IdNumbers.Complete(body);
    }

    private static BookRequest Request(int person, TimeOnly start, DateOnly? day = null, Guid? requestId = null, string name = "王小华", string? mobile = "13800001234") =>
        new(requestId ?? Guid.NewGuid(), 0, null, day ?? Day, start, name, IdNumber(person), mobile);

    private Task<(BookingView? Booking, Refusal? Refusal)> BookAsync(BookRequest request) => Service.BookAsync(_hallId, request with { ServiceId = request.ServiceId == 0 ? _serviceId : request.ServiceId }, default);

    private async Task<(int Bookings, int Booked)> CountAsync(TimeOnly start)
    {
        await using var db = _app.Db();
        var bookings = await db.Bookings.CountAsync(b => b.ServiceId == _serviceId && b.Date == Day && b.Start == start && b.State == BookingState.Booked);
        var booked = await db.BookingSlots.Where(s => s.ServiceId == _serviceId && s.Date == Day && s.Start == start).Select(s => (int?)s.Booked).FirstOrDefaultAsync() ?? 0;
        return (bookings, booked);
    }

    [Test, Order(1)]
    public async Task A_booking_keeps_the_person_masked_and_hashed_and_answers_a_code_the_citizen_can_type()
    {
        var (booking, refused) = await BookAsync(Request(1, Nine, name: "王小华", mobile: "13800001234"));
        Assert.That(refused, Is.Null);
        Assert.That(booking!.Code, Has.Length.EqualTo(8));
        Assert.That((booking.NameMasked, booking.IdMasked, booking.MobileMasked, booking.End), Is.EqualTo(("王*华", "4101**********" + IdNumber(1)[^4..], "138****1234", new TimeOnly(9, 30))));
        Assert.That(await Service.FindAsync(_hallId, BookingCodes.Display(booking.Code).ToLowerInvariant(), default), Is.EqualTo(booking));

        // Nothing in the row gives the number back: no clear ID, mobile or name.
        await using var db = _app.Db();
        var row = string.Join("|", (await db.Database.SqlQuery<string>($"SELECT row_to_json(b)::text AS \"Value\" FROM bookings b WHERE code = {booking.Code}").ToListAsync()));
        Assert.That(row, Does.Not.Contain(IdNumber(1)).And.Not.Contain("13800001234").And.Not.Contain("王小华"));
        Assert.That(await CountAsync(Nine), Is.EqualTo((1, 1)));
    }

    [Test, Order(2)]
    public async Task The_same_request_sent_twice_books_once_and_a_reused_request_id_is_refused()
    {
        var request = Request(2, new TimeOnly(9, 30));
        var twice = await Task.WhenAll(BookAsync(request), BookAsync(request));
        Assert.That(twice.Select(t => t.Refusal), Is.All.Null);
        Assert.That(twice[0].Booking!.Code, Is.EqualTo(twice[1].Booking!.Code));
        Assert.That(await CountAsync(new TimeOnly(9, 30)), Is.EqualTo((1, 1)));
        var reused = await BookAsync(Request(3, new TimeOnly(10, 0), requestId: request.RequestId));
        Assert.That(reused.Refusal, Is.EqualTo(BookingRefusals.RequestReused));
        Assert.That(await CountAsync(new TimeOnly(10, 0)), Is.EqualTo((0, 0)));
    }

    [Test, Order(3)]
    public async Task Forty_people_asking_at_once_for_a_slot_of_three_get_exactly_three_places()
    {
        var eleven = new TimeOnly(11, 0);
        var results = await Task.WhenAll(Enumerable.Range(100, 40).Select(p => BookAsync(Request(p, eleven))));
        Assert.That(results.Count(r => r.Refusal is null), Is.EqualTo(3));
        Assert.That(results.Where(r => r.Refusal is not null).Select(r => r.Refusal!.Code).Distinct(), Is.EqualTo(new[] { "slot_full" }));
        Assert.That(await CountAsync(eleven), Is.EqualTo((3, 3)));
    }

    [Test, Order(4)]
    public async Task A_person_holds_at_most_two_open_bookings_and_not_the_same_slot_twice()
    {
        Assert.That((await BookAsync(Request(4, new TimeOnly(13, 30)))).Refusal, Is.Null);
        Assert.That((await BookAsync(Request(4, new TimeOnly(13, 30)))).Refusal, Is.EqualTo(BookingRefusals.SameSlot));
        Assert.That((await BookAsync(Request(4, new TimeOnly(14, 0)))).Refusal, Is.Null);
        Assert.That((await BookAsync(Request(4, new TimeOnly(14, 30)))).Refusal, Is.EqualTo(BookingRefusals.TooMany));
        Assert.That(await CountAsync(new TimeOnly(14, 30)), Is.EqualTo((0, 0)), "nothing stored");
    }

    [Test, Order(5)]
    public async Task Bad_input_is_refused_with_the_reason_and_stores_nothing()
    {
        await using var db = _app.Db();
        var before = await db.Bookings.CountAsync();
        var wrongCheck = IdNumber(5)[..17] + (IdNumber(5)[17] == '0' ? "1" : "0");
        var cases = new (BookRequest Request, string Code)[]
        {
            (Request(5, Nine) with { IdNumber = wrongCheck }, "invalid_id_number"),
            (Request(5, Nine, mobile: null), "mobile_required"),
            (Request(5, Nine, mobile: "1380000123"), "invalid_mobile"),
            (Request(5, Nine, name: "王小华2"), "invalid_name"),
            (Request(5, Nine, name: ""), "invalid_name"),
            (Request(5, new TimeOnly(12, 0)), "slot_unknown"),
            (Request(5, Nine, day: new DateOnly(2026, 11, 28)), "slot_unknown"),
            (Request(5, Nine, day: new DateOnly(2026, 11, 30)), "booking_not_released"),
            (Request(5, Nine, day: new DateOnly(2026, 11, 20)), "slot_closed"),
            (Request(5, Nine) with { ServiceId = -1 }, "booking_not_offered"),
        };
        foreach (var (request, code) in cases)
        {
            var (booking, refused) = await BookAsync(request);
            Assert.That((booking, refused?.Code), Is.EqualTo(((BookingView?)null, code)), $"{request}");
            Assert.That(refused!.MessageZh, Is.Not.Empty);
        }
        Assert.That(await db.Bookings.CountAsync(), Is.EqualTo(before));
    }

    [Test, Order(6)]
    public async Task Three_missed_bookings_in_ninety_days_bar_booking_for_thirty_days_and_say_until_when()
    {
        var person = 6;
        await using (var db = _app.Db())
        {
            var hmac = _app.Services.GetRequiredService<Hall.Server.Security.MobileNumbers>().IdHmac(IdNumber(person));
            foreach (var daysAgo in new[] { 60, 20, 10 })
            {
                db.Bookings.Add(new Booking
                {
                    HallId = _hallId,
                    ServiceId = _serviceId,
                    Date = DateOnly.FromDateTime(Now.DateTime).AddDays(-daysAgo),
                    Start = Nine,
                    End = new TimeOnly(9, 30),
                    Code = BookingCodes.New(),
                    RequestId = Guid.NewGuid(),
                    NameMasked = "张*",
                    IdHmac = hmac,
                    IdMasked = "4101**********0000",
                    MobileHmac = [1],
                    MobileMasked = "138****0000",
                    State = BookingState.Missed,
                    CreatedAt = Now.AddDays(-daysAgo - 1).ToUniversalTime(),
                    MissedAt = Now.AddDays(-daysAgo).ToUniversalTime(),
                });
            }
            await db.SaveChangesAsync();
        }
        var (_, refused) = await BookAsync(Request(person, new TimeOnly(15, 0)));
        Assert.That(refused?.Code, Is.EqualTo("booking_banned"));
        Assert.That(refused!.MessageZh, Is.EqualTo("您在 90 天内爽约 3 次，2026年12月10日前不能网上预约，可现场取号办理"));
        Assert.That(await CountAsync(new TimeOnly(15, 0)), Is.EqualTo((0, 0)));
    }

    [Test, Order(7)]
    public async Task Cancelling_frees_the_place_and_erases_the_mobile_and_a_guessed_code_finds_nothing()
    {
        var (booking, _) = await BookAsync(Request(7, new TimeOnly(16, 0)));
        Assert.That(await CountAsync(new TimeOnly(16, 0)), Is.EqualTo((1, 1)));
        Assert.That(await Service.CancelAsync(_hallId, booking!.Code, default), Is.Null);
        Assert.That(await Service.CancelAsync(_hallId, booking.Code, default), Is.EqualTo(BookingRefusals.NotCancellable));
        Assert.That(await CountAsync(new TimeOnly(16, 0)), Is.EqualTo((0, 0)));
        await using (var db = _app.Db())
        {
            var row = await db.Bookings.SingleAsync(b => b.Code == booking.Code);
            Assert.That((row.State, row.MobileCipher, row.MobileMasked), Is.EqualTo((BookingState.Cancelled, (string?)null, "138****1234")));
        }
        // 2,000 random codes against this hall's bookings: none is found.
        var found = 0;
        for (var i = 0; i < 2000; i++)
        {
            found += await Service.FindAsync(_hallId, BookingCodes.New(), default) is null ? 0 : 1;
        }
        Assert.That(found, Is.Zero);
        Assert.That(await Service.CancelAsync(_hallId, "not-a-code", default), Is.EqualTo(BookingRefusals.UnknownBooking));
    }

    [Test, Order(8)]
    public async Task A_booking_not_checked_in_by_the_end_of_its_window_is_missed_and_forgets_the_mobile()
    {
        // Booked at 10:00 for 14:00 today; the check-in window runs to 14:15.
        var (booking, refused) = await BookAsync(Request(8, new TimeOnly(14, 0), day: new DateOnly(2026, 11, 20)));
        Assert.That(refused, Is.Null);
        var sweep = _app.Services.GetRequiredService<BookingSweep>();
        async Task<Booking> RowAsync()
        {
            await using var db = _app.Db();
            return await db.Bookings.AsNoTracking().SingleAsync(b => b.Code == booking!.Code);
        }
        _app.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 20, 14, 14, 0, TimeSpan.FromHours(8)));
        await sweep.SweepAsync(default);
        Assert.That(((await RowAsync()).State, (await RowAsync()).MobileCipher is null), Is.EqualTo((BookingState.Booked, false)), "still inside the window");
        _app.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 20, 14, 16, 0, TimeSpan.FromHours(8)));
        await sweep.SweepAsync(default);
        var missed = await RowAsync();
        Assert.That((missed.State, missed.MobileCipher, missed.MissedAt), Is.EqualTo((BookingState.Missed, (string?)null, (DateTimeOffset?)new DateTimeOffset(2026, 11, 20, 6, 16, 0, TimeSpan.Zero))));
        Assert.That((await Service.FindAsync(_hallId, booking!.Code, default))!.State, Is.EqualTo(BookingState.Missed));
    }
}
