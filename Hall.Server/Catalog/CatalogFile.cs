using System.Globalization;
using System.Text;
using System.Xml;
using Hall.Server.Queue;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace Hall.Server.Catalog;

/// <summary>The kinds of file a catalogue is imported from.</summary>
public enum CatalogFileKind
{
    Xlsx,
    Csv,
}

/// <summary>
/// One data row of a catalogue file as written: its sheet (named only in a workbook of several sheets), its row number
/// and the text of the columns Hall reads (null where blank). <see cref="MaterialsGiven"/> is false when the sheet has
/// no materials column: the item's materials are then left as they are.
/// </summary>
public sealed record CatalogRow(string? Sheet, int Row, string? Department, string? Code, string? Name, string? Service, string? Materials, bool MaterialsGiven)
{
    /// <summary>"第 12 行", or "工作表“行政许可”第 12 行" in a workbook of several sheets.</summary>
    public string WhereZh => Sheet is null ? $"第 {Row} 行" : $"工作表“{Sheet}”第 {Row} 行";

    public string WhereEn => Sheet is null ? $"row {Row}" : $"row {Row} of sheet \"{Sheet}\"";
}

/// <summary>The data rows of a catalogue file below its header (of every sheet that has one), blank rows left out.</summary>
public sealed record CatalogTable(IReadOnlyList<CatalogRow> Rows);

/// <summary>
/// Reads a 政务服务事项清单 as halls keep them: an .xlsx with one or two title rows above the header, departments
/// merged down over their items, blank rows between groups; or a CSV saved by Excel in UTF-8 or GB18030.
/// The header row is found by its column names. Refusals name the row and column where the file went wrong.
/// </summary>
public static class CatalogFile
{
    /// <summary>How far down the header is looked for: title rows and notes above it are skipped.</summary>
    public const int HeaderSearchRows = 30;

    public const int MaxBytes = 20 * 1024 * 1024;

    /// <summary>Rows read from one sheet (or one CSV file) at most: a county's list has a few thousand.</summary>
    public const int MaxRows = 50_000;

    private const int MaxBlankRun = 10_000;

    private enum Field
    {
        Department,
        Code,
        Name,
        Service,
        Materials,
    }

    // Compared after NormalizeHeader: no spaces, no *, no remarks in brackets, lower case.
    private static readonly (Field Field, string Zh, string En, string[] Names)[] Columns =
    [
        (Field.Department, "实施部门", "department", ["部门", "实施部门", "实施主体", "实施机构", "责任部门", "责任单位", "所属部门", "主管部门", "办理部门", "department", "dept", "agency"]),
        (Field.Code, "事项编码", "item code", ["事项编码", "事项代码", "事项编号", "编码", "代码", "实施编码", "itemcode", "code"]),
        (Field.Name, "事项名称", "item name", ["事项名称", "名称", "服务事项", "itemname", "name", "item"]),
        (Field.Service, "办理业务", "service", ["业务", "办理业务", "窗口业务", "排队业务", "业务类别", "排队类别", "所属业务", "service", "queue"]),
        (Field.Materials, "申请材料", "materials", ["材料", "申请材料", "所需材料", "办理材料", "申报材料", "materials", "documents", "requireddocuments"]),
    ];

    private static readonly Field[] Required = [Field.Department, Field.Code, Field.Name, Field.Service];

    static CatalogFile() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>GB18030, which old Excel versions and WPS write when a Chinese Windows saves "CSV (逗号分隔)".</summary>
    private static Encoding Gb18030 => Encoding.GetEncoding(54936);

    public static readonly Refusal EmptyFile = new("catalogue_empty_file", "文件是空的", "The file is empty.");

    public static readonly Refusal OldExcelFile = new(
        "catalogue_xls_not_supported",
        "不支持旧版 Excel（.xls）文件：请用 Excel 或 WPS 打开，“另存为” Excel 工作簿（.xlsx）后再导入",
        "Old Excel (.xls) files are not read: open the file in Excel or WPS, save it as an Excel Workbook (.xlsx) and import that.");

    public static readonly Refusal UnsupportedFile = new(
        "catalogue_unsupported_file",
        "只能导入 Excel 工作簿（.xlsx）或 CSV 文件",
        "Only an Excel workbook (.xlsx) or a CSV file can be imported.");

    public static readonly Refusal TooLarge = new(
        "catalogue_file_too_large",
        "文件超过 20 MB",
        "The file is larger than 20 MB.");

