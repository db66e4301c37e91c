using System.Diagnostics;
using Hall.Server.Data;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Reports;

/// <summary>A bulletin or year view as its page shows it: the sections written so far and, once issued, its number.</summary>
public sealed record DocumentView(long Id, ReportKind Kind, DateOnly PeriodFrom, DateOnly PeriodTo, string Title, DateTimeOffset GeneratedAt, string? Problems, string? Praise,
    string? Requirements, string? Number, DateTimeOffset? IssuedAt, string? IssuedByName, bool PeriodOver, string? Prefix);

/// <summary>
/// A bulletin or year view goes from draft to issued: the supervisor writes 存在问题, 表扬与批评 and 工作要求 (each save draws
/// the draft again), then issues it — Hall gives it the hall's next 发文字号 of the year (新政数〔2026〕12号) and draws it a last
/// time; from then on it is frozen: no section, regeneration or schedule changes it.
/// </summary>
public sealed class ReportIssuing(IDbContextFactory<HallDb> dbFactory, ReportBuilder builder, IReportRenderer renderer, Halls.HallSettings halls, Admin.AdminStore audit, TimeProvider clock)
{
    public static readonly Refusal NotADocument = new("report_not_a_document", "只有月通报和年度考核以公文印发", "Only the monthly bulletin and the annual review are issued as documents.");
    public static readonly Refusal AlreadyIssued = new("report_issued", "该通报已印发，不能再修改或重新生成", "The bulletin is issued: it can no longer be changed or generated again.");
    public static readonly Refusal SectionsRequired = new("document_sections_required", "请先填写存在问题、表扬与批评、工作要求三部分，未印发",
        "Write all three sections (problems, praise and criticism, requirements) first. Nothing was issued.");
    public static readonly Refusal SectionTooLong = new("document_section_too_long", $"每部分最多 {StoredReportText.MaxSection} 字，未保存",
        $"Each section holds at most {StoredReportText.MaxSection} characters. Nothing was saved.");
    public static readonly Refusal PrefixMissing = new("document_prefix_missing", "大厅设置中尚未填写发文字号代字（如“新政数”），不能编号印发",
        "The hall settings have no document number prefix (e.g. 新政数) yet, so the bulletin cannot be numbered and issued.");
    public static readonly Refusal PeriodNotOver = new("report_period_not_over", "统计期间尚未结束，不能印发", "The period is not over yet: the bulletin cannot be issued.");

