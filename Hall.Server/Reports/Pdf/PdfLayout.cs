using System.Globalization;
using SkiaSharp;
using static Hall.Server.Reports.Pdf.PdfStyle;

namespace Hall.Server.Reports.Pdf;

/// <summary>
/// Flows a report's blocks onto A4 pages (first pass); the footer with "第 x 页 / 共 y 页" is added once the count is known.
/// A 公文 (<see cref="ReportDocument.Form"/>) is laid out as GB/T 9704 asks (PdfLayout.Official.cs), its body in <paramref name="serif"/>.
/// </summary>
internal sealed partial class PdfLayout(TextMeasure measure, TextMeasure serif)
{
    private const float CellPadX = 0.6f * TableSize;
    private const float CellPadY = 3.2f;
    private const float TableLineHeight = TableSize * 1.35f;

    private readonly List<List<PageItem>> _pages = [];
    private List<PageItem> _page = [];
    private float _y;

    public IReadOnlyList<IReadOnlyList<PageItem>> Pages => _pages;

    /// <summary>Where the current page's content starts and must end: the report's margins, or a 公文 body's 版心.</summary>
    private float _top = MarginTop;
    private float _bottom = ContentBottom;

    public void Lay(ReportDocument doc)
    {
        if (doc.Form is { } form)
        {
            LayOfficial(doc, form);
            return;
        }
        NewPage();
        Title(doc);
        foreach (var block in doc.Blocks)
        {
            Block(block);
        }
        Footers(doc.Footer);
    }

    private void Block(ReportBlock block)
    {
        switch (block)
        {
            case ReportHeading heading: Heading(heading); break;
            case ReportParagraph paragraph: Paragraph(paragraph); break;
            case ReportKeyFigures figures: KeyFigures(figures); break;
            case ReportTable table: Table(table); break;
            case ReportChart chart: Chart(chart); break;
            case ReportPageBreak: PageBreak(); break;
            default: throw new NotSupportedException($"No PDF layout for {block.GetType().Name}.");
        }
    }

    private bool PageIsEmpty => _y <= _top;

    private void NewPage()
    {
        _page = [];
        _pages.Add(_page);
        _y = _top;
    }

    private void PageBreak()
    {
        if (!PageIsEmpty)
        {
            NewPage();
        }
    }

    /// <summary>Starts a new page unless <paramref name="height"/> still fits on this one.</summary>
    private void Need(float height)
    {
        if (_y + height > _bottom && !PageIsEmpty)
        {
            NewPage();
        }
    }

    private float LineHeight(float size, float spacing = 1.5f) => size * spacing;

    private float Baseline(float top, float size, float lineHeight) =>
        top + (lineHeight - (measure.Ascent + measure.Descent) * size) / 2 + measure.Ascent * size;

    /// <summary>Wrapped lines of running text at the full content width, breaking across pages.</summary>
    private void Lines(string text, float size, SKColor color, float spacing, CellAlign align = CellAlign.Left)
    {
        var lineHeight = LineHeight(size, spacing);
        foreach (var line in measure.Wrap(text, size, ContentWidth))
        {
            Need(lineHeight);
            _page.Add(new TextItem(AlignX(line, size, MarginX, ContentWidth, align), Baseline(_y, size, lineHeight), line, size, color));
            _y += lineHeight;
        }
    }

    private float AlignX(string text, float size, float left, float width, CellAlign align) => align switch
    {
        CellAlign.Left => left,
        CellAlign.Right => left + width - measure.Width(text, size),
        CellAlign.Center => left + (width - measure.Width(text, size)) / 2,
    };

    private void Title(ReportDocument doc)
    {
        if (doc.Title.Length > 0)
        {
            Lines(doc.Title, TitleSize, Text, 1.4f, CellAlign.Center);
        }
        if (doc.Subtitle.Length > 0)
        {
            _y += 2;
            Lines(doc.Subtitle, SubtitleSize, Muted, 1.5f, CellAlign.Center);
        }
        _y += 14;
    }

