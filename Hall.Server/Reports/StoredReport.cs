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

    /// <summary>The supervisor's sections of a bulletin or year view (存在问题, 表扬与批评, 工作要求), written before issuing.</summary>
    public string? Problems { get; set; }
    public string? Praise { get; set; }
    public string? Requirements { get; set; }

    /// <summary>发文字号 (新政数〔2026〕12号), given when issued: from then on the report is frozen.</summary>
    public string? DocumentNumber { get; set; }
    public int? DocumentYear { get; set; }
    public int? DocumentSerial { get; set; }
    public DateTimeOffset? IssuedAt { get; set; }
    public int? IssuedByStaffId { get; set; }

    /// <summary>Only the bulletin and the year view are 公文.</summary>
    public static bool IsDocument(ReportKind kind) => kind is ReportKind.MonthlyBulletin or ReportKind.Year;
}

public static class StoredReportText
{
    /// <summary>At most this many characters in each of the supervisor's sections.</summary>
    public const int MaxSection = 4000;
}

/// <summary>A stored report without its files: what lists show.</summary>
public sealed record StoredReportView(long Id, ReportKind Kind, DateOnly PeriodFrom, DateOnly PeriodTo, string Title, DateTimeOffset GeneratedAt, int? GeneratedByStaffId, string? GeneratedByName, int PdfSize, int XlsxSize, int GenerationMs,
    string? DocumentNumber = null, DateTimeOffset? IssuedAt = null);
