using Hall.Server.Complaints;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Server.Ratings;
using Hall.Server.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ComplaintVerdict = Hall.Server.Complaints.CallBackVerdict;
using LoopVerdict = Hall.Server.Ratings.CallBackVerdict;

namespace Hall.Tests.Reports;

/// <summary>
/// The year view's 差评闭环 and 有诉即办 (issue 20): the bulletin's figures month by month and the year's total, the year's rates
/// worked out from its counts (not averaged over the months). A hall's October and November told as a story, read back from the
/// year view's PDF and workbook and proven against the database; November's row is the November bulletin's.
/// </summary>
[TestFixture]
public sealed class YearLoopAndComplaintTests
{
    private static readonly DateOnly Today = new(2026, 12, 1);
    private HallApp _app = null!;
    private MonthScenario _hall = null!;
    private ReportReadBack _year = null!;
    private ReportReadBack _november = null!;
    private string _story = "";

    [OneTimeSetUp]
    public async Task TellTwoMonthsAsync()
    {
        _app = await HallApp.StartAsync("year-loop", new DateTimeOffset(2026, 10, 12, 8, 0, 0, TimeSpan.FromHours(8)));
        var h = _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: true, 1);
        var cases = _app.Services.GetRequiredService<FollowUps>();
        var clerk1 = new Actor(ActorKind.Staff, h.ClerkId(1), h.HallId, h.ClerkName(1), StaffRole.Clerk, null, null);
        var boss = h.Supervisor;
        static void Ok(Refusal? refused) => Assert.That(refused, Is.Null, refused?.MessageEn);
        async Task<long> Rated(RatingLevel level)
        {
            var ticket = await h.ServeAndRateAsync(1, 1, "shebao", level);
            await using var db = _app.Db();
            return await db.FollowUpCases.Where(f => f.TicketId == ticket).Select(f => f.Id).SingleOrDefaultAsync();
        }

        // Monday 12 October (cases due Thursday 15th): three bad ratings and a good one at window 1; 办不成事 and 等候时间 received.
        h.At(10, 12, 9, 0);
        await h.OpenAsync(1, 1);
        var a = await Rated(RatingLevel.Dissatisfied);
        var b = await Rated(RatingLevel.VeryDissatisfied);
        var c = await Rated(RatingLevel.Dissatisfied);
        await Rated(RatingLevel.Satisfied);
        var k1 = await h.ReceiveComplaintAsync(ComplaintCategory.CouldNotGetDone);
        var k2 = await h.ReceiveComplaintAsync(ComplaintCategory.Waiting);
        // Tuesday: a founded and fixed; clerk 1 appeals c; 材料繁琐 received (due Friday 16th), never closed.
        h.At(10, 13, 10, 0);
        Ok(await cases.VerifyAsync(boss, a, "等候过长属实", true, default));
        Ok(await cases.PlanRemedyAsync(boss, a, "增开窗口", null, default));
        Ok(await cases.FinishRemedyAsync(boss, a, "已增开", default));
        Ok(await cases.FileAppealAsync(clerk1, c, AppealKind.Malicious, "群众故意差评", default));
        await h.ReceiveComplaintAsync(ComplaintCategory.Materials);
        // Wednesday: a called back (满意) and closed on time; c's appeal rejected; 办不成事 closed on time (满意).
        h.At(10, 14, 10, 0);
        Ok(await cases.CallBackAsync(boss, a, LoopVerdict.Satisfied, null, default));
        Ok(await cases.CloseAsync(boss, a, "已整改回访", default));
        Ok(await cases.DecideAppealAsync(boss, c, false, "群众确有不满", default));
        await h.CloseComplaintAsync(k1, ComplaintVerdict.Satisfied);
        // Thursday (the due date): c verified, called back (不满意) and closed on time.
        h.At(10, 15, 16, 0);
        Ok(await cases.VerifyAsync(boss, c, "窗口解释不足", false, default));
        Ok(await cases.CallBackAsync(boss, c, LoopVerdict.Dissatisfied, "群众仍不满意", default));
        Ok(await cases.CloseAsync(boss, c, "已解释", default));
        // Friday: b verified, the citizen not reached, closed a day late; 等候时间 closed late (不满意).
        h.At(10, 16, 10, 0);
        Ok(await cases.VerifyAsync(boss, b, "录像显示办理规范", false, default));
        Ok(await cases.CallBackAsync(boss, b, LoopVerdict.Unreachable, "无人接听", default));
        Ok(await cases.CloseAsync(boss, b, "已核实", default));
        await h.CloseComplaintAsync(k2, ComplaintVerdict.Dissatisfied);

