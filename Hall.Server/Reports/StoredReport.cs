namespace Hall.Server.Reports;

/// <summary>
/// A generated report of a hall for one period, with its PDF and workbook. One row per hall, kind and first day of the period:
/// the schedule adds it once; a supervisor's regenerate replaces its files.
/// </summary>
public sealed class StoredReport
{
    public long Id { get; set; }
    public int HallId { get; set; }
    public ReportKind Kind { get; set; }
    public DateOnly PeriodFrom { get; set; }
    public DateOnly PeriodTo { get; set; }
    public required string Title { get; set; }
    public DateTimeOffset GeneratedAt { get; set; }
    /// <summary>The supervisor or admin who asked for it; null when the schedule made it.</summary>
    public int? GeneratedByStaffId { get; set; }
    public required byte[] Pdf { get; set; }
    public required byte[] Xlsx { get; set; }
    public int PdfSize { get; set; }
    public int XlsxSize { get; set; }
    public int GenerationMs { get; set; }
}

/// <summary>A stored report without its files: what lists show.</summary>
public sealed record StoredReportView(long Id, ReportKind Kind, DateOnly PeriodFrom, DateOnly PeriodTo, string Title, DateTimeOffset GeneratedAt, int? GeneratedByStaffId, string? GeneratedByName, int PdfSize, int XlsxSize, int GenerationMs);