    private void Heading(ReportHeading heading)
    {
        var size = heading.Level <= 1 ? Heading1Size : Heading2Size;
        var before = heading.Level <= 1 ? 12f : 8f;
        // Keep a heading with at least three lines of what follows.
        Need(before + LineHeight(size, 1.4f) + 3 * LineHeight(BodySize, 1.6f));
        if (!PageIsEmpty)
        {
            _y += before;
        }
        Lines(heading.Text, size, heading.Level <= 1 ? Accent : Text, 1.4f);
        _y += 3;
    }

    private void Paragraph(ReportParagraph paragraph)
    {
        Lines(paragraph.Text, BodySize, Text, 1.6f);
        _y += 6;
    }

    private void KeyFigures(ReportKeyFigures block)
    {
        const int perRow = 4;
        const float gap = 10f, boxHeight = 54f, labelSize = SmallSize, valueSize = 17f;
        for (var start = 0; start < block.Figures.Count; start += perRow)
        {
            var row = block.Figures.Skip(start).Take(perRow).ToList();
            var boxWidth = (ContentWidth - gap * (perRow - 1)) / perRow;
            Need(boxHeight + gap);
            for (var i = 0; i < row.Count; i++)
            {
                var left = MarginX + i * (boxWidth + gap);
                _page.Add(new BoxItem(new SKRect(left, _y, left + boxWidth, _y + boxHeight), TotalFill, Rule));
                var inner = boxWidth - 12;
                var label = Fit(row[i].Label, labelSize, inner);
                _page.Add(new TextItem(AlignX(row[i].Label, label, left + 6, inner, CellAlign.Center), _y + 17, row[i].Label, label, Muted));
                var value = Fit(row[i].Value, valueSize, inner);
                _page.Add(new TextItem(AlignX(row[i].Value, value, left + 6, inner, CellAlign.Center), _y + 43, row[i].Value, value, Accent));
            }
            _y += boxHeight + gap;
        }
        _y += 2;
    }

    /// <summary>The size at which <paramref name="text"/> fits <paramref name="width"/> on one line, at most <paramref name="size"/>.</summary>
    private float Fit(string text, float size, float width)
    {
        var natural = measure.Width(text, size);
        return natural <= width ? size : size * width / natural * 0.999f;
    }

    private void Caption(string caption)
    {
        if (caption.Length > 0)
        {
            Lines(caption, CaptionSize, Text, 1.5f);
            _y += 2;
        }
    }

    private sealed record CellLines(List<string> Lines, float Size, CellAlign Align, SKColor Color);

    private sealed record TableRow(IReadOnlyList<CellLines> Cells, float Height);