    public async Task<DocumentView?> ViewAsync(int hallId, long id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, hallId, now, ct);
        var today = HallClock.BusinessDate(now, hall.Zone);
        var row = await db.Reports.AsNoTracking().Where(r => r.Id == id && r.HallId == hallId)
            .Select(r => new
            {
                r.Id,
                r.Kind,
                r.PeriodFrom,
                r.PeriodTo,
                r.Title,
                r.GeneratedAt,
                r.Problems,
                r.Praise,
                r.Requirements,
                r.DocumentNumber,
                r.IssuedAt,
                IssuedBy = db.Staff.Where(s => s.Id == r.IssuedByStaffId).Select(s => s.Name).FirstOrDefault(),
            }).FirstOrDefaultAsync(ct);
        var prefix = await db.Halls.Where(h => h.Id == hallId).Select(h => h.DocumentPrefix).SingleAsync(ct);
        return row is null || !StoredReport.IsDocument(row.Kind) ? null
            : new DocumentView(row.Id, row.Kind, row.PeriodFrom, row.PeriodTo, row.Title, row.GeneratedAt, row.Problems, row.Praise, row.Requirements, row.DocumentNumber,
                row.IssuedAt, row.IssuedBy, row.PeriodTo < today, prefix);
    }

    /// <summary>Keeps the supervisor's sections of a draft and draws the draft again with them.</summary>
    public async Task<Refusal?> SaveAsync(Actor by, long id, DocumentSections sections, CancellationToken ct)
    {
        if (new[] { sections.Problems, sections.Praise, sections.Requirements }.Any(t => !FreeText.IsClean(t, multiline: true)))
        {
            return Refusal.InvalidText;
        }
        if (new[] { sections.Problems, sections.Praise, sections.Requirements }.Any(t => (t?.Trim().Length ?? 0) > StoredReportText.MaxSection))
        {
            return SectionTooLong;
        }
        sections = new DocumentSections(Blank(sections.Problems), Blank(sections.Praise), Blank(sections.Requirements));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await LockedAsync(db, by.HallId, id, ct) is not { } report)
        {
            return ReportEndpoints.UnknownReport;
        }
        if (Refused(report) is { } refused)
        {
            return refused;
        }
        var before = new { report.Problems, report.Praise, report.Requirements };
        (report.Problems, report.Praise, report.Requirements) = (sections.Problems, sections.Praise, sections.Requirements);
        await DrawAsync(report, by, sections, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await audit.RecordAsync(by, "report.sections", $"report:{id}", before, new { report.Problems, report.Praise, report.Requirements }, ct);
        return null;
    }

    /// <summary>Numbers the draft with the hall's next 发文字号 of the year, draws it a last time and freezes it.</summary>
    public async Task<Refusal?> IssueAsync(Actor by, long id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, by.HallId, now, ct);
        var today = HallClock.BusinessDate(now, hall.Zone);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // One number at a time per hall and year, whichever server issues; the unique index stands behind it.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({NumberLockKey(by.HallId, today.Year)})", ct);
        if (await LockedAsync(db, by.HallId, id, ct) is not { } report)
        {
            return ReportEndpoints.UnknownReport;
        }
        var sections = new DocumentSections(report.Problems, report.Praise, report.Requirements);
        var prefix = await db.Halls.Where(h => h.Id == by.HallId).Select(h => h.DocumentPrefix).SingleAsync(ct);
        var refused = Refused(report) ?? (report.PeriodTo >= today ? PeriodNotOver : !sections.Complete ? SectionsRequired : prefix is null ? PrefixMissing : null);
        if (refused is not null)
        {
            return refused;
        }
        var serial = 1 + (await db.Reports.Where(r => r.HallId == by.HallId && r.DocumentYear == today.Year).MaxAsync(r => r.DocumentSerial, ct) ?? 0);
        var number = DocumentIssuer.Number(prefix!, today.Year, serial);
        await DrawAsync(report, by, sections with { Number = number, IssuedOn = today }, ct);
        (report.DocumentNumber, report.DocumentYear, report.DocumentSerial, report.IssuedAt, report.IssuedByStaffId) = (number, today.Year, serial, now, by.Id);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await audit.RecordAsync(by, "report.issue", $"report:{id}", null, new { Number = number, report.Kind, report.PeriodFrom }, ct);
        return null;
    }

    private static Refusal? Refused(StoredReport report) =>
        !StoredReport.IsDocument(report.Kind) ? NotADocument : report.IssuedAt is not null ? AlreadyIssued : null;

    /// <summary>The report row, locked against a regeneration or another save until the transaction ends; null when the hall has no such report.</summary>
    private static async Task<StoredReport?> LockedAsync(HallDb db, int hallId, long id, CancellationToken ct) =>
        await db.Reports.FromSql($"SELECT * FROM reports WHERE id = {id} AND hall_id = {hallId} FOR UPDATE").SingleOrDefaultAsync(ct);

    private async Task DrawAsync(StoredReport report, Actor by, DocumentSections sections, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var document = await builder.BuildAsync(report.HallId, report.Kind, report.PeriodFrom, null, ct, sections);
        var files = renderer.Render(document);
        (report.Pdf, report.Xlsx, report.PdfSize, report.XlsxSize) = (files.Pdf, files.Xlsx, files.Pdf.Length, files.Xlsx.Length);
        (report.Title, report.GeneratedAt, report.GeneratedByStaffId) = (document.Title.Length > 200 ? document.Title[..200] : document.Title, clock.GetUtcNow(), by.Id);
        report.GenerationMs = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>The advisory lock key of a hall's document numbers of a year (tag 0x53, apart from the reports' 0x52).</summary>
    public static long NumberLockKey(int hallId, int year) => (0x53L << 56) | ((long)hallId << 16) | (uint)year;
}
