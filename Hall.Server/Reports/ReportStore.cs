using System.Diagnostics;
using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Reports;

/// <summary>
/// Generates reports into the <c>reports</c> table and reads them back. A report is unique per hall, kind and first day
/// of its period; with several servers on one database a transaction-level advisory lock on that key keeps two from
/// building the same report at once, and the unique index keeps a second row out whatever happens.
/// </summary>
public sealed class ReportStore(IDbContextFactory<HallDb> dbFactory, ReportBuilder builder, IReportRenderer renderer, TimeProvider clock)
{
    /// <summary>Reading the figures is most of the work; rendering is the last part of the progress.</summary>
    private const double BuildShare = 0.8;

    /// <summary>
    /// The schedule's generation: builds and stores the report unless it is already stored or another server is building it.
    /// Returns the new report's id, or null when nothing was done.
    /// </summary>
    public async Task<long?> AddIfMissingAsync(int hallId, ReportKind kind, DateOnly day, CancellationToken ct)
    {
        var (from, _) = ReportPeriods.Containing(kind, day);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await ExistsAsync(db, hallId, kind, from, ct))
        {
            return null;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({LockKey(hallId, kind, from)}) AS \"Value\"").SingleAsync(ct)
            || await ExistsAsync(db, hallId, kind, from, ct))
        {
            return null;
        }
        var report = await BuildAsync(hallId, kind, day, null, null, ct);
        var id = (await db.Database.SqlQuery<long>($"""
            INSERT INTO reports (hall_id, kind, period_from, period_to, title, generated_at, generated_by_staff_id, pdf, xlsx, pdf_size, xlsx_size, generation_ms)
            VALUES ({report.HallId}, {report.Kind.ToString()}, {report.PeriodFrom}, {report.PeriodTo}, {report.Title}, {report.GeneratedAt}, {report.GeneratedByStaffId},
                    {report.Pdf}, {report.Xlsx}, {report.PdfSize}, {report.XlsxSize}, {report.GenerationMs})
            ON CONFLICT (hall_id, kind, period_from) DO NOTHING
            RETURNING id AS "Value"
            """).ToListAsync(ct)).FirstOrDefault();
        await tx.CommitAsync(ct);
        return id == 0 ? null : id;
    }

    /// <summary>
    /// A generation on demand: builds the report and stores it, replacing the files of the same period (with a new generation
    /// time) and keeping a draft bulletin's sections. An issued bulletin is frozen: <see cref="ReportIssuedException"/>.
    /// </summary>
    public async Task<long> ReplaceAsync(int hallId, ReportKind kind, DateOnly day, int staffId, IProgress<double>? progress, CancellationToken ct)
    {
        var report = await BuildAsync(hallId, kind, day, staffId, progress, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Waits for a server that is building the same report on schedule, then overwrites what it stored.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockKey(hallId, kind, report.PeriodFrom)})", ct);
        var id = (await db.Database.SqlQuery<long>($"""
            INSERT INTO reports (hall_id, kind, period_from, period_to, title, generated_at, generated_by_staff_id, pdf, xlsx, pdf_size, xlsx_size, generation_ms)
            VALUES ({report.HallId}, {report.Kind.ToString()}, {report.PeriodFrom}, {report.PeriodTo}, {report.Title}, {report.GeneratedAt}, {report.GeneratedByStaffId},
                    {report.Pdf}, {report.Xlsx}, {report.PdfSize}, {report.XlsxSize}, {report.GenerationMs})
            ON CONFLICT (hall_id, kind, period_from) DO UPDATE SET period_to = excluded.period_to, title = excluded.title, generated_at = excluded.generated_at,
                generated_by_staff_id = excluded.generated_by_staff_id, pdf = excluded.pdf, xlsx = excluded.xlsx, pdf_size = excluded.pdf_size,
                xlsx_size = excluded.xlsx_size, generation_ms = excluded.generation_ms
            WHERE reports.issued_at IS NULL
            RETURNING id AS "Value"
            """).ToListAsync(ct)).SingleOrDefault();
        if (id == 0)
        {
            throw new ReportIssuedException();
        }
        await tx.CommitAsync(ct);
        progress?.Report(1);
        return id;
    }

    /// <summary>Whether the report of <paramref name="kind"/> holding <paramref name="day"/> is an issued 公文 (frozen).</summary>
    public async Task<bool> IssuedAsync(int hallId, ReportKind kind, DateOnly day, CancellationToken ct)
    {
        var (from, _) = ReportPeriods.Containing(kind, day);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Reports.AnyAsync(r => r.HallId == hallId && r.Kind == kind && r.PeriodFrom == from && r.IssuedAt != null, ct);
    }

    /// <summary>The hall's stored reports, newest first, without their files.</summary>
    public async Task<List<StoredReportView>> ListAsync(int hallId, ReportKind? kind, int? year, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var reports = db.Reports.AsNoTracking().Where(r => r.HallId == hallId);
        if (kind is { } k)
        {
            reports = reports.Where(r => r.Kind == k);
        }
        if (year is { } y)
        {
            reports = reports.Where(r => r.PeriodFrom >= new DateOnly(y, 1, 1) && r.PeriodFrom <= new DateOnly(y, 12, 31));
        }
        return await reports.OrderByDescending(r => r.GeneratedAt).ThenByDescending(r => r.Id)
            .Select(r => new StoredReportView(r.Id, r.Kind, r.PeriodFrom, r.PeriodTo, r.Title, r.GeneratedAt, r.GeneratedByStaffId,
                db.Staff.Where(s => s.Id == r.GeneratedByStaffId).Select(s => s.Name).FirstOrDefault(), r.PdfSize, r.XlsxSize, r.GenerationMs,
                r.DocumentNumber, r.IssuedAt))
            .Take(500).ToListAsync(ct);
    }

    /// <summary>One file of a report of the hall (only that column is read), or null when the hall has no such report.</summary>
    public async Task<(byte[] Bytes, string FileName)?> FileAsync(int hallId, long id, bool pdf, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Reports.AsNoTracking().Where(r => r.Id == id && r.HallId == hallId)
            .Select(r => new { r.Kind, r.PeriodFrom, Bytes = pdf ? r.Pdf : r.Xlsx }).FirstOrDefaultAsync(ct);
        return row is null ? null : (row.Bytes, ReportNames.FileName(row.Kind, row.PeriodFrom, pdf ? "pdf" : "xlsx"));
    }

    private async Task<StoredReport> BuildAsync(int hallId, ReportKind kind, DateOnly day, int? staffId, IProgress<double>? progress, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var (from, to) = ReportPeriods.Containing(kind, day);
        DocumentSections? sections = null;
        if (StoredReport.IsDocument(kind))
        {
            // A draft drawn again keeps what the supervisor wrote.
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            sections = await db.Reports.AsNoTracking().Where(r => r.HallId == hallId && r.Kind == kind && r.PeriodFrom == from)
                .Select(r => new DocumentSections(r.Problems, r.Praise, r.Requirements, null, null)).FirstOrDefaultAsync(ct);
        }
        var document = await builder.BuildAsync(hallId, kind, day, progress is null ? null : new Scaled(progress, 0, BuildShare), ct, sections);
        var files = renderer.Render(document);
        progress?.Report(0.95);
        var title = document.Title.Length > 200 ? document.Title[..200] : document.Title;
        return new StoredReport
        {
            HallId = hallId,
            Kind = kind,
            PeriodFrom = from,
            PeriodTo = to,
            Title = title,
            GeneratedAt = clock.GetUtcNow(),
            GeneratedByStaffId = staffId,
            Pdf = files.Pdf,
            Xlsx = files.Xlsx,
            PdfSize = files.Pdf.Length,
            XlsxSize = files.Xlsx.Length,
            GenerationMs = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        };
    }

    private static Task<bool> ExistsAsync(HallDb db, int hallId, ReportKind kind, DateOnly from, CancellationToken ct) =>
        db.Reports.AnyAsync(r => r.HallId == hallId && r.Kind == kind && r.PeriodFrom == from, ct);

    /// <summary>One 64-bit advisory lock key per hall, kind and period: a tag in the top bits keeps it apart from the other locks.</summary>
    public static long LockKey(int hallId, ReportKind kind, DateOnly from) =>
        (0x52L << 56) | ((long)hallId << 28) | ((long)kind << 24) | (uint)from.DayNumber;

    /// <summary>Maps the builder's 0..1 onto a part of the job's progress.</summary>
    private sealed class Scaled(IProgress<double> inner, double from, double share) : IProgress<double>
    {
        public void Report(double value) => inner.Report(from + Math.Clamp(value, 0, 1) * share);
    }
}

