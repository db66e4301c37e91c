using SkiaSharp;

namespace Hall.Server.Reports.Pdf;

/// <summary>
/// Renders a <see cref="ReportDocument"/> to an A4 PDF: lays it out first, then draws every page knowing the page count,
/// with a font subset holding only the characters the document uses.
/// </summary>
public static class PdfReportWriter
{
    /// <param name="serifFonts">The serif face a 公文's body is set in (<see cref="ReportDocument.Form"/>); <paramref name="fonts"/> when null.</param>
    public static byte[] Write(ReportDocument doc, PdfFonts fonts, PdfFonts? serifFonts = null)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(fonts);
        serifFonts ??= fonts;
        using var measure = new TextMeasure(fonts.Typeface);
        using var serifMeasure = new TextMeasure(serifFonts.Typeface);
        var layout = new PdfLayout(measure, serifMeasure);
        layout.Lay(doc);

        var codePoints = new HashSet<int>(measure.CodePoints);
        if (layout.Pages.Any(p => p.OfType<ChartItem>().Any()))
        {
            codePoints.UnionWith(ChartRenderer.TickCharacters);
        }
        using var data = Subset(fonts, codePoints);
        using var typeface = SKTypeface.FromData(data) ?? throw new InvalidOperationException($"The font subset of {fonts.Path} cannot be loaded.");
        // Only the characters set in the serif face: a plain report carries none of it.
        using var serifData = serifMeasure.CodePoints.Count == 0 ? null : Subset(serifFonts, serifMeasure.CodePoints);
        using var serif = serifData is null ? null
            : SKTypeface.FromData(serifData) ?? throw new InvalidOperationException($"The font subset of {serifFonts.Path} cannot be loaded.");

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
            using var painter = new PagePainter(typeface, serif ?? typeface);
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

    private static SKData Subset(PdfFonts fonts, IEnumerable<int> codePoints) => SKData.CreateCopy(FontSubset.Subset(fonts.Path, fonts.FaceIndex, codePoints));
}
