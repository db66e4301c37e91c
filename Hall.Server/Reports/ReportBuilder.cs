using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Reports;

/// <summary>Builds a report of a hall for a period from the event log.</summary>
public sealed class ReportBuilder(IDbContextFactory<HallDb> dbFactory, TimeProvider clock)
{
    /// <summary>
    /// The report of <paramref name="kind"/> for the period holding <paramref name="day"/>.
    /// <paramref name="progress"/> goes from 0 to 1 while the figures are read and the document is laid out.
    /// </summary>
    public async Task<ReportDocument> BuildAsync(int hallId, ReportKind kind, DateOnly day, IProgress<double>? progress, CancellationToken ct)
    {
        // Placeholder until the figures land (issue 6, in progress): the hall's name and the period only.
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hall = await db.Halls.FindAsync([hallId], ct) ?? throw new InvalidOperationException($"hall {hallId} not found");
        var (from, to) = ReportPeriods.Containing(kind, day);
        progress?.Report(1);
        return new ReportDocument($"{hall.Name} {kind}", $"{from:yyyy-MM-dd} — {to:yyyy-MM-dd}", [])
        {
            Footer = $"{hall.Name} · {clock.GetUtcNow():yyyy-MM-dd HH:mm}",
        };
    }
}
