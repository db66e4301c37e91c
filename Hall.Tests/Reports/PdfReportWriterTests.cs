using System.Diagnostics;
using Hall.Server.Reports;
using Hall.Server.Reports.Pdf;
using Hall.Tests.Support;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Tokens;

namespace Hall.Tests.Reports;

public sealed class PdfReportWriterTests
{
    private static PdfFonts _fonts = null!;

    [OneTimeSetUp]
    public static void LoadFont()
    {
        if (!File.Exists(PdfFonts.DefaultPath))
        {
            const string missing = "The report font is missing — install it with `apt-get install fonts-wqy-microhei` (deploy/test.sh does).";
            if (PostgresCluster.OnCi)
            {
                Assert.Fail(missing);
            }
            Assert.Ignore(missing);
        }
        _fonts = PdfFonts.Load();
    }

    [OneTimeTearDown]
    public static void DisposeFont() => _fonts?.Dispose();

    private static ReportDocument Document(params ReportBlock[] blocks) => new("测试报表", "2026年11月", blocks) { Footer = SampleReports.Footer };

    [Test]
    public void A_day_report_reads_back_exactly_as_drawn()
    {
        var pdf = PdfReportWriter.Write(SampleReports.Day(), _fonts);
        PdfText.SavePages(pdf, "day-report");

        var pages = PdfText.Pages(pdf);
        var first = pages[0];
        Assert.Multiple(() =>
        {
            Assert.That(first[0], Is.EqualTo(new[] { "城关镇政务服务大厅日巡查" }));
            Assert.That(first[1], Is.EqualTo(new[] { "2026年11月27日（星期五）" }));
            Assert.That(first[2], Is.EqualTo(new[] { "服务量", "平均等候", "满意率", "容缺受理" }));
            Assert.That(first[3], Is.EqualTo(new[] { "1,234", "8分12秒", "99.2%", "12件" }));
            Assert.That(first[4], Is.EqualTo(new[] { "一、窗口服务" }));
            Assert.That(PdfText.RowStartingWith(pages, "窗口"), Is.EqualTo(SampleReports.WindowColumns.Select(c => c.Header)));
            Assert.That(PdfText.RowStartingWith(pages, "3号窗口"), Is.EqualTo(SampleReports.WindowRow(3).Select(c => c.Text)));
            Assert.That(PdfText.RowStartingWith(pages, "合计"), Is.EqualTo(new[] { "合计", "1234", "95.0%" }));
            Assert.That(PdfText.RowStartingWith(pages, "非常满意"), Is.EqualTo(new[] { "非常满意", "100" }));
            Assert.That(pages[1][0], Is.EqualTo(new[] { "二、好差评" }));
            Assert.That(pages[1][^1], Is.EqualTo(new[] { SampleReports.Footer, "第 2 页 / 共 2 页" }));
        });
    }

    [Test]
    public void A_paragraph_reads_back_in_full_across_its_lines()
    {
        const string text = "窗口工作人员对材料不全但主要材料齐备的申请实行容缺受理，群众在承诺时限内补齐材料即可办结；"
            + "对可以通过告知承诺办理的事项，一次告知、一次办结，减少群众往返次数，提高办事效率。";
        var pdf = PdfReportWriter.Write(Document(new ReportParagraph(text)), _fonts);

        var lines = PdfText.Pages(pdf)[0].Skip(2).SkipLast(1).Select(r => string.Concat(r)).ToList();
        Assert.That(lines, Has.Count.GreaterThan(1));
        Assert.That(string.Concat(lines), Is.EqualTo(text));
    }

    [Test]
    public void Closing_punctuation_never_starts_a_line()
    {
        // Commas and full stops at every possible break, at many line lengths.
        var text = string.Concat(Enumerable.Range(0, 60).Select(i => new string('办', 1 + i % 7) + (i % 3 == 0 ? "。" : i % 3 == 1 ? "，" : "）、")));
        var pdf = PdfReportWriter.Write(Document(new ReportParagraph(text)), _fonts);

        var lines = PdfText.Pages(pdf).SelectMany(p => p).Select(r => string.Concat(r)).ToList();
        Assert.That(lines.Where(l => l.Length > 0 && "，。、）」”".Contains(l[0], StringComparison.Ordinal)), Is.Empty);
        Assert.That(string.Concat(lines), Does.Contain(text));
    }

