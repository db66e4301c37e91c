using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Hall.Server.Reports.Excel;

/// <summary>Writes laid-out sheets as an .xlsx package: workbook, one part per sheet, shared strings and styles.</summary>
internal static class XlsxBook
{
    public static byte[] Write(string title, IReadOnlyList<XlsxSheet> sheets)
    {
        using var stream = new MemoryStream();
        using (var package = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            package.PackageProperties.Title = Clean(title);
            var workbookPart = package.AddWorkbookPart();
            var strings = new SharedStrings();
            var styles = new XlsxStyles();
            var entries = new Sheets();
            var names = new DefinedNames();
            for (var i = 0; i < sheets.Count; i++)
            {
                var sheet = sheets[i];
                var part = workbookPart.AddNewPart<WorksheetPart>();
                part.Worksheet = Worksheet(sheet, selected: i == 0, strings, styles);
                entries.Append(new Sheet { Name = sheet.Name, SheetId = (uint)i + 1, Id = workbookPart.GetIdOfPart(part) });
                if (sheet.Filter is { } filter)
                {
                    // Excel keeps a sheet's filter range under this hidden name.
                    var quoted = "'" + sheet.Name.Replace("'", "''", StringComparison.Ordinal) + "'";
                    names.Append(new DefinedName($"{quoted}!{filter.Absolute}") { Name = "_xlnm._FilterDatabase", LocalSheetId = (uint)i, Hidden = true });
                }
            }
            var workbook = new Workbook(new BookViews(new WorkbookView()), entries);
            if (names.HasChildren)
            {
                workbook.Append(names);
            }
            workbookPart.Workbook = workbook;
            workbookPart.AddNewPart<WorkbookStylesPart>().Stylesheet = styles.Stylesheet();
            workbookPart.AddNewPart<SharedStringTablePart>().SharedStringTable = strings.Table();
        }
        return stream.ToArray();
    }

    private static Worksheet Worksheet(XlsxSheet sheet, bool selected, SharedStrings strings, XlsxStyles styles)
    {
        var worksheet = new Worksheet();
        var lastColumn = Math.Max(sheet.Widths.Count, sheet.Rows.Max(r => (int?)r.Cells.Count) ?? 0) - 1;
        var lastRow = sheet.Rows.Count - 1;
        worksheet.Append(new SheetDimension { Reference = lastRow < 0 || lastColumn < 0 ? "A1" : new XlsxRange(0, 0, lastRow, lastColumn).Reference });
        worksheet.Append(new SheetViews(View(sheet.FrozenRows, selected)));
        if (sheet.Widths.Count > 0)
        {
            worksheet.Append(new Columns(sheet.Widths.Select((w, i) => new Column { Min = (uint)i + 1, Max = (uint)i + 1, Width = w, CustomWidth = true })));
        }
        var data = new SheetData();
        for (var r = 0; r < sheet.Rows.Count; r++)
        {
            var row = new Row { RowIndex = (uint)r + 1 };
            if (sheet.Rows[r].Height is { } height)
            {
                row.Height = height;
                row.CustomHeight = true;
            }
            var cells = sheet.Rows[r].Cells;
            for (var c = 0; c < cells.Count; c++)
            {
                row.Append(Cell(cells[c], XlsxRange.Cell(r, c), strings, styles));
            }
            data.Append(row);
        }
        worksheet.Append(data);
        if (sheet.Filter is { } filter)
        {
            worksheet.Append(new AutoFilter { Reference = filter.Reference });
        }
        if (sheet.Merged.Count > 0)
        {
            worksheet.Append(new MergeCells(sheet.Merged.Select(m => new MergeCell { Reference = m.Reference })) { Count = (uint)sheet.Merged.Count });
        }
        return worksheet;
    }

    private static SheetView View(int frozenRows, bool selected)
    {
        var view = new SheetView { WorkbookViewId = 0, TabSelected = selected ? true : null };
        if (frozenRows > 0)
        {
            var first = XlsxRange.Cell(frozenRows, 0);
            view.Append(
                new Pane { VerticalSplit = frozenRows, TopLeftCell = first, ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen },
                new Selection { Pane = PaneValues.BottomLeft, ActiveCell = first, SequenceOfReferences = new ListValue<StringValue>([new StringValue(first)]) });
        }
        return view;
    }

    // Text is always a shared string: nothing a cell holds is ever read as a formula. Text that starts like one gets a leading
    // quote ('=1+2), so it stays inert when a person edits the cell or saves the sheet as CSV (SpreadsheetText).
    private static Cell Cell(XlsxCell cell, string reference, SharedStrings strings, XlsxStyles styles)
    {
        var style = styles.Index(cell.Style);
        var written = new Cell { CellReference = reference, StyleIndex = style == 0 ? null : style };
        if (cell.Text is { } text)
        {
            if (text.Length > 0)
            {
                written.DataType = CellValues.SharedString;
                written.CellValue = new CellValue(strings.Index(SpreadsheetText.Inert(text)));
            }
        }
        else
        {
            written.CellValue = new CellValue(cell.Number);
        }
        return written;
    }

    /// <summary>The text without what XML cannot carry: control characters other than tab and line breaks (a lone surrogate becomes �).</summary>
    internal static string Clean(string text)
    {
        if (!text.Any(c => Unfit(c) || char.IsSurrogate(c)))
        {
            return text;
        }
        var clean = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (!(rune.IsBmp && Unfit((char)rune.Value)))
            {
                clean.Append(rune.ToString());
            }
        }
        return clean.ToString();

        static bool Unfit(char c) => (c < ' ' && c is not '\t' and not '\n' and not '\r') || c is '\uFFFE' or '\uFFFF';
    }

    private sealed class SharedStrings
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<string> _strings = [];
        private int _uses;

        public int Index(string text)
        {
            _uses++;
            if (!_index.TryGetValue(text, out var index))
            {
                index = _strings.Count;
                _strings.Add(text);
                _index[text] = index;
            }
            return index;
        }

        public SharedStringTable Table() => new(_strings.Select(s =>
        {
            var clean = Clean(s);
            // Leading or trailing spaces are kept only when the text says so.
            var keep = clean.Length > 0 && (char.IsWhiteSpace(clean[0]) || char.IsWhiteSpace(clean[^1]));
            return new SharedStringItem(new Text(clean) { Space = keep ? SpaceProcessingModeValues.Preserve : null });
        }))
        {
            Count = (uint)_uses,
            UniqueCount = (uint)_strings.Count,
        };
    }
}
