using Hall.Server.Bookings;
using Hall.Server.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Reports;

/// <summary>
/// 预约 in the reports (issue 19): the patrol sheet, the bulletin and the year view count the bookings of the slots of their
/// period — 预约 without the cancelled ones, 签到, 爽约, 待签到 — and 准时办理率, the share of the checked-in citizens served within
/// 10 minutes of their slot's start, over those whose ticket was started. Read back from the PDF and the workbook.
/// </summary>
[TestFixture]
public sealed class BookingReportTests
{
    private HallApp _app = null!;
    private MonthScenario _hall = null!;
    private ReportReadBack _monday = null!;
    private ReportReadBack _november = null!;
    private ReportReadBack _year = null!;
    private string _novemberStory = "";
    private string _yearStory = "";
    private string _lateCode = "";
    private string _notStartedCode = "";
    private string _lateTicket = "";
    private string _notStartedTicket = "";

    [OneTimeSetUp]
    public async Task BookAndServeAsync()
    {
        _app = await HallApp.StartAsync("booking-report", new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.FromHours(8)));
        var h = _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: true, 1, 3);
        int shebao, yibao;
        await using (var db = _app.Db())
        {
            shebao = await db.Services.Where(s => s.HallId == h.HallId && s.Code == "shebao").Select(s => s.Id).SingleAsync();
            yibao = await db.Services.Where(s => s.HallId == h.HallId && s.Code == "yibao").Select(s => s.Id).SingleAsync();
        }
        var monday = new DateOnly(2026, 11, 30);
        var nine = new TimeOnly(9, 0);
        var half = new TimeOnly(9, 30);
        // Monday's bookings, all made the week before (a booking counts on its slot's date).
        var onTime = await BookAsync(shebao, monday, nine);
        var onTheMinute = await BookAsync(shebao, monday, nine);
        var late = await BookAsync(shebao, monday, half);
        var neverStarted = await BookAsync(shebao, monday, half);
        var missed = await BookAsync(shebao, monday, new TimeOnly(10, 0));
        var cancelled = await BookAsync(shebao, monday, new TimeOnly(10, 0));
        var early = await BookAsync(yibao, monday, nine);
        // Still to check in when the sheet is made.
        await BookAsync(yibao, monday, new TimeOnly(11, 30));
        // Friday the 27th: one missed (in November's bulletin, not on Monday's sheet); Tuesday 1 December: one booked (in neither).
        var friday = await BookAsync(shebao, new DateOnly(2026, 11, 27), nine);
        await BookAsync(shebao, new DateOnly(2026, 12, 1), nine);

        // 社保 at window 1: checked in 08:50 and 08:55, served from 09:05 and from 09:10 on the minute (both on time).
        h.At(11, 30, 8, 50);
        var t1 = await h.IssueAsync("shebao");
        await CheckInAsync(onTime, t1);
        h.At(11, 30, 8, 55);
        var t2 = await h.IssueAsync("shebao");
        await CheckInAsync(onTheMinute, t2);
        // 医保 at window 3: checked in 08:58 and served at 08:59, before the slot's start (on time).
        h.At(11, 30, 8, 58);
        var t7 = await h.IssueAsync("yibao");
        await CheckInAsync(early, t7);
        await h.OpenAsync(3, 3);
        await h.CallAsync(3, 3, t7);
        h.At(11, 30, 8, 59);
        await h.StartAsync(3, 3, t7);
        h.At(11, 30, 9, 0);
        await h.OpenAsync(1, 1);
        await h.CallAsync(1, 1, t1);
        await h.FinishAsync(3, 3, t7, "办结");
        h.At(11, 30, 9, 5);
        await h.StartAsync(1, 1, t1);
        h.At(11, 30, 9, 8);
        await h.FinishAsync(1, 1, t1, "办结");
        await h.CallAsync(1, 1, t2);
        h.At(11, 30, 9, 10);
        await h.StartAsync(1, 1, t2);
        h.At(11, 30, 9, 20);
        await h.FinishAsync(1, 1, t2, "办结");
        // The 09:30 slot: one served from 09:41, eleven minutes after its start (late); one called and never came (not started).
        h.At(11, 30, 9, 25);
        var t3 = await h.IssueAsync("shebao");
        await CheckInAsync(late, t3);
        h.At(11, 30, 9, 28);
        var t4 = await h.IssueAsync("shebao");
        await CheckInAsync(neverStarted, t4);
        h.At(11, 30, 9, 40);
        await h.CallAsync(1, 1, t3);
        h.At(11, 30, 9, 41);
        await h.StartAsync(1, 1, t3);
        h.At(11, 30, 9, 50);
        await h.FinishAsync(1, 1, t3, "办结");
        await h.CallAsync(1, 1, t4);
        h.At(11, 30, 9, 55);
        await h.NoShowAsync(1, 1, t4);
        h.At(11, 30, 10, 20);
        await SetAsync(missed, b => (b.State, b.MissedAt) = (BookingState.Missed, h.Local(new DateTime(2026, 11, 30, 10, 15, 0))));
        await SetAsync(cancelled, b => (b.State, b.CancelledAt) = (BookingState.Cancelled, h.Local(new DateTime(2026, 11, 29, 20, 0, 0))));
        await SetAsync(friday, b => (b.State, b.MissedAt) = (BookingState.Missed, h.Local(new DateTime(2026, 11, 27, 9, 15, 0))));

        await using (var db = _app.Db())
        {
            var numbers = await db.Tickets.Where(t => t.Id == t3 || t.Id == t4).ToDictionaryAsync(t => t.Id, t => t.Number);
            (_lateTicket, _notStartedTicket) = (numbers[t3], numbers[t4]);
            var codes = await db.Bookings.Where(b => b.Id == late || b.Id == neverStarted).ToDictionaryAsync(b => b.Id, b => b.Code);
            (_lateCode, _notStartedCode) = (BookingCodes.Display(codes[late]), BookingCodes.Display(codes[neverStarted]));
        }

        // Made at 11:00 on Monday: the 11:30 booking is still to check in.
        h.At(11, 30, 11, 0);
        _monday = ReportReadBack.Of(await h.ReportAsync(ReportKind.DailyPatrol, monday), "booking-sheet-monday");
        var november = await h.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 11, 1));
        _novemberStory = november.Blocks.OfType<ReportParagraph>().First().Text;
        _november = ReportReadBack.Of(november, "booking-bulletin-november");
        var year = await h.ReportAsync(ReportKind.Year, new DateOnly(2026, 1, 1));
        _yearStory = year.Blocks.OfType<ReportParagraph>().First().Text;
        _year = ReportReadBack.Of(year, "booking-year-2026");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private static int _people;

    /// <summary>A booking as the booking page stores it, made on 20 November.</summary>
    private async Task<long> BookAsync(int serviceId, DateOnly date, TimeOnly start)
    {
        var n = Interlocked.Increment(ref _people);
        await using var db = _app.Db();
        var booking = new Booking
        {
            HallId = _hall.HallId,
            ServiceId = serviceId,
            Date = date,
            Start = start,
            End = start.AddMinutes(30),
            Code = BookingCodes.New(),
            RequestId = Guid.NewGuid(),
            NameMasked = "王*华",
            IdHmac = [(byte)n, 1, 2, 3],
            IdMasked = $"4101**********{n:0000}",
            MobileHmac = [(byte)n, 4, 5, 6],
            MobileMasked = $"138****{n:0000}",
            State = BookingState.Booked,
            CreatedAt = _hall.Local(new DateTime(2026, 11, 20, 10, 0, 0)),
        };
        db.Bookings.Add(booking);
        await db.SaveChangesAsync();
        return booking.Id;
    }

    /// <summary>签到 as the kiosk records it: the booking checked in now, with the ticket issued for it.</summary>
    private Task CheckInAsync(long booking, long ticket) =>
        SetAsync(booking, b => (b.State, b.CheckedInAt, b.TicketId) = (BookingState.CheckedIn, _app.Clock.GetUtcNow(), ticket));

    private async Task SetAsync(long id, Action<Booking> change)
    {
        await using var db = _app.Db();
        var booking = await db.Bookings.SingleAsync(b => b.Id == id);
        change(booking);
        await db.SaveChangesAsync();
    }

    [Test]
    public void The_patrol_sheet_counts_the_days_bookings_by_service_without_the_cancelled_one()
    {
        _monday.Shows("七、预约");
        _monday.Shows("当日预约 7 个（签到 5，爽约 1，待签到 1），取消 1 个。");
        _monday.Shows("签到后已办理 4 个，准时办理 3 个，准时办理率 75.0%，签到未办理 1 个。");
        // 业务 | 预约 | 签到 | 爽约 | 待签到 | 取消 | 爽约率 | 已办理 | 准时办理 | 准时办理率 | 签到未办理
        _monday.HasRow("预约", "社保业务", "5", "4", "1", "0", "1", "20.0%", "3", "2", "66.7%", "1");
        _monday.HasRow("预约", "医保业务", "2", "1", "0", "1", "0", "0.0%", "1", "1", "100.0%", "0");
        _monday.HasRow("预约", "合计", "7", "5", "1", "1", "1", "16.7%", "4", "3", "75.0%", "1");
        Assert.That(_monday.Sheet("预约"), Has.Count.EqualTo(3), "two services booked, and the total");
    }

    [Test]
    public void The_patrol_sheet_lists_each_checked_in_booking_not_served_within_ten_minutes_of_its_slot()
    {
        // 时段 | 业务 | 预约码 | 号码 | 签到 | 开始办理 | 超出时段开始(分钟) — served at 09:10 sharp is on time and not listed.
        _monday.HasRow("预约未准时办理", "09:30–10:00", "社保业务", _lateCode, _lateTicket, "09:25", "09:41", "11.0");
        _monday.HasRow("预约未准时办理", "09:30–10:00", "社保业务", _notStartedCode, _notStartedTicket, "09:28", "未办理", "—");
        Assert.That(_monday.Sheet("预约未准时办理"), Has.Count.EqualTo(2));
    }

    [Test]
    public void The_bulletin_tells_the_months_bookings_in_its_story_and_counts_them_by_service()
    {
        Assert.That(_novemberStory, Does.Contain("本月预约 8 个，签到 5 个，爽约 2 个（爽约率 28.6%），取消 1 个；已办理 4 个，其中准时办理 3 个，准时办理率 75.0%。"));
        _november.Shows("八、预约");
        _november.Shows("本月预约 8 个（签到 5，爽约 2，待签到 1），取消 1 个。");
        _november.HasRow("预约", "社保业务", "6", "4", "2", "0", "1", "33.3%", "3", "2", "66.7%", "1");
        _november.HasRow("预约", "医保业务", "2", "1", "0", "1", "0", "0.0%", "1", "1", "100.0%", "0");
        _november.HasRow("预约", "合计", "8", "5", "2", "1", "1", "28.6%", "4", "3", "75.0%", "1");
    }

    [Test]
    public void The_year_view_counts_the_bookings_month_by_month_by_their_slots_date()
    {
        Assert.That(_yearStory, Does.Contain("本年预约 9 个，签到 5 个，爽约 2 个（爽约率 28.6%），取消 1 个；已办理 4 个，其中准时办理 3 个，准时办理率 75.0%。"));
        _year.HasRow("预约全年逐月", "11月", "8", "5", "2", "1", "1", "28.6%", "4", "3", "75.0%", "1");
        _year.HasRow("预约全年逐月", "12月", "1", "0", "0", "1", "0", "—", "0", "0", "—", "0");
        _year.HasRow("预约全年逐月", "10月", "0", "0", "0", "0", "0", "—", "0", "0", "—", "0");
        _year.HasRow("预约全年", "合计", "9", "5", "2", "2", "1", "28.6%", "4", "3", "75.0%", "1");
    }
}
