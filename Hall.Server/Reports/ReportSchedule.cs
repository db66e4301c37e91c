using Hall.Server.Data;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Reports;

/// <summary>
/// Generates each hall's reports when their period is over, in the hall's own time: the day's patrol sheet once the
/// business date is over (what is finished or rated after closing time is in it), the week's figures on Monday, the bulletin on the 1st, the year's review on 1 January. Every server runs it;
/// <see cref="ReportStore.AddIfMissingAsync"/> makes each report once. On start it also catches up what a downtime missed.
/// </summary>
public sealed class ReportSchedule(IDbContextFactory<HallDb> dbFactory, ReportStore store, Pdf.ReportFont font, TimeProvider clock, IConfiguration config, ILogger<ReportSchedule> log) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    /// <summary>How many days back the first pass after a start looks for reports a downtime missed.</summary>
    public const int CatchUpDays = 3;

    private readonly SemaphoreSlim _one = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // On by default; a deployment that makes its reports elsewhere (or a test about something else) turns it off.
        if (!config.GetValue("Hall:Reports:Schedule", true))
        {
            return;
        }
        var caughtUp = false;
        try
        {
            await Operations.Periodic.RunAsync(Every, clock, log, "Reports not generated on schedule", async ct =>
            {
                caughtUp |= await PatrolAsync(catchUp: !caughtUp, ct);
            }, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One pass over every hall: generates what is due now (and, with <paramref name="catchUp"/>, what the last days missed).
    /// False when it could not look (no Chinese font, said once at start): the catch-up then waits for the first pass with a font.
    /// </summary>
    public async Task<bool> PatrolAsync(bool catchUp, CancellationToken ct)
    {
        if (font.Fonts is null)
        {
            return false;
        }
        await _one.WaitAsync(ct);
        try
        {
            List<Halls.HallSite> halls;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                halls = await db.Halls.AsNoTracking().Include(h => h.Calendar).OrderBy(h => h.Id).ToListAsync(ct);
            }
            var now = clock.GetUtcNow();
            foreach (var hall in halls)
            {
                var local = HallClock.ToLocal(now, hall.Zone).DateTime;
                foreach (var (kind, day) in Due(local, hall.Hours, [.. hall.Calendar.Select(c => c.ToCalendarDay())], catchUp))
                {
                    try
                    {
                        if (await store.AddIfMissingAsync(hall.Id, kind, day, ct) is { } id)
                        {
                            var (from, to) = ReportPeriods.Containing(kind, day);
                            log.LogInformation("Report {Kind} for {From:yyyy-MM-dd} to {To:yyyy-MM-dd} of hall {Hall} generated on schedule ({Id})", kind, from, to, hall.Id, id);
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        log.LogWarning(ex, "Report {Kind} of {Day} for hall {Hall} not generated", kind, day, hall.Id);
                    }
                }
            }
        }
        finally
        {
            _one.Release();
        }
        return true;
    }

    /// <summary>
    /// The reports due at hall-local time <paramref name="local"/>, each as its kind and a day of its period: yesterday's
    /// patrol sheet (none for a closed day); on Monday last week; on the 1st last month; on
    /// 1 January last year. With <paramref name="catchUp"/> the same for the last <see cref="CatchUpDays"/> days, plus last week and last month.
    /// </summary>
    public static IEnumerable<(ReportKind Kind, DateOnly Day)> Due(DateTime local, WeeklyHours hours, IReadOnlyList<CalendarDay> calendar, bool catchUp)
    {
        var today = DateOnly.FromDateTime(local);
        var due = new List<(ReportKind, DateOnly)>();
        for (var back = Math.Max(1, catchUp ? CatchUpDays : 0); back >= 0; back--)
        {
            var day = today.AddDays(-back);
            // A day's sheet once the day is over: what is finished and rated after closing time belongs in it.
            if (back > 0 && HallClock.RangesOn(day, hours, null, calendar).Count > 0)
            {
                due.Add((ReportKind.DailyPatrol, day));
            }
            if (day.DayOfWeek == DayOfWeek.Monday)
            {
                due.Add((ReportKind.Weekly, day.AddDays(-7)));
            }
            if (day.Day == 1)
            {
                due.Add((ReportKind.MonthlyBulletin, day.AddMonths(-1)));
            }
            if (day.DayOfYear == 1)
            {
                due.Add((ReportKind.Year, day.AddYears(-1)));
            }
        }
        if (catchUp)
        {
            due.Add((ReportKind.Weekly, today.AddDays(-7)));
            due.Add((ReportKind.MonthlyBulletin, today.AddMonths(-1)));
        }
        return due.DistinctBy(d => (d.Item1, ReportPeriods.Containing(d.Item1, d.Item2).From));
    }

    public override void Dispose()
    {
        _one.Dispose();
        base.Dispose();
    }
}
