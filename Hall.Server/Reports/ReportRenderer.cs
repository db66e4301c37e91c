using System.Text;
using MiniExcelLibs;

namespace Hall.Server.Reports;

/// <summary>A report's two files, drawn from the same document.</summary>
public sealed record ReportFiles(byte[] Pdf, byte[] Xlsx);

/// <summary>Turns a report document into its PDF and workbook (the real writers are <c>PdfReportWriter</c> and <c>ExcelReportWriter</c>).</summary>
public interface IReportRenderer
{
    ReportFiles Render(ReportDocument document);
}

/// <summary>
/// Stands in for the real writers until they are merged: a one-page PDF with the title in ASCII and a workbook with
/// one sheet per table. Registered in <see cref="HallServer.AddHall"/>; replace that registration, nothing else.
/// </summary>
public sealed class PlaceholderReportRenderer : IReportRenderer
{
    public ReportFiles Render(ReportDocument document) => new(Pdf(document), Xlsx(document));

    private static byte[] Xlsx(ReportDocument document)
    {
        var sheets = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var table in document.Blocks.OfType<ReportTable>().Where(t => t.Rows.Count > 0))
        {
            sheets[table.Sheet] = table.Rows.Select(row => table.Columns.Select((c, i) => (c.Header, Value: i < row.Count ? row[i].Value ?? row[i].Text : null))
                .DistinctBy(x => x.Header).ToDictionary(x => x.Header, x => x.Value)).ToList();
        }
        if (sheets.Count == 0)
        {
            sheets["报告"] = new[] { new Dictionary<string, object?> { ["标题"] = document.Title, ["期间"] = document.Subtitle } };
        }
        using var stream = new MemoryStream();
        stream.SaveAs(sheets);
        return stream.ToArray();
    }

    // A minimal valid PDF 1.4: one page, Helvetica, the document's title with non-ASCII characters left out.
    private static byte[] Pdf(ReportDocument document)
    {
        var text = new string([.. (document.Title + " " + document.Subtitle).Where(c => c is >= ' ' and <= '~' and not ('(' or ')' or '\\'))]);
        var content = $"BT /F1 14 Tf 56 780 Td (Hall report placeholder: {text}) Tj ET";
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
        ];
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(FormattableString.Invariant($"{i + 1} 0 obj\n{objects[i]}\nendobj\n"));
        }
        var xref = pdf.Length;
        pdf.Append(FormattableString.Invariant($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n"));
        foreach (var offset in offsets)
        {
            pdf.Append(FormattableString.Invariant($"{offset:D10} 00000 n \n"));
        }
        pdf.Append(FormattableString.Invariant($"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"));
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }
}
