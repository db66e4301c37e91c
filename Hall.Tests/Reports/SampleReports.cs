using System.Globalization;
using Hall.Server.Reports;

namespace Hall.Tests.Reports;

/// <summary>Report documents shaped like the hall's real ones, for the writer tests.</summary>
internal static class SampleReports
{
    public const string Footer = "城关镇政务服务大厅 · 2026-11-28 08:00";

    public static readonly ReportColumn[] WindowColumns =
    [
        new("窗口", 1.3),
        new("事项", 2.4),
        new("办件量", 1, CellAlign.Right),
        new("平均办理", 1.1, CellAlign.Right),
        new("评价", 1, CellAlign.Center),
        new("满意率", 1, CellAlign.Right),
    ];

    public static readonly string[] Ratings = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"];

    public static IReadOnlyList<ReportCell> WindowRow(int window)
    {
        var tickets = 40 + window * 7 % 53;
        var rate = 90 + window % 10;
        return
        [
            $"{window}号窗口",
            window % 3 == 0 ? "不动产登记（容缺受理）" : "社保卡补办",
            new ReportCell(tickets.ToString(CultureInfo.InvariantCulture), tickets),
            new ReportCell($"{5 + window % 7}分{window * 13 % 60:00}秒", 300 + window),
            Ratings[window % Ratings.Length],
            ReportFormat.Percent(rate / 100.0) with { Alert = rate < 92 },
        ];
    }

    public static ReportTable WindowTable(int rows, string sheet = "窗口服务") =>
        new(sheet, $"表 1　各窗口服务情况（共 {rows} 个窗口）", WindowColumns, Enumerable.Range(1, rows).Select(WindowRow).ToList())
        {
            Total = ["合计", "", new ReportCell("1234", 1234), "", "", ReportFormat.Percent(0.95)],
        };

    public static readonly string[] Hours = Enumerable.Range(8, 10).Select(h => $"{h}时").ToArray();
    public static readonly string[] Weekdays = ["星期一", "星期二", "星期三", "星期四", "星期五"];

    public static ReportChart Chart(ChartKind kind) => kind switch
    {
        ChartKind.Bars => new("图 1　各时段取号量", kind, Hours,
            [new("本周", Hours.Select((_, i) => 20.0 + i * 7 % 30).ToList()), new("上周", Hours.Select((_, i) => 18.0 + i * 5 % 25).ToList())])
        { XLabel = "时段", YLabel = "取号量" },
        ChartKind.HorizontalBars => new("图 2　窗口满意率排名", kind, ["1号窗口", "2号窗口", "3号窗口", "4号窗口"],
            [new("满意率", [99.5, 98.2, 96.0, 91.3])])
        { XLabel = "满意率（%）" },
        ChartKind.Lines => new("图 3　每日办件量", kind, Enumerable.Range(1, 30).Select(d => $"11月{d}日").ToList(),
            [new("办件量", Enumerable.Range(1, 30).Select(d => 100.0 + d * 17 % 40).ToList())])
        { YLabel = "件" },
        ChartKind.Heatmap => new("图 4　取号热力（星期 × 时段）", kind, Hours,
            Weekdays.Select((w, r) => new ChartSeries(w, Hours.Select((_, c) => (double)((r + 2) * (c + 3) % 17)).ToList())).ToList()),
    };

    /// <summary>A day's patrol sheet: key figures, a paragraph, the window table, a chart, and ratings on a second page.</summary>
    public static ReportDocument Day() => new("城关镇政务服务大厅日巡查", "2026年11月27日（星期五）",
    [
        new ReportKeyFigures([new("服务量", "1,234"), new("平均等候", "8分12秒"), new("满意率", "99.2%"), new("容缺受理", "12件")]),
        new ReportHeading("一、窗口服务"),
        new ReportParagraph("今日大厅共开放窗口十二个，办件一千二百三十四件，其中容缺受理十二件、告知承诺八件。上午九时至十一时为取号高峰，"
            + "平均等候八分钟；三号窗口（不动产登记）因系统升级暂停服务二十分钟，已于十时恢复。"),
        WindowTable(12),
        new ReportChart("图 1　各时段取号量", ChartKind.Bars, Hours, [new("取号量", Hours.Select((_, i) => 20.0 + i * 7 % 30).ToList())]),
        new ReportPageBreak(),
        new ReportHeading("二、好差评"),
        new ReportTable("好差评", "表 2　评价分布", [new("评价"), new("件数", 1, CellAlign.Right)],
            Ratings.Select((r, i) => (IReadOnlyList<ReportCell>)[r, new ReportCell((100 - i * 20).ToString(CultureInfo.InvariantCulture), 100 - i * 20)]).ToList()),
    ])
    {
        Footer = Footer,
    };
}
