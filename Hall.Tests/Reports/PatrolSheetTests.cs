using Hall.Server.Contracts;
using Hall.Server.Patrol;
using Hall.Server.Queue;
using Hall.Server.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Reports;

/// <summary>
/// The patrol sheet's 巡查记录 (issue 18): the rounds the supervisor walked — 巡查人, time, sign-off, each category's result —
/// the day's findings with their due date, and 整改跟踪, where a finding of an earlier day shows its 整改结果 on the day it
/// was closed. Read back from the PDF and the workbook.
/// </summary>
[TestFixture]
public sealed class PatrolSheetTests
{
    private HallApp _app = null!;
    private MonthScenario _hall = null!;
    private string _inspector = "";
    private ReportReadBack _monday = null!;
    private ReportReadBack _tuesday = null!;
    private ReportReadBack _friday = null!;
    private ReportReadBack _november = null!;
    private string _novemberStory = "";

    [OneTimeSetUp]
    public async Task WalkTheWeekAsync()
    {
        _app = await HallApp.StartAsync("patrol-sheet", new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.FromHours(8)));
        var h = _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: false, 1, 2, 3);
        var patrols = _app.Services.GetRequiredService<Patrols>();
        Actor supervisor;
        await using (var db = _app.Db())
        {
            var s = await db.Staff.SingleAsync(s => s.HallId == h.HallId && s.Login == "xinxian-supervisor");
            supervisor = new Actor(ActorKind.Staff, s.Id, h.HallId, s.Name, StaffRole.Supervisor, null, null);
            _inspector = s.Name;
        }
        async Task Ok(Task<Refusal?> change) => Assert.That((await change)?.MessageEn, Is.Null);

        // Monday 30 November, the morning round: 着装 and 设备 have problems, each a finding; signed at 09:50.
        h.At(11, 30, 9, 30);
        var (morning, refused) = await patrols.StartAsync(supervisor, default);
        Assert.That(refused, Is.Null);
        await Ok(patrols.CheckAsync(supervisor, morning, PatrolCategory.Discipline, false, null, default));
        await Ok(patrols.CheckAsync(supervisor, morning, PatrolCategory.Dress, true, "2号窗口工作人员未佩戴工牌", default));
        await Ok(patrols.CheckAsync(supervisor, morning, PatrolCategory.Environment, false, null, default));
        await Ok(patrols.CheckAsync(supervisor, morning, PatrolCategory.Equipment, true, "取号机打印纸将尽", default));
        await Ok(patrols.CheckAsync(supervisor, morning, PatrolCategory.Notices, false, "事项清单已更新", default));
        var (badge, r1) = await patrols.AddFindingAsync(supervisor, morning, new FindingForm(PatrolCategory.Dress, h.WindowId(2), "工作人员未佩戴工牌", "立即佩戴工牌", new DateOnly(2026, 11, 30)), default);
        var (paper, r2) = await patrols.AddFindingAsync(supervisor, morning, new FindingForm(PatrolCategory.Equipment, null, "取号机打印纸将尽", "更换打印纸并备足", new DateOnly(2026, 12, 3)), default);
        Assert.That((r1, r2), Is.EqualTo(((Refusal?)null, (Refusal?)null)));
        h.At(11, 30, 9, 50);
        await Ok(patrols.SignAsync(supervisor, morning, default));
        // The afternoon round is started, one category marked, never signed.
        h.At(11, 30, 14, 0);
        var (afternoon, _) = await patrols.StartAsync(supervisor, default);
        await Ok(patrols.CheckAsync(supervisor, afternoon, PatrolCategory.Discipline, false, null, default));
        h.At(11, 30, 16, 0);
        await Ok(patrols.CloseFindingAsync(supervisor, badge, "已佩戴工牌", default));
        // Tuesday: no round. Friday 4 December, a day after its due date, the paper is replaced.
        h.At(12, 4, 15, 0);
        await Ok(patrols.CloseFindingAsync(supervisor, paper, "已更换打印纸", default));

        // Every sheet is made afterwards: Monday's does not know what was closed after Monday.
        h.At(12, 5, 0, 30);
        _monday = ReportReadBack.Of(await h.ReportAsync(ReportKind.DailyPatrol, new DateOnly(2026, 11, 30)), "patrol-sheet-monday");
        _tuesday = ReportReadBack.Of(await h.ReportAsync(ReportKind.DailyPatrol, new DateOnly(2026, 12, 1)), "patrol-sheet-tuesday");
        _friday = ReportReadBack.Of(await h.ReportAsync(ReportKind.DailyPatrol, new DateOnly(2026, 12, 4)), "patrol-sheet-friday");
        var november = await h.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 11, 1));
        _novemberStory = november.Blocks.OfType<ReportParagraph>().First().Text;
        _november = ReportReadBack.Of(november, "patrol-bulletin-november");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test]
    public void The_sheet_carries_each_round_with_its_inspector_time_sign_off_and_check_results()
    {
        _monday.Shows($"第1次巡查 巡查人：{_inspector}，开始：09:30，签字：{_inspector} 09:50");
        _monday.Shows($"第2次巡查 巡查人：{_inspector}，开始：14:00，签字：未签字");
        _monday.Shows("当日巡查 2 次，发现问题 2 个，已整改 1 个，逾期未整改 0 个。");
        // 检查项目 | 结果 | 说明
        _monday.HasRow("第1次巡查", "纪律", "正常", "—");
        _monday.HasRow("第1次巡查", "着装", "有问题", "2号窗口工作人员未佩戴工牌");
        _monday.HasRow("第1次巡查", "设备", "有问题", "取号机打印纸将尽");
        _monday.HasRow("第1次巡查", "告知公示", "正常", "事项清单已更新");
        _monday.HasRow("第2次巡查", "纪律", "正常", "—");
        _monday.HasRow("第2次巡查", "着装", "未检查", "—");
    }

    [Test]
    public void The_days_findings_carry_their_due_date_and_the_result_of_those_closed_that_day()
    {
        // 类别 | 窗口 | 问题描述 | 整改要求 | 整改期限 | 整改结果 | 状态
        _monday.HasRow("巡查发现问题", "着装", "2号社保窗口", "工作人员未佩戴工牌", "立即佩戴工牌", "2026-11-30", "已佩戴工牌", "已整改");
        // Closed on Friday: on Monday's sheet it is still being remedied, with no result yet.
        _monday.HasRow("巡查发现问题", "设备", "不涉及窗口", "取号机打印纸将尽", "更换打印纸并备足", "2026-12-03", "—", "整改中");
        Assert.That(_monday.Sheet("整改跟踪"), Is.Empty, "nothing was found before Monday");
    }

    [Test]
    public void Earlier_findings_are_followed_up_until_the_day_they_are_closed_with_their_result()
    {
        _tuesday.Shows("当日无巡查记录。");
        // 发现日期 | 类别 | 窗口 | 问题描述 | 整改要求 | 整改期限 | 整改结果 | 状态
        _tuesday.HasRow("整改跟踪", "2026-11-30", "设备", "不涉及窗口", "取号机打印纸将尽", "更换打印纸并备足", "2026-12-03", "—", "整改中");
        Assert.That(_tuesday.Sheet("整改跟踪"), Has.Count.EqualTo(1), "the badge was put on on Monday");
        _friday.HasRow("整改跟踪", "2026-11-30", "设备", "不涉及窗口", "取号机打印纸将尽", "更换打印纸并备足", "2026-12-03", "已更换打印纸", "逾期整改");
    }

    [Test]
    public void The_months_bulletin_counts_the_rounds_and_the_findings_by_category_as_they_stood_at_its_end()
    {
        Assert.That(_novemberStory, Does.Contain("无差评。本月巡查 2 次，发现问题 2 个，已整改 1 个，逾期未整改 0 个。"), "the story of the month tells the patrol");
        _november.Shows("本月巡查 2 次，签字确认 1 次，巡查日数 1 天。");
        // 类别 | 发现问题 | 已整改 | 逾期整改 | 逾期未整改 | 整改中 — the paper, due 3 December, was still being replaced on 30 November.
        _november.HasRow("日常巡查", "着装", "1", "1", "0", "0", "0");
        _november.HasRow("日常巡查", "设备", "1", "0", "0", "0", "1");
        _november.HasRow("日常巡查", "纪律", "0", "0", "0", "0", "0");
        _november.HasRow("日常巡查", "合计", "2", "1", "0", "0", "1");
        Assert.That(_november.Sheet("日常巡查"), Has.Count.EqualTo(6), "five categories and the total");
    }
}
