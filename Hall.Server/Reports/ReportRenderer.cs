using Hall.Server.Reports.Pdf;

namespace Hall.Server.Reports;

/// <summary>A report's two files, drawn from the same document.</summary>
public sealed record ReportFiles(byte[] Pdf, byte[] Xlsx);

/// <summary>Turns a report document into its PDF and workbook.</summary>
public interface IReportRenderer
{
    ReportFiles Render(ReportDocument document);
}

/// <summary>The A4 PDF (Skia, subset CJK font — a 公文's body in the serif one —, vector charts) and the Excel workbook with the same tables.</summary>
public sealed class ReportRenderer(ReportFont font) : IReportRenderer
{
    public ReportFiles Render(ReportDocument document) =>
        new(PdfReportWriter.Write(document, font.Fonts ?? throw new ReportFontMissingException(), document.Form is null ? null : font.DocumentFonts), ExcelReportWriter.Write(document));
}

/// <summary>A report was asked for on a machine without a Chinese font (<see cref="ReportFont.Missing"/>).</summary>
public sealed class ReportFontMissingException() : Exception(ReportFont.Missing.MessageEn);
