using Hall.Server.Reports.Pdf;

namespace Hall.Server.Reports;

/// <summary>A report's two files, drawn from the same document.</summary>
public sealed record ReportFiles(byte[] Pdf, byte[] Xlsx);

/// <summary>Turns a report document into its PDF and workbook.</summary>
public interface IReportRenderer
{
    ReportFiles Render(ReportDocument document);
}

/// <summary>The A4 PDF (Skia, subset CJK font, vector charts) and the Excel workbook with the same tables.</summary>
public sealed class ReportRenderer(PdfFonts fonts) : IReportRenderer
{
    public ReportFiles Render(ReportDocument document) => new(PdfReportWriter.Write(document, fonts), ExcelReportWriter.Write(document));
}
