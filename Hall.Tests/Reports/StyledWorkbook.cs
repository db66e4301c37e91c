using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Hall.Tests.Reports;

/// <summary>A workbook opened with the Open XML SDK, to see how its cells look: what they hold, their number format, font, fill and border.</summary>
internal sealed class StyledWorkbook : IDisposable
{
    // The built-in formats a workbook may use without declaring them (ECMA-376 part 1, 18.8.30).
    private static readonly Dictionary<uint, string> BuiltIn = new()
    {
        [0] = "General",
        [1] = "0",
        [2] = "0.00",
        [3] = "#,##0",
        [4] = "#,##0.00",
        [9] = "0%",
        [10] = "0.00%",
        [14] = "mm-dd-yy",
        [22] = "m/d/yy h:mm",
    };

    private readonly MemoryStream _stream;

    public SpreadsheetDocument Document { get; }

    public StyledWorkbook(byte[] xlsx)
    {
        _stream = new MemoryStream(xlsx);
        Document = SpreadsheetDocument.Open(_stream, isEditable: false);
    }

    private WorkbookPart Book => Document.WorkbookPart!;

    private Stylesheet Styles => Book.WorkbookStylesPart!.Stylesheet!;

    public Worksheet Sheet(string name)
    {
        var sheet = Book.Workbook!.Sheets!.Elements<Sheet>().Single(s => s.Name == name);
        return ((WorksheetPart)Book.GetPartById(sheet.Id!.Value!)).Worksheet!;
    }

    public Cell Cell(string sheet, string reference) =>
        Sheet(sheet).Descendants<Cell>().SingleOrDefault(c => c.CellReference == reference) ?? throw new AssertionException($"{sheet} has no cell {reference}");

    /// <summary>The cell under the header cell that reads <paramref name="header"/>: the first row of that column.</summary>
    public Cell Under(string sheet, string header)
    {
        var above = Sheet(sheet).Descendants<Cell>().FirstOrDefault(c => Text(c) == header) ?? throw new AssertionException($"{sheet} has no header {header}");
        var reference = above.CellReference!.Value!;
        var column = new string([.. reference.TakeWhile(char.IsAsciiLetter)]);
        var row = int.Parse(reference[column.Length..], System.Globalization.CultureInfo.InvariantCulture);
        return Cell(sheet, column + (row + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A string cell's text (shared, inline, or a formula's string result), or null for a cell that holds something else.</summary>
    public string? Text(Cell cell)
    {
        var type = cell.DataType?.Value;
        if (type == CellValues.SharedString)
        {
            var items = Book.SharedStringTablePart!.SharedStringTable!.Elements<SharedStringItem>().ToList();
            return items[int.Parse(cell.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture)].InnerText;
        }
        return type == CellValues.InlineString ? cell.InlineString!.InnerText : type == CellValues.String ? cell.CellValue?.Text : null;
    }

    /// <summary>A number cell's value.</summary>
    public static double Number(Cell cell)
    {
        Assert.That(cell.DataType is null || cell.DataType.Value == CellValues.Number, Is.True, $"{cell.CellReference} is not a number");
        return double.Parse(cell.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture);
    }

    public CellFormat Format(Cell cell) => Styles.CellFormats!.Elements<CellFormat>().ElementAt((int)(cell.StyleIndex?.Value ?? 0));

    public string NumberFormat(Cell cell)
    {
        var id = Format(cell).NumberFormatId?.Value ?? 0;
        return Styles.NumberingFormats?.Elements<NumberingFormat>().SingleOrDefault(f => f.NumberFormatId?.Value == id)?.FormatCode?.Value
            ?? BuiltIn.GetValueOrDefault(id, $"built-in #{id}");
    }

    public Font Font(Cell cell) => Styles.Fonts!.Elements<Font>().ElementAt((int)(Format(cell).FontId?.Value ?? 0));

    public bool Bold(Cell cell) => Font(cell).Elements<Bold>().Any(b => b.Val is null || b.Val.Value);

    public double FontSize(Cell cell) => Font(cell).Elements<FontSize>().Single().Val!.Value;

    /// <summary>The font's colour as ARGB hex, or null for the automatic colour.</summary>
    public string? FontColor(Cell cell) => Font(cell).Elements<Color>().SingleOrDefault()?.Rgb?.Value;

    public PatternFill Fill(Cell cell) => Styles.Fills!.Elements<Fill>().ElementAt((int)(Format(cell).FillId?.Value ?? 0)).PatternFill!;

    public Border Border(Cell cell) => Styles.Borders!.Elements<Border>().ElementAt((int)(Format(cell).BorderId?.Value ?? 0));

    /// <summary>Each column's width by its letter, for the columns given one.</summary>
    public Dictionary<string, double> Widths(string sheet) =>
        Sheet(sheet).Descendants<Column>().SelectMany(c => Enumerable.Range((int)c.Min!.Value, (int)(c.Max!.Value - c.Min.Value + 1)).Select(i => (i, c.Width!.Value)))
            .ToDictionary(x => ((char)('A' + x.i - 1)).ToString(), x => x.Value);

    public void Dispose()
    {
        Document.Dispose();
        _stream.Dispose();
    }
}
