using MiniExcelLibs;

namespace Hall.Server.Reports;

/// <summary>
/// Writes a <see cref="ReportDocument"/> as an .xlsx workbook: an overview sheet ("概要": title, subtitle, key figures),
/// then one worksheet per table, headers in the first row and numbers and dates kept typed.
/// </summary>
public static class ExcelReportWriter
{
    public const string OverviewSheet = "概要";
    private const int MaxSheetName = 31;

    public static byte[] Write(ReportDocument doc, bool overview = true)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var sheets = new Dictionary<string, object>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (overview)
        {
            names.Add(OverviewSheet);
            sheets[OverviewSheet] = Overview(doc);
        }
        foreach (var table in doc.Blocks.OfType<ReportTable>())
        {
            var name = SheetName(table.Sheet, names);
            sheets[name] = Rows(table);
        }
        if (sheets.Count == 0)
        {
            // A workbook needs a sheet; a document without tables still says what it is.
            sheets[OverviewSheet] = Overview(doc);
        }
        using var stream = new MemoryStream();
        stream.SaveAs(sheets, printHeader: false);
        return stream.ToArray();
    }

    private static List<Dictionary<string, object?>> Overview(ReportDocument doc)
    {
        var rows = new List<Dictionary<string, object?>>
        {
            Line("标题", doc.Title),
            Line("副标题", doc.Subtitle),
        };
        rows.AddRange(doc.Blocks.OfType<ReportKeyFigures>().SelectMany(b => b.Figures).Select(f => Line(f.Label, f.Value)));
        return rows;

        static Dictionary<string, object?> Line(string label, string value) => new() { ["A"] = label, ["B"] = value };
    }

    private static List<Dictionary<string, object?>> Rows(ReportTable table)
    {
        var keys = Enumerable.Range(0, table.Columns.Count).Select(Column).ToArray();
        var rows = new List<Dictionary<string, object?>>(table.Rows.Count + 2)
        {
            keys.Select((k, i) => (k, (object?)table.Columns[i].Header)).ToDictionary(),
        };
        rows.AddRange(table.Rows.Select(r => Row(r, keys)));
        if (table.Total is { } total)
        {
            rows.Add(Row(total, keys));
        }
        return rows;
    }

    private static Dictionary<string, object?> Row(IReadOnlyList<ReportCell> cells, string[] keys) =>
        keys.Select((k, i) => (k, i < cells.Count ? Value(cells[i]) : null)).ToDictionary();

    /// <summary>A number or a date stays typed so the sheet can sum and sort it; anything else is the printed text.</summary>
    private static object? Value(ReportCell cell) => cell.Value switch
    {
        byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal => cell.Value,
        DateTime or TimeSpan => cell.Value,
        DateTimeOffset offset => offset.DateTime,
        DateOnly date => date.ToDateTime(TimeOnly.MinValue),
        _ => cell.Text,
    };

    /// <summary>A–Z, AA…: MiniExcel's column keys.</summary>
    private static string Column(int index)
    {
        var name = "";
        for (index++; index > 0; index = (index - 1) / 26)
        {
            name = (char)('A' + (index - 1) % 26) + name;
        }
        return name;
    }

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
