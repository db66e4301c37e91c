using System.Globalization;
using System.Text;
using Hall.Server.Reports.Excel;

namespace Hall.Server.Reports;

/// <summary>
/// Writes a <see cref="ReportDocument"/> as an .xlsx workbook a person can work with: an overview sheet ("概要": title, subtitle,
/// key figures), then one worksheet per table — its caption (with the units) above bold headers that stay in view, columns as
/// wide as what they hold, the 合计 row set apart, and every figure a number shown as the PDF prints it (95.0% is 0.95 shown
/// as a percent, a date is a date). Text is always text: a cell never holds a formula.
/// </summary>
public static class ExcelReportWriter
{
    public const string OverviewSheet = "概要";
    private const int MaxSheetName = 31;
    private const int MinWidth = 6;
    private const int MaxWidth = 50;
    private const double TitleHeight = 24;
    private const double LineHeight = 14.25;
    private const string DateFormat = "yyyy-mm-dd";
    private const string DateTimeFormat = "yyyy-mm-dd hh:mm";

    public static byte[] Write(ReportDocument doc, bool overview = true)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var tables = doc.Blocks.OfType<ReportTable>().ToList();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var sheets = new List<XlsxSheet>(tables.Count + 1);
        // A workbook needs a sheet; a document without tables still says what it is.
        if (overview || tables.Count == 0)
        {
            names.Add(OverviewSheet);
            sheets.Add(Overview(doc));
        }
        sheets.AddRange(tables.Select(t => Table(t, SheetName(t.Sheet, names))));
        return XlsxBook.Write(doc.Title, sheets);
    }

    /// <summary>The title (larger), the subtitle, then each key figure as label | value.</summary>
    private static XlsxSheet Overview(ReportDocument doc)
    {
        var figures = doc.Blocks.OfType<ReportKeyFigures>().SelectMany(b => b.Figures).ToList();
        var plain = new XlsxStyle(XlsxRole.Plain);
        List<XlsxRow> rows =
        [
            new([XlsxCell.String(doc.Title, new XlsxStyle(XlsxRole.Title))], TitleHeight),
            new([XlsxCell.String(doc.Subtitle, plain)]),
            .. figures.Select(f => new XlsxRow([XlsxCell.String(f.Label, plain), XlsxCell.String(f.Value, plain)])),
        ];
        // The title and subtitle run on over the empty cells to their right; only the figures set the widths.
        double[] widths = figures.Count == 0 ? [] : [Width(figures.Select(f => f.Label)), Width(figures.Select(f => f.Value))];
        return new XlsxSheet(OverviewSheet, rows, widths);
    }

    /// <summary>Row 1 the caption across the table, row 2 the headers, then the rows and the total; the first two rows stay in view.</summary>
    private static XlsxSheet Table(ReportTable table, string name)
    {
        var columns = table.Columns;
        var widths = columns.Select((c, i) => Width(table.Rows.Append(table.Total ?? []).Where(r => i < r.Count).Select(r => Shown(r[i])).Prepend(c.Header)))
            .ToArray();
        var captionLines = Math.Max(1, (int)Math.Ceiling(DisplayWidth(table.Caption) / Math.Max(1, widths.Sum() - 1)));
        var rows = new List<XlsxRow>(table.Rows.Count + 3)
        {
            new([XlsxCell.String(table.Caption, new XlsxStyle(XlsxRole.Caption))], captionLines > 1 ? captionLines * LineHeight : null),
            new([.. columns.Select(c => XlsxCell.String(c.Header, new XlsxStyle(XlsxRole.Header)))]),
        };
        rows.AddRange(table.Rows.Select(r => Row(r, columns, XlsxRole.Data)));
        if (table.Total is { } total)
        {
            rows.Add(Row(total, columns, XlsxRole.Total));
        }
        var last = Math.Max(columns.Count - 1, 0);
        return new XlsxSheet(name, rows, widths)
        {
            FrozenRows = 2,
            Merged = columns.Count > 1 ? [new XlsxRange(0, 0, 0, last)] : [],
            // The total row stays out of the filter, so sorting the rows leaves it last.
            Filter = table.Rows.Count > 0 && columns.Count > 0 ? new XlsxRange(1, 0, 1 + table.Rows.Count, last) : null,
        };
    }

    // Every column gets a cell, so the borders run unbroken across a short row.
    private static XlsxRow Row(IReadOnlyList<ReportCell> cells, IReadOnlyList<ReportColumn> columns, XlsxRole role) =>
        new([.. columns.Select((c, i) => i < cells.Count ? Cell(cells[i], new XlsxStyle(role, c.Align, Alert: cells[i].Alert)) : XlsxCell.String("", new XlsxStyle(role, c.Align)))]);

    /// <summary>
    /// A number stays a number, in a format that shows it as the report prints it; a percent is stored as the fraction
    /// (95.0% as 0.95) so it sums and charts like one; a date is a date; anything else is the printed text.
    /// </summary>
    private static XlsxCell Cell(ReportCell cell, XlsxStyle style) => cell.Value switch
    {
        DateOnly date => XlsxCell.Numeric(date.ToDateTime(TimeOnly.MinValue).ToOADate(), style with { NumberFormat = DateFormat }),
        DateTime at => XlsxCell.Numeric(at.ToOADate(), style with { NumberFormat = DateTimeFormat }),
        DateTimeOffset at => XlsxCell.Numeric(at.DateTime.ToOADate(), style with { NumberFormat = DateTimeFormat }),
        _ when Number(cell.Value) is { } n => XlsxCell.Numeric(cell.Text.EndsWith('%') ? Fraction(n) : n, style with { NumberFormat = NumberFormat(cell.Text) }),
        _ => XlsxCell.String(cell.Text, style),
    };

    private static double? Number(object? value) => value switch
    {
        byte or sbyte or short or ushort or int or uint or long or ulong or float or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        double d when double.IsFinite(d) => d,
        _ => null,
    };

    // Through decimal, so 99.2 becomes 0.992 and not 0.9920000000000001.
    private static double Fraction(double percent) =>
        Math.Abs(percent) < 1e15 ? (double)((decimal)percent / 100) : percent / 100;

    /// <summary>The format that shows a number as it was printed: "16.3" → 0.0, "8.25" → 0.00, "95.0%" → 0.0%, "1,234" → #,##0, "+5" → +0;-0;0.</summary>
    internal static string NumberFormat(string printed)
    {
        var percent = printed.EndsWith('%');
        var number = percent ? printed[..^1] : printed;
        var point = number.IndexOf('.', StringComparison.Ordinal);
        var decimals = point < 0 ? 0 : number[(point + 1)..].TakeWhile(char.IsAsciiDigit).Count();
        var format = (number.Contains(',', StringComparison.Ordinal) ? "#,##0" : "0") + (decimals > 0 ? "." + new string('0', decimals) : "") + (percent ? "%" : "");
        return number.StartsWith('+') ? $"+{format};-{format};{format}" : format;
    }

    /// <summary>What the cell shows in the workbook: dates in the workbook's format, anything else as printed.</summary>
    private static string Shown(ReportCell cell) => cell.Value switch
    {
        DateOnly => DateFormat,
        DateTime or DateTimeOffset => DateTimeFormat,
        _ => cell.Text,
    };

    /// <summary>A column as wide as the widest thing in it and two more, within 6 to 50.</summary>
    private static double Width(IEnumerable<string> texts) => Math.Clamp(texts.Select(DisplayWidth).DefaultIfEmpty(0).Max() + 2, MinWidth, MaxWidth);

    /// <summary>Width in digit widths: a CJK or full-width character is two, anything else one.</summary>
    internal static int DisplayWidth(string text)
    {
        var width = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            width += Wide(rune) ? 2 : 1;
        }
        return width;
    }

    // Unicode's East Asian Wide and Fullwidth blocks: Hangul Jamo, CJK (radicals to Yi, with the ideographic space and punctuation),
    // Hangul syllables, compatibility ideographs and forms, full-width forms, and the ideographs beyond the BMP.
    private static bool Wide(Rune rune) => rune.Value is (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0xA4CF) or (>= 0xAC00 and <= 0xD7A3)
        or (>= 0xF900 and <= 0xFAFF) or (>= 0xFE30 and <= 0xFE4F) or (>= 0xFF00 and <= 0xFF60) or (>= 0xFFE0 and <= 0xFFE6) or (>= 0x20000 and <= 0x3FFFD);

    /// <summary>Excel's rules: 1–31 characters, none of : \ / ? * [ ], no apostrophe at either end, unique ignoring case.</summary>
    internal static string SheetName(string wanted, HashSet<string> taken)
    {
        var clean = new string(wanted.Select(c => c is ':' or '\\' or '/' or '?' or '*' or '[' or ']' || char.IsControl(c) ? '_' : c).ToArray())
            .Trim().Trim('\'').Trim();
        if (clean.Length == 0 || clean.Equals("History", StringComparison.OrdinalIgnoreCase))
        {
            clean = clean.Length == 0 ? "Sheet" : clean + "_";
        }
        clean = Truncate(clean, MaxSheetName);
        var name = clean;
        for (var n = 2; !taken.Add(name); n++)
        {
            var suffix = $" ({n})";
            name = Truncate(clean, MaxSheetName - suffix.Length).TrimEnd('\'') + suffix;
        }
        return name;
    }

    // Never cut a surrogate pair in half.
    private static string Truncate(string text, int length) =>
        text.Length <= length ? text : text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];
}
