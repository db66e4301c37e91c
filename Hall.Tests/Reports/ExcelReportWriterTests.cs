using Hall.Server.Reports;
using MiniExcelLibs;

namespace Hall.Tests.Reports;

public sealed class ExcelReportWriterTests
{
    private static List<IDictionary<string, object?>> Sheet(byte[] xlsx, string name)
    {
        using var stream = new MemoryStream(xlsx);
        return stream.Query(useHeaderRow: false, sheetName: name).Cast<IDictionary<string, object?>>().ToList();
    }

    private static List<string> SheetNames(byte[] xlsx)
    {
        using var stream = new MemoryStream(xlsx);
        return stream.GetSheetNames();
    }

    [Test]
    public void Every_table_becomes_a_sheet_after_the_overview()
    {
        var xlsx = ExcelReportWriter.Write(SampleReports.Day());

        Assert.That(SheetNames(xlsx), Is.EqualTo(new[] { "概要", "窗口服务", "好差评" }));
    }

    [Test]
    public void A_sheet_starts_with_the_headers_and_keeps_numbers_as_numbers()
    {
        var xlsx = ExcelReportWriter.Write(SampleReports.Day());

        var rows = Sheet(xlsx, "窗口服务");
        Assert.Multiple(() =>
        {
            Assert.That(rows[0].Values, Is.EqualTo(SampleReports.WindowColumns.Select(c => c.Header)));
            Assert.That(rows, Has.Count.EqualTo(1 + 12 + 1));
            Assert.That(rows[3]["A"], Is.EqualTo("3号窗口"));
            Assert.That(rows[3]["B"], Is.EqualTo("不动产登记（容缺受理）"));
            Assert.That(rows[3]["C"], Is.TypeOf<double>().And.EqualTo(61));
            Assert.That(rows[3]["E"], Is.EqualTo("不满意"));
            Assert.That(rows[3]["F"], Is.TypeOf<double>().And.EqualTo(0.93).Within(1e-9));
            Assert.That(rows[^1]["A"], Is.EqualTo("合计"));
            Assert.That(rows[^1]["C"], Is.TypeOf<double>().And.EqualTo(1234));
        });
        var ratings = Sheet(xlsx, "好差评");
        Assert.That(ratings.Select(r => r["A"]), Is.EqualTo(SampleReports.Ratings.Prepend("评价")));
    }

    [Test]
    public void Dates_stay_dates()
    {
        var doc = new ReportDocument("日期", "", [new ReportTable("按日", "", [new("日期"), new("件数")],
            [[new ReportCell("2026-11-27", new DateOnly(2026, 11, 27)), new ReportCell("5", 5)]])]);

        var rows = Sheet(ExcelReportWriter.Write(doc), "按日");

        Assert.That(rows[1]["A"], Is.EqualTo(new DateTime(2026, 11, 27)));
    }

    [Test]
    public void The_overview_sheet_holds_the_title_subtitle_and_key_figures()
    {
        var rows = Sheet(ExcelReportWriter.Write(SampleReports.Day()), "概要");

        Assert.That(rows.Select(r => (r["A"], r["B"])), Is.EqualTo(new (object, object)[]
        {
            ("标题", "城关镇政务服务大厅日巡查"),
            ("副标题", "2026年11月27日（星期五）"),
            ("服务量", "1,234"),
            ("平均等候", "8分12秒"),
            ("满意率", "99.2%"),
            ("容缺受理", "12件"),
        }));
    }

    [Test]
    public void Sheet_names_follow_Excels_rules()
    {
        ReportTable Table(string sheet) => new(sheet, "", [new("列")], [["值"]]);
        var doc = new ReportDocument("名称", "", [
            Table("窗口/事项:排名[前十]?"),
            Table("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三"),
            Table("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四"),
            Table("概要"),
            Table("'引号'"),
            Table(""),
        ]);

        var names = SheetNames(ExcelReportWriter.Write(doc));

        Assert.That(names, Is.EqualTo(new[]
        {
            "概要",
            "窗口_事项_排名_前十__",
            "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一",
            "一二三四五六七八九十一二三四五六七八九十一二三四五六七 (2)",
            "概要 (2)",
            "引号",
            "Sheet",
        }));
        Assert.That(names, Has.All.Length.InRange(1, 31));
    }
}
