using System.Text;
using Hall.Server.Queue;

namespace Hall.Server.Catalog;

/// <summary>
/// RFC 4180 records as Excel writes them: quoted fields may hold separators, doubled quotes and line breaks.
/// Every record is a row, blank ones too, so row numbers are those a person sees when Excel opens the file.
/// </summary>
public static class CsvRows
{
    /// <summary>The file's records; refused once it has more than <paramref name="maxRows"/> (a 20 MB file of line breaks is 20 million rows).</summary>
    public static (List<string?[]>? Rows, Refusal? Refusal) Parse(string text, int maxRows = CatalogFile.MaxRows)
    {
        ArgumentNullException.ThrowIfNull(text);
        var separator = SeparatorOf(text);
        var rows = new List<string?[]>();
        var row = new List<string?>();
        var field = new StringBuilder();
        var i = 0;
        var quoted = false;
        var fieldStart = true;

        void EndField()
        {
            row.Add(field.ToString());
            field.Clear();
            fieldStart = true;
        }
        bool EndRow()
        {
            if (rows.Count == maxRows)
            {
                return false;
            }
            EndField();
            rows.Add([.. row]);
            row.Clear();
            return true;
        }

        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                    i++;
                    // After a closing quote only a separator or the end of the record may follow.
                    if (i < text.Length && text[i] != separator && text[i] is not ('\r' or '\n'))
                    {
                        return (null, Malformed(rows.Count + 1, row.Count, "引号后面多了字符", "text follows a closing quote"));
                    }
                    continue;
                }
                field.Append(c);
                i++;
                continue;
            }
            if (c == '"' && fieldStart)
            {
                quoted = true;
                fieldStart = false;
                i++;
            }
            else if (c == separator)
            {
                EndField();
                i++;
            }
            else if (c is '\r' or '\n')
            {
                if (!EndRow())
                {
                    return (null, CatalogFile.TooManyRows(null));
                }
                i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
            }
            else
            {
                field.Append(c);
                fieldStart = false;
                i++;
            }
        }
        if (quoted)
        {
            return (null, Malformed(rows.Count + 1, row.Count, "引号没有闭合", "a quote is never closed"));
        }
        if ((field.Length > 0 || row.Count > 0) && !EndRow())
        {
            return (null, CatalogFile.TooManyRows(null));
        }
        return (rows, null);
    }

    private static Refusal Malformed(int row, int column, string zh, string en) =>
        new("catalogue_malformed_file",
            $"CSV 文件第 {row} 行 {CatalogFile.ColumnName(column)} 列格式错误：{zh}",
            $"The CSV file is malformed at row {row}, column {CatalogFile.ColumnName(column)}: {en}.");

    /// <summary>A comma, unless the first line has tabs and no commas (Excel's "text (tab delimited)").</summary>
    private static char SeparatorOf(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        var first = end < 0 ? text : text[..end];
        return first.Contains('\t') && !first.Contains(',') ? '\t' : ',';
    }
}
