using System.Collections.Concurrent;
using Hall.Server.Contracts;
using Hall.Server.Queue;

namespace Hall.Server.Reports;

/// <summary>One report generated on demand in the background: the supervisor's page polls it for progress and the stored report.</summary>
public sealed class ReportJob(Guid id, int hallId, ReportKind kind, DateOnly from, DateOnly to, DateTimeOffset started) : IProgress<double>
{
    private double _progress;

    public Guid Id { get; } = id;
    public int HallId { get; } = hallId;
    public ReportKind Kind { get; } = kind;
    public DateOnly PeriodFrom { get; } = from;
    public DateOnly PeriodTo { get; } = to;
    public DateTimeOffset Started { get; } = started;
    public DateTimeOffset? Finished { get; private set; }

    /// <summary>"running", then "done" or "failed" (nothing stored).</summary>
    public string State { get; private set; } = "running";

    /// <summary>0 to 1: reading the figures, then rendering, then storing.</summary>
    public double Progress => Volatile.Read(ref _progress);
    public long? ReportId { get; private set; }
    public Refusal? Error { get; private set; }

    // Progress only moves forward, whatever order reports arrive in.
    void IProgress<double>.Report(double value)
    {
        for (var seen = Progress; value > seen && Interlocked.CompareExchange(ref _progress, Math.Min(1, value), seen) != seen; seen = Progress)
        {
        }
    }

    internal void Done(long reportId, DateTimeOffset now)
    {
        ReportId = reportId;
        Volatile.Write(ref _progress, 1);
        Finished = now;
        State = "done";
    }

    internal void Fail(Refusal error, DateTimeOffset now)
    {
        Error = error;
        Finished = now;
        State = "failed";
    }

    public ReportJobView ToView() => new(Id, State, Progress, Kind, PeriodFrom, PeriodTo, ReportId, Error?.ToError());
}

/// <summary>What <c>GET /api/reports/jobs/{id}</c> answers.</summary>
public sealed record ReportJobView(Guid Id, string State, double Progress, ReportKind Kind, DateOnly PeriodFrom, DateOnly PeriodTo, long? ReportId, HallError? Error);

/// <summary>
/// The reports generated on demand, one running per hall, kind and period across all servers (asking again while it runs
/// answers the same job, whichever server runs it). The server doing the work keeps the job in memory and writes its
/// progress to <c>background_jobs</c>, so a page may follow it on any server; a job whose server stopped reads as failed.
/// </summary>
public sealed class ReportJobs(ReportStore store, Operations.BackgroundJobs table, TimeProvider clock, IHostApplicationLifetime lifetime, Admin.AdminStore audit, ILogger<ReportJobs> log)
{
    public const string TableKind = "report";
    private static readonly TimeSpan KeepFinished = TimeSpan.FromHours(1);

    public static readonly Refusal Failed = new("report_failed", "报表生成失败，请重试", "The report could not be generated; try again.");

    private readonly ConcurrentDictionary<Guid, ReportJob> _jobs = new();

    /// <summary>
    /// Starts generating the report of <paramref name="kind"/> holding <paramref name="day"/> for the supervisor
    /// <paramref name="by"/>, or answers the one already running; the job's id.
    /// </summary>
    public async Task<Guid> StartAsync(Actor by, ReportKind kind, DateOnly day, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var old in _jobs.Values.Where(j => j.Finished is { } end && now - end > KeepFinished))
        {
            _jobs.TryRemove(old.Id, out _);
        }
        var (from, to) = ReportPeriods.Containing(kind, day);
        var job = new ReportJob(Guid.NewGuid(), by.HallId, kind, from, to, now);
        var running = await table.ClaimAsync(job.Id, job.HallId, TableKind, $"{kind}:{from:yyyy-MM-dd}", job.ToView(), ct);
        if (running != job.Id)
        {
            return running;
        }
        _jobs[job.Id] = job;
        _ = Task.Run(() => table.RunAsync(job.Id, job.ToView, () => RunAsync(job, by, day, lifetime.ApplicationStopping), lifetime.ApplicationStopping), CancellationToken.None);
        return job.Id;
    }

    /// <summary>The job of <paramref name="hallId"/> as it stands, from this server's memory or from the table; null when there is none.</summary>
    public async Task<ReportJobView?> ViewAsync(Guid id, int hallId, CancellationToken ct)
    {
        if (_jobs.TryGetValue(id, out var local))
        {
            return local.HallId == hallId ? local.ToView() : null;
        }
        return await table.FindAsync<ReportJobView>(id, hallId, TableKind, ct) switch
        {
            null => null,
            { Interrupted: true, View: var view } => view with { State = "failed", Error = Failed.ToError() },
            { View: var view } => view,
        };
    }

    private async Task RunAsync(ReportJob job, Actor by, DateOnly day, CancellationToken ct)
    {
        try
        {
            var id = await store.ReplaceAsync(job.HallId, job.Kind, day, by.Id, job, ct);
            await audit.RecordAsync(by, "report.generate", $"report:{id}", null, new { Kind = job.Kind.ToString(), job.PeriodFrom, job.PeriodTo }, ct);
            job.Done(id, clock.GetUtcNow());
        }
        catch (ReportFontMissingException)
        {
            job.Fail(Pdf.ReportFont.Missing, clock.GetUtcNow());
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Report {Kind} {From} of hall {Hall} failed", job.Kind, job.PeriodFrom, job.HallId);
            job.Fail(Failed, clock.GetUtcNow());
        }
    }
}
