using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Server.Ratings;
using Hall.Server.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Reports;

/// <summary>
/// 差评闭环 in the monthly bulletin (issue 20): 差评件数, 按期办结率 (closed by the due date over the cases due in the month), 回访满意率
/// (满意 + 基本满意 at the call-back over those reached) and the appeals filed, upheld, rejected and pending — read back from the PDF
/// and the workbook and proven against the database; a rating upheld on appeal leaves the window's 好评率 and the ranking.
/// </summary>
[TestFixture]
public sealed class BadRatingLoopReportTests
{
    private HallApp _app = null!;
    private MonthScenario _hall = null!;
    private ReportReadBack _november = null!;
    private string _window1 = "";

    [OneTimeSetUp]
    public async Task RateAndFollowUpAsync()
    {
        _app = await HallApp.StartAsync("loop-report", new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.FromHours(8)));
        var h = _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: true, 1, 3);
        var cases = _app.Services.GetRequiredService<FollowUps>();
        var clerk1 = new Hall.Server.Queue.Actor(Hall.Server.Queue.ActorKind.Staff, h.ClerkId(1), h.HallId, h.ClerkName(1), StaffRole.Clerk, null, null);
        var boss = h.Supervisor;

        // Monday 2 November: window 1 (clerk 1) serves five citizens, window 3 one; six ratings on the evaluators.
        h.At(11, 2, 9, 0);
        await h.OpenAsync(1, 1);
        await h.OpenAsync(3, 3);
        var t = new List<long>();
        foreach (var level in new[] { RatingLevel.Dissatisfied, RatingLevel.VeryDissatisfied, RatingLevel.Dissatisfied, RatingLevel.Dissatisfied, RatingLevel.Satisfied })
        {
            t.Add(await h.ServeAndRateAsync(1, 1, "shebao", level));
        }
        await h.ServeAndRateAsync(3, 3, "yibao", RatingLevel.VerySatisfied);
        var c = new List<long>();
        await using (var db = _app.Db())
        {
            foreach (var ticket in t.Take(4))
            {
                c.Add(await db.FollowUpCases.Where(f => f.TicketId == ticket).Select(f => f.Id).SingleAsync());
            }
            Assert.That(await db.FollowUpCases.Where(f => c.Contains(f.Id)).Select(f => f.DueDate).Distinct().ToListAsync(), Is.EqualTo(new[] { new DateOnly(2026, 11, 5) }),
                "rated Monday, due Thursday");
        }

        static void Ok(Hall.Server.Queue.Refusal? refused) => Assert.That(refused, Is.Null, refused?.MessageEn);
        // Tuesday: case 1 founded and fixed; case 2 unfounded; clerk 1 appeals cases 3 (malicious) and 4 (mistaken).
        h.At(11, 3, 10, 0);
        Ok(await cases.VerifyAsync(boss, c[0], "等候过长属实", true, default));
        Ok(await cases.PlanRemedyAsync(boss, c[0], "增开窗口", null, default));
        Ok(await cases.FinishRemedyAsync(boss, c[0], "已增开", default));
        Ok(await cases.VerifyAsync(boss, c[1], "录像显示办理规范", false, default));
        Ok(await cases.FileAppealAsync(clerk1, c[2], AppealKind.Malicious, "群众故意差评", default));
        Ok(await cases.FileAppealAsync(clerk1, c[3], AppealKind.Mistaken, "群众误按", default));
        // Wednesday: case 1 called back (满意) and closed on time; appeal 3 upheld, appeal 4 rejected.
        h.At(11, 4, 10, 0);
        Ok(await cases.CallBackAsync(boss, c[0], CallBackVerdict.Satisfied, null, default));
        Ok(await cases.CloseAsync(boss, c[0], "已整改回访", default));
        Ok(await cases.DecideAppealAsync(boss, c[2], true, "录像证实与服务无关", default));
        Ok(await cases.DecideAppealAsync(boss, c[3], false, "群众确有不满", default));
        // Thursday (the due date): case 4 verified, the citizen not reached, closed on time.
        h.At(11, 5, 16, 0);
        Ok(await cases.VerifyAsync(boss, c[3], "窗口解释不足", false, default));
        Ok(await cases.CallBackAsync(boss, c[3], CallBackVerdict.Unreachable, "无人接听", default));
        Ok(await cases.CloseAsync(boss, c[3], "已核实", default));
        // Monday 9 November: case 2 called back (不满意) and closed late.
        h.At(11, 9, 10, 0);
        Ok(await cases.CallBackAsync(boss, c[1], CallBackVerdict.Dissatisfied, "群众仍不满意", default));
        Ok(await cases.CloseAsync(boss, c[1], "已解释", default));
        // Monday 30 November: one more bad rating at window 1, appealed and not yet decided (due 3 December: not in November's due).
        h.At(11, 30, 15, 0);
        var late = await h.ServeAndRateAsync(1, 1, "shebao", RatingLevel.Dissatisfied);
        await using (var db = _app.Db())
        {
            var last = await db.FollowUpCases.Where(f => f.TicketId == late).Select(f => f.Id).SingleAsync();
            Ok(await cases.FileAppealAsync(clerk1, last, AppealKind.Mistaken, "误按", default));
            _window1 = ReportFormat.Window(await db.Windows.Where(w => w.Id == h.WindowId(1)).Select(w => new WindowInfo(w.Id, w.Number, w.Name)).SingleAsync());
        }

        h.At(12, 1, 9, 0);
        _november = ReportReadBack.Of(await h.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 11, 1)), "loop-bulletin-november");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test]
    public async Task The_bulletin_counts_the_loop_of_the_months_bad_ratings_as_the_database_holds_it()
    {
        // Worked out from the database with the definitions, then read in the PDF and the workbook.
        var l = await LoopCounts.OfAsync(_app, _hall.HallId, _hall.Zone, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), new DateOnly(2026, 12, 1));
        Assert.That(l, Is.EqualTo(new LoopCounts(5, 3, 2, 2, 1, 1, 3, 1, 1, 1)),
            "the story: five cases; three due (the upheld one left out); two on time; two reached, one satisfied; one not reached; three appeals");

        _november.Shows("差评闭环（核实、整改、回访、申诉复核）");
        _november.HasRow("差评闭环", "差评件数", $"{l.Cases}");
        _november.HasRow("差评闭环", "应办结", $"{l.Due}");
        _november.HasRow("差评闭环", "按期办结", $"{l.OnTime}");
        _november.HasRow("差评闭环", "按期办结率", "66.7%");
        _november.HasRow("差评闭环", "回访（已联系）", $"{l.Reached}");
        _november.HasRow("差评闭环", "回访满意", $"{l.Satisfied}");
        _november.HasRow("差评闭环", "回访满意率", "50.0%");
        _november.HasRow("差评闭环", "未能联系", $"{l.Unreachable}");
        _november.HasRow("差评闭环", "申诉提出", $"{l.Filed}");
        _november.HasRow("差评闭环", "申诉采纳", $"{l.Upheld}");
        _november.HasRow("差评闭环", "申诉驳回", $"{l.Rejected}");
        _november.HasRow("差评闭环", "待复核", $"{l.Pending}");
        Assert.That(Math.Round(100.0 * l.OnTime / l.Due, 1), Is.EqualTo(66.7));
    }

    [Test]
    public async Task A_rating_upheld_on_appeal_leaves_the_windows_figures_and_the_ranking_but_stays_marked()
    {
        await using var db = _app.Db();
        var ratings = await db.Ratings.AsNoTracking().Where(r => r.HallId == _hall.HallId && r.WindowId == _hall.WindowId(1)).ToListAsync();
        var counted = ratings.Where(r => r.AppealUpheldAt == null).ToList();
        var good = counted.Count(r => RatingLevels.Satisfied.Contains(r.Level));
        Assert.That((ratings.Count, ratings.Count(r => r.AppealUpheldAt != null), counted.Count, good), Is.EqualTo((6, 1, 5, 1)), "six ratings kept, one marked; five count, one good");

        // 名次 | 窗口 | 好评率 | 评价数 | 办件量 | 平均等候 — 1 of 5 is 20.0% (with the upheld one it would be 1 of 6, 16.7%).
        _november.HasRow("窗口排名", "—", _window1, "20.0%", $"{counted.Count}", "6", "0.0");
        // 窗口 | 评价数 | 非常满意 | 满意 | 基本满意 | 不满意 | 非常不满意 | 好评率 | 评价率 | 回访按期 | 回访逾期
        _november.HasRow("窗口好差评", _window1, "5", "0", "1", "0", "3", "1", "20.0%", "83.3%", "2", "1");
        // The annex lists the case as 申诉采纳.
        Assert.That(_november.PdfLines.Any(l => l.Contains("申诉采纳", StringComparison.Ordinal)), Is.True);
    }
}