        // Monday 2 November (due Thursday 5th): two bad ratings; 等候时间 received.
        h.At(11, 2, 9, 0);
        var d = await Rated(RatingLevel.Dissatisfied);
        var e = await Rated(RatingLevel.VeryDissatisfied);
        var k4 = await h.ReceiveComplaintAsync(ComplaintCategory.Waiting);
        // Tuesday: e appealed; Wednesday: e upheld (申诉采纳, out of 应办结); d verified, called back (基本满意), closed on time; 等候时间 closed (基本满意).
        h.At(11, 3, 10, 0);
        Ok(await cases.FileAppealAsync(clerk1, e, AppealKind.Mistaken, "群众误按", default));
        h.At(11, 4, 10, 0);
        Ok(await cases.DecideAppealAsync(boss, e, true, "录像证实与服务无关", default));
        Ok(await cases.VerifyAsync(boss, d, "窗口解释不足", false, default));
        Ok(await cases.CallBackAsync(boss, d, LoopVerdict.Basic, null, default));
        Ok(await cases.CloseAsync(boss, d, "已解释", default));
        await h.CloseComplaintAsync(k4, ComplaintVerdict.Basic);
        // Monday 30 November: one more bad rating, appealed and not decided (due 3 December); 服务态度 received, open.
        h.At(11, 30, 15, 0);
        var f = await Rated(RatingLevel.Dissatisfied);
        Ok(await cases.FileAppealAsync(clerk1, f, AppealKind.Mistaken, "误按", default));
        await h.ReceiveComplaintAsync(ComplaintCategory.Attitude);

