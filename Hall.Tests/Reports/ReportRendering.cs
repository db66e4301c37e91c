using Hall.Server.Reports;
using Hall.Server.Reports.Pdf;
using Hall.Tests.Support;
using MiniExcelLibs;

namespace Hall.Tests.Reports;

/// <summary>The report files as the server writes them, and read back the way a person (or their spreadsheet) reads them.</summary>
public static class ReportRendering
{
    private static readonly Lazy<PdfFonts> Fonts = new(() => PdfFonts.Load());

    private static readonly Lazy<PdfFonts> DocumentFonts = new(() => PdfFonts.Load(PdfFonts.DefaultDocumentPath, PdfFonts.DefaultDocumentFamily));

    /// <summary>As the server draws it: a 公文's body in the serif face.</summary>
    public static byte[] Pdf(ReportDocument doc) => PdfReportWriter.Write(doc, Fonts.Value, doc.Form is null ? null : DocumentFonts.Value);

    public static byte[] Excel(ReportDocument doc) => ExcelReportWriter.Write(doc);

    /// <summary>Keeps the PDF, a PNG of each of its pages and the workbook under TestResults/pdf/ for a person to look at.</summary>
    public static void Keep(byte[] pdf, byte[] xlsx, string name)
    {
        var pages = PdfText.SavePages(pdf, name);
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(pages[0])!, name + ".xlsx"), xlsx);
    }

    /// <summary>Every text row of every page, top to bottom, as its cells.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> PdfRows(byte[] pdf) => [.. PdfText.Pages(pdf).SelectMany(p => p)];

    /// <summary>Each table's worksheet's rows after its caption and header rows (the overview's after its title), as the cells' values.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<object?>>> Sheets(byte[] xlsx)
    {
        var sheets = new Dictionary<string, IReadOnlyList<IReadOnlyList<object?>>>(StringComparer.Ordinal);
        using var stream = new MemoryStream(xlsx);
        foreach (var name in stream.GetSheetNames())
        {
            stream.Position = 0;
            var above = name == ExcelReportWriter.OverviewSheet ? 1 : 2;
            var rows = stream.Query(useHeaderRow: false, sheetName: name).Cast<IDictionary<string, object?>>().Skip(above)
                .Select(r => (IReadOnlyList<object?>)[.. r.Values]).ToList();
            sheets[name] = rows;
        }
        return sheets;
    }
}
