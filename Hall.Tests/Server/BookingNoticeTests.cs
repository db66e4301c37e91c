using Hall.Server.Bookings;
using Hall.Server.Contracts;
using Hall.Server.Notices;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>
/// A booking's SMS through the hall's notice sender, against PostgreSQL on the test's clock: the confirmation once, the
/// reminder once at its moment and never to a cancelled or missed booking, one notice to each booking a schedule change
/// leaves outside, and a gateway that is down is tried again — however many rounds run at once.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class BookingNoticeTests
{
    // Friday 20 November 2026, 10:00 in the hall: Friday the 27th is released (7 days ahead at 08:00).
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateOnly Day = new(2026, 11, 27);

    private HallApp _app = null!;
    private int _hallId;
    private string _hallCode = "";
    private string _hallName = "";
    private int _serviceId;
    private int _otherServiceId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = await HallApp.StartAsync("booking-notices", Now);
        _hallId = (await _app.SeedHallAsync()).HallId;
        await using var db = _app.Db();
        var hall = await db.Halls.SingleAsync(h => h.Id == _hallId);
        (_hallCode, _hallName) = (hall.Code, hall.Name);
        var services = await db.Services.Where(s => s.HallId == _hallId).OrderBy(s => s.SortOrder).Select(s => s.Id).Take(2).ToListAsync();
        (_serviceId, _otherServiceId) = (services[0], services[1]);
        foreach (var id in services)
        {
            db.SlotSchedules.Add(new SlotSchedule { HallId = _hallId, ServiceId = id, SlotMinutes = 30, Capacity = 3, DaysAhead = 7, ReleaseAt = new TimeOnly(8, 0) });
        }
        await db.SaveChangesAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private BookingNotices Notices => _app.Services.GetRequiredService<BookingNotices>();

    private static string IdNumber(int n)
    {
        var body = $"410102{1960 + n / 1000 % 40}0101{n % 1000:000}";
        return IdNumbers.Complete(body);
    }

    private async Task<string> BookAsync(int person, TimeOnly start, int? serviceId = null, string mobile = "13800001234")
    {
        var (booking, refused) = await _app.Services.GetRequiredService<BookingService>().BookAsync(_hallId,
            new BookRequest(Guid.NewGuid(), serviceId ?? _serviceId, null, Day, start, "王小华", IdNumber(person), mobile), default);
        Assert.That(refused, Is.Null, refused?.MessageEn);
        return BookingCodes.Display(booking!.Code);
    }

    private List<Notice> SentTo(string code, NoticeKind kind) => [.. _app.Notices.Sent.Where(n => n.BookingCode == code && n.Kind == kind)];

    /// <summary>Several rounds at once, as two servers (or a server's timer and a test) would run them.</summary>
    private async Task RoundsAsync(int count = 4) => await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Notices.SendDueAsync(default)));

    private void At(int day, int hour, int minute) => _app.Clock.SetUtcNow(new DateTimeOffset(2026, 11, day, hour, minute, 0, TimeSpan.FromHours(8)).ToUniversalTime());

    [Test, Order(1)]
    public async Task A_booking_is_confirmed_by_one_sms_with_its_code_slot_and_link()
    {
        var code = await BookAsync(1, new TimeOnly(9, 0), mobile: "13812345678");
        await RoundsAsync();
        await RoundsAsync();

        var sent = SentTo(code, NoticeKind.BookingConfirmed);
        Assert.That(sent, Has.Count.EqualTo(1), "sent once, however many rounds ran");
        Assert.That(sent[0].Mobile, Is.EqualTo("13812345678"));
        Assert.That(sent[0].Text, Is.EqualTo(
            $"【{_hallName}】预约成功：社保业务，11月27日（周五）09:00–09:30，预约码{code}。请按时到大厅凭预约码签到取号。查看或取消：{HallApp.PublicBaseUrl}/book/{_hallCode}/b/{code}"));
        await using var db = _app.Db();
        var row = await db.Bookings.AsNoTracking().SingleAsync(b => b.Code == BookingCodes.Normalize(code));
        Assert.That((row.ConfirmationSentAt, row.NoticeLeaseUntil), Is.EqualTo(((DateTimeOffset?)Now.ToUniversalTime(), (DateTimeOffset?)null)));
    }

    [Test, Order(2)]
    public async Task A_confirmation_the_gateway_refused_is_sent_again_after_a_wait_and_only_once()
    {
        _app.Notices.FailNext(1);
        var code = await BookAsync(2, new TimeOnly(9, 30));
        await Notices.SendDueAsync(default);
        Assert.That((_app.Notices.Failed, SentTo(code, NoticeKind.BookingConfirmed).Count), Is.EqualTo((1, 0)), "the gateway was down");

        await RoundsAsync();
        Assert.That((_app.Notices.Failed, SentTo(code, NoticeKind.BookingConfirmed).Count), Is.EqualTo((1, 0)), "not hammered at once");

        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        await RoundsAsync();
        await RoundsAsync();
        Assert.That(SentTo(code, NoticeKind.BookingConfirmed), Has.Count.EqualTo(1), "sent on the next try, once");
        Assert.That(_app.Logs.Lines.Where(l => l.Contains("not sent", StringComparison.Ordinal)), Has.None.Contains("13800001234"), "no mobile in the log");
    }

    [Test, Order(3)]
    public async Task A_schedule_change_tells_each_booking_it_leaves_outside_once_and_the_same_save_again_tells_nobody()
    {
        At(20, 10, 5);
        var outsideSlot = await BookAsync(30, new TimeOnly(14, 0), _otherServiceId);
        var first = await BookAsync(31, new TimeOnly(14, 30), _otherServiceId);
        var overCapacity = await BookAsync(32, new TimeOnly(14, 30), _otherServiceId);
        var kept = await BookAsync(33, new TimeOnly(15, 30), _otherServiceId);
        await RoundsAsync();

        // Hour-long slots from 13:30 and one place each: 14:00 is no longer a slot, and 14:30 holds one booking too many.
        await using var db = _app.Db();
        var admin = await db.Staff.FirstAsync(s => s.HallId == _hallId && s.Role == StaffRole.Admin);
        var actor = new Actor(ActorKind.Staff, admin.Id, _hallId, admin.Name, admin.Role, null, null);
        var form = new ScheduleForm(true, 60, 1, 7, new TimeOnly(8, 0), false);
        var schedules = _app.Services.GetRequiredService<BookingSchedules>();
        var (refused, affected) = await schedules.SaveAsync(actor, _otherServiceId, form, default);
        Assert.That(refused, Is.Null);
        Assert.That(affected.Select(a => BookingCodes.Display(a.Code)), Is.EquivalentTo(new[] { outsideSlot, overCapacity }));
        await RoundsAsync();
        await RoundsAsync();

        Assert.That(SentTo(outsideSlot, NoticeKind.BookingChanged), Has.Count.EqualTo(1));
        Assert.That(SentTo(overCapacity, NoticeKind.BookingChanged), Has.Count.EqualTo(1));
        Assert.That(SentTo(first, NoticeKind.BookingChanged).Concat(SentTo(kept, NoticeKind.BookingChanged)), Is.Empty, "bookings the change keeps hear nothing");
        Assert.That(SentTo(outsideSlot, NoticeKind.BookingChanged)[0].Text, Is.EqualTo(
            $"【{_hallName}】因大厅调整预约号源，您预约的医保业务（11月27日（周五）14:00–14:30）已不在新的号源内，但预约仍然有效，请按原时间到大厅办理，预约码{outsideSlot}。如不能前来，请取消：{HallApp.PublicBaseUrl}/book/{_hallCode}/b/{outsideSlot}"));
        Assert.That(await db.Bookings.CountAsync(b => b.ServiceId == _otherServiceId && b.State == BookingState.Booked), Is.EqualTo(4), "every booking stands");

        // Saved again unchanged: the two were already told.
        var again = await schedules.SaveAsync(actor, _otherServiceId, form, default);
        Assert.That(again.Affected, Has.Count.EqualTo(2), "still listed for the hall");
        await RoundsAsync();
        Assert.That(_app.Notices.Sent.Count(n => n.Kind == NoticeKind.BookingChanged), Is.EqualTo(2));
    }

    [Test, Order(4)]
    public async Task The_reminder_goes_once_at_its_moment_and_never_to_a_cancelled_or_missed_booking()
    {
        At(20, 10, 10);
        var morning = await BookAsync(40, new TimeOnly(9, 0));
        var afternoon = await BookAsync(41, new TimeOnly(14, 0));
        var cancelled = await BookAsync(42, new TimeOnly(14, 0));
        await RoundsAsync();
        Assert.That(await _app.Services.GetRequiredService<BookingService>().CancelAsync(_hallId, cancelled, default), Is.Null);

        // The rule's default: two hours before the slot. The morning's reminder is due at 07:00 on the 27th; the gateway is down then.
        At(27, 6, 59);
        await RoundsAsync();
        Assert.That(_app.Notices.Sent.Where(n => n.Kind == NoticeKind.BookingReminder), Is.Empty, "a minute early");
        _app.Notices.FailNext(int.MaxValue);
        At(27, 7, 0);
        await Notices.SendDueAsync(default);
        Assert.That(SentTo(morning, NoticeKind.BookingReminder), Is.Empty);

        // 09:16: the morning booking is missed (its check-in closed at 09:15) and gets no reminder, the gateway back or not.
        At(27, 9, 16);
        await _app.Services.GetRequiredService<BookingSweep>().SweepAsync(default);
        await RoundsAsync();
        _app.Notices.FailNext(0);
        At(27, 9, 20);
        await RoundsAsync();
        Assert.That(SentTo(morning, NoticeKind.BookingReminder), Is.Empty, "missed: no reminder");
        Assert.That(_app.Notices.Failed, Is.GreaterThan(1), "it was tried while the gateway was down");

        At(27, 11, 59);
        await RoundsAsync();
        Assert.That(SentTo(afternoon, NoticeKind.BookingReminder), Is.Empty, "a minute early");
        At(27, 12, 0);
        await RoundsAsync();
        At(27, 12, 30);
        await RoundsAsync();
        var sent = SentTo(afternoon, NoticeKind.BookingReminder);
        Assert.That(sent, Has.Count.EqualTo(1), "sent once");
        Assert.That(sent[0].Text, Is.EqualTo(
            $"【{_hallName}】提醒：您预约的社保业务在11月27日（周五）14:00–14:30，预约码{afternoon}，请按时到大厅签到取号。如不能前来，请取消：{HallApp.PublicBaseUrl}/book/{_hallCode}/b/{afternoon}"));
        Assert.That(_app.Notices.Sent.Where(n => n.BookingCode == cancelled && n.Kind != NoticeKind.BookingConfirmed), Is.Empty, "cancelled: nothing more");
    }

    [Test, Order(5)]
    public async Task Two_servers_on_one_database_send_each_confirmation_once()
    {
        await using var second = HallApp.StartAlongside(_app);
        At(27, 12, 45);
        second.Clock.SetUtcNow(_app.Clock.GetUtcNow());
        var codes = new List<string>();
        for (var person = 50; person < 58; person++)
        {
            codes.Add(await BookAsync(person, new TimeOnly(15 + person % 4 / 2, person % 2 * 30)));
        }
        var other = second.Services.GetRequiredService<BookingNotices>();
        await Task.WhenAll(Enumerable.Range(0, 3).SelectMany(_ => new[] { Notices.SendDueAsync(default), other.SendDueAsync(default) }));

        var confirmations = _app.Notices.Sent.Concat(second.Notices.Sent).Where(n => n.Kind == NoticeKind.BookingConfirmed && codes.Contains(n.BookingCode!)).ToList();
        Assert.That(confirmations.Select(n => n.BookingCode), Is.EquivalentTo(codes), "each booking confirmed once, by one server or the other");
    }
}
