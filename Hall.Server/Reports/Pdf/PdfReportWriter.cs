using SkiaSharp;

namespace Hall.Server.Reports.Pdf;

/// <summary>
/// Renders a <see cref="ReportDocument"/> to an A4 PDF: lays it out first, then draws every page knowing the page count,
/// with a font subset holding only the characters the document uses.
/// </summary>
public static class PdfReportWriter
{
    public static byte[] Write(ReportDocument doc, PdfFonts fonts)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(fonts);
        using var measure = new TextMeasure(fonts.Typeface);
        var layout = new PdfLayout(measure);
        layout.Lay(doc);

        var codePoints = new HashSet<int>(measure.CodePoints);
        if (layout.Pages.Any(p => p.OfType<ChartItem>().Any()))
        {
            codePoints.UnionWith(ChartRenderer.TickCharacters);
        }
        var subset = FontSubset.Subset(fonts.Path, 0, codePoints);
        using var data = SKData.CreateCopy(subset);
        using var typeface = SKTypeface.FromData(data)
            ?? throw new InvalidOperationException($"The font subset of {fonts.Path} cannot be loaded.");

        using var stream = new MemoryStream();
        var metadata = new SKDocumentPdfMetadata
        {
            Title = doc.Title,
            Subject = doc.Subtitle,
            Creator = "Hall",
            Producer = "Hall",
        };
        using (var document = SKDocument.CreatePdf(stream, metadata))
        {
            using var painter = new PagePainter(typeface);
            foreach (var page in layout.Pages)
            {
                var canvas = document.BeginPage(PdfStyle.PageWidth, PdfStyle.PageHeight);
                painter.Paint(canvas, page);
                document.EndPage();
            }
            document.Close();
        }
        return stream.ToArray();
    }
}
