using Hall.Server.Reports;
using Hall.Tests.Support;

namespace Hall.Tests.Reports;

/// <summary>
/// A window taken over while paused (issue 18): the new holder's session starts paused, so its minutes are a pause and
/// not staffed time, and the pause is one pause at the window — judged whole against the 30-minute limit — whoever held it.
/// </summary>
[TestFixture]
public sealed class TakeOverWhilePausedTests
{
    private HallApp _app = null!;
    private MonthScenario _hall = null!;

    [OneTimeSetUp]
    public async Task TellTheMorningAsync()
    {
        _app = await HallApp.StartAsync("takeover-paused", new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.FromHours(8)));
        _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: false, 1);
        var h = _hall;
        // Tuesday 1 September: clerk 1 opens window 1 at 09:00 and pauses at 10:00; clerk 4 takes it over, paused, at
        // 10:05, resumes at 10:45 and closes at 12:00. The pause lasted 45 minutes: 5 of clerk 1's, 40 of clerk 4's.
        h.At(9, 1, 9, 0);
        await h.OpenAsync(1, 1);
        h.At(9, 1, 10, 0);
        await h.PauseAsync(1, 1, "休息");
        h.At(9, 1, 10, 5);
        await h.TakeOverAsync(1, 4);
        h.At(9, 1, 10, 45);
        await h.ResumeAsync(1, 4);
        h.At(9, 1, 12, 0);
        await h.CloseAsync(1, 4);
        h.At(9, 2, 9, 0);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test]
    public async Task The_minutes_after_a_paused_take_over_are_a_pause_of_the_new_holder_and_the_pause_is_judged_whole()
    {
        var patrol = ReportReadBack.Of(await _hall.ReportAsync(ReportKind.DailyPatrol, new DateOnly(2026, 9, 1)), "patrol-takeover-paused");
        // 暂停: 窗口 | 原因 | 次数 | 分钟 — one pause of 45 minutes, not 5 (and 40 minutes of staffed time).
        patrol.HasRow("暂停", "1号社保窗口", "休息", "1", "45");
        // 超时暂停: over the 30-minute limit as a whole, though each holder's part of it was not; named for the holder who ended it.
        patrol.HasRow("超时暂停", "1号社保窗口", _hall.ClerkName(4), "休息", "10:00", "10:45", "45");
        Assert.That(patrol.Sheet("超时暂停"), Has.Count.EqualTo(1));

        var bulletin = ReportReadBack.Of(await _hall.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 15)), "bulletin-takeover-paused");
        // 考勤: 工作人员 | 应出勤 | 实出勤 | 请假 | 公出 | 缺勤 | 迟到 | 早退 | 超时暂停 | 在岗(时) | 办件量 — the long pause is
        // the holder's who ended it.
        bulletin.HasRow("考勤", _hall.ClerkName(1), "—", "1", "0", "0", "—", "—", "—", "0", "1.00", "0");
        bulletin.HasRow("考勤", _hall.ClerkName(4), "—", "1", "0", "0", "—", "—", "—", "1", "1.25", "0");
        // 人员暂停: 工作人员 | 休息 | 会议 | 临时离开 | 后台办件 | 暂停合计
        bulletin.HasRow("人员暂停", _hall.ClerkName(1), "5", "0", "0", "0", "5");
        bulletin.HasRow("人员暂停", _hall.ClerkName(4), "40", "0", "0", "0", "40");
    }
}
