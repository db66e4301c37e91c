using Hall.Server.Complaints;
using Hall.Server.Reports;
using Hall.Tests.Support;

namespace Hall.Tests.Reports;

/// <summary>
/// 有诉即办 in the monthly bulletin (issue 20): the complaints received in November — 受理, 办结 and 办结率, 按期办结 and its rate
/// over those whose timeliness is decided, 回访满意 and its rate — by category, in a section of their own and in the story.
/// Read back from the PDF and the workbook, and each total proven against the database.
/// </summary>
[TestFixture]
public sealed class ComplaintReportTests
{
    private HallApp _app = null!;
    private MonthScenario _hall = null!;
    private ReportReadBack _november = null!;
    private string _story = "";

    [OneTimeSetUp]
    public async Task ComplainAllMonthAsync()
    {
        _app = await HallApp.StartAsync("complaint-report", new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.FromHours(8)));
        var h = _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: false, 1);
        // Monday 2 November (due Thursday 5th): two 办不成事.
        h.At(11, 2, 10, 0);
        var c1 = await h.ReceiveComplaintAsync(ComplaintCategory.CouldNotGetDone);
        var c2 = await h.ReceiveComplaintAsync(ComplaintCategory.CouldNotGetDone);
        // Tuesday 3 November (due Friday 6th): 等候时间 and 材料繁琐.
        h.At(11, 3, 10, 0);
        var c3 = await h.ReceiveComplaintAsync(ComplaintCategory.Waiting);
        await h.ReceiveComplaintAsync(ComplaintCategory.Materials);
        // c1 closed on time and 满意; on Friday c2 late (不满意) and c3 on its last day (基本满意); the 材料繁琐 one is never closed.
        h.At(11, 4, 16, 0);
        await h.CloseComplaintAsync(c1, CallBackVerdict.Satisfied);
        h.At(11, 6, 16, 0);
        await h.CloseComplaintAsync(c2, CallBackVerdict.Dissatisfied);
        await h.CloseComplaintAsync(c3, CallBackVerdict.Basic);
        // Monday 30 November (due Thursday 3 December): open, not yet due when the bulletin is made.
        h.At(11, 30, 10, 0);
        await h.ReceiveComplaintAsync(ComplaintCategory.Waiting);
        // Tuesday 1 December: December's, not November's.
        h.At(12, 1, 9, 0);
        await h.ReceiveComplaintAsync(ComplaintCategory.Attitude);

        h.At(12, 1, 10, 0);
        var november = await h.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 11, 1));
        _story = november.Blocks.OfType<ReportParagraph>().First().Text;
        _november = ReportReadBack.Of(november, "complaint-bulletin-november");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test]
    public void The_bulletin_story_counts_the_months_complaints_as_the_bureau_words_them()
    {
        Assert.That(_story, Does.Contain("本月受理群众诉求（有诉即办） 5 件，办结 3 件，办结率 60.0%；按期办结 2 件，按期办结率 50.0%；回访满意 2 件，回访满意率 66.7%。"));
    }

    [Test]
    public void The_bulletin_has_a_section_of_its_own_with_the_complaints_by_category()
    {
        _november.Shows("九、有诉即办");
        // 类别 | 受理 | 办结 | 办结率 | 按期办结 | 逾期办结 | 逾期未办结 | 办理中 | 按期办结率 | 已回访 | 回访满意 | 回访满意率
        _november.HasRow("有诉即办", "材料繁琐", "1", "0", "0.0%", "0", "0", "1", "0", "0.0%", "0", "0", "—");
        _november.HasRow("有诉即办", "等候时间", "2", "1", "50.0%", "1", "0", "0", "1", "100.0%", "1", "1", "100.0%");
        _november.HasRow("有诉即办", "办不成事", "2", "2", "100.0%", "1", "1", "0", "0", "50.0%", "2", "1", "50.0%");
        _november.HasRow("有诉即办", "合计", "5", "3", "60.0%", "2", "1", "1", "1", "50.0%", "3", "2", "66.7%");
        Assert.That(_november.Sheet("有诉即办"), Has.Count.EqualTo(4), "three categories had complaints, and the total");
    }

    [Test]
    public async Task The_bulletins_totals_are_the_databases()
    {
        var november = await ComplaintCounts.OfAsync(_app, _hall.HallId, _hall.Zone, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), new DateOnly(2026, 12, 1));
        Assert.That(november, Is.EqualTo(new ComplaintCounts(5, 3, 2, 1, 3, 2)));
        _november.HasRow("有诉即办", november.Row("合计"));
    }
}
