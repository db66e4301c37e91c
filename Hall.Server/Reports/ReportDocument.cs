namespace Hall.Server.Reports;

/// <summary>
/// A report as data: what the PDF draws and what the workbook holds, so the two can never differ.
/// Every table becomes one worksheet (named by <see cref="ReportTable.Sheet"/>); charts are drawn in the PDF only,
/// and each chart's figures are also a table of the document.
/// </summary>
public sealed record ReportDocument(string Title, string Subtitle, IReadOnlyList<ReportBlock> Blocks)
{
    /// <summary>Printed in the page footer left of "第 x 页 / 共 y 页" (hall name, when generated).</summary>
    public string Footer { get; init; } = "";

    /// <summary>
    /// Set for a 公文 (GB/T 9704): the blocks before the first <see cref="ReportAnnex"/> are its body, laid out under the
    /// 版头 with 主送 and closed by the 附件 list, 署名 and 成文日期; each annex starts a page of its own. Null for a plain report.
    /// </summary>
    public OfficialForm? Form { get; init; }
}

/// <summary>
/// What makes a report a 公文: the issuing authority (红头), the 发文字号 once issued (新政数〔2026〕12号; null for a draft),
/// the addressee (主送), the signature (署名) and the date (成文日期).
/// </summary>
public sealed record OfficialForm(string Authority, string? Number, string Addressee, string Signatory, DateOnly Date)
{
    /// <summary>Not yet issued: no number, and marked 草稿 on its first page.</summary>
    public bool Draft => Number is null;

    /// <summary>成文日期 as GB/T 9704 writes it: 2026年12月5日 (Arabic figures, no leading zeros).</summary>
    public string DateText => $"{Date.Year}年{Date.Month}月{Date.Day}日";
}

/// <summary>A 公文's annex (附件): starts a new page headed 附件N and its title; the blocks after it belong to it.</summary>
public sealed record ReportAnnex(string Title) : ReportBlock;

public abstract record ReportBlock;

/// <summary>A section heading; <paramref name="Level"/> 1 is a section, 2 a subsection.</summary>
public sealed record ReportHeading(string Text, int Level = 1) : ReportBlock;

/// <summary>Running text, wrapped to the page width (CJK line breaking).</summary>
public sealed record ReportParagraph(string Text) : ReportBlock;

/// <summary>Figures in a row of labelled boxes ("服务量 1,234"), for the top of a report.</summary>
public sealed record ReportKeyFigures(IReadOnlyList<ReportKeyFigure> Figures) : ReportBlock;

public sealed record ReportKeyFigure(string Label, string Value);

/// <summary>Start the next block on a new page.</summary>
public sealed record ReportPageBreak : ReportBlock;

public enum CellAlign
{
    Left,
    Right,
    Center,
}

/// <param name="Header">Column header as printed.</param>
/// <param name="Width">Relative width (the table fills the page width in these proportions).</param>
public sealed record ReportColumn(string Header, double Width = 1, CellAlign Align = CellAlign.Left);

/// <summary>
/// One cell: the text as printed, and for Excel the typed value (a number stays a number, shown with as many decimals as
/// the text has). A percent's value is the percent as printed (95.0 for "95.0%"); the workbook stores the fraction 0.95.
/// </summary>
public sealed record ReportCell(string Text, object? Value = null, bool Alert = false)
{
    public static implicit operator ReportCell(string text) => new(text, text);
}

/// <summary>
/// A table whose header repeats on every page it runs over. <paramref name="Sheet"/> is the worksheet name (≤ 31 characters, unique in the document).
/// </summary>
public sealed record ReportTable(string Sheet, string Caption, IReadOnlyList<ReportColumn> Columns, IReadOnlyList<IReadOnlyList<ReportCell>> Rows) : ReportBlock
{
    /// <summary>A last row printed apart (合计).</summary>
    public IReadOnlyList<ReportCell>? Total { get; init; }
}

public enum ChartKind
{
    /// <summary>Vertical bars, one group per category, one bar per series.</summary>
    Bars,
    /// <summary>Horizontal bars (rankings, satisfaction by window).</summary>
    HorizontalBars,
    /// <summary>Lines over the categories (tickets per day).</summary>
    Lines,
    /// <summary>A grid coloured by value: categories across, series down (tickets by day of week × hour).</summary>
    Heatmap,
}

public sealed record ChartSeries(string Name, IReadOnlyList<double> Values);

/// <summary>A chart drawn as vectors on the PDF page.</summary>
public sealed record ReportChart(string Caption, ChartKind Kind, IReadOnlyList<string> Categories, IReadOnlyList<ChartSeries> Series) : ReportBlock
{
    public string? XLabel { get; init; }
    public string? YLabel { get; init; }
    /// <summary>Height on the page in millimetres.</summary>
    public double HeightMm { get; init; } = 70;
    /// <summary>Where a bar chart's value axis starts (0 when null): rates close together read apart from, say, 60 %.</summary>
    public double? ValueFrom { get; init; }
}
