using static Hall.Server.Reports.ReportFormat;

namespace Hall.Server.Reports;

/// <summary>年考核: the twelve months side by side and the annual ranking of windows.</summary>
public static class YearReport
{
    public static ReportDocument Build(ReportFigures year, IReadOnlyList<ReportFigures> months)
    {
        var input = year.Input;
        var labels = months.Select(m => $"{m.Input.From.Month}月").ToList();
        var blocks = new List<ReportBlock>
        {
            new ReportKeyFigures(
            [
                new("取号", Count(year.Hall.Issued).Text), new("服务量", Count(year.Hall.Served).Text), new("平均等候(分钟)", Minutes(year.Hall.Wait.Average).Text),
                new("满意率", Percent(year.Hall.Ratings.Rate).Text), new("差评", Count(year.Hall.Ratings.Bad).Text), new("回访按期", $"{year.FollowUpsOnTime}/{year.FollowUps.Count}"),
            ]),
            new ReportHeading("一、逐月"),
            new ReportTable("逐月", "全厅逐月",
                [new("月份", 1), new("取号", 1, CellAlign.Right), new("服务量", 1, CellAlign.Right), new("平均等候", 1, CellAlign.Right), new("平均办理", 1, CellAlign.Right),
                 new("评价数", 1, CellAlign.Right), new("满意率", 1, CellAlign.Right), new("差评", 1, CellAlign.Right), new("在岗(时)", 1, CellAlign.Right)],
                [.. months.Select((m, i) => (IReadOnlyList<ReportCell>)[Text(labels[i]), Count(m.Hall.Issued), Count(m.Hall.Served), Minutes(m.Hall.Wait.Average),
                    Minutes(m.Hall.Handling.Average), Count(m.Hall.Ratings.Total), Percent(m.Hall.Ratings.Rate), Count(m.Hall.Ratings.Bad), Hours(m.Hall.Staffed)])])
            {
                Total = [Text("全年"), Count(year.Hall.Issued), Count(year.Hall.Served), Minutes(year.Hall.Wait.Average), Minutes(year.Hall.Handling.Average),
                    Count(year.Hall.Ratings.Total), Percent(year.Hall.Ratings.Rate), Count(year.Hall.Ratings.Bad), Hours(year.Hall.Staffed)],
            },
            new ReportChart("逐月服务量", ChartKind.Bars, labels, [new("服务量", [.. months.Select(m => (double)m.Hall.Served)])]) { YLabel = "件", HeightMm = 55 },
            new ReportHeading("二、各窗口逐月服务量"),
            new ReportTable("窗口逐月", "各窗口逐月服务量",
                [new("窗口", 2.4), .. labels.Select(l => new ReportColumn(l, 0.8, CellAlign.Right)), new("全年", 1, CellAlign.Right)],
                [.. input.Windows.Select(w => (IReadOnlyList<ReportCell>)[Text(Window(w)), .. months.Select(m => Count(m.Window(w.Id).Served)), Count(year.Window(w.Id).Served)])]),
            new ReportHeading("三、各窗口逐月满意率"),
            new ReportTable("窗口满意率逐月", "各窗口逐月满意率",
                [new("窗口", 2.4), .. labels.Select(l => new ReportColumn(l, 0.9, CellAlign.Right)), new("全年", 1, CellAlign.Right)],
                [.. input.Windows.Select(w => (IReadOnlyList<ReportCell>)[Text(Window(w)), .. months.Select(m => Percent(m.Window(w.Id).Ratings.Rate)), Percent(year.Window(w.Id).Ratings.Rate)])]),
            new ReportHeading("四、年度窗口排名"),
            BulletinReport.RankingTable(year, "年度排名", "年度窗口排名（口径同月通报）"),
            new ReportHeading("五、普法视频播放"),
            BulletinReport.LegalPlaysTable(year),
        };
        return new ReportDocument($"{input.Hall.Name} {input.From.Year}年度考核数据", $"统计期间 {Period(input, "本年")}", blocks)
        {
            Footer = $"{input.Hall.Name} · 年度 {input.From.Year} · 生成于 {DateTime(input.Now, input.Hall.Zone)}",
        };
    }
}
