using Hall.Server.Reports;
using Hall.Server.Staff;
using Hall.Tests.Support;

namespace Hall.Tests.Reports;

/// <summary>
/// Attendance as the bureau counts it (issue 18): against the roster (排班) and the leave (请假, 公出) the admin entered —
/// 应出勤, 实出勤, 缺勤, 迟到, 早退 and 超时暂停 per clerk, and the patrol sheet's 到岗 for the day.
/// </summary>
[TestFixture]
public sealed class RosterAttendanceTests
{
    private static readonly DayOfWeek[] Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    private HallApp _app = null!;
    private MonthScenario _hall = null!;
    private int _clerk1Days;

    [OneTimeSetUp]
    public async Task TellTheWeeksAsync()
    {
        _app = await HallApp.StartAsync("roster-attendance", new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.FromHours(8)));
        var h = _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: false, 1, 2, 3);
        // Clerk 1 at window 1 from Tuesday 1 to Monday 7 September, every day chosen: the weekend is left out, the hall is closed.
        _clerk1Days = await h.RosterAsync(1, 1, new DateOnly(2026, 9, 1), new DateOnly(2026, 9, 7), Weekdays);
        // Clerk 2 at window 2 from Tuesday to Friday; clerk 3 is on no roster.
        await h.RosterAsync(2, 2, new DateOnly(2026, 9, 1), new DateOnly(2026, 9, 4), DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday);
        await h.LeaveAsync(1, new DateOnly(2026, 9, 3), new DateOnly(2026, 9, 3), LeaveKind.Leave, "病假");
        await h.LeaveAsync(2, new DateOnly(2026, 9, 2), new DateOnly(2026, 9, 2), LeaveKind.Business, "市局培训");

        // Tuesday: clerk 1 comes at 09:12 (late); clerk 2 leaves at 16:40 (early).
        h.At(9, 1, 9, 0);
        await h.OpenAsync(2, 2);
        h.At(9, 1, 9, 12);
        await h.OpenAsync(1, 1);
        h.At(9, 1, 16, 40);
        await h.CloseAsync(2, 2);
        h.At(9, 1, 17, 30);
        await h.CloseAsync(1, 1);
        // Wednesday: clerk 1 the whole day; clerk 2 on official business; clerk 3, on no roster, at window 3 in the morning.
        h.At(9, 2, 9, 0);
        await h.OpenAsync(1, 1);
        await h.OpenAsync(3, 3);
        h.At(9, 2, 12, 0);
        await h.CloseAsync(3, 3);
        h.At(9, 2, 17, 30);
        await h.CloseAsync(1, 1);
        // Thursday: clerk 1 on leave; clerk 2 at 09:03 until 17:28 — within the five minutes.
        h.At(9, 3, 9, 3);
        await h.OpenAsync(2, 2);
        h.At(9, 3, 17, 28);
        await h.CloseAsync(2, 2);
        // Friday: clerk 1 goes at noon (early); clerk 2 pauses 45 minutes.
        h.At(9, 4, 9, 0);
        await h.OpenAsync(1, 1);
        await h.OpenAsync(2, 2);
        h.At(9, 4, 10, 0);
        await h.PauseAsync(2, 2, "临时离开");
        h.At(9, 4, 10, 45);
        await h.ResumeAsync(2, 2);
        h.At(9, 4, 12, 0);
        await h.CloseAsync(1, 1);
        h.At(9, 4, 17, 30);
        await h.CloseAsync(2, 2);
        // Monday 7: clerk 1 never comes, with no leave: absent.
        h.At(10, 1, 9, 0);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test]
    public void A_roster_over_a_weekend_leaves_out_the_days_the_hall_is_closed()
    {
        Assert.That(_clerk1Days, Is.EqualTo(5), "1–4 and 7 September; 5 and 6 are a weekend");
    }

    [Test]
    public async Task The_bulletin_counts_each_clerks_attendance_against_the_roster_and_the_leave()
    {
        var r = ReportReadBack.Of(await _hall.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 1)), "bulletin-roster");
        // 考勤: 工作人员 | 应出勤 | 实出勤 | 请假 | 公出 | 缺勤 | 迟到 | 早退 | 超时暂停 | 在岗(时) | 办件量
        // Clerk 1: due 5 days, at a window on 3 (late Tuesday, early Friday), on leave Thursday, absent Monday 7th.
        // 6.80 + 7.00 + 3.00 hours at the window.
        r.HasRow("考勤", _hall.ClerkName(1), "5", "3", "1", "0", "1", "1", "1", "0", "16.80", "0");
        // Clerk 2: due 4, at a window 3 (early Tuesday; Thursday's 09:03–17:28 is within the grace), on business Wednesday,
        // one pause over the 30-minute limit. 6.17 + 6.92 + 6.25 hours.
        r.HasRow("考勤", _hall.ClerkName(2), "4", "3", "0", "1", "0", "0", "1", "1", "19.33", "0");
        // Clerk 3 was on no roster: present one day, nothing the roster would decide.
        r.HasRow("考勤", _hall.ClerkName(3), "—", "1", "0", "0", "—", "—", "—", "0", "3.00", "0");
    }

    [Test]
    public async Task The_patrol_sheet_says_who_came_when_against_the_roster()
    {
        var tuesday = ReportReadBack.Of(await _hall.ReportAsync(ReportKind.DailyPatrol, new DateOnly(2026, 9, 1)), "patrol-roster-tuesday");
        // 到岗: 工作人员 | 排班窗口 | 到岗 | 离岗 | 情况
        tuesday.HasRow("到岗", _hall.ClerkName(1), "1号社保窗口", "09:12", "17:30", "迟到");
        tuesday.HasRow("到岗", _hall.ClerkName(2), "2号社保窗口", "09:00", "16:40", "早退");

        var wednesday = ReportReadBack.Of(await _hall.ReportAsync(ReportKind.DailyPatrol, new DateOnly(2026, 9, 2)), "patrol-roster-wednesday");
        wednesday.HasRow("到岗", _hall.ClerkName(1), "1号社保窗口", "09:00", "17:30", "正常");
        wednesday.HasRow("到岗", _hall.ClerkName(2), "2号社保窗口", "—", "—", "公出");
        wednesday.HasRow("到岗", _hall.ClerkName(3), "未排班", "09:00", "12:00", "排班外出勤");

        var monday = ReportReadBack.Of(await _hall.ReportAsync(ReportKind.DailyPatrol, new DateOnly(2026, 9, 7)), "patrol-roster-monday");
        monday.HasRow("到岗", _hall.ClerkName(1), "1号社保窗口", "—", "—", "缺勤");
    }
}