    [Test]
    public void A_long_table_repeats_its_header_on_every_page()
    {
        var table = SampleReports.WindowTable(150);
        var pdf = PdfReportWriter.Write(Document(table), _fonts);
        PdfText.SavePages(pdf, "long-table");

        var pages = PdfText.Pages(pdf);
        var header = SampleReports.WindowColumns.Select(c => c.Header).ToList();
        Assert.That(pages, Has.Count.GreaterThan(2));
        foreach (var page in pages)
        {
            Assert.That(page, Has.Some.EqualTo(header), "every page shows the column headers");
        }
        Assert.That(pages.Skip(1).Select(p => p[0]), Has.All.EqualTo(new[] { table.Caption + "（续）" }), "continued pages say so above the header");
        // Every row exactly once, in order, then the total.
        var rows = pages.SelectMany(p => p).Where(r => r[0].EndsWith("号窗口", StringComparison.Ordinal)).ToList();
        Assert.That(rows, Is.EqualTo(table.Rows.Select(r => r.Select(c => c.Text).ToList())));
        var last = pages[^1];
        Assert.That(last.Select(r => r[0]).ToList().IndexOf("合计"), Is.GreaterThan(last.Select(r => r[0]).ToList().IndexOf("150号窗口")));
    }

    [Test]
    public void Every_page_has_the_footer_and_its_page_number()
    {
        var pdf = PdfReportWriter.Write(Document(
            new ReportParagraph("第一页"), new ReportPageBreak(), new ReportParagraph("第二页"), new ReportPageBreak(), new ReportParagraph("第三页")), _fonts);

        var footers = PdfText.Pages(pdf).Select(p => p[^1]).ToList();
        Assert.That(footers, Is.EqualTo(new[]
        {
            new[] { SampleReports.Footer, "第 1 页 / 共 3 页" },
            new[] { SampleReports.Footer, "第 2 页 / 共 3 页" },
            new[] { SampleReports.Footer, "第 3 页 / 共 3 页" },
        }));
    }

    [Test]
    public void Chinese_text_survives_copy_without_look_alike_radicals()
    {
        // Characters whose radical forms (⼈ ⼝ ⼯ ⾔ …) have their own code points: a bad ToUnicode map returns those.
        const string text = "人口工言门马车长见金非常满意容缺受理告知承诺日巡查月通报";
        var pdf = PdfReportWriter.Write(Document(new ReportParagraph(text)), _fonts);

        using var document = PdfDocument.Open(pdf);
        var letters = string.Concat(document.GetPage(1).Letters.Select(l => l.Value));
        Assert.That(letters, Does.Contain(text));
        Assert.That(letters.Where(c => c is >= '\u2E80' and <= '\u2FDF'), Is.Empty, "no Kangxi or supplementary radicals");
    }

    [Test]
    public void A_three_page_report_embeds_only_a_subset_of_the_font()
    {
        var day = SampleReports.Day();
        var doc = day with { Blocks = [.. day.Blocks, new ReportPageBreak(), SampleReports.WindowTable(30, "窗口二")] };
        var pdf = PdfReportWriter.Write(doc, _fonts);

        using var document = PdfDocument.Open(pdf);
        Assert.That(document.NumberOfPages, Is.EqualTo(3));
        Assert.That(pdf, Has.Length.LessThan(300_000));
        var fontPrograms = EmbeddedFontLengths(document);
        Assert.That(fontPrograms, Is.Not.Empty);
        Assert.That(fontPrograms, Has.All.LessThan(new FileInfo(_fonts.Path).Length / 20), "each embedded font is a small subset");
        Assert.That(FontNames(document), Is.Not.Empty.And.All.Match("^[A-Z]{6}\\+"), "fonts are marked as subsets (XXXXXX+Name)");
        TestContext.Out.WriteLine($"3 pages: {pdf.Length:N0} bytes; embedded fonts: {string.Join(", ", fontPrograms)} bytes");
    }

