using Hall.Server.Bookings;
using Hall.Server.Contracts;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>
/// 预约签到 through the hub as a kiosk does it, on PostgreSQL: by code (typed or the QR's link as a scanner types it) or by the
/// person's ID; too early says when to come back, too late follows the hall's setting; a booking gives one ticket, marked as a
/// booking, which is called ahead of walk-ins once its slot has begun.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class BookingCheckInTests
{
    // Friday 20 November 2026, 10:00 in the hall: today's 11:00 and 11:30 slots of 公安户政 are still bookable.
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateOnly Today = new(2026, 11, 20);
    private static readonly TimeOnly Eleven = new(11, 0);
    private static readonly TimeOnly HalfPastEleven = new(11, 30);

    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private int _serviceId;
    private HubClient _kiosk = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = await HallApp.StartAsync("booking-check-in", Now);
        _hall = await SeededHall.CreateAsync(_app);
        _serviceId = await _app.ServiceIdAsync(_hall.HallId, "huzheng");
        await using var db = _app.Db();
        db.SlotSchedules.Add(new SlotSchedule { HallId = _hall.HallId, ServiceId = _serviceId, SlotMinutes = 30, Capacity = 5, DaysAhead = 7, ReleaseAt = new TimeOnly(8, 0) });
        await db.SaveChangesAsync();
        _kiosk = await _hall.DeviceAsync("kiosk");
        // Every booking of the tests is made at 10:00, before the clock moves on (it only goes forward).
        foreach (var (person, start) in new[] { (1, Eleven), (2, Eleven), (3, HalfPastEleven), (4, HalfPastEleven), (5, Eleven), (6, Eleven), (7, HalfPastEleven), (8, HalfPastEleven) })
        {
            _bookings[person] = await BookAsync(person, start);
        }
    }

    private readonly Dictionary<int, BookingView> _bookings = [];

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
    }

    private static DateTimeOffset At(int hour, int minute) => new DateTimeOffset(2026, 11, 20, hour, minute, 0, TimeSpan.FromHours(8)).ToUniversalTime();

    private static string IdNumber(int n)
    {
        var body = $"330102{1950 + n % 40}0505{n % 1000:000}";
        return IdNumbers.Complete(body);
    }

    private async Task<BookingView> BookAsync(int person, TimeOnly start)
    {
        var (booking, refused) = await _app.Services.GetRequiredService<BookingService>().BookAsync(_hall.HallId,
            new BookRequest(Guid.NewGuid(), _serviceId, null, Today, start, "李秀英", IdNumber(person), $"1390000{person:0000}"), default);
        Assert.That(refused, Is.Null, () => refused!.MessageEn);
        return booking!;
    }

    private Task<Reply<TicketIssued>> CheckInAsync(string? code = null, string? idNumber = null, Guid? commandId = null, HubClient? kiosk = null) =>
        (kiosk ?? _kiosk).InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket),
            new IssueTicketCommand(commandId ?? Guid.NewGuid(), null, null, null, PriorityClass.Normal, IdNumber: idNumber, BookingCode: code, CheckIn: true));

    /// <summary>Lets the booking confirmations (sent by a background job once the clock moves) go out, so a table dump taken next stays still.</summary>
    private async Task ConfirmationsSentAsync()
    {
        var notices = _app.Services.GetRequiredService<BookingNotices>();
        for (var round = 0; round < 100; round++)
        {
            await notices.SendDueAsync(default);
            await using var db = _app.Db();
            if (!await db.Bookings.AnyAsync(b => b.State == BookingState.Booked && b.ConfirmationSentAt == null))
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail("the booking confirmations were not sent");
    }

    private async Task<Booking> RowAsync(string code)
    {
        await using var db = _app.Db();
        return await db.Bookings.AsNoTracking().SingleAsync(b => b.Code == code);
    }

    [Test, Order(1)]
    public async Task Too_early_says_when_to_come_back_and_on_time_issues_one_ticket_marked_as_the_booking()
    {
        var booking = _bookings[1];
        _app.Clock.SetUtcNow(At(10, 20));
        await ConfirmationsSentAsync();
        var before = await TableDump.AllAsync(_app.ConnectionString);

        var early = await CheckInAsync(code: booking.Code);

        Assert.That(early.Error?.Code, Is.EqualTo("check_in_too_early"));
        Assert.That(early.Error!.MessageZh, Is.EqualTo("您预约的时段是 11:00–11:30，请于 10:30 后再来签到"));
        Assert.That(early.Error.MessageEn, Does.Contain("from 10:30"));
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before), "a refused check-in changes nothing");

        _app.Clock.SetUtcNow(At(10, 31));
        var command = Guid.NewGuid();
        // Typed as the citizen reads it off the phone: lower case, with the dash.
        var typed = BookingCodes.Display(booking.Code).ToLowerInvariant();
        var issued = (await CheckInAsync(code: typed, commandId: command)).Ok();

        Assert.That(issued.Booking, Is.EqualTo(new BookedSlot(BookingCodes.Display(booking.Code), Today, Eleven, HalfPastEleven, Late: false)));
        Assert.That((issued.Ticket.ServiceId, issued.Ticket.Number[0], issued.IdMasked), Is.EqualTo((_serviceId, 'D', booking.IdMasked)));
        var row = await RowAsync(booking.Code);
        Assert.That((row.State, row.TicketId, row.CheckedInAt), Is.EqualTo((BookingState.CheckedIn, (long?)issued.Ticket.TicketId, (DateTimeOffset?)At(10, 31).ToUniversalTime())));
        await using (var db = _app.Db())
        {
            var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == issued.Ticket.TicketId);
            Assert.That((ticket.BookingId, ticket.BookedFor), Is.EqualTo(((long?)row.Id, (DateTimeOffset?)At(11, 0).ToUniversalTime())));
            Assert.That(ticket.MobileMasked, Is.EqualTo("139****0001"), "the booking's mobile carries over for the almost-your-turn notice");
        }

        // The kiosk asking again after a lost answer gets the same ticket; a second check-in is told it is done.
        Assert.That((await CheckInAsync(code: typed, commandId: command)).Ok().Ticket.TicketId, Is.EqualTo(issued.Ticket.TicketId));
        var again = await CheckInAsync(code: booking.Code);
        Assert.That((again.Error?.Code, again.Error?.MessageZh), Is.EqualTo(("booking_checked_in", "该预约已签到取号，请留意叫号")));
        await using var count = _app.Db();
        Assert.That(await count.Tickets.CountAsync(t => t.BookingId == row.Id), Is.EqualTo(1));
    }

    [Test, Order(2)]
    public async Task The_scanned_link_and_the_id_card_find_the_booking_and_a_person_without_one_is_told_to_take_a_number()
    {
        var byLink = _bookings[2];
        var byCard = _bookings[3];
        var tomorrow = _bookings[4];
        await using (var db = _app.Db())
        {
            // Another day's booking of the same person: not the one a card checks in today.
            await db.Bookings.Where(b => b.Code == tomorrow.Code).ExecuteUpdateAsync(u => u.SetProperty(b => b.Date, Today.AddDays(3)));
        }
        _app.Clock.SetUtcNow(At(11, 5));

        var scanned = (await CheckInAsync(code: $"{HallApp.PublicBaseUrl}/book/xinxian/b/{byLink.Code}")).Ok();
        Assert.That(scanned.Booking!.Code, Is.EqualTo(BookingCodes.Display(byLink.Code)));

        var card = (await CheckInAsync(idNumber: IdNumber(3))).Ok();
        Assert.That((card.Booking!.Start, card.Booking.Late), Is.EqualTo((HalfPastEleven, false)));
        Assert.That((await RowAsync(byCard.Code)).State, Is.EqualTo(BookingState.CheckedIn));

        var before = await TableDump.AllAsync(_app.ConnectionString);
        var none = await CheckInAsync(idNumber: IdNumber(4));
        Assert.That((none.Error?.Code, none.Error?.MessageZh), Is.EqualTo(("no_booking_today", "未查到您今天的预约，可直接选择业务取号")));
        var later = await CheckInAsync(code: tomorrow.Code);
        Assert.That((later.Error?.Code, later.Error?.MessageZh), Is.EqualTo(("booking_not_today", "您的预约是 11月23日 11:30–12:00，请当天来签到")));
        var guessed = await CheckInAsync(code: "ABCD2345");
        Assert.That(guessed.Error?.Code, Is.EqualTo("unknown_booking"));
        var malformed = await CheckInAsync(code: "12345");
        Assert.That((malformed.Error?.Code, malformed.Error?.MessageEn), Is.EqualTo(("invalid_booking_code", "A booking code is 8 letters and digits: check it and type it again.")));
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before));
    }

    [Test, Order(3)]
    public async Task A_latecomer_gets_a_walk_in_ticket_or_the_reason_as_the_hall_has_set_and_the_booking_stays_missed()
    {
        var late = _bookings[5];
        var refused = _bookings[6];
        _app.Clock.SetUtcNow(At(11, 16));

        var walkIn = (await CheckInAsync(code: late.Code)).Ok();
        Assert.That(walkIn.Booking!.Late, Is.True);
        await using (var db = _app.Db())
        {
            var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == walkIn.Ticket.TicketId);
            Assert.That(ticket.BookedFor, Is.Null, "a latecomer's ticket is called as a walk-in's");
        }
        await _app.Services.GetRequiredService<BookingSweep>().SweepAsync(default);
        Assert.That((await RowAsync(late.Code)).State, Is.EqualTo(BookingState.Missed), "coming after the window is still 爽约");

        await SetLateAsWalkInAsync(false);
        try
        {
            var before = await TableDump.AllAsync(_app.ConnectionString);
            var refusal = await CheckInAsync(code: refused.Code);
            Assert.That(refusal.Error?.Code, Is.EqualTo("check_in_too_late"));
            Assert.That(refusal.Error!.MessageZh, Does.StartWith("已超过签到时间（11月20日 11:00 的预约须在 11:15 前签到）"));
            Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before));
        }
        finally
        {
            await SetLateAsWalkInAsync(true);
        }
    }

    private async Task SetLateAsWalkInAsync(bool walkIn)
    {
        await using var db = _app.Db();
        var hall = await db.Halls.SingleAsync(h => h.Id == _hall.HallId);
        hall.Booking = hall.Booking with { LateAsWalkIn = walkIn };
        await db.SaveChangesAsync();
        _app.Services.GetRequiredService<HallSettings>().Invalidate(_hall.HallId);
    }

    [Test, Order(4)]
    public async Task Two_kiosks_checking_in_one_booking_at_once_give_one_ticket()
    {
        var booking = _bookings[7];
        var second = await _app.ConnectAsync(await _app.CreateDeviceAsync(_hall.HallId, "二号取号机", DeviceRole.Kiosk));
        _app.Clock.SetUtcNow(At(11, 20));

        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => CheckInAsync(code: booking.Code, kiosk: i % 2 == 0 ? _kiosk : second)));

        Assert.That(replies.Count(r => r.Ok), Is.EqualTo(1));
        Assert.That(replies.Where(r => !r.Ok).Select(r => r.Error!.Code).Distinct(), Is.EqualTo(new[] { "booking_checked_in" }));
        await using var db = _app.Db();
        var id = (await RowAsync(booking.Code)).Id;
        Assert.That(await db.Tickets.CountAsync(t => t.BookingId == id), Is.EqualTo(1));
        await second.DisposeAsync();
    }

    [Test, Order(5)]
    public async Task Once_its_slot_has_begun_a_checked_in_booking_is_called_before_walk_ins_who_came_earlier()
    {
        var booking = _bookings[8];
        var clerk = await _hall.ClerkAsync(6);
        var window = await _app.WindowIdAsync(_hall.HallId, 6);
        (await clerk.OpenAsync(window)).Ok();
        _app.Clock.SetUtcNow(At(11, 21));
        // The earlier tests' tickets are served first: the queue starts empty.
        while (await clerk.CallNextAsync(window) is { Ok: true, Value: { } earlier })
        {
            (await clerk.StartAsync(window, earlier.Ticket.TicketId)).Ok();
            (await clerk.FinishAsync(window, earlier.Ticket.TicketId)).Ok();
        }
        var walkIns = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            walkIns.Add((await _kiosk.IssueAsync(_serviceId)).Ok().Ticket.TicketId);
        }
        _app.Clock.SetUtcNow(At(11, 25));
        var checkedIn = (await CheckInAsync(code: booking.Code)).Ok();
        Assert.That(checkedIn.PeopleAhead, Is.EqualTo(3), "checked in before its slot, it is told the walk-ins ahead of it now");

        _app.Clock.SetUtcNow(At(11, 31));
        int streak;
        await using (var db = _app.Db())
        {
            streak = await db.Windows.Where(w => w.Id == window).Select(w => w.NormalsSincePriority).SingleAsync();
        }
        var calls = new List<(long Ticket, CallReason Reason)>();
        Hall.Server.Contracts.BookedSlot? onConsole = null;
        while (await clerk.CallNextAsync(window) is { Ok: true, Value: { } called })
        {
            calls.Add((called.Ticket.TicketId, called.Reason));
            if (called.Ticket.TicketId == checkedIn.Ticket.TicketId)
            {
                // What the clerk's console shows on the current ticket.
                onConsole = (await _app.Services.GetRequiredService<Hall.Server.Web.ConsoleData>().ReadAsync(_hall.HallId, window, default))!.Current!.Booking;
            }
            (await clerk.StartAsync(window, called.Ticket.TicketId)).Ok();
            (await clerk.FinishAsync(window, called.Ticket.TicketId)).Ok();
        }

        // The window's 1 : 2 turn carries over from the earlier calls: the booking comes as soon as it is the preferred ticket's turn.
        var walkInsFirst = Math.Max(0, Hall.Server.Queue.CallPolicy.Default.NormalPerPriority - streak);
        var expected = walkIns.Select(id => (id, CallReason.InOrder)).ToList();
        expected.Insert(walkInsFirst, (checkedIn.Ticket.TicketId, CallReason.Booked));
        Assert.That(walkInsFirst, Is.LessThan(3), "it goes ahead of at least one walk-in who came before it");
        Assert.That(calls, Is.EqualTo(expected));
        Assert.That(onConsole, Is.EqualTo(new Hall.Server.Contracts.BookedSlot(BookingCodes.Display(booking.Code), Today, HalfPastEleven, new TimeOnly(12, 0), Late: false)));
    }
}