/// <summary>A frozen (issued) bulletin was to be generated again.</summary>
public sealed class ReportIssuedException() : Exception(ReportIssuing.AlreadyIssued.MessageEn);

/// <summary>The names people see: 日巡查 / 周报 / 月通报 / 年度考核, and the files' names.</summary>
public static class ReportNames
{
    public static string Chinese(ReportKind kind) => kind switch
    {
        ReportKind.DailyPatrol => "日巡查",
        ReportKind.Weekly => "周报",
        ReportKind.MonthlyBulletin => "月通报",
        ReportKind.Year => "年度考核",
    };

    public static string English(ReportKind kind) => kind switch
    {
        ReportKind.DailyPatrol => "Daily patrol",
        ReportKind.Weekly => "Weekly figures",
        ReportKind.MonthlyBulletin => "Monthly bulletin",
        ReportKind.Year => "Annual review",
    };

    /// <summary>The period as people name it: 2026-11-27, 2026-11-23 — 2026-11-29, 2026-11, 2026.</summary>
    public static string Period(ReportKind kind, DateOnly from, DateOnly to) => kind switch
    {
        ReportKind.DailyPatrol => from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ReportKind.Weekly => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{from:yyyy-MM-dd} — {to:yyyy-MM-dd}"),
        ReportKind.MonthlyBulletin => from.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
        ReportKind.Year => from.ToString("yyyy", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>日巡查-2026-11-27.pdf, 周报-2026-11-23.xlsx, 月通报-2026-11.pdf, 年度考核-2026.xlsx.</summary>
    public static string FileName(ReportKind kind, DateOnly from, string extension) =>
        $"{Chinese(kind)}-{(kind == ReportKind.Weekly ? from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : Period(kind, from, from))}.{extension}";
}