        h.At(12, 1, 9, 0);
        var year = await h.ReportAsync(ReportKind.Year, new DateOnly(2026, 1, 1));
        _story = year.Blocks.OfType<ReportParagraph>().First().Text;
        _year = ReportReadBack.Of(year, "year-loop-complaints");
        _november = ReportReadBack.Of(await h.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 11, 1)), "year-loop-bulletin-november");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test]
    public async Task The_year_view_counts_the_bad_rating_loop_month_by_month_as_the_database_holds_it()
    {
        var october = await LoopAsync(new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31));
        var november = await LoopAsync(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30));
        var whole = await LoopAsync(new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31));
        // 差评件数, 应办结, 按期办结, 回访（已联系）, 回访满意, 未能联系, 申诉提出, 申诉采纳, 申诉驳回, 待复核
        Assert.That(october, Is.EqualTo(new LoopCounts(3, 3, 2, 2, 1, 1, 1, 0, 1, 0)), "October: three cases due, two on time; a satisfied, c not; b not reached; c's appeal rejected");
        Assert.That(november, Is.EqualTo(new LoopCounts(3, 1, 1, 1, 1, 0, 2, 1, 0, 1)), "November: e upheld (not due), f due in December and pending; d on time and 基本满意");
        Assert.That(whole, Is.EqualTo(new LoopCounts(6, 4, 3, 3, 2, 1, 3, 1, 1, 1)), "the year is the sum of its months");

        _year.Shows("差评闭环逐月");
        // 月份 | 差评件数 | 应办结 | 按期办结 | 按期办结率 | 回访（已联系） | 回访满意 | 回访满意率 | 未能联系 | 申诉提出 | 申诉采纳 | 申诉驳回 | 待复核
        _year.HasRow("差评闭环逐月", Row("10月", october));
        _year.HasRow("差评闭环逐月", Row("11月", november));
        _year.HasRow("差评闭环逐月", Row("全年", whole));
        _year.HasRow("差评闭环逐月", "9月", "0", "0", "0", "—", "0", "0", "—", "0", "0", "0", "0", "0");
        Assert.That(_year.Sheet("差评闭环逐月"), Has.Count.EqualTo(13), "twelve months and the year");
        // The year's rates come from its counts: 3 of 4 on time is 75.0% (the months' 66.7% and 100.0% would average 83.3%),
        // 2 of 3 satisfied is 66.7% (not 75.0%).
        Assert.That((Row("全年", whole)[4], Row("全年", whole)[7]), Is.EqualTo(("75.0%", "66.7%")));
    }

    [Test]
    public async Task The_year_views_november_is_the_november_bulletins()
    {
        var row = Row("11月", await LoopAsync(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30)));
        _year.HasRow("差评闭环逐月", row);
        foreach (var (figure, i) in BulletinReportFigures.Select((name, i) => (name, i + 1)))
        {
            _november.HasRow("差评闭环", figure, row[i]);
        }
        // 类别 / 月份 | 受理 | 办结 | 办结率 | 按期办结 | 逾期办结 | 逾期未办结 | 办理中 | 按期办结率 | 已回访 | 回访满意 | 回访满意率
        var complaints = (await ComplaintsAsync(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), null)).Row("11月");
        _year.HasRow("有诉即办全年逐月", complaints);
        _november.HasRow("有诉即办", ["合计", .. complaints[1..]]);
    }

    private static readonly string[] BulletinReportFigures =
        ["差评件数", "应办结", "按期办结", "按期办结率", "回访（已联系）", "回访满意", "回访满意率", "未能联系", "申诉提出", "申诉采纳", "申诉驳回", "待复核"];

    [Test]
    public async Task The_year_view_counts_the_complaints_month_by_month_and_by_category_as_the_database_holds_them()
    {
        var october = await ComplaintsAsync(new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31), null);
        var november = await ComplaintsAsync(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), null);
        var whole = await ComplaintsAsync(new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), null);
        // 受理, 办结, 按期办结, 逾期未办结, 已回访, 回访满意
        Assert.That(october, Is.EqualTo(new ComplaintCounts(3, 2, 1, 1, 2, 1)));
        Assert.That(november, Is.EqualTo(new ComplaintCounts(2, 1, 1, 0, 1, 1)));
        Assert.That(whole, Is.EqualTo(new ComplaintCounts(5, 3, 2, 1, 3, 2)));

        _year.Shows("九、有诉即办");
        _year.HasRow("有诉即办全年逐月", october.Row("10月"));
        _year.HasRow("有诉即办全年逐月", november.Row("11月"));
        _year.HasRow("有诉即办全年逐月", whole.Row("全年"));
        _year.HasRow("有诉即办全年逐月", "1月", "0", "0", "—", "0", "0", "0", "0", "—", "0", "0", "—");
        Assert.That(_year.Sheet("有诉即办全年逐月"), Has.Count.EqualTo(13), "twelve months and the year");
        // 办结率 3 of 5, 按期办结率 2 of (3 closed + 1 overdue), 回访满意率 2 of 3 — from the year's counts
        // (October's 33.3% and November's 100.0% would average 66.7%).
        Assert.That((whole.Row("全年")[3], whole.Row("全年")[8], whole.Row("全年")[11]), Is.EqualTo(("60.0%", "50.0%", "66.7%")));

        // By category over the year, with the year's total.
        var waiting = await ComplaintsAsync(new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), ComplaintCategory.Waiting);
        Assert.That(waiting, Is.EqualTo(new ComplaintCounts(2, 2, 1, 0, 2, 1)), "等候时间: October's closed late (不满意), November's on time (基本满意)");
        _year.HasRow("有诉即办全年", waiting.Row("等候时间"));
        _year.HasRow("有诉即办全年", "材料繁琐", "1", "0", "0.0%", "0", "0", "1", "0", "0.0%", "0", "0", "—");
        _year.HasRow("有诉即办全年", "服务态度", "1", "0", "0.0%", "0", "0", "0", "1", "—", "0", "0", "—");
        _year.HasRow("有诉即办全年", "办不成事", "1", "1", "100.0%", "1", "0", "0", "0", "100.0%", "1", "1", "100.0%");
        _year.HasRow("有诉即办全年", whole.Row("合计"));
        Assert.That(_year.Sheet("有诉即办全年"), Has.Count.EqualTo(5), "four categories had complaints, and the total");
    }

    [Test]
    public void The_year_views_story_tells_the_years_complaints()
    {
        Assert.That(_story, Does.Contain("本年受理群众诉求（有诉即办） 5 件，办结 3 件，办结率 60.0%；按期办结 2 件，按期办结率 50.0%；回访满意 2 件，回访满意率 66.7%。"));
    }

    private Task<LoopCounts> LoopAsync(DateOnly from, DateOnly to) => LoopCounts.OfAsync(_app, _hall.HallId, _hall.Zone, from, to, Today);

    private Task<ComplaintCounts> ComplaintsAsync(DateOnly from, DateOnly to, ComplaintCategory? category) =>
        ComplaintCounts.OfAsync(_app, _hall.HallId, _hall.Zone, from, to, Today, category);

    private static string[] Row(string month, LoopCounts l) =>
        [month, $"{l.Cases}", $"{l.Due}", $"{l.OnTime}", ComplaintCounts.Rate(l.OnTime, l.Due), $"{l.Reached}", $"{l.Satisfied}", ComplaintCounts.Rate(l.Satisfied, l.Reached),
            $"{l.Unreachable}", $"{l.Filed}", $"{l.Upheld}", $"{l.Rejected}", $"{l.Pending}"];
}
