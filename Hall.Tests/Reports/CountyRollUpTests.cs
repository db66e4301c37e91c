using Hall.Server.Contracts;
using Hall.Server.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Reports;

/// <summary>
/// The county roll-up (issue 18): a county hall's bulletin and year view set its township sites beside it, with the
/// county's total summed from the sites' own counts — a rate of the total is worked out from the sums, not averaged.
/// </summary>
[TestFixture]
public sealed class CountyRollUpTests
{
    private HallApp _app = null!;
    private MonthScenario _county = null!;
    private MonthScenario _town = null!;

    [OneTimeSetUp]
    public async Task TellTheDayAsync()
    {
        _app = await HallApp.StartAsync("county-rollup", new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.FromHours(8)));
        _county = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: false, 1);
        _town = await MonthScenario.CreateAsync(_app, "huji", openAllDay: false, 1);
        await using (var db = _app.Db())
        {
            // 胡集镇's centre belongs to the county, beside the township the demo county comes with (no business this month).
            // The demo seeds each hall as a county with a township of its own: that one is the county's too.
            await db.Halls.Where(h => h.ParentId == _town.HallId).ExecuteUpdateAsync(s => s.SetProperty(h => h.ParentId, _county.HallId).SetProperty(h => h.Name, "王集镇便民服务中心"));
            await db.Halls.Where(h => h.Id == _town.HallId).ExecuteUpdateAsync(s => s.SetProperty(h => h.ParentId, _county.HallId).SetProperty(h => h.Name, "胡集镇便民服务中心"));
        }

        // The county hall: two cases, waits 10 and 20 minutes, one rated 满意.
        _county.At(9, 1, 9, 0);
        await _county.OpenAsync(1, 1);
        var a = await _county.IssueAsync("shebao");
        _county.At(9, 1, 9, 10);
        var b = await _county.IssueAsync("shebao");
        await _county.CallAsync(1, 1, a);
        await _county.StartAsync(1, 1, a);
        _county.At(9, 1, 9, 30);
        await _county.FinishAsync(1, 1, a, "办结");
        await _county.RateAsync(a, RatingLevel.Satisfied);
        await _county.CallAsync(1, 1, b);
        await _county.StartAsync(1, 1, b);
        _county.At(9, 1, 9, 40);
        await _county.FinishAsync(1, 1, b, "已受理");
        // The township: one case on a promise, waited 40 minutes, rated 不满意.
        _town.At(9, 1, 10, 0);
        await _town.OpenAsync(1, 1);
        var c = await _town.IssueAsync("shebao");
        _town.At(9, 1, 10, 40);
        await _town.CallAsync(1, 1, c);
        await _town.StartAsync(1, 1, c);
        _town.At(9, 1, 10, 50);
        await _town.FinishAsync(1, 1, c, "办结", AcceptanceMode.OnPromise, new FinishDetails(null, new DateOnly(2026, 9, 30), null));
        await _town.RateAsync(c, RatingLevel.Dissatisfied, "等候时间长");
        _county.At(9, 2, 9, 0);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test]
    public async Task The_county_bulletin_sets_its_sites_side_by_side_with_the_county_total()
    {
        var r = ReportReadBack.Of(await _county.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 1)), "bulletin-county-rollup");
        // 站点 | 取号 | 办件量 | 办结率 | 容缺受理 | 告知承诺 | 平均等候 | 评价数 | 好评率 | 评价率 | 差评 | 整改率
        r.HasRow("各站点", "新县市民之家", "2", "2", "50.0%", "0", "0", "15.0", "1", "100.0%", "50.0%", "0", "—");
        r.HasRow("各站点", "胡集镇便民服务中心", "1", "1", "100.0%", "0", "1", "40.0", "1", "0.0%", "100.0%", "1", "0.0%");
        r.HasRow("各站点", "新集镇便民服务中心", "0", "0", "—", "0", "0", "—", "0", "—", "—", "0", "—");
        Assert.That(r.Sheet("各站点").Select(row => row[0]), Is.EqualTo(new[] { "新县市民之家", "新集镇便民服务中心", "胡集镇便民服务中心", "王集镇便民服务中心", "全县合计" }),
            "the county hall first, then its sites");
        // The total from the sums: (10 + 20 + 40) / 3 minutes, 2 of 3 cases 办结, 1 of 2 ratings good — not the sites' rates averaged.
        r.HasRow("各站点", "全县合计", "3", "3", "66.7%", "0", "1", "23.3", "2", "50.0%", "66.7%", "1", "0.0%");
    }

    [Test]
    public async Task The_county_year_view_carries_the_roll_up_and_a_township_bulletin_has_none()
    {
        var year = ReportReadBack.Of(await _county.ReportAsync(ReportKind.Year, new DateOnly(2026, 9, 1)), "year-county-rollup");
        year.HasRow("各站点全年", "全县合计", "3", "3", "66.7%", "0", "1", "23.3", "2", "50.0%", "66.7%", "1", "0.0%");

        var town = ReportReadBack.Of(await _town.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 1)), "bulletin-township");
        Assert.That(town.PdfLines.Any(l => l.Contains("全县汇总", StringComparison.Ordinal)), Is.False, "a township has no sites of its own");
    }
}
