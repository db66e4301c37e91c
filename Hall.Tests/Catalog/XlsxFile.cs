using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;

namespace Hall.Tests.Catalog;

/// <summary>
/// An .xlsx written part by part as Excel writes it: shared strings, a dimension, merged ranges whose
/// covered cells are present but empty. MiniExcel writes no merged cells, so tests build their workbooks here.
/// </summary>
public static class XlsxFile
{
    /// <summary>A sheet's rows from row 1 on (a null row is blank, a null cell empty; cells are strings or numbers), its merged ranges, and raw XML to put in place of some rows.</summary>
    public sealed record Sheet(string Name, IReadOnlyList<object?[]?> Rows, IEnumerable<string>? Merges = null, Func<int, string?>? ReplaceRow = null);

    public static byte[] Build(IReadOnlyList<object?[]?> rows, IEnumerable<string>? merges = null, Func<int, string?>? replaceRow = null) =>
        Build(new Sheet("事项清单", rows, merges, replaceRow));

    public static byte[] Build(params Sheet[] sheets)
    {
        var strings = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var sheetXml = sheets.Select(s => SheetXml(s, strings, index)).ToList();

        var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, string xml)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" + xml);
            }
            const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
            const string Rels = "http://schemas.openxmlformats.org/package/2006/relationships";
            const string DocRels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
            var numbers = Enumerable.Range(1, sheets.Length).ToList();
            Add("[Content_Types].xml",
                "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
                + string.Concat(numbers.Select(n => $"<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))
                + "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>");
            Add("_rels/.rels", $"<Relationships xmlns=\"{Rels}\"><Relationship Id=\"rId1\" Type=\"{DocRels}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
            Add("xl/workbook.xml", $"<workbook xmlns=\"{Main}\" xmlns:r=\"{DocRels}\"><sheets>{string.Concat(numbers.Select(n => $"<sheet name=\"{SecurityElement.Escape(sheets[n - 1].Name)}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>"))}</sheets></workbook>");
            Add("xl/_rels/workbook.xml.rels",
                $"<Relationships xmlns=\"{Rels}\">{string.Concat(numbers.Select(n => $"<Relationship Id=\"rId{n}\" Type=\"{DocRels}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"))}"
                + $"<Relationship Id=\"rId{sheets.Length + 1}\" Type=\"{DocRels}/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>");
            Add("xl/sharedStrings.xml",
                $"<sst xmlns=\"{Main}\" count=\"{strings.Count}\" uniqueCount=\"{strings.Count}\">"
                + string.Concat(strings.Select(s => $"<si><t xml:space=\"preserve\">{Escape(s)}</t></si>")) + "</sst>");
            foreach (var n in numbers)
            {
                Add($"xl/worksheets/sheet{n}.xml", $"<worksheet xmlns=\"{Main}\" xmlns:r=\"{DocRels}\">{sheetXml[n - 1]}</worksheet>");
            }
        }
        return buffer.ToArray();
    }

    private static string SheetXml(Sheet sheet, List<string> strings, Dictionary<string, int> index)
    {
        var (rows, replaceRow) = (sheet.Rows, sheet.ReplaceRow);
        var ranges = (sheet.Merges ?? []).ToList();
        var covered = new HashSet<(int Row, int Column)>();
        foreach (var range in ranges)
        {
            var (r1, c1) = Parse(range.Split(':')[0]);
            var (r2, c2) = Parse(range.Split(':')[1]);
            for (var r = r1; r <= r2; r++)
            {
                for (var c = c1; c <= c2; c++)
                {
                    covered.Add((r, c));
                }
            }
        }

        var width = rows.Count == 0 ? 0 : rows.Max(r => r?.Length ?? 0);
        var sheetData = new StringBuilder();
        for (var r = 1; r <= rows.Count; r++)
        {
            if (replaceRow?.Invoke(r) is { } replaced)
            {
                sheetData.Append(replaced);
                continue;
            }
            var cells = rows[r - 1];
            var row = new StringBuilder();
            for (var c = 1; c <= width; c++)
            {
                var value = cells is not null && c <= cells.Length ? cells[c - 1] : null;
                var reference = Reference(r, c);
                switch (value)
                {
                    case string s:
                        if (!index.TryGetValue(s, out var i))
                        {
                            i = index[s] = strings.Count;
                            strings.Add(s);
                        }
                        row.Append(CultureInfo.InvariantCulture, $"<c r=\"{reference}\" t=\"s\"><v>{i}</v></c>");
                        break;
                    case null when covered.Contains((r, c)):
                        row.Append(CultureInfo.InvariantCulture, $"<c r=\"{reference}\"/>");
                        break;
                    case null:
                        break;
                    default:
                        row.Append(CultureInfo.InvariantCulture, $"<c r=\"{reference}\"><v>{Convert.ToString(value, CultureInfo.InvariantCulture)}</v></c>");
                        break;
                }
            }
            if (row.Length > 0)
            {
                sheetData.Append(CultureInfo.InvariantCulture, $"<row r=\"{r}\">{row}</row>");
            }
        }
        var mergeXml = ranges.Count == 0 ? "" : $"<mergeCells count=\"{ranges.Count}\">{string.Concat(ranges.Select(m => $"<mergeCell ref=\"{m}\"/>"))}</mergeCells>";
        return $"<dimension ref=\"A1:{Reference(Math.Max(rows.Count, 1), Math.Max(width, 1))}\"/><sheetData>{sheetData}</sheetData>{mergeXml}";
    }

    /// <summary>XML text; control characters, which XML 1.0 cannot hold, as Excel escapes them (_x0007_).</summary>
    private static string Escape(string text) =>
        string.Concat((SecurityElement.Escape(text) ?? "").Select(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t') ? $"_x{(int)c:X4}_" : c.ToString()));

    /// <summary>"B7" for row 7, column 2.</summary>
    public static string Reference(int row, int column)
    {
        var letters = "";
        for (var n = column; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('A' + (n - 1) % 26) + letters;
        }
        return letters + row.ToString(CultureInfo.InvariantCulture);
    }

    private static (int Row, int Column) Parse(string reference)
    {
        var column = 0;
        var i = 0;
        for (; i < reference.Length && char.IsAsciiLetterUpper(reference[i]); i++)
        {
            column = column * 26 + (reference[i] - 'A' + 1);
        }
        return (int.Parse(reference.AsSpan(i), CultureInfo.InvariantCulture), column);
    }
}