    internal static Refusal TooManyRows(string? sheet) => new(
        "catalogue_too_many_rows",
        $"{(sheet is null ? "文件" : SheetZh(sheet))}超过 {MaxRows} 行：一份事项清单不会这么长，请检查文件",
        $"The {(sheet is null ? "file" : "sheet" + SheetEn(sheet))} has more than {MaxRows} rows; a catalogue is not that long, check the file.");

    /// <summary>What kind of file this is, by its first bytes (and its name where the bytes say nothing): refused at once when Hall cannot read it.</summary>
    public static (CatalogFileKind Kind, Refusal? Refusal) KindOf(ReadOnlySpan<byte> head, string? fileName)
    {
        var extension = Path.GetExtension(fileName ?? "").ToLowerInvariant();
        if (head.IsEmpty)
        {
            return (default, EmptyFile);
        }
        // An OLE2 compound file: .xls (or .doc, .et …), which MiniExcel cannot read.
        if (head.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
        {
            return (default, OldExcelFile);
        }
        if (head.StartsWith("PK\u0003\u0004"u8) || extension is ".xlsx" or ".xlsm")
        {
            return (CatalogFileKind.Xlsx, null);
        }
        return extension is ".csv" or ".txt" or ""
            ? (CatalogFileKind.Csv, null)
            : (default, UnsupportedFile);
    }

    /// <summary>The data rows of the file, or why the file as a whole cannot be read (then nothing is imported).</summary>
    public static (CatalogTable? Table, Refusal? Refusal) Read(byte[] bytes, CatalogFileKind kind)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (kind == CatalogFileKind.Csv)
        {
            var (rows, refusal) = ReadCsv(bytes);
            return rows is null ? (null, refusal) : ToTable([(null, rows)]);
        }
        var (sheets, damaged) = ReadXlsx(bytes);
        return sheets is null ? (null, damaged) : ToTable(sheets);
    }

