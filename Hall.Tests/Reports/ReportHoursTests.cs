using Hall.Server.Contracts;
using Hall.Server.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Reports;

/// <summary>
/// The hours a report counts by (issue 18): a wait or a case that runs through the lunch break does not count the break;
/// what is finished and rated after closing time is in the day's patrol sheet the schedule makes; a past day's report made
/// again after the hours changed counts the hours that day had.
/// </summary>
[TestFixture]
public sealed class ReportHoursTests
{
    private static readonly DateOnly Tuesday = new(2026, 9, 1);
    private static readonly DateOnly Wednesday = new(2026, 9, 2);

    private HallApp _app = null!;
    private MonthScenario _hall = null!;

    [OneTimeSetUp]
    public async Task TellTheDayAsync()
    {
        _app = await HallApp.StartAsync("report-hours", new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.FromHours(8)));
        _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: false, 1);
        var h = _hall;
        // Tuesday 1 September, the county's hours 09:00–12:00 and 13:30–17:30. Window 1 stays open over lunch.
        h.At(9, 1, 9, 0);
        await h.OpenAsync(1, 1);
        // A case started before lunch and finished after it: 11:46–13:36 is 110 minutes, 20 of them handling.
        h.At(9, 1, 11, 40);
        var beforeLunch = await h.IssueAsync("shebao");
        h.At(9, 1, 11, 45);
        await h.CallAsync(1, 1, beforeLunch);
        h.At(9, 1, 11, 46);
        await h.StartAsync(1, 1, beforeLunch);
        // A citizen who came at 11:50 and was called at 13:40 waited 20 minutes of the hall's time, not 110.
        h.At(9, 1, 11, 50);
        var throughLunch = await h.IssueAsync("shebao");
        h.At(9, 1, 13, 36);
        await h.FinishAsync(1, 1, beforeLunch, "办结");
        h.At(9, 1, 13, 40);
        await h.CallAsync(1, 1, throughLunch);
        h.At(9, 1, 13, 41);
        await h.StartAsync(1, 1, throughLunch);
        h.At(9, 1, 13, 51);
        await h.FinishAsync(1, 1, throughLunch, "办结");
        // The last citizen of the day, served until 17:50 and rating at 17:52: after closing, still Tuesday's.
        h.At(9, 1, 17, 10);
        var late = await h.IssueAsync("shebao");
        h.At(9, 1, 17, 15);
        await h.CallAsync(1, 1, late);
        h.At(9, 1, 17, 16);
        await h.StartAsync(1, 1, late);
        h.At(9, 1, 17, 50);
        await h.FinishAsync(1, 1, late, "办结");
        h.At(9, 1, 17, 52);
        await h.RateAsync(late, RatingLevel.VeryDissatisfied, "等候时间长");
        h.At(9, 1, 17, 55);
        await h.CloseAsync(1, 1);

        // Just after midnight the schedule makes Tuesday's sheet.
        h.At(9, 2, 0, 1);
        await _app.Services.GetRequiredService<ReportSchedule>().PatrolAsync(catchUp: false, default);

        // Wednesday morning the admin moves the afternoon to 14:00–18:00.
        h.At(9, 2, 8, 0);
        await h.SetHoursAsync(string.Join("\n", new[] { "周一", "周二", "周三", "周四", "周五" }.Select(d => d + " 09:00-12:00 14:00-18:00")));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test]
    public async Task The_schedules_sheet_counts_what_was_finished_and_rated_after_closing_and_no_lunch_break_in_waits_or_handling()
    {
        await using (var db = _app.Db())
        {
            var stored = await db.Reports.Where(r => r.HallId == _hall.HallId && r.Kind == ReportKind.DailyPatrol && r.PeriodFrom == Tuesday).Select(r => r.GeneratedByStaffId).ToListAsync();
            Assert.That(stored, Is.EqualTo(new int?[] { null }), "one sheet for Tuesday, made by the schedule after midnight");
        }
        var sheet = await _hall.StoredAsync(ReportKind.DailyPatrol, Tuesday, "patrol-hours-scheduled");
        // 窗口 | 工作人员 | 在岗 | 开放 | 暂停 | 服务量 | 平均等候 | 最长等候 | 平均办理 | 最长办理 | 过号 | 转出 | 评价 | 满意率
        // Waits 5, 20 (11:50–12:00 and 13:30–13:40), 5; handling 20 (11:46–12:00, 13:30–13:36), 10, 34 — the 17:50 finish
        // and the 17:52 非常不满意 included.
        sheet.HasRow("窗口", "1号社保窗口", _hall.ClerkName(1), "7.00", "7.00", "0", "3", "10.0", "20.0", "21.3", "34.0", "0", "0", "1", "0.0%");
        sheet.Shows("开放时间 09:00–12:00，13:30–17:30");
    }

    [Test]
    public async Task A_past_day_made_again_after_the_hours_changed_counts_the_hours_it_had()
    {
        var tuesday = ReportReadBack.Of(await _hall.ReportAsync(ReportKind.DailyPatrol, Tuesday), "patrol-hours-tuesday-again");
        tuesday.Shows("开放时间 09:00–12:00，13:30–17:30");
        // The same figures as the night before: with Wednesday's hours the break would be 12:00–14:00 (a 10-minute wait,
        // 6.92 staffed hours).
        tuesday.HasRow("窗口", "1号社保窗口", _hall.ClerkName(1), "7.00", "7.00", "0", "3", "10.0", "20.0", "21.3", "34.0", "0", "0", "1", "0.0%");

        var wednesday = await _hall.ReportAsync(ReportKind.DailyPatrol, Wednesday);
        Assert.That(wednesday.Subtitle, Does.EndWith("开放时间 09:00–12:00，14:00–18:00"), "the new hours from the day they changed");
        ReportReadBack.Of(wednesday, "patrol-hours-wednesday").Shows("开放时间 09:00–12:00，14:00–18:00");
    }
}
