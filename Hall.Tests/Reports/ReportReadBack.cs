using System.Globalization;
using Hall.Server.Reports;

namespace Hall.Tests.Reports;

/// <summary>
/// A report as a person gets it — the rows of text in the PDF and the rows of each worksheet of the workbook — and the one check
/// the figure tests make: the row a person would read is there, in both.
/// </summary>
public sealed class ReportReadBack
{
    private readonly IReadOnlyList<IReadOnlyList<string>> _pdfRows;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<object?>>> _sheets;

    public string Title { get; }

    private ReportReadBack(string title, IReadOnlyList<IReadOnlyList<string>> pdfRows, IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<object?>>> sheets)
    {
        Title = title;
        _pdfRows = pdfRows;
        _sheets = sheets;
    }

    public static ReportReadBack Of(ReportDocument doc, string artifactName)
    {
        var pdf = ReportRendering.Pdf(doc);
        var xlsx = ReportRendering.Excel(doc);
        ReportRendering.Keep(pdf, xlsx, artifactName);
        return new ReportReadBack(doc.Title, ReportRendering.PdfRows(pdf), ReportRendering.Sheets(xlsx));
    }

    /// <summary>A report as it was stored (by the schedule, say): its own PDF and workbook.</summary>
    public static ReportReadBack OfStored(string title, byte[] pdf, byte[] xlsx, string artifactName)
    {
        ReportRendering.Keep(pdf, xlsx, artifactName);
        return new ReportReadBack(title, ReportRendering.PdfRows(pdf), ReportRendering.Sheets(xlsx));
    }

    public IEnumerable<string> PdfLines => _pdfRows.Select(r => string.Join(" | ", r));

    /// <summary>The PDF shows this row (its non-empty cells, in order) and the worksheet holds it, cell for cell.</summary>
    public void HasRow(string sheet, params string[] expected)
    {
        var printed = expected.Where(c => c.Length > 0).ToList();
        Assert.That(_pdfRows.Any(r => r.SequenceEqual(printed)), Is.True,
            $"{Title}: the PDF has no row [{string.Join(" | ", printed)}]; rows starting so: {string.Join(" / ", PdfLines.Where(l => l.StartsWith(expected[0], StringComparison.Ordinal)))}");
        Assert.That(_sheets.ContainsKey(sheet), Is.True, $"{Title}: no worksheet {sheet} (has {string.Join(", ", _sheets.Keys)})");
        var rows = _sheets[sheet];
        Assert.That(rows.Any(r => Same(expected, r)), Is.True,
            $"{Title}: worksheet {sheet} has no row [{string.Join(" | ", expected)}]; it has: {string.Join(" / ", rows.Select(r => string.Join(" | ", r)))}");
    }

    /// <summary>The PDF has a line holding this text (titles, key figures, paragraphs).</summary>
    public void Shows(string text) =>
        Assert.That(PdfLines.Any(l => l.Replace(" | ", "", StringComparison.Ordinal).Contains(text.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal)
            || l.Contains(text, StringComparison.Ordinal)), Is.True, $"{Title}: the PDF does not show \"{text}\"");

    /// <summary>The worksheet's rows after its caption and header rows.</summary>
    public IReadOnlyList<IReadOnlyList<object?>> Sheet(string name) => _sheets[name];

    /// <summary>A printed figure against a worksheet cell: numbers as numbers (95.0% is the fraction 0.95), — as an empty cell.</summary>
    private static bool Same(string[] expected, IReadOnlyList<object?> actual)
    {
        if (actual.Count < expected.Length)
        {
            return false;
        }
        for (var i = 0; i < expected.Length; i++)
        {
            var want = expected[i];
            var got = actual[i];
            if (want is "" or ReportFormat.None)
            {
                if (got is not null && !(got is string s && (s.Length == 0 || s == ReportFormat.None)))
                {
                    return false;
                }
                continue;
            }
            var percent = want.EndsWith('%');
            var number = percent ? want[..^1] : want;
            if (got is double or int or long or decimal && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            {
                var value = Convert.ToDouble(got, CultureInfo.InvariantCulture);
                // A percent is stored as the fraction its cell shows as a percent: 80.0% is 0.8.
                if (Math.Abs((percent ? Math.Round(value * 100, 6) : value) - n) > 1e-9)
                {
                    return false;
                }
                continue;
            }
            if (!string.Equals(Convert.ToString(got, CultureInfo.InvariantCulture), want, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }
}
