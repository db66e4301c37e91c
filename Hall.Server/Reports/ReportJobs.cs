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
/// The reports generated on demand by this server process, one running per hall, kind and period (asking again while it
/// runs answers the same job). Jobs live in memory only and are forgotten an hour after they end; the reports stay stored.
/// </summary>
public sealed class ReportJobs(ReportStore store, TimeProvider clock, IHostApplicationLifetime lifetime, Admin.AdminStore audit, ILogger<ReportJobs> log)
{
    private static readonly TimeSpan KeepFinished = TimeSpan.FromHours(1);

    public static readonly Refusal Failed = new("report_failed", "报表生成失败，请重试", "The report could not be generated; try again.");

    private readonly ConcurrentDictionary<Guid, ReportJob> _jobs = new();
    private readonly Lock _starting = new();

    /// <summary>Starts generating the report of <paramref name="kind"/> holding <paramref name="day"/> for the supervisor <paramref name="by"/>, or answers the one already running.</summary>
    public ReportJob Start(Actor by, ReportKind kind, DateOnly day)
    {
        var now = clock.GetUtcNow();
        var (from, to) = ReportPeriods.Containing(kind, day);
        ReportJob job;
        lock (_starting)
        {
            foreach (var old in _jobs.Values.Where(j => j.Finished is { } end && now - end > KeepFinished))
            {
                _jobs.TryRemove(old.Id, out _);
            }
            if (_jobs.Values.FirstOrDefault(j => j.HallId == by.HallId && j.Kind == kind && j.PeriodFrom == from && j.State == "running") is { } running)
            {
                return running;
            }
            job = new ReportJob(Guid.NewGuid(), by.HallId, kind, from, to, now);
            _jobs[job.Id] = job;
        }
        _ = Task.Run(() => RunAsync(job, by, day, lifetime.ApplicationStopping));
        return job;
    }

    public ReportJob? Find(Guid id) => _jobs.GetValueOrDefault(id);

    private async Task RunAsync(ReportJob job, Actor by, DateOnly day, CancellationToken ct)
    {
        try
        {
            var id = await store.ReplaceAsync(job.HallId, job.Kind, day, by.Id, job, ct);
            await audit.RecordAsync(by, "report.generate", $"report:{id}", null, new { Kind = job.Kind.ToString(), job.PeriodFrom, job.PeriodTo }, ct);
            job.Done(id, clock.GetUtcNow());
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Report {Kind} {From} of hall {Hall} failed", job.Kind, job.PeriodFrom, job.HallId);
            job.Fail(Failed, clock.GetUtcNow());
        }
    }
}