    /// <summary>The rows of every sheet, in the workbook's order; a sheet is named only when there are several.</summary>
    private static (List<(string? Sheet, List<string?[]> Rows)>? Sheets, Refusal? Refusal) ReadXlsx(byte[] bytes)
    {
        var sheets = new List<(string?, List<string?[]>)>();
        try
        {
            List<string> names;
            using (var stream = new MemoryStream(bytes, writable: false))
            {
                names = MiniExcel.GetSheetNames(stream);
            }
            foreach (var name in names)
            {
                var rows = new List<string?[]>();
                using var stream = new MemoryStream(bytes, writable: false);
                // MiniExcel yields every row from row 1 on, blank ones too, so a row's number is its position.
                var query = MiniExcel.Query(stream, useHeaderRow: false, sheetName: name, excelType: ExcelType.XLSX, configuration: new OpenXmlConfiguration { FillMergedCells = true });
                var blankRun = 0;
                foreach (IDictionary<string, object?> row in query)
                {
                    var cells = row.Values.Select(CellText).ToArray();
                    // A sheet formatted down to row 1,048,576 has a million empty rows: its data ended long before.
                    blankRun = cells.All(string.IsNullOrWhiteSpace) ? blankRun + 1 : 0;
                    if (blankRun > MaxBlankRun)
                    {
                        break;
                    }
                    if (rows.Count == MaxRows)
                    {
                        return (null, TooManyRows(names.Count > 1 ? name : null));
                    }
                    // A dimension as wide as the sheet gives every row 16,384 cells: keep them up to the last one written.
                    rows.Add(cells[..(Array.FindLastIndex(cells, c => c is not null) + 1)]);
                }
                sheets.Add((names.Count > 1 ? name : null, rows));
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            return (null, new Refusal("catalogue_malformed_file",
                "文件不是有效的 Excel 工作簿（.xlsx），可能已损坏：请在 Excel 中打开后重新保存",
                $"The file is not a valid Excel workbook (.xlsx) and may be damaged: open it in Excel and save it again. ({e.Message})"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // MiniExcel reads the whole sheet for its merged cells first, so the rows it yielded do not say where the damage is.
            var (row, cell) = LocateDamage(bytes);
            var at = row is null ? "" : cell is null ? $"第 {row} 行" : $"第 {row} 行 {cell} 单元格";
            var atEn = row is null ? "" : cell is null ? $" at row {row}" : $" at row {row}, cell {cell}";
            return (null, new Refusal("catalogue_malformed_file",
                $"工作表{(at.Length > 0 ? "在" + at : "")}无法读取（文件结构已损坏）：请在 Excel 中打开后重新保存",
                $"The worksheet cannot be read{atEn} (the file's structure is damaged): open it in Excel and save it again. ({e.Message})"));
        }
        return (sheets, null);
    }

    /// <summary>The row (and cell) being read where a worksheet's XML breaks, found by reading the sheets again element by element.</summary>
    private static (int? Row, string? Cell) LocateDamage(byte[] bytes)
    {
        int? row = null;
        string? cell = null;
        try
        {
            using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(bytes, writable: false));
            var sheets = zip.Entries
                .Where(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.OrdinalIgnoreCase) && e.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
                .OrderBy(e => e.FullName.Length).ThenBy(e => e.FullName, StringComparer.Ordinal);
            foreach (var sheet in sheets)
            {
                row = null;
                cell = null;
                using var reader = XmlReader.Create(sheet.Open(), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                while (reader.Read())
                {
                    if (reader.NodeType != XmlNodeType.Element)
                    {
                        continue;
                    }
                    if (reader.LocalName == "row")
                    {
                        row = int.TryParse(reader.GetAttribute("r"), CultureInfo.InvariantCulture, out var r) ? r : (row ?? 0) + 1;
                        cell = null;
                    }
                    else if (reader.LocalName == "c")
                    {
                        cell = reader.GetAttribute("r");
                    }
                }
            }
            return (null, null);
        }
        catch (Exception e) when (e is XmlException or InvalidDataException)
        {
            return (row, cell);
        }
    }

    private static string? CellText(object? value) => value switch
    {
        null => null,
        // The quote the catalogue file put before a text that starts like a formula (SpreadsheetText) is not part of it.
        string s => Reports.Excel.SpreadsheetText.Restore(s),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.ToString(t.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static (List<string?[]>? Rows, Refusal? Refusal) ReadCsv(byte[] bytes)
    {
        string text;
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            text = Decode(StrictUtf8, bytes, 3) ?? Gb18030.GetString(bytes, 3, bytes.Length - 3);
        }
        else if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            // Excel's "Unicode text".
            text = Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
        }
        else
        {
            // Bytes that are not valid UTF-8 are GB18030: what Excel and WPS on a Chinese Windows write.
            text = Decode(StrictUtf8, bytes, 0) ?? Gb18030.GetString(bytes);
        }
        return CsvRows.Parse(text, MaxRows);
    }

    private static string? Decode(Encoding encoding, byte[] bytes, int start)
    {
        try
        {
            return encoding.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>
    /// The rows below the header of each sheet that has one. A sheet with nothing like a header (a 填表说明 sheet) is
    /// passed over when another sheet has one; a sheet whose header is incomplete refuses the whole file.
    /// </summary>
    private static (CatalogTable? Table, Refusal? Refusal) ToTable(List<(string? Sheet, List<string?[]> Rows)> sheets)
    {
        var data = new List<CatalogRow>();
        Refusal? noHeader = null;
        var withHeader = 0;
        foreach (var (sheet, rows) in sheets)
        {
            var (headerIndex, columns, refusal) = FindHeader(sheet, rows);
            if (refusal is not null)
            {
                if (refusal.Code != NoHeaderCode)
                {
                    return (null, refusal);
                }
                noHeader ??= refusal;
                continue;
            }
            withHeader++;
            string? Cell(string?[] row, Field field) =>
                columns!.TryGetValue(field, out var c) && c < row.Length && Clean(row[c]) is { Length: > 0 } text ? text : null;
            var materialsGiven = columns!.ContainsKey(Field.Materials);
            for (var i = headerIndex + 1; i < rows.Count; i++)
            {
                var row = rows[i];
                if (row.All(c => string.IsNullOrWhiteSpace(c)))
                {
                    continue;
                }
                data.Add(new CatalogRow(sheet, i + 1, Cell(row, Field.Department), Cell(row, Field.Code), Cell(row, Field.Name), Cell(row, Field.Service), Cell(row, Field.Materials), materialsGiven));
            }
        }
        return withHeader == 0 ? (null, noHeader ?? NoHeader(null, 1)) : (new CatalogTable(data), null);
    }

    private const string NoHeaderCode = "catalogue_no_header";

    private static Refusal NoHeader(string? sheet, int searched)
    {
        var expected = string.Join("、", Required.Select(f => Columns.Single(k => k.Field == f).Zh));
        var expectedEn = string.Join(", ", Required.Select(f => Columns.Single(k => k.Field == f).En));
        return new Refusal(NoHeaderCode,
            $"{SheetZh(sheet)}在第 1 至第 {Math.Max(searched, 1)} 行中找不到表头：表头行应有“{expected}”等列（A 列起）",
            $"No header row in rows 1 to {Math.Max(searched, 1)}{SheetEn(sheet)}: the header needs the columns {expectedEn} (from column A on).");
    }

    private static string SheetZh(string? sheet) => sheet is null ? "" : $"工作表“{sheet}”";

    private static string SheetEn(string? sheet) => sheet is null ? "" : $" of sheet \"{sheet}\"";

    /// <summary>Trims spaces, full-width ones too.</summary>
    private static string? Clean(string? cell) => cell?.Trim();

    private static (int Index, Dictionary<Field, int>? Columns, Refusal? Refusal) FindHeader(string? sheet, List<string?[]> rows)
    {
        var searched = Math.Min(rows.Count, HeaderSearchRows);
        (int Index, Dictionary<Field, int> Columns)? best = null;
        for (var i = 0; i < searched; i++)
        {
            var found = new Dictionary<Field, int>();
            for (var c = 0; c < rows[i].Length; c++)
            {
                var name = NormalizeHeader(rows[i][c]);
                if (name.Length == 0 || Columns.FirstOrDefault(k => k.Names.Contains(name)) is not { Names: not null } column)
                {
                    continue;
                }
                if (found.TryGetValue(column.Field, out var first))
                {
                    return (0, null, new Refusal("catalogue_duplicate_column",
                        $"{SheetZh(sheet)}第 {i + 1} 行表头中 {ColumnName(first)} 列和 {ColumnName(c)} 列都是“{column.Zh}”：请删去或改名其中一列",
                        $"Row {i + 1}{SheetEn(sheet)}: columns {ColumnName(first)} and {ColumnName(c)} are both the {column.En} column; delete or rename one of them."));
                }
                found[column.Field] = c;
            }
            if (found.ContainsKey(Field.Code) && found.ContainsKey(Field.Name))
            {
                best = (i, found);
                break;
            }
            if (found.Count > (best?.Columns.Count ?? 0))
            {
                best = (i, found);
            }
        }

        if (best is not { } header || !header.Columns.ContainsKey(Field.Code) || !header.Columns.ContainsKey(Field.Name))
        {
            if (best is { } near && near.Columns.Count >= 2)
            {
                var missing = Required.Where(f => !near.Columns.ContainsKey(f)).Select(f => Columns.Single(k => k.Field == f)).ToList();
                return (0, null, MissingColumns(sheet, near.Index, near.Columns, missing));
            }
            return (0, null, NoHeader(sheet, searched));
        }

        var absent = Required.Where(f => !header.Columns.ContainsKey(f)).Select(f => Columns.Single(k => k.Field == f)).ToList();
        return absent.Count > 0
            ? (0, null, MissingColumns(sheet, header.Index, header.Columns, absent))
            : (header.Index, header.Columns, null);
    }

    private static Refusal MissingColumns(string? sheet, int index, Dictionary<Field, int> found, List<(Field Field, string Zh, string En, string[] Names)> missing)
    {
        // The column after the last recognised one is where the missing column is most likely expected.
        var next = ColumnName(found.Values.Max() + 1);
        var zh = string.Join("、", missing.Select(m => $"“{m.Zh}”"));
        var en = string.Join(", ", missing.Select(m => m.En));
        var accepted = string.Join("；", missing.Select(m => $"{m.Zh}可写作 {string.Join("/", m.Names.Where(n => !n.All(char.IsAsciiLetter)))}"));
        return new Refusal("catalogue_missing_column",
            $"{SheetZh(sheet)}第 {index + 1} 行是表头，但缺少{zh}列（例如在 {next} 列加上）。{accepted}",
            $"Row {index + 1}{SheetEn(sheet)} is the header but has no {en} column (add it, for example in column {next}).");
    }

    /// <summary>"A" for 0, "AA" for 26: the column letters a person sees in Excel.</summary>
    public static string ColumnName(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            name = (char)('A' + (n - 1) % 26) + name;
        }
        return name;
    }

    private static string NormalizeHeader(string? cell)
    {
        if (string.IsNullOrWhiteSpace(cell))
        {
            return "";
        }
        var text = cell.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(text.Length);
        var depth = 0;
        foreach (var c in text)
        {
            if (c is '(' or '（' or '【' or '[')
            {
                depth++;
            }
            else if (c is ')' or '）' or '】' or ']')
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0 && !char.IsWhiteSpace(c) && c is not ('*' or '※' or ':' or '：' or '_' or '-'))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }
        return builder.ToString();
    }
}
