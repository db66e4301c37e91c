using Hall.Server.Contracts;
using Hall.Server.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

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
        // A window is ranked with 2 ratings or more in this small month (the default, 10, is for a real one).
        await using (var db = _app.Db())
        {
            await db.Halls.Where(x => x.Id == h.HallId).ExecuteUpdateAsync(x => x.SetProperty(y => y.RankingMinRatings, 2));
        }

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
        await h.FinishAsync(2, 2, t2, "已受理", AcceptanceMode.MaterialsToFollow, new FinishDetails("户口簿复印件；结婚证复印件", new DateOnly(2026, 9, 8), "主件已核验"), "SB003", "SB001");
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
        await h.FinishAsync(1, 1, t4, "办结", AcceptanceMode.OnPromise, new FinishDetails(null, new DateOnly(2026, 9, 30), null));
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
        await h.RateAsync(t7, RatingLevel.VeryDissatisfied, "服务态度差");
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

    private static async Task<ReportReadBack> ReadAsync(MonthScenario hall, ReportKind kind, DateOnly day, string name) =>
        ReportReadBack.Of(await hall.ReportAsync(kind, day), name);

    private string C(int clerk) => _hall.ClerkName(clerk);

    [Test]
    public async Task The_bulletin_counts_attendance_business_and_satisfaction_of_the_month()
    {
        var r = await ReadAsync(_hall, ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 15), "bulletin-2026-09");
        r.Shows("关于新县市民之家2026年9月工作情况的通报");
        r.Shows("统计期间 2026年9月1日 至 2026年9月30日");
        Assert.That(r.PdfLines.Any(l => l.Contains("尚未结束", StringComparison.Ordinal)), Is.False, "September is over");
        // Made at 09:00 on 1 October, October's bulletin counts one morning, and says so.
        var october = await ReadAsync(_hall, ReportKind.MonthlyBulletin, new DateOnly(2026, 10, 20), "bulletin-2026-10-partial");
        october.Shows("统计期间 2026年10月1日 至 2026年10月1日（本月尚未结束，数据截至 10月1日 09:00）");

        // 考勤: 工作人员 | 应出勤 | 实出勤 | 请假 | 公出 | 缺勤 | 迟到 | 早退 | 超时暂停 | 在岗(时) | 办件量 — no roster this month, so
        // what the roster decides is —; clerk 1's 45-minute meeting is over the limit.
        r.HasRow("考勤", C(1), "—", "2", "0", "0", "—", "—", "—", "1", "8.25", "4");
        r.HasRow("考勤", C(2), "—", "1", "0", "0", "—", "—", "—", "0", "7.00", "2");
        r.HasRow("考勤", C(3), "—", "2", "0", "0", "—", "—", "—", "0", "10.00", "1");
        r.HasRow("考勤", C(4), "—", "1", "0", "0", "—", "—", "—", "0", "1.00", "1");
        r.HasRow("考勤", C(6), "—", "1", "0", "0", "—", "—", "—", "0", "7.00", "0");
        // 人员暂停: 工作人员 | 休息 | 会议 | 临时离开 | 后台办件 | 暂停合计
        r.HasRow("人员暂停", C(1), "0", "45", "0", "0", "45");
        r.HasRow("人员暂停", C(2), "0", "0", "0", "0", "0");
        // Clerks in the order of the windows they held (clerk 4 took window 1 over from clerk 1), not by the code points of names.
        Assert.That(r.Sheet("考勤").Select(row => row[0]), Is.EqualTo(new[] { C(1), C(4), C(2), C(3), C(6) }));

        // 窗口业务量: 窗口 | 办件量 | 办结 | 已受理 | 退回补正 | 不予受理 | 办结率 | 容缺受理 | 告知承诺 | 咨询
        // A case accepted on a promise and finished on the spot (B002) is 办结 and 告知承诺 both; one accepted with materials to follow
        // (A002) is 已受理 and 容缺受理.
        r.HasRow("窗口业务量", "1号社保窗口", "5", "4", "0", "1", "0", "80.0%", "0", "1", "0");
        r.HasRow("窗口业务量", "2号社保窗口", "2", "1", "1", "0", "0", "50.0%", "1", "0", "0");
        r.HasRow("窗口业务量", "3号医保窗口", "1", "1", "0", "0", "0", "100.0%", "0", "0", "0");
        r.HasRow("窗口业务量", "6号公安户政窗口", "0", "0", "0", "0", "0", "—", "0", "0", "0");
        r.HasRow("窗口业务量", "合计", "8", "6", "1", "1", "0", "75.0%", "1", "1", "0");
        // 窗口效率: 窗口 | 平均等候 | 平均办理 | 过号 | 转出 | 利用率
        r.HasRow("窗口效率", "1号社保窗口", "16.3", "20.0", "0", "0", "18.0%");
        r.HasRow("窗口效率", "2号社保窗口", "12.5", "29.0", "0", "0", "13.8%");
        r.HasRow("窗口效率", "3号医保窗口", "22.0", "10.0", "1", "1", "1.7%");
        r.HasRow("窗口效率", "6号公安户政窗口", "—", "—", "0", "0", "0.0%");
        r.HasRow("窗口效率", "合计", "17.3", "21.0", "1", "1", "8.4%");

        // 业务: 业务 | 取号 | 办件量 | 过号 | 转入 | 转出 | 取消 | 平均等候 | 最长等候 | 平均办理
        r.HasRow("业务", "社保业务", "6", "7", "0", "1", "0", "0", "15.0", "30.0", "22.6");
        r.HasRow("业务", "医保业务", "3", "1", "1", "0", "1", "0", "22.0", "30.0", "10.0");

        // 部门业务量 (from the items recorded at finish): 部门 | 办件量 | 办结 | 已受理 | 退回补正 | 不予受理 | 办结率 | 容缺受理 | 告知承诺 | 咨询
        r.HasRow("部门业务量", "县社会保险中心", "4", "2", "1", "1", "0", "50.0%", "1", "0", "0");
        r.HasRow("部门业务量", "县人力资源和社会保障局", "2", "1", "1", "0", "0", "50.0%", "1", "0", "0");
        r.HasRow("部门业务量", "县医疗保障局", "2", "2", "0", "0", "0", "100.0%", "0", "1", "0");
        r.HasRow("部门业务量", "未登记事项", "1", "1", "0", "0", "0", "100.0%", "0", "0", "0");

        // 办理结果 per service: 业务 | 办件量 | 办结 | 已受理 | 退回补正 | 不予受理 | 办结率 | 容缺受理 | 告知承诺 | 咨询
        r.HasRow("业务办理结果", "社保业务", "7", "5", "1", "1", "0", "71.4%", "1", "1", "0");
        r.HasRow("业务办理结果", "医保业务", "1", "1", "0", "0", "0", "100.0%", "0", "0", "0");

        // 满意度: 评价数 | 非常满意 | 满意 | 基本满意 | 不满意 | 非常不满意 | 满意率 | 回访按期 | 回访逾期
        r.HasRow("窗口好差评", "1号社保窗口", "4", "2", "2", "0", "0", "0", "100.0%", "80.0%", "0", "0");
        r.HasRow("窗口好差评", "2号社保窗口", "2", "0", "0", "1", "1", "0", "50.0%", "100.0%", "0", "1");
        r.HasRow("窗口好差评", "3号医保窗口", "1", "0", "0", "0", "0", "1", "0.0%", "100.0%", "1", "0");
        r.HasRow("窗口好差评", "合计", "7", "2", "2", "1", "1", "1", "71.4%", "87.5%", "1", "1");
        r.HasRow("人员好差评", C(1), "3", "1", "2", "0", "0", "0", "100.0%", "75.0%", "0", "0");
        r.HasRow("人员好差评", C(4), "1", "1", "0", "0", "0", "0", "100.0%", "100.0%", "0", "0");
        r.HasRow("人员好差评", C(2), "2", "0", "0", "1", "1", "0", "50.0%", "100.0%", "0", "1");
        r.HasRow("人员好差评", C(3), "1", "0", "0", "0", "0", "1", "0.0%", "100.0%", "1", "0");

        // 业务好差评 / 部门好差评: 办件量 | 评价数 | 评价率 | 好评 | 差评 | 好评率 | 差评整改率 — both bad ratings' follow-ups are closed.
        r.HasRow("业务好差评", "社保业务", "7", "6", "85.7%", "5", "1", "83.3%", "100.0%");
        r.HasRow("业务好差评", "医保业务", "1", "1", "100.0%", "0", "1", "0.0%", "100.0%");
        r.HasRow("业务好差评", "合计", "8", "7", "87.5%", "5", "2", "71.4%", "100.0%");
        // By department (the items recorded at finish): 县医疗保障局's two cases, one rated 非常不满意 and followed up.
        r.HasRow("部门好差评", "县社会保险中心", "4", "4", "100.0%", "3", "1", "75.0%", "100.0%");
        r.HasRow("部门好差评", "县医疗保障局", "2", "1", "50.0%", "0", "1", "0.0%", "100.0%");
        r.HasRow("部门好差评", "未登记事项", "1", "1", "100.0%", "1", "0", "100.0%", "—");

        // 差评回访: the one due on the 4th closed on the 7th is late; the one due on the 7th closed on the 4th is on time.
        r.HasRow("差评回访", "A002", "2号社保窗口", C(2), "不满意", "等候时间长", "2026-09-04", "09-07 10:00", "逾期办结");
        r.HasRow("差评回访", "B001", "3号医保窗口", C(3), "非常不满意", "服务态度差", "2026-09-07", "09-04 10:00", "按期办结");

        // 排名: 名次 | 窗口 | 满意率 | 评价数 | 服务量 | 平均等候
        r.HasRow("窗口排名", "1", "1号社保窗口", "100.0%", "4", "5", "16.3");
        r.HasRow("窗口排名", "2", "2号社保窗口", "50.0%", "2", "2", "12.5");
        r.HasRow("窗口排名", "—", "3号医保窗口", "0.0%", "1", "1", "22.0");
        r.HasRow("窗口排名", "—", "6号公安户政窗口", "—", "0", "0", "—");
        // Window 3's one rating (0.0 %) is too few to rank it: it is listed after the ranked windows, with no place.
        Assert.That(r.Sheet("窗口排名").Select(row => row[1]), Is.EqualTo(new[] { "1号社保窗口", "2号社保窗口", "3号医保窗口", "6号公安户政窗口" }));
        r.Shows("评价不少于 2 条的窗口按好评率");

        // The charts' figures.
        r.HasRow("每日", "2026-09-01", "6", "5", "16.0", "75.0%");
        r.HasRow("每日", "2026-09-02", "3", "3", "20.0", "66.7%");
        r.HasRow("分时段", "周二", "0", "4", "0", "1", "0", "0", "0", "0", "0", "1", "0");
        r.HasRow("分时段", "周三", "0", "2", "1", "0", "0", "0", "0", "0", "0", "0", "0");
        r.HasRow("等候分布", "5–10 分钟", "1", "11.1%");
        r.HasRow("等候分布", "10–20 分钟", "4", "44.4%");
        r.HasRow("等候分布", "20–30 分钟", "2", "22.2%");
        r.HasRow("等候分布", "30–60 分钟", "2", "22.2%");

        // 普法 plays: only the legal-awareness items; 1800 + 1800 + 900 s = 1.25 h.
        r.HasRow("普法播放", "宪法宣传片", "3", "2", "1.25");
        r.HasRow("普法播放", "民法典普法", "1", "1", "1.00");
        r.HasRow("普法播放", "合计", "4", "3", "2.25");
        Assert.That(r.PdfLines.Any(l => l.Contains("办事指南", StringComparison.Ordinal)), Is.False, "a video not marked 普法 is not in the play summary");
    }

    [Test]
    public async Task The_bulletin_opens_with_the_months_story_written_from_its_figures_and_puts_the_bad_ratings_in_an_annex()
    {
        var doc = await _hall.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 1));
        var paragraphs = doc.Blocks.OfType<ReportParagraph>().Select(p => p.Text).ToList();
        var story = paragraphs[0];
        Assert.That(story, Is.EqualTo(
            "本月共取号 9 张，办件 8 件，环比无可比（上期无办件），同比无可比（上期无办件）；其中办结 6 件，办结率 75.0%；容缺受理 1 件，告知承诺 1 件，咨询 0 件。"
            + "平均等候 17.3 分钟，平均办理 21.0 分钟。收到评价 7 条，好评率 71.4%，评价率 87.5%；差评 2 条，已整改 2 条，差评整改率 100.0%。本月无巡查记录。"
            + "好评率最高的窗口为1号社保窗口（100.0%），最低的为2号社保窗口（50.0%）。平均等候最长的窗口为3号医保窗口（22.0 分钟）。"));
        Assert.That(paragraphs, Does.Contain("本月差评 2 件，按期办结 1 件，逾期 1 件，办理中 0 件，明细见附件2。"));
        var printed = string.Concat(ReportRendering.PdfRows(ReportRendering.Pdf(doc)).SelectMany(r => r)).Replace(" ", "", StringComparison.Ordinal);
        Assert.That(printed, Does.Contain(story.Replace(" ", "", StringComparison.Ordinal)), "the story is printed whole");
        Assert.That(printed, Does.Contain("附件：1．新县市民之家2026年9月各项指标统计表2．差评及回访明细"), "the annexes are listed under the body");
        var annexes = doc.Blocks.OfType<ReportAnnex>().Select(a => a.Title).ToList();
        Assert.That(annexes, Is.EqualTo(new[] { "新县市民之家2026年9月各项指标统计表", "差评及回访明细" }), "the list of bad ratings is the annex at the end");
        Assert.That(doc.Blocks.SkipWhile(b => b != doc.Blocks.OfType<ReportAnnex>().Last()).OfType<ReportTable>().Single().Sheet, Is.EqualTo("差评回访"));

        // October, made on its first morning: nothing yet, against September's 8 cases.
        var october = (await _hall.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 10, 20))).Blocks.OfType<ReportParagraph>().First().Text;
        Assert.That(october, Does.StartWith("本月共取号 0 张，办件 0 件，环比下降 100.0%，同比无可比（上期无办件）；"));
    }

    [Test]
    public async Task The_patrol_sheet_shows_each_window_of_the_day_with_its_long_pause_named()
    {
        var r = await ReadAsync(_hall, ReportKind.DailyPatrol, new DateOnly(2026, 9, 1), "patrol-2026-09-01");
        r.Shows("新县市民之家 日巡查表");
        r.Shows("2026年9月1日（星期二）");

        // 窗口 | 工作人员 | 在岗 | 开放 | 暂停 | 服务量 | 平均等候 | 最长等候 | 平均办理 | 最长办理 | 过号 | 转出 | 评价 | 满意率
        // Window 1: 09:00–10:30 + 11:15–12:00 + 13:30–17:30 staffed; the ticket served across the lunch break (11:56–13:40)
        // took 14 minutes of the hall's time, not 104.
        r.HasRow("窗口", "1号社保窗口", C(1), "6.25", "7.00", "45", "3", "7.5", "10.0", "17.3", "20.0", "0", "0", "2", "100.0%");
        // Window 2: its pause was over the lunch break, outside opening hours; it finished a ticket after closing time.
        r.HasRow("窗口", "2号社保窗口", C(2), "7.00", "7.00", "0", "2", "12.5", "15.0", "29.0", "38.0", "0", "0", "2", "50.0%");
        r.HasRow("窗口", "3号医保窗口", C(3), "7.00", "7.00", "0", "0", "28.0", "30.0", "—", "—", "1", "1", "0", "—");
        // Window 6 was opened and never called.
        r.HasRow("窗口", "6号公安户政窗口", C(6), "7.00", "7.00", "0", "0", "—", "—", "—", "—", "0", "0", "0", "—");
        r.HasRow("窗口", "合计", "", "27.25", "", "45", "5", "16.0", "30.0", "22.0", "38.0", "1", "1", "4", "75.0%");

        r.HasRow("暂停", "1号社保窗口", "会议", "1", "45");
        r.HasRow("暂停", "2号社保窗口", "休息", "1", "0");
        r.HasRow("超时暂停", "1号社保窗口", C(1), "会议", "10:30", "11:15", "45");
        Assert.That(r.Sheet("超时暂停"), Has.Count.EqualTo(1), () => "only the meeting was longer than 30 minutes: " + string.Join(" / ", r.Sheet("超时暂停").Select(x => string.Join(" | ", x))));

        // A ticket transferred from 医保 to 社保 counts out of one and into the other; served where it was finished.
        r.HasRow("业务", "社保业务", "4", "5", "0", "1", "0", "0", "10.0", "15.0", "22.0");
        r.HasRow("业务", "医保业务", "2", "0", "1", "0", "1", "0", "28.0", "30.0", "—");
        r.HasRow("时段", "09:00–10:00", "4", "4");
        r.HasRow("时段", "10:00–11:00", "0", "1");
        r.HasRow("时段", "17:00–18:00", "1", "1");
        r.HasRow("评价", "1", "1", "1", "1", "0", "4", "75.0%");
        r.HasRow("差评回访", "A002", "2号社保窗口", C(2), "不满意", "等候时间长", "2026-09-04", "09-07 10:00", "逾期办结");
        // What is still owed by whom and by when: 容缺受理 with its missing materials, 告知承诺 with its promise date.
        r.HasRow("容缺与承诺", "A002", "2号社保窗口", C(2), "容缺受理", "已受理", "户口簿复印件；结婚证复印件", "2026-09-08", "主件已核验");
        r.HasRow("容缺与承诺", "B002", "1号社保窗口", C(1), "告知承诺", "办结", "—", "2026-09-30", "—");
        Assert.That(r.Sheet("容缺与承诺"), Has.Count.EqualTo(2));

        // The alerts of the day as the wall raised them, each with whether it was handled.
        await using var db = _app.Db();
        var start = _hall.Local(new DateTime(2026, 9, 1));
        var alerts = db.Alerts.Where(a => a.HallId == _hall.HallId && a.RaisedAt >= start && a.RaisedAt < start.AddDays(1)).Select(a => a.TextZh).ToList();
        Assert.That(r.Sheet("告警"), Has.Count.EqualTo(alerts.Count));
        foreach (var text in alerts)
        {
            Assert.That(r.Sheet("告警").Any(row => Equals(row[1], text)), Is.True, text);
        }
    }

    [Test]
    public async Task A_day_without_tickets_has_a_patrol_sheet_of_zeros()
    {
        var r = await ReadAsync(_hall, ReportKind.DailyPatrol, new DateOnly(2026, 9, 3), "patrol-2026-09-03");
        r.Shows("2026年9月3日（星期四）");
        r.HasRow("窗口", "1号社保窗口", "未开窗", "0.00", "7.00", "0", "0", "—", "—", "—", "—", "0", "0", "0", "—");
        r.HasRow("窗口", "合计", "", "0.00", "", "0", "0", "—", "—", "—", "—", "0", "0", "0", "—");
        Assert.That(r.Sheet("业务"), Has.Count.EqualTo(1), "only the total row");
        r.HasRow("评价", "0", "0", "0", "0", "0", "0", "—");
    }

    [Test]
    public async Task A_ticket_taken_at_0745_local_belongs_to_the_local_day_though_the_server_clock_is_utc()
    {
        var day = await ReadAsync(_early, ReportKind.DailyPatrol, new DateOnly(2026, 9, 8), "patrol-early-2026-09-08");
        day.HasRow("时段", "07:00–08:00", "1", "1");
        day.HasRow("业务", "社保业务", "1", "0", "0", "0", "0", "0", "5.0", "5.0", "—");
        var before = await ReadAsync(_early, ReportKind.DailyPatrol, new DateOnly(2026, 9, 7), "patrol-early-2026-09-07");
        Assert.That(before.Sheet("业务"), Has.Count.EqualTo(1), "nothing on the 7th: the UTC date of the ticket is not its day");
    }

    [Test]
    public async Task The_weekly_figures_set_the_week_beside_the_week_before()
    {
        var r = await ReadAsync(_hall, ReportKind.Weekly, new DateOnly(2026, 9, 3), "weekly-2026-08-31");
        r.Shows("本周 2026年8月31日 至 2026年9月6日");
        // 窗口 | 服务量 | 上周 | 增减 | 平均等候 | 上周 | 满意率 | 上周
        r.HasRow("窗口周比", "1号社保窗口", "5", "0", "+5", "16.3", "—", "100.0%", "—");
        r.HasRow("窗口周比", "3号医保窗口", "1", "0", "+1", "22.0", "—", "0.0%", "—");
        // 社保 rated 6 times (windows 1 and 2), 5 of them satisfied or better.
        r.HasRow("业务周比", "社保业务", "7", "0", "+7", "15.0", "—", "83.3%", "—");
        r.HasRow("窗口周比", "合计", "8", "0", "+8", "17.3", "—", "71.4%", "—");

        var next = await ReadAsync(_hall, ReportKind.Weekly, new DateOnly(2026, 9, 9), "weekly-2026-09-07");
        next.HasRow("窗口周比", "1号社保窗口", "0", "5", "-5", "—", "16.3", "—", "100.0%");

        // 办理结果: 窗口 | 办件量 | 办结 | 已受理 | 退回补正 | 不予受理 | 办结率 | 容缺受理 | 告知承诺 | 咨询
        r.HasRow("办理结果", "1号社保窗口", "5", "4", "0", "1", "0", "80.0%", "0", "1", "0");
        r.HasRow("办理结果", "合计", "8", "6", "1", "1", "0", "75.0%", "1", "1", "0");
    }

    [Test]
    public async Task The_year_view_sets_the_months_side_by_side_and_ranks_the_windows()
    {
        var r = await ReadAsync(_hall, ReportKind.Year, new DateOnly(2026, 9, 1), "year-2026");
        r.Shows("关于新县市民之家2026年度考核情况的通报");
        r.Shows("本年共取号 9 张，办件 8 件，同比无可比");
        // 月份 | 取号 | 服务量 | 平均等候 | 平均办理 | 评价数 | 满意率 | 差评 | 在岗(时)
        r.HasRow("逐月", "9月", "9", "8", "17.3", "21.0", "7", "71.4%", "2", "33.25");
        r.HasRow("逐月", "8月", "0", "0", "—", "—", "0", "—", "0", "0.00");
        r.HasRow("逐月", "全年", "9", "8", "17.3", "21.0", "7", "71.4%", "2", "33.25");
        r.HasRow("窗口逐月", "1号社保窗口", "0", "0", "0", "0", "0", "0", "0", "0", "5", "0", "0", "0", "5");
        r.HasRow("年度排名", "1", "1号社保窗口", "100.0%", "4", "5", "16.3");
        // 逐月办理结果: 月份 | 办件量 | 办结 | 已受理 | 退回补正 | 不予受理 | 办结率 | 容缺受理 | 告知承诺 | 咨询
        r.HasRow("逐月办理结果", "9月", "8", "6", "1", "1", "0", "75.0%", "1", "1", "0");
        r.HasRow("逐月办理结果", "全年", "8", "6", "1", "1", "0", "75.0%", "1", "1", "0");
        r.Shows("容缺受理");
        // 人员全年: 工作人员 | 出勤天数 | 在岗(时) | 办件量 | 容缺受理 | 告知承诺 | 平均办理 | 评价数 | 满意率
        r.HasRow("人员全年", C(1), "2", "8.25", "4", "0", "1", "20.5", "3", "100.0%");
        r.HasRow("人员全年", C(2), "1", "7.00", "2", "1", "0", "29.0", "2", "50.0%");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();
}
