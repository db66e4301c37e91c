using DocumentFormat.OpenXml.Spreadsheet;
using DocumentFormat.OpenXml.Validation;
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

    private static readonly string[] Headers = ["甲", "乙", "丙", "丁", "戊"];

    /// <summary>A document with one table "数据" holding these cells in a row under the headers 甲, 乙, ….</summary>
    private static byte[] OneRow(params ReportCell[] cells) =>
        ExcelReportWriter.Write(new ReportDocument("测试", "", [new ReportTable("数据", "数据表", [.. cells.Select((_, i) => new ReportColumn(Headers[i]))], [cells])]));

    [Test]
    public void Every_table_becomes_a_sheet_after_the_overview()
    {
        var xlsx = ExcelReportWriter.Write(SampleReports.Day());

        Assert.That(SheetNames(xlsx), Is.EqualTo(new[] { "概要", "窗口服务", "好差评" }));
    }

    [Test]
    public void A_sheet_has_the_caption_then_the_headers_and_keeps_numbers_as_numbers()
    {
        var xlsx = ExcelReportWriter.Write(SampleReports.Day());

        var rows = Sheet(xlsx, "窗口服务");
        Assert.Multiple(() =>
        {
            Assert.That(rows[0]["A"], Is.EqualTo("表 1　各窗口服务情况（共 12 个窗口）"));
            Assert.That(rows[1].Values, Is.EqualTo(SampleReports.WindowColumns.Select(c => c.Header)));
            Assert.That(rows, Has.Count.EqualTo(2 + 12 + 1));
            Assert.That(rows[4]["A"], Is.EqualTo("3号窗口"));
            Assert.That(rows[4]["B"], Is.EqualTo("不动产登记（容缺受理）"));
            Assert.That(rows[4]["C"], Is.TypeOf<double>().And.EqualTo(61));
            Assert.That(rows[4]["E"], Is.EqualTo("不满意"));
            Assert.That(rows[4]["F"], Is.TypeOf<double>().And.EqualTo(0.93).Within(1e-9));
            Assert.That(rows[^1]["A"], Is.EqualTo("合计"));
            Assert.That(rows[^1]["C"], Is.TypeOf<double>().And.EqualTo(1234));
        });
        var ratings = Sheet(xlsx, "好差评");
        Assert.That(ratings.Skip(1).Select(r => r["A"]), Is.EqualTo(SampleReports.Ratings.Prepend("评价")));
    }

    [Test]
    public void A_percent_is_the_fraction_shown_as_a_percent()
    {
        using var book = new StyledWorkbook(OneRow(ReportFormat.Percent(0.8), ReportFormat.Percent(0.992)));

        var eighty = book.Under("数据", "甲");
        var high = book.Under("数据", "乙");
        Assert.Multiple(() =>
        {
            Assert.That(StyledWorkbook.Number(eighty), Is.EqualTo(0.8));
            Assert.That(book.NumberFormat(eighty), Is.EqualTo("0.0%"));
            Assert.That(StyledWorkbook.Number(high), Is.EqualTo(0.992), "stored as written, not 0.9920000000000001");
        });
    }

    [Test]
    public void Minutes_keep_one_decimal_hours_two_and_counts_none()
    {
        using var book = new StyledWorkbook(OneRow(
            ReportFormat.Minutes(16.3), ReportFormat.Hours(TimeSpan.FromMinutes(495)), ReportFormat.Count(1234), ReportFormat.WholeMinutes(TimeSpan.FromMinutes(45))));

        Assert.Multiple(() =>
        {
            Assert.That(StyledWorkbook.Number(book.Under("数据", "甲")), Is.EqualTo(16.3));
            Assert.That(book.NumberFormat(book.Under("数据", "甲")), Is.EqualTo("0.0"));
            Assert.That(StyledWorkbook.Number(book.Under("数据", "乙")), Is.EqualTo(8.25));
            Assert.That(book.NumberFormat(book.Under("数据", "乙")), Is.EqualTo("0.00"));
            Assert.That(StyledWorkbook.Number(book.Under("数据", "丙")), Is.EqualTo(1234));
            Assert.That(book.NumberFormat(book.Under("数据", "丙")), Is.EqualTo("0"));
            Assert.That(book.NumberFormat(book.Under("数据", "丁")), Is.EqualTo("0"));
        });
    }

    [Test]
    public void A_change_on_the_week_before_keeps_its_plus_sign()
    {
        using var book = new StyledWorkbook(OneRow(new ReportCell("+5", 5), new ReportCell("-3", -3)));

        Assert.Multiple(() =>
        {
            Assert.That(book.NumberFormat(book.Under("数据", "甲")), Is.EqualTo("+0;-0;0"));
            Assert.That(StyledWorkbook.Number(book.Under("数据", "乙")), Is.EqualTo(-3));
        });
    }

    [Test]
    public void A_date_is_a_date_and_a_time_a_date_and_time()
    {
        var at = new DateTimeOffset(2026, 11, 27, 10, 15, 0, TimeSpan.FromHours(8));
        using var book = new StyledWorkbook(OneRow(
            new ReportCell("2026-11-27", new DateOnly(2026, 11, 27)), new ReportCell("11-27 10:15", at), new ReportCell("11-27 10:15", at.DateTime)));

        var date = book.Under("数据", "甲");
        Assert.Multiple(() =>
        {
            Assert.That(DateTime.FromOADate(StyledWorkbook.Number(date)), Is.EqualTo(new DateTime(2026, 11, 27)));
            Assert.That(book.NumberFormat(date), Is.EqualTo("yyyy-mm-dd"));
            Assert.That(DateTime.FromOADate(StyledWorkbook.Number(book.Under("数据", "乙"))), Is.EqualTo(new DateTime(2026, 11, 27, 10, 15, 0)), "the hall's clock time");
            Assert.That(book.NumberFormat(book.Under("数据", "乙")), Is.EqualTo("yyyy-mm-dd hh:mm"));
            Assert.That(book.NumberFormat(book.Under("数据", "丙")), Is.EqualTo("yyyy-mm-dd hh:mm"));
        });
    }

    [Test]
    public void Columns_are_as_wide_as_what_they_hold()
    {
        using var book = new StyledWorkbook(ExcelReportWriter.Write(SampleReports.Day()));

        var widths = book.Widths("窗口服务");
        Assert.Multiple(() =>
        {
            Assert.That(widths.Keys, Is.EqualTo(new[] { "A", "B", "C", "D", "E", "F" }));
            // 不动产登记（容缺受理）: eleven CJK characters, two digit widths each.
            Assert.That(widths["B"], Is.EqualTo(24));
            Assert.That(widths["B"], Is.GreaterThan(widths["C"]), "the items are wider than the counts");
            Assert.That(widths["C"], Is.EqualTo(8), "办件量: three CJK characters");
            Assert.That(widths.Values, Has.All.InRange(6, 50));
        });
        Assert.That(book.Widths("好差评")["A"], Is.EqualTo(12), "非常不满意 with two to spare");
    }

    [Test]
    public void A_very_long_text_column_stops_at_fifty_and_wraps()
    {
        var note = string.Concat(Enumerable.Repeat("材料不全已告知补正", 10));
        using var book = new StyledWorkbook(OneRow(note, "1"));

        Assert.Multiple(() =>
        {
            Assert.That(book.Widths("数据")["A"], Is.EqualTo(50));
            Assert.That(book.Widths("数据")["B"], Is.EqualTo(6));
            Assert.That(book.Format(book.Under("数据", "甲")).Alignment?.WrapText?.Value, Is.True);
        });
    }

    [Test]
    public void The_caption_is_in_row_1_across_the_table()
    {
        using var book = new StyledWorkbook(ExcelReportWriter.Write(SampleReports.Day()));

        var caption = book.Cell("窗口服务", "A1");
        Assert.Multiple(() =>
        {
            Assert.That(book.Text(caption), Is.EqualTo("表 1　各窗口服务情况（共 12 个窗口）"));
            Assert.That(book.Bold(caption), Is.True);
            Assert.That(book.Sheet("窗口服务").Descendants<MergeCell>().Select(m => m.Reference?.Value), Is.EqualTo(new[] { "A1:F1" }));
        });
    }

    [Test]
    public void Headers_are_bold_on_a_grey_fill_with_borders_and_the_total_row_is_bold()
    {
        using var book = new StyledWorkbook(ExcelReportWriter.Write(SampleReports.Day()));

        var header = book.Cell("窗口服务", "B2");
        var data = book.Cell("窗口服务", "B3");
        var total = book.Cell("窗口服务", "A15");
        Assert.Multiple(() =>
        {
            Assert.That(book.Text(header), Is.EqualTo("事项"));
            Assert.That(book.Bold(header), Is.True);
            Assert.That(book.Fill(header).PatternType?.Value, Is.EqualTo(PatternValues.Solid));
            Assert.That(book.Border(header).BottomBorder?.Style?.Value, Is.EqualTo(BorderStyleValues.Thin));
            Assert.That(book.Format(header).Alignment?.Horizontal?.Value, Is.EqualTo(HorizontalAlignmentValues.Center));
            Assert.That(book.Bold(data), Is.False);
            Assert.That(book.Border(data).LeftBorder?.Style?.Value, Is.EqualTo(BorderStyleValues.Thin));
            Assert.That(book.Text(total), Is.EqualTo("合计"));
            Assert.That(book.Bold(total), Is.True);
            Assert.That(book.Bold(book.Cell("窗口服务", "C15")), Is.True);
            Assert.That(book.Fill(total).PatternType?.Value, Is.EqualTo(PatternValues.Solid));
            Assert.That(book.Border(total).TopBorder?.Style?.Value, Is.EqualTo(BorderStyleValues.Medium));
        });
    }

    [Test]
    public void A_column_aligned_right_in_the_PDF_is_aligned_right_in_the_sheet()
    {
        using var book = new StyledWorkbook(ExcelReportWriter.Write(SampleReports.Day()));

        Assert.Multiple(() =>
        {
            Assert.That(book.Format(book.Cell("窗口服务", "C3")).Alignment?.Horizontal?.Value, Is.EqualTo(HorizontalAlignmentValues.Right));
            Assert.That(book.Format(book.Cell("窗口服务", "E3")).Alignment?.Horizontal?.Value, Is.EqualTo(HorizontalAlignmentValues.Center));
        });
    }

    [Test]
    public void The_caption_and_headers_stay_in_view_and_the_rows_can_be_filtered()
    {
        using var book = new StyledWorkbook(ExcelReportWriter.Write(SampleReports.Day()));

        var sheet = book.Sheet("窗口服务");
        var pane = sheet.Descendants<Pane>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(pane.State?.Value, Is.EqualTo(PaneStateValues.Frozen));
            Assert.That(pane.VerticalSplit?.Value, Is.EqualTo(2));
            Assert.That(pane.TopLeftCell?.Value, Is.EqualTo("A3"));
            Assert.That(sheet.Descendants<AutoFilter>().Single().Reference?.Value, Is.EqualTo("A2:F14"), "the total row is not sorted in with the rows");
        });
    }

    [Test]
    public void Alerts_are_red()
    {
        using var book = new StyledWorkbook(ExcelReportWriter.Write(SampleReports.Day()));

        // Window 1 has 91.0% (under 92%, an alert); window 3 has 93.0%.
        Assert.Multiple(() =>
        {
            Assert.That(book.FontColor(book.Cell("窗口服务", "F3")), Is.EqualTo("FFC62828"));
            Assert.That(book.FontColor(book.Cell("窗口服务", "F5")), Is.Null);
        });
    }

    [Test]
    public void Text_that_looks_like_a_formula_is_written_with_a_leading_quote_so_no_spreadsheet_runs_it()
    {
        // What a clerk or an admin could type as a service name or a reason; the quote keeps it inert after an edit or a save as CSV.
        string[] texts = ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(1)", "-1+2", "+SUM(A1)", "\t=1+2"];
        var xlsx = OneRow([.. texts.Select(t => ReportFormat.Text(t))]);
        using var book = new StyledWorkbook(xlsx);

        Assert.Multiple(() =>
        {
            Assert.That(texts.Select((_, i) => book.Text(book.Under("数据", Headers[i]))),
                Is.EqualTo(new[] { "'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(1)", "'-1+2", "'+SUM(A1)", "'\t=1+2" }));
            Assert.That(book.Document.WorkbookPart!.WorksheetParts.SelectMany(p => p.Worksheet!.Descendants<CellFormula>()), Is.Empty);
        });
    }

    [Test]
    public void Text_that_only_contains_a_sign_and_negative_numbers_are_left_as_they_are()
    {
        using var book = new StyledWorkbook(OneRow(ReportFormat.Text("A-1+2"), ReportFormat.Text("合计=3"), new ReportCell("-1", -1), new ReportCell("-2.5", -2.5)));

        Assert.Multiple(() =>
        {
            Assert.That(book.Text(book.Under("数据", "甲")), Is.EqualTo("A-1+2"));
            Assert.That(book.Text(book.Under("数据", "乙")), Is.EqualTo("合计=3"));
            Assert.That(StyledWorkbook.Number(book.Under("数据", "丙")), Is.EqualTo(-1));
            Assert.That(StyledWorkbook.Number(book.Under("数据", "丁")), Is.EqualTo(-2.5));
        });
    }

    [Test]
    public void The_workbook_is_valid_Open_XML()
    {
        var doc = SampleReports.Day() with
        {
            Blocks = [.. SampleReports.Day().Blocks, new ReportTable("其他", "", [new("日期"), new("备注")],
                [[new ReportCell("2026-11-27", new DateOnly(2026, 11, 27)), ReportFormat.Text(" 前后有空格 ")]])],
        };
        using var book = new StyledWorkbook(ExcelReportWriter.Write(doc));

        var errors = new OpenXmlValidator().Validate(book.Document).Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void A_control_character_in_a_note_is_dropped_and_the_workbook_still_written()
    {
        using var book = new StyledWorkbook(OneRow(ReportFormat.Text("材料\u0001齐全\u0008"), ReportFormat.Text("第一行\n第二行")));

        Assert.Multiple(() =>
        {
            Assert.That(book.Text(book.Under("数据", "甲")), Is.EqualTo("材料齐全"));
            Assert.That(book.Text(book.Under("数据", "乙")), Is.EqualTo("第一行\n第二行"));
        });
    }

    [Test]
    public void The_overview_sheet_holds_the_title_subtitle_and_key_figures()
    {
        var xlsx = ExcelReportWriter.Write(SampleReports.Day());
        var rows = Sheet(xlsx, "概要");

        Assert.That(rows.Select(r => (r["A"], r["B"])), Is.EqualTo(new (object?, object?)[]
        {
            ("城关镇政务服务大厅日巡查", null),
            ("2026年11月27日（星期五）", null),
            ("服务量", "1,234"),
            ("平均等候", "8分12秒"),
            ("满意率", "99.2%"),
            ("容缺受理", "12件"),
        }));
        using var book = new StyledWorkbook(xlsx);
        var title = book.Cell("概要", "A1");
        Assert.That(book.Bold(title) && book.FontSize(title) > book.FontSize(book.Cell("概要", "A3")), Is.True, "the title is bold and larger");
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