    private static List<string> FontNames(PdfDocument document) =>
        document.Structure.CrossReferenceTable.ObjectOffsets.Keys
            .Select(r => document.Structure.GetObject(r).Data)
            .OfType<DictionaryToken>()
            .Where(d => d.TryGet(NameToken.Type, out NameToken type) && type.Data == "FontDescriptor")
            .Select(d => d.TryGet(NameToken.Create("FontName"), out NameToken name) ? name.Data : "")
            .ToList();

    /// <summary>The uncompressed lengths (Length1) of the TrueType programs embedded in the file.</summary>
    private static List<long> EmbeddedFontLengths(PdfDocument document)
    {
        var lengths = new List<long>();
        foreach (var reference in document.Structure.CrossReferenceTable.ObjectOffsets.Keys)
        {
            if (document.Structure.GetObject(reference).Data is StreamToken stream
                && stream.StreamDictionary.TryGet(NameToken.Create("Length1"), out NumericToken length))
            {
                lengths.Add(length.Long);
            }
        }
        return lengths;
    }

    [TestCase(ChartKind.Bars)]
    [TestCase(ChartKind.HorizontalBars)]
    [TestCase(ChartKind.Lines)]
    [TestCase(ChartKind.Heatmap)]
    public void A_chart_is_drawn_as_vectors_with_its_labels_as_text(ChartKind kind)
    {
        var chart = SampleReports.Chart(kind);
        var pdf = PdfReportWriter.Write(Document(new ReportParagraph("图表之前的文字"), chart, new ReportParagraph("图表之后的文字")), _fonts);
        PdfText.SavePages(pdf, $"chart-{kind}");

        using var document = PdfDocument.Open(pdf);
        var page = document.GetPage(1);
        var text = PdfText.Lines(PdfText.Rows(page));
        Assert.Multiple(() =>
        {
            Assert.That(page.GetImages(), Is.Empty, "no bitmap: the chart is vectors");
            Assert.That(page.Operations.Count(o => o.GetType().Namespace!.EndsWith("PathConstruction", StringComparison.Ordinal)), Is.GreaterThan(20));
            Assert.That(text, Does.Contain("图表之前的文字").And.Contain("图表之后的文字").And.Contain(chart.Caption));
            // Content-stream order keeps rotated labels (the Y axis) whole.
            var words = string.Join("\n", text) + "\n" + string.Concat(page.Letters.Select(l => l.Value));
            var labelled = kind == ChartKind.Lines ? chart.Categories.Where((_, i) => i % 3 == 0) : chart.Categories;
            if (kind is ChartKind.Bars or ChartKind.Heatmap)
            {
                Assert.That(text, Does.Contain(string.Join(" | ", chart.Categories)), "each tick label once, in order");
            }
            foreach (var label in labelled.Concat([chart.XLabel, chart.YLabel]).OfType<string>())
            {
                Assert.That(words, Does.Contain(label), "chart text is extractable");
            }
            if (kind is ChartKind.Bars or ChartKind.Heatmap)
            {
                foreach (var series in chart.Series)
                {
                    Assert.That(words, Does.Contain(series.Name), "series names show (legend or heatmap rows)");
                }
            }
        });
    }

