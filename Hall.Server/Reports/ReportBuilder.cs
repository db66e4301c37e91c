using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Reports;

/// <summary>Builds a report of a hall for a period from the event log.</summary>
public sealed class ReportBuilder(IDbContextFactory<HallDb> dbFactory, TimeProvider clock)
{
    /// <summary>
    /// The report of <paramref name="kind"/> for the period holding <paramref name="day"/>.
    /// <paramref name="progress"/> goes from 0 to 1 while the figures are read and the document is laid out.
    /// A bulletin or year view is a 公文 of the hall's issuing authority with the supervisor's <paramref name="sections"/> (a draft without them).
    /// </summary>
    public async Task<ReportDocument> BuildAsync(int hallId, ReportKind kind, DateOnly day, IProgress<double>? progress, CancellationToken ct, DocumentSections? sections = null)
    {
        var (from, to) = ReportPeriods.Containing(kind, day);
        var now = clock.GetUtcNow();
        progress?.Report(0.05);
        // A week is compared with the week before: both are read at once.
        var readFrom = kind == ReportKind.Weekly ? from.AddDays(-7) : from;
        ReportInput input;
        // A county hall's bulletin and year view set its township sites beside it (全县汇总).
        var sites = new List<ReportInput>();
        // A bulletin compares its month with the month before (环比) and the same month a year before (同比).
        ReportInput? previous = null, yearAgo = null;
        DocumentIssuer issuer;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            issuer = DocumentIssuer.Of(await db.Halls.AsNoTracking().SingleAsync(h => h.Id == hallId, ct));
            input = await ReportData.ReadAsync(db, hallId, readFrom, to, now, ct);
            if (kind == ReportKind.MonthlyBulletin)
            {
                previous = await ReportData.ReadAsync(db, hallId, from.AddMonths(-1), from.AddDays(-1), now, ct);
                yearAgo = await ReportData.ReadAsync(db, hallId, from.AddYears(-1), from.AddYears(-1).AddMonths(1).AddDays(-1), now, ct);
            }
            if (kind == ReportKind.Year)
            {
                yearAgo = await ReportData.ReadAsync(db, hallId, from.AddYears(-1), from.AddDays(-1), now, ct);
            }
            if (kind is ReportKind.MonthlyBulletin or ReportKind.Year)
            {
                foreach (var site in await db.Halls.AsNoTracking().Where(h => h.ParentId == hallId).OrderBy(h => h.Id).Select(h => h.Id).ToListAsync(ct))
                {
                    sites.Add(await ReportData.ReadAsync(db, site, from, to, now, ct));
                }
            }
        }
        progress?.Report(0.4);
        var document = await Task.Run(() =>
        {
            var county = sites.Count == 0 ? null : new[] { input }.Concat(sites).Select(ReportFigures.Compute).ToList();
            return kind switch
            {
                ReportKind.DailyPatrol => DailyPatrolReport.Build(ReportFigures.Compute(input)),
                ReportKind.MonthlyBulletin => BulletinReport.Build(county?[0] ?? ReportFigures.Compute(input), county,
                    previous is null ? null : ReportFigures.Compute(previous), yearAgo is null ? null : ReportFigures.Compute(yearAgo), issuer, sections),
                ReportKind.Weekly => WeeklyReport.Build(ReportFigures.Compute(input.Slice(from, to)), ReportFigures.Compute(input.Slice(readFrom, from.AddDays(-1)))),
                ReportKind.Year => YearReport.Build(county?[0] ?? ReportFigures.Compute(input),
                    [.. Enumerable.Range(0, 12).Select(i => from.AddMonths(i)).Select(m => ReportFigures.Compute(input.Slice(m, m.AddMonths(1).AddDays(-1))))], county,
                    issuer, sections, yearAgo is null ? null : ReportFigures.Compute(yearAgo)),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
        }, ct);
        progress?.Report(0.7);
        return document;
    }
}
