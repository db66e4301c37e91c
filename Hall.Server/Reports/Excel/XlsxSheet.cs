namespace Hall.Server.Reports.Excel;

/// <summary>A worksheet as laid out, before it is written: rows of cells, column widths, merged ranges, frozen rows and a filter.</summary>
internal sealed record XlsxSheet(string Name, IReadOnlyList<XlsxRow> Rows, IReadOnlyList<double> Widths)
{
    /// <summary>Rows kept in view when scrolling (the caption and the headers).</summary>
    public int FrozenRows { get; init; }

    public IReadOnlyList<XlsxRange> Merged { get; init; } = [];

    /// <summary>The header row and the data rows under it, with a filter button on each header.</summary>
    public XlsxRange? Filter { get; init; }
}

/// <param name="Height">In points; null lets the spreadsheet size the row.</param>
internal sealed record XlsxRow(IReadOnlyList<XlsxCell> Cells, double? Height = null);

/// <summary>A string (never read as a formula, whatever it starts with) or a number (dates as serial days) with its style.</summary>
internal readonly record struct XlsxCell(string? Text, double Number, XlsxStyle Style)
{
    public static XlsxCell String(string text, XlsxStyle style) => new(text, 0, style);

    public static XlsxCell Numeric(double number, XlsxStyle style) => new(null, number, style);
}

/// <summary>What part of the sheet a cell is in.</summary>
internal enum XlsxRole
{
    Plain,
    Title,
    Caption,
    Header,
    Data,
    Total,
}

/// <param name="NumberFormat">An Excel format code ("0.0", "0.0%", "yyyy-mm-dd"); null for General.</param>
/// <param name="Alert">Drawn in the red the PDF uses for figures that need attention.</param>
internal readonly record struct XlsxStyle(XlsxRole Role, CellAlign Align = CellAlign.Left, string? NumberFormat = null, bool Alert = false);

/// <summary>A block of cells by zero-based row and column, both ends included.</summary>
internal readonly record struct XlsxRange(int FirstRow, int FirstColumn, int LastRow, int LastColumn)
{
    /// <summary>"A2:F14".</summary>
    public string Reference => $"{Cell(FirstRow, FirstColumn)}:{Cell(LastRow, LastColumn)}";

    /// <summary>"$A$2:$F$14", as a defined name refers to it.</summary>
    public string Absolute => $"${Column(FirstColumn)}${FirstRow + 1}:${Column(LastColumn)}${LastRow + 1}";

    /// <summary>"C5" for row 4, column 2.</summary>
    public static string Cell(int row, int column) => Column(column) + (row + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A–Z, AA… for column 0, 1, ….</summary>
    public static string Column(int index)
    {
        var name = "";
        for (index++; index > 0; index = (index - 1) / 26)
        {
            name = (char)('A' + (index - 1) % 26) + name;
        }
        return name;
    }
}