    private void Table(ReportTable table)
    {
        if (table.Columns.Count == 0)
        {
            return;
        }
        var totalWeight = table.Columns.Sum(c => Math.Max(c.Width, 0.01));
        var widths = table.Columns.Select(c => (float)(Math.Max(c.Width, 0.01) / totalWeight * ContentWidth)).ToArray();
        var header = Row(table.Columns.Select(c => new ReportCell(c.Header)).ToList(), table.Columns, widths);
        var rows = table.Rows.Select(r => Row(r, table.Columns, widths)).ToList();
        var total = table.Total is { } cells ? Row(cells, table.Columns, widths) : null;
        if (rows.Count == 0 && total is null)
        {
            // An empty table says so (公文: 无), rather than a header over nothing.
            rows.Add(Row([new ReportCell(ReportFormat.Nothing)], table.Columns, widths));
        }

        // The caption stays with the header and the first row.
        var first = rows.Count > 0 ? rows[0].Height : total?.Height ?? 0;
        Need(LineHeight(CaptionSize) + 2 + header.Height + first);
        Caption(table.Caption);
        var tableTop = _y;
        DrawRow(header, widths, HeaderFill);
        for (var r = 0; r < rows.Count; r++)
        {
            var pending = rows[r];
            // The last row goes over with the 合计 rather than leave it alone at the top of the next page.
            if (r == rows.Count - 1 && total is not null && _y + pending.Height + total.Height > ContentBottom && _y + pending.Height <= ContentBottom
                && _y > tableTop + header.Height)
            {
                tableTop = ContinueOnNextPage(table.Caption, tableTop, header, widths);
            }
            // A row taller than a whole page (pages of text in one cell) is split line by line; any other row moves whole.
            while (_y + pending.Height > ContentBottom)
            {
                var tallerThanPage = pending.Height > ContentBottom - MarginTop - header.Height;
                var fit = (int)((ContentBottom - _y - 2 * CellPadY) / TableLineHeight);
                if (tallerThanPage && fit >= 1)
                {
                    var (head, tail) = Split(pending, fit);
                    DrawRow(head, widths, null);
                    pending = tail;
                }
                else if (_y <= tableTop + header.Height)
                {
                    break;
                }
                tableTop = ContinueOnNextPage(table.Caption, tableTop, header, widths);
            }
            DrawRow(pending, widths, null);
        }
        if (total is not null)
        {
            if (_y + total.Height > ContentBottom)
            {
                tableTop = ContinueOnNextPage(table.Caption, tableTop, header, widths);
            }
            _page.Add(new LineItem(new SKPoint(MarginX, _y), new SKPoint(MarginX + ContentWidth, _y), Strong, 0.8f));
            DrawRow(total, widths, TotalFill);
        }
        Frame(tableTop);
        _y += 10;
    }

    /// <summary>Closes the table on this page and reopens it on the next under "（续）" and the repeated header; returns the new top.</summary>
    private float ContinueOnNextPage(string caption, float tableTop, TableRow header, float[] widths)
    {
        Frame(tableTop);
        NewPage();
        if (caption.Length > 0)
        {
            Caption(caption + "（续）");
        }
        var top = _y;
        DrawRow(header, widths, HeaderFill);
        return top;
    }

    private void Frame(float top) =>
        _page.Add(new BoxItem(new SKRect(MarginX, top, MarginX + ContentWidth, _y), null, Strong, 0.6f));

    private TableRow Row(IReadOnlyList<ReportCell> cells, IReadOnlyList<ReportColumn> columns, float[] widths)
    {
        var laid = new CellLines[columns.Count];
        var lineCount = 1;
        for (var c = 0; c < columns.Count; c++)
        {
            var cell = c < cells.Count ? cells[c] : new ReportCell("");
            var inner = widths[c] - 2 * CellPadX;
            var text = cell.Text;
            var color = cell.Alert ? Alert : PdfStyle.Text;
            var natural = measure.Width(text, TableSize);
            if (natural <= inner && !text.Contains('\n', StringComparison.Ordinal))
            {
                laid[c] = new CellLines([text], TableSize, columns[c].Align, color);
                continue;
            }
            var shrunk = TableSize * inner / natural * 0.999f;
            if (shrunk >= TableMinSize && !text.Contains('\n', StringComparison.Ordinal))
            {
                laid[c] = new CellLines([text], shrunk, columns[c].Align, color);
                continue;
            }
            var lines = measure.Wrap(text, TableSize, inner);
            laid[c] = new CellLines(lines, TableSize, columns[c].Align, color);
            lineCount = Math.Max(lineCount, lines.Count);
        }
        return new TableRow(laid, lineCount * TableLineHeight + 2 * CellPadY);
    }

    /// <summary>The first <paramref name="lines"/> lines of every cell, and the rest.</summary>
    private static (TableRow Head, TableRow Tail) Split(TableRow row, int lines)
    {
        var head = row.Cells.Select(c => c with { Lines = c.Lines.Take(lines).ToList() }).ToList();
        var tail = row.Cells.Select(c => c with { Lines = c.Lines.Skip(lines).ToList() }).ToList();
        static float Height(List<CellLines> cells) => Math.Max(1, cells.Max(c => c.Lines.Count)) * TableLineHeight + 2 * CellPadY;
        return (new TableRow(head, Height(head)), new TableRow(tail, Height(tail)));
    }

