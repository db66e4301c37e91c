using Hall.Server.Reports;

namespace Hall.Tests.Reports;

/// <summary>The report files as the server writes them (the PDF and Excel writers land with the layout work).</summary>
public static class ReportRendering
{
    public static byte[] Pdf(ReportDocument doc) => throw new NotSupportedException("the PDF writer is not merged yet");

    public static byte[] Excel(ReportDocument doc) => throw new NotSupportedException("the Excel writer is not merged yet");

    public static void Keep(byte[] pdf, byte[] xlsx, string name) => throw new NotSupportedException();

    public static IReadOnlyList<IReadOnlyList<string>> PdfRows(byte[] pdf) => throw new NotSupportedException();

    public static IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<object?>>> Sheets(byte[] xlsx) => throw new NotSupportedException();
}