    [Test]
    public void Long_cell_text_is_wrapped_or_shrunk_and_never_overlaps()
    {
        var columns = new ReportColumn[] { new("窗口", 0.6), new("说明", 1.2), new("件数", 0.4, CellAlign.Right), new("备注", 2.5) };
        const string longText = "不动产登记及抵押权首次登记（容缺受理，材料后补）并同步办理水电气过户";
        var table = new ReportTable("说明", "表　长文字", columns,
        [
            ["1号窗口", longText, new ReportCell("1234567", 1234567), "无"],
            ["2号窗口（综合受理）", "社保卡补办", "12", "上午暂停"],
        ]);
        var pdf = PdfReportWriter.Write(Document(table), _fonts);
        PdfText.SavePages(pdf, "long-cells");

        using var document = PdfDocument.Open(pdf);
        var page = document.GetPage(1);
        var letters = page.Letters.Where(l => !string.IsNullOrWhiteSpace(l.Value)).ToList();
        foreach (var line in letters.GroupBy(l => Math.Round(l.StartBaseLine.Y, 1)))
        {
            var ordered = line.OrderBy(l => l.StartBaseLine.X).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.That(ordered[i].StartBaseLine.X, Is.GreaterThanOrEqualTo(ordered[i - 1].EndBaseLine.X - 0.01), $"letters overlap at '{ordered[i].Value}'");
            }
        }
        // Each column's text (table-sized letters above the footer) stays inside the column and reads back whole, line after line.
        var total = columns.Sum(c => c.Width);
        var left = (double)PdfStyle.MarginX;
        var columnTexts = new List<string>();
        foreach (var column in columns)
        {
            var right = left + column.Width / total * PdfStyle.ContentWidth;
            var inside = letters.Where(l => l.StartBaseLine.X >= left && l.StartBaseLine.X < right && l.PointSize < 10 && l.StartBaseLine.Y > 100).ToList();
            Assert.That(inside.Max(l => l.EndBaseLine.X), Is.LessThanOrEqualTo(right), $"column {column.Header} stays in its bounds");
            columnTexts.Add(string.Concat(inside.OrderByDescending(l => Math.Round(l.StartBaseLine.Y, 1)).ThenBy(l => l.StartBaseLine.X).Select(l => l.Value)));
            left = right;
        }
        Assert.That(columnTexts, Is.EqualTo(new[] { "窗口1号窗口2号窗口（综合受理）", "说明" + longText + "社保卡补办", "件数123456712", "备注无上午暂停" }));
        // A shrunk cell keeps the row's baseline, so the row still reads as one line.
        Assert.That(PdfText.Pages(pdf)[0], Has.Some.Matches<IReadOnlyList<string>>(r => r.Count == 4 && r[0] == "1号窗口" && r[2] == "1234567" && r[3] == "无"));
    }

    [Test]
    public void A_cell_longer_than_a_page_continues_on_the_next_page()
    {
        var text = string.Concat(Enumerable.Range(1, 150).Select(i => $"第{i}条意见：材料齐全，当场办结。"));
        var table = new ReportTable("意见", "表　群众意见", [new("窗口", 1), new("意见", 3)], [["1号窗口", text], ["2号窗口", "无"]]);

        var pages = PdfText.Pages(PdfReportWriter.Write(Document(table), _fonts));

        Assert.That(pages, Has.Count.GreaterThan(1));
        Assert.That(pages.Skip(1), Has.All.Some.EqualTo(new[] { "窗口", "意见" }), "the header repeats");
        var body = pages.SelectMany(p => p).Where(r => r[^1].Length > 2 && text.Contains(r[^1], StringComparison.Ordinal));
        Assert.That(string.Concat(body.Select(r => r[^1])), Is.EqualTo(text));
        Assert.That(PdfText.RowStartingWith(pages, "2号窗口"), Is.EqualTo(new[] { "2号窗口", "无" }));
    }

    [Test]
    public void Alert_cells_are_red()
    {
        var table = new ReportTable("警示", "表", [new("窗口"), new("满意率", 1, CellAlign.Right)],
            [["1号窗口", new ReportCell("99%", 0.99)], ["2号窗口", new ReportCell("85%", 0.85, Alert: true)]]);
        var pdf = PdfReportWriter.Write(Document(table), _fonts);

        using var document = PdfDocument.Open(pdf);
        var letters = document.GetPage(1).Letters;
        var (r, g, b) = letters.First(l => l.Value == "8").Color.ToRGBValues();
        Assert.That((r, g, b), Is.EqualTo((0xC6 / 255.0, 0x28 / 255.0, 0x28 / 255.0)).Within(0.02));
        var (r9, g9, b9) = letters.First(l => l.Value == "9").Color.ToRGBValues();
        Assert.That(r9, Is.LessThan(0.3), "ordinary cells are dark");
    }

    [Test]
    public async Task Documents_render_on_several_threads_sharing_one_font()
    {
        var expected = PdfText.Pages(PdfReportWriter.Write(SampleReports.Day(), _fonts));

        var pdfs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => PdfReportWriter.Write(SampleReports.Day(), _fonts))));

        foreach (var pdf in pdfs)
        {
            Assert.That(PdfText.Pages(pdf), Is.EqualTo(expected));
        }
    }

    [Test]
    public void Empty_tables_charts_and_figures_still_make_a_document()
    {
        var doc = Document(
            new ReportKeyFigures([]),
            new ReportTable("空表", "空表", [new("窗口")], []),
            new ReportTable("只有合计", "只有合计", [new("窗口"), new("件数")], []) { Total = ["合计", "0"] },
            new ReportChart("空柱状图", ChartKind.Bars, [], []),
            new ReportChart("空折线图", ChartKind.Lines, ["1日"], [new("件数", [])]),
            new ReportChart("空热力图", ChartKind.Heatmap, [], []),
            new ReportHeading("三级标题", 3));

        var lines = PdfText.Lines(PdfText.Pages(PdfReportWriter.Write(doc, _fonts)).SelectMany(p => p).ToList());

        Assert.That(lines, Does.Contain("空表").And.Contain("合计 | 0").And.Contain("空热力图").And.Contain("三级标题"));
        // An empty table says 无 under its header (公文); one with only a total shows the total, no 无.
        Assert.That(lines, Does.Contain("无"));
        Assert.That(lines.Count(l => l == "无"), Is.EqualTo(1));
    }

    [Test]
    public void A_missing_font_fails_with_a_clear_message_in_Chinese_and_English()
    {
        var error = Assert.Throws<FileNotFoundException>(() => PdfFonts.Load("/nowhere/msyh.ttc"));
        Assert.That(error!.Message, Does.Contain("报表字体缺失").And.Contain("/nowhere/msyh.ttc").And.Contain("The report font is missing").And.Contain("fonts-wqy-microhei"));
    }

    [Test]
    public void Tables_of_a_day_1100_and_3000_rows_paginate_into_pdfs_that_open()
    {
        PdfReportWriter.Write(SampleReports.Day(), _fonts);
        var onePage = Document(SampleReports.WindowTable(12));
        var thirtyPages = Document(SampleReports.Chart(ChartKind.Bars), SampleReports.Chart(ChartKind.Lines), SampleReports.WindowTable(1100));
        var big = Document(
            SampleReports.Chart(ChartKind.Bars), SampleReports.Chart(ChartKind.Lines), SampleReports.Chart(ChartKind.Heatmap),
            SampleReports.WindowTable(3000));
        var timings = new List<(string Name, TimeSpan Time, int Pages, int Bytes)>();
        foreach (var (name, doc) in new[] { ("one page", onePage), ("day", SampleReports.Day()), ("1100 rows", thirtyPages), ("3000 rows", big) })
        {
            var watch = Stopwatch.StartNew();
            var pdf = PdfReportWriter.Write(doc, _fonts);
            var time = watch.Elapsed;
            using var document = PdfDocument.Open(pdf);
            timings.Add((name, time, document.NumberOfPages, pdf.Length));
            TestContext.Out.WriteLine($"{name}: {document.NumberOfPages} pages, {time.TotalMilliseconds:F0} ms, {pdf.Length:N0} bytes");
        }
        // Times are printed for the reader; speed itself is ReportBenchmark's to measure, not a test's to assert.
        Assert.That(timings[0].Pages, Is.EqualTo(1));
        Assert.That(timings[2].Pages, Is.GreaterThan(10));
        Assert.That(timings[3].Pages, Is.GreaterThan(timings[2].Pages));
        Assert.That(timings[3].Bytes, Is.GreaterThan(timings[2].Bytes));
    }

    [Test]
    public void The_total_row_never_starts_a_page_alone()
    {
        // Whatever the number of rows, the page that prints 合计 also prints the table's last row above it.
        var alone = new List<int>();
        var broken = 0;
        for (var rows = 20; rows <= 60; rows++)
        {
            var pages = PdfText.Pages(PdfReportWriter.Write(Document(SampleReports.WindowTable(rows)), _fonts));
            var page = pages.Single(p => p.Any(r => r[0] == "合计"));
            if (pages.Count > 1)
            {
                broken++;
            }
            if (!page.Any(r => r[0] == $"{rows}号窗口"))
            {
                alone.Add(rows);
            }
        }
        Assert.That(broken, Is.GreaterThan(0), "some of these tables run over a page");
        Assert.That(alone, Is.Empty, "row counts whose 合计 went over without the last row");
    }
}
