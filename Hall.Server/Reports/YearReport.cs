using static Hall.Server.Reports.ReportFormat;

namespace Hall.Server.Reports;

/// <summary>
/// 年考核, a 公文 like the bulletin: the year told in the body, the twelve months side by side, the annual ranking of windows, and the
/// bulletin's 差评闭环 and 有诉即办 month by month with the year's total in its annex.
/// </summary>
public static class YearReport
{
    /// <param name="county">The county hall (first) and its township sites over the year, for the roll-up; null for a hall without sites.</param>
    /// <param name="previous">The year before, for 同比; null when not read.</param>
    public static ReportDocument Build(ReportFigures year, IReadOnlyList<ReportFigures> months, IReadOnlyList<ReportFigures>? county = null,
        DocumentIssuer? issuer = null, DocumentSections? sections = null, ReportFigures? previous = null)
    {
        var input = year.Input;
        var labels = months.Select(m => $"{m.Input.From.Month}月").ToList();
        var outcomes = BulletinReport.Outcomes(year);
        sections ??= DocumentSections.None;
        var blocks = new List<ReportBlock>(OfficialDocument.Body(BulletinReport.Narrative(year, null, previous, "本年"), sections))
        {
            new ReportAnnex($"{input.Hall.Name}{input.From.Year}年度各项指标统计表"),
            new ReportKeyFigures(
            [
                new("取号", Count(year.Hall.Issued).Text), new("办件量", Count(year.Hall.Served).Text), new("平均等候(分钟)", Minutes(year.Hall.Wait.Average).Text),
                new("办结率", Percent(year.Hall.CompletionRate).Text), new("容缺受理", Count(year.Hall.MaterialsToFollow).Text), new("告知承诺", Count(year.Hall.OnPromise).Text),
                new("好评率", Percent(year.Hall.Ratings.Rate).Text), new("差评", Count(year.Hall.Ratings.Bad).Text), new("回访按期", $"{year.FollowUpsOnTime}/{year.FollowUps.Count}"),
            ]),
            new ReportHeading("一、逐月"),
            new ReportTable("逐月", "全厅逐月",
                [new("月份", 1), new("取号", 1, CellAlign.Right), new("办件量", 1, CellAlign.Right), new("平均等候", 1, CellAlign.Right), new("平均办理", 1, CellAlign.Right),
                 new("评价数", 1, CellAlign.Right), new("好评率", 1, CellAlign.Right), new("差评", 1, CellAlign.Right), new("在岗(时)", 1, CellAlign.Right)],
                [.. months.Select((m, i) => (IReadOnlyList<ReportCell>)[Text(labels[i]), Count(m.Hall.Issued), Count(m.Hall.Served), Minutes(m.Hall.Wait.Average),
                    Minutes(m.Hall.Handling.Average), Count(m.Hall.Ratings.Total), Percent(m.Hall.Ratings.Rate), Count(m.Hall.Ratings.Bad), Hours(m.Hall.Staffed)])])
            {
                Total = [Text("全年"), Count(year.Hall.Issued), Count(year.Hall.Served), Minutes(year.Hall.Wait.Average), Minutes(year.Hall.Handling.Average),
                    Count(year.Hall.Ratings.Total), Percent(year.Hall.Ratings.Rate), Count(year.Hall.Ratings.Bad), Hours(year.Hall.Staffed)],
            },
            new ReportTable("逐月办理结果", "全厅逐月办理结果与受理方式",
                [new("月份", 1), .. BulletinReport.CaseColumns(outcomes)],
                [.. months.Select((m, i) => (IReadOnlyList<ReportCell>)[Text(labels[i]), .. BulletinReport.CaseCells(m.Hall, outcomes)])])
            {
                Total = [Text("全年"), .. BulletinReport.CaseCells(year.Hall, outcomes)],
            },
            new ReportChart("逐月办件量", ChartKind.Bars, labels, [new("办件量", [.. months.Select(m => (double)m.Hall.Served)])]) { YLabel = "件", HeightMm = 55 },
            new ReportHeading("二、各窗口逐月办件量"),
            new ReportTable("窗口逐月", "各窗口逐月办件量",
                [new("窗口", 2.4), .. labels.Select(l => new ReportColumn(l, 0.8, CellAlign.Right)), new("全年", 1, CellAlign.Right)],
                [.. input.Windows.Select(w => (IReadOnlyList<ReportCell>)[Text(Window(w)), .. months.Select(m => Count(m.Window(w.Id).Served)), Count(year.Window(w.Id).Served)])]),
            new ReportHeading("三、好差评"),
            new ReportTable("窗口好评率逐月", "各窗口逐月好评率",
                [new("窗口", 2.4), .. labels.Select(l => new ReportColumn(l, 0.9, CellAlign.Right)), new("全年", 1, CellAlign.Right)],
                [.. input.Windows.Select(w => (IReadOnlyList<ReportCell>)[Text(Window(w)), .. months.Select(m => Percent(m.Window(w.Id).Ratings.Rate)), Percent(year.Window(w.Id).Ratings.Rate)])]),
            // Each case counts in the one month its date falls in, so the months add up to the year; the year's rates come from its counts.
            new ReportTable("差评闭环逐月", "差评闭环逐月（核实、整改、回访、申诉复核，口径同月通报）",
                [new("月份", 0.8), .. BulletinReport.LoopFigures.Select(x => new ReportColumn(x.Name, 1, CellAlign.Right))],
                [.. months.Select((m, i) => (IReadOnlyList<ReportCell>)[Text(labels[i]), .. BulletinReport.LoopFigures.Select(x => x.Cell(m.Loop))])])
            {
                Total = [Text("全年"), .. BulletinReport.LoopFigures.Select(x => x.Cell(year.Loop))],
            },
            new ReportHeading("四、工作人员"),
            new ReportTable("人员全年", "各工作人员全年考勤、办件与满意度（在岗单位：小时，办理单位：分钟）",
                [new("工作人员", 1.6), new("出勤天数", 1, CellAlign.Right), new("在岗(时)", 1, CellAlign.Right), new("办件量", 1, CellAlign.Right),
                 new("容缺受理", 1, CellAlign.Right), new("告知承诺", 1, CellAlign.Right), new("平均办理", 1, CellAlign.Right), new("评价数", 1, CellAlign.Right), new("好评率", 1, CellAlign.Right)],
                [.. BulletinReport.Clerks(year).Select(id => year.Staff(id) is var s ? (IReadOnlyList<ReportCell>)
                    [Text(input.Staff.GetValueOrDefault(id, $"#{id}")), Count(s.DaysPresent.Count), Hours(s.Staffed), Count(s.Served), Count(s.MaterialsToFollow),
                     Count(s.OnPromise), Minutes(s.Handling.Average), Count(s.Ratings.Total), Percent(s.Ratings.Rate)] : [])]),
            new ReportHeading("五、年度窗口排名"),
            BulletinReport.RankingTable(year, "年度排名", "年度窗口排名（口径同月通报）"),
            new ReportHeading("六、普法视频播放"),
            BulletinReport.LegalPlaysTable(year),
            new ReportHeading("七、日常巡查"),
        };
        blocks.AddRange(PatrolSheet.Summary(year, "日常巡查全年", "本年"));
        blocks.Add(new ReportHeading("八、预约"));
        blocks.AddRange(BookingSheet.Summary(year, "预约全年", "本年", months));
        blocks.Add(new ReportHeading("九、有诉即办"));
        blocks.AddRange(ComplaintSheet.Summary(year, "有诉即办全年", "本年", months));
        if (county is not null)
        {
            blocks.Add(new ReportHeading("十、全县汇总"));
            blocks.Add(BulletinReport.SitesTable(county, "各站点全年", "县级大厅与乡镇（街道）便民服务中心全年"));
        }
        return new ReportDocument($"关于{input.Hall.Name}{input.From.Year}年度考核情况的通报", $"统计期间 {Period(input, "本年")}", blocks)
        {
            Footer = $"{input.Hall.Name} · 年度 {input.From.Year} · 生成于 {Stamp(input.Now, input.Hall.Zone)}",
            Form = OfficialDocument.Form(issuer ?? new DocumentIssuer(input.Hall.Name, Halls.HallSite.DefaultAddressee, null), sections, input.Today),
        };
    }
}
