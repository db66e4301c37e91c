using static Hall.Server.Reports.ReportFormat;

namespace Hall.Server.Reports;

/// <summary>周例会: the week's figures per window and service beside the week before.</summary>
public static class WeeklyReport
{
    public static ReportDocument Build(ReportFigures week, ReportFigures before)
    {
        var input = week.Input;
        // The days of the week the hall opened (or worked) in either week: no zero bars for a weekend.
        bool Worked(ReportFigures f, int i) => f.Input.From.AddDays(i) is var d && (f.OpeningByDay.ContainsKey(d) || f.Day(d).Issued + f.Day(d).Served > 0);
        string[] weekdays = ["一", "二", "三", "四", "五", "六", "日"];
        var days = Enumerable.Range(0, 7).Where(i => Worked(week, i) || Worked(before, i)).ToList();
        var blocks = new List<ReportBlock>
        {
            new ReportKeyFigures(
            [
                new("办件量", $"{week.Hall.Served}（上周 {before.Hall.Served}）"), new("平均等候(分钟)", $"{Minutes(week.Hall.Wait.Average).Text}（上周 {Minutes(before.Hall.Wait.Average).Text}）"),
                new("好评率", $"{Percent(week.Hall.Ratings.Rate).Text}（上周 {Percent(before.Hall.Ratings.Rate).Text}）"),
            ]),
            new ReportHeading("一、各窗口"),
            Compare("窗口周比", "各窗口本周与上周", "窗口", [.. input.Windows.Select(w => (Window(w), week.Window(w.Id), before.Window(w.Id)))], week.Hall, before.Hall),
            new ReportHeading("二、各业务"),
            Compare("业务周比", "各业务本周与上周", "业务", [.. input.Services.Select(s => (s.Value, week.Service(s.Key), before.Service(s.Key)))], week.Hall, before.Hall),
            new ReportChart("每日办件量（本周与上周）", ChartKind.Bars, [.. days.Select(i => weekdays[i])],
                [new("本周", [.. days.Select(i => (double)week.Day(input.From.AddDays(i)).Served)]),
                 new("上周", [.. days.Select(i => (double)before.Day(before.Input.From.AddDays(i)).Served)])])
            { YLabel = "件", HeightMm = 55 },
            new ReportHeading("三、办理结果"),
            OutcomeTable(week),
            new ReportHeading("四、差评回访"),
            DailyPatrolReport.FollowUpTable(week),
        };
        return new ReportDocument($"{input.Hall.Name} 周例会数据", $"本周 {Period(input, "本周")}，上周 {ChineseDate(before.Input.From)} 至 {ChineseDate(before.Input.To)}", blocks)
        {
            Footer = $"{input.Hall.Name} · 周报 {Date(input.From)} · 生成于 {Stamp(input.Now, input.Hall.Zone)}",
        };
    }

    /// <summary>The week's cases per window: each outcome, 办结率, 容缺受理 and 告知承诺, 咨询.</summary>
    private static ReportTable OutcomeTable(ReportFigures week)
    {
        var outcomes = BulletinReport.Outcomes(week);
        return new ReportTable("办理结果", "各窗口本周办理结果与受理方式", [new("窗口", 2.2), .. BulletinReport.CaseColumns(outcomes)],
            [.. week.Input.Windows.Select(w => (IReadOnlyList<ReportCell>)[Text(Window(w)), .. BulletinReport.CaseCells(week.Window(w.Id), outcomes)])])
        {
            Total = [Text("合计"), .. BulletinReport.CaseCells(week.Hall, outcomes)],
        };
    }

    private static ReportTable Compare(string sheet, string caption, string subject, IReadOnlyList<(string Name, WorkStat Week, WorkStat Before)> rows, WorkStat hallWeek, WorkStat hallBefore) =>
        new(sheet, caption,
            [
                new(subject, 2.2), new("办件量", 1, CellAlign.Right), new("上周", 1, CellAlign.Right), new("增减", 1, CellAlign.Right),
                new("平均等候", 1, CellAlign.Right), new("上周", 1, CellAlign.Right), new("好评率", 1, CellAlign.Right), new("上周", 1, CellAlign.Right),
            ],
            [.. rows.Where(r => r.Week.Served + r.Before.Served + r.Week.Issued + r.Before.Issued > 0 || subject == "窗口").Select(r => Row(r.Name, r.Week, r.Before))])
        {
            Total = Row("合计", hallWeek, hallBefore),
        };

    private static IReadOnlyList<ReportCell> Row(string name, WorkStat week, WorkStat before) =>
        [
            Text(name), Count(week.Served), Count(before.Served), Change(week.Served - before.Served),
            Minutes(week.Wait.Average), Minutes(before.Wait.Average), Percent(week.Ratings.Rate), Percent(before.Ratings.Rate),
        ];

    private static ReportCell Change(int delta) => new(delta > 0 ? $"+{delta}" : delta.ToString(System.Globalization.CultureInfo.InvariantCulture), delta);
}