    private void DrawRow(TableRow row, float[] widths, SKColor? fill)
    {
        if (fill is { } color)
        {
            _page.Add(new BoxItem(new SKRect(MarginX, _y, MarginX + ContentWidth, _y + row.Height), color, null));
        }
        var left = MarginX;
        for (var c = 0; c < row.Cells.Count; c++)
        {
            var cell = row.Cells[c];
            for (var l = 0; l < cell.Lines.Count; l++)
            {
                var line = cell.Lines[l];
                if (line.Length == 0)
                {
                    continue;
                }
                // Every cell's first line shares the row's baseline, shrunk or not, so a row reads back as one line.
                var baseline = Baseline(_y + CellPadY + l * TableLineHeight, TableSize, TableLineHeight);
                var x = AlignX(line, cell.Size, left + CellPadX, widths[c] - 2 * CellPadX, cell.Align);
                _page.Add(new TextItem(x, baseline, line, cell.Size, cell.Color));
            }
            left += widths[c];
        }
        _y += row.Height;
        _page.Add(new LineItem(new SKPoint(MarginX, _y), new SKPoint(MarginX + ContentWidth, _y), Rule, 0.5f));
    }

    private void Chart(ReportChart chart)
    {
        var height = (float)(chart.HeightMm * 72 / 25.4);
        var legend = chart.Kind != ChartKind.Heatmap && chart.Series.Count > 1;
        var legendHeight = legend ? LineHeight(SmallSize) + 4 : 0;
        Need(LineHeight(CaptionSize) + 2 + height + legendHeight);
        Caption(chart.Caption);
        foreach (var text in chart.Categories.Concat(chart.Series.Select(s => s.Name)).Append(chart.XLabel ?? "").Append(chart.YLabel ?? ""))
        {
            measure.Width(text, 1);
        }
        _page.Add(new ChartItem(chart, new SKRect(MarginX, _y, MarginX + ContentWidth, _y + height)));
        _y += height;
        if (legend)
        {
            Legend(chart.Series);
        }
        _y += 10;
    }

    /// <summary>The series names with their colours, drawn as page text so they can be searched and copied.</summary>
    private void Legend(IReadOnlyList<ChartSeries> series)
    {
        var lineHeight = LineHeight(SmallSize);
        _y += 4;
        var x = MarginX + 30;
        var baseline = Baseline(_y, SmallSize, lineHeight);
        for (var i = 0; i < series.Count; i++)
        {
            var width = measure.Width(series[i].Name, SmallSize);
            if (x + 14 + width > MarginX + ContentWidth && x > MarginX + 30)
            {
                _y += lineHeight;
                x = MarginX + 30;
                baseline = Baseline(_y, SmallSize, lineHeight);
            }
            var swatch = Series[i % Series.Length];
            _page.Add(new BoxItem(new SKRect(x, baseline - 7, x + 9, baseline + 1), swatch, null));
            _page.Add(new TextItem(x + 13, baseline, series[i].Name, SmallSize, PdfStyle.Text));
            x += 13 + width + 2 * SmallSize;
        }
        _y += lineHeight;
    }

    private void Footers(string footer)
    {
        for (var i = 0; i < _pages.Count; i++)
        {
            var page = _pages[i];
            var number = string.Create(CultureInfo.InvariantCulture, $"第 {i + 1} 页 / 共 {_pages.Count} 页");
            var numberWidth = measure.Width(number, FooterSize);
            var right = MarginX + ContentWidth;
            page.Add(new LineItem(new SKPoint(MarginX, FooterBaseline - 12), new SKPoint(right, FooterBaseline - 12), Rule, 0.5f));
            page.Add(new TextItem(right - numberWidth, FooterBaseline, number, FooterSize, Muted));
            if (footer.Length > 0)
            {
                var size = Fit(footer, FooterSize, ContentWidth - numberWidth - 3 * FooterSize);
                page.Add(new TextItem(MarginX, FooterBaseline, footer.ReplaceLineEndings(" "), size, Muted));
            }
        }
    }
}
