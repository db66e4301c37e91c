using System.Collections.Concurrent;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

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

    /// <summary>While true the job waits for a free place (<see cref="ReportJobs"/> bounds how many run at once); its state is "running" all along.</summary>
    public bool Queued { get; internal set; } = true;

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

    public ReportJobView ToView() => new(Id, State, Progress, Kind, PeriodFrom, PeriodTo, ReportId, Error?.ToError(), State == "running" && Queued);
}

/// <summary>What <c>GET /api/reports/jobs/{id}</c> answers; <paramref name="Queued"/> while a running job still waits for its turn.</summary>
public sealed record ReportJobView(Guid Id, string State, double Progress, ReportKind Kind, DateOnly PeriodFrom, DateOnly PeriodTo, long? ReportId, HallError? Error, bool Queued = false);

/// <summary>
/// The reports generated on demand, one running per hall, kind and period across all servers (asking again while it runs
/// answers the same job, whichever server runs it). The server doing the work keeps the job in memory and writes its
/// progress to <c>background_jobs</c>, so a page may follow it on any server; a job whose server stopped reads as failed.
/// Each server draws at most <c>Hall:Reports:MaxRunningPerHall</c> (2) reports of one hall and <c>Hall:Reports:MaxRunning</c>
/// (4) in all at once; more wait their turn, up to <c>Hall:Reports:MaxQueuedPerHall</c> (4) of one hall and
/// <c>Hall:Reports:MaxQueued</c> (16) in all, and beyond that are refused with <c>report_queue_full</c>. A period outside
/// the hall's life (wholly before the year of its first record, or after today) is refused with <c>report_outside_hall_life</c>, an
/// issued bulletin (frozen) with <c>report_issued</c>.
/// </summary>
public sealed class ReportJobs(ReportStore store, Operations.BackgroundJobs table, TimeProvider clock, IHostApplicationLifetime lifetime, Admin.AdminStore audit,
    IDbContextFactory<HallDb> dbFactory, Halls.HallSettings halls, IConfiguration config, ILogger<ReportJobs> log)
{
    public const string TableKind = "report";
    private static readonly TimeSpan KeepFinished = TimeSpan.FromHours(1);

    public static readonly Refusal Failed = new("report_failed", "报表生成失败，请重试", "The report could not be generated; try again.");

    public static readonly Refusal QueueFull = new("report_queue_full", "正在生成的报表过多，请稍后再试", "Too many reports are being generated; try again in a few minutes. Nothing was started.");

    public static readonly Refusal OutsideHallLife = new("report_outside_hall_life", "该期间不在本大厅的使用期内（早于大厅启用当年或晚于今天），没有可统计的数据",
        "The period is outside the hall's life (before the year its records begin, or after today): there is nothing to report.");

    private readonly ConcurrentDictionary<Guid, ReportJob> _jobs = new();

    private readonly int _maxRunning = Math.Max(1, config.GetValue("Hall:Reports:MaxRunning", 4));
    private readonly int _maxRunningPerHall = Math.Max(1, config.GetValue("Hall:Reports:MaxRunningPerHall", 2));
    private readonly int _maxQueued = Math.Max(0, config.GetValue("Hall:Reports:MaxQueued", 16));
    private readonly int _maxQueuedPerHall = Math.Max(0, config.GetValue("Hall:Reports:MaxQueuedPerHall", 4));

    /// <summary>
    /// Jobs this server has taken and not finished (running or waiting), in all and by hall; those drawing now, in all
    /// and by hall; and those waiting, oldest first. All under <see cref="_gate"/>.
    /// </summary>
    private int _pending;
    private readonly Dictionary<int, int> _pendingByHall = [];
    private int _running;
    private readonly Dictionary<int, int> _runningByHall = [];
    private readonly LinkedList<(int HallId, TaskCompletionSource Turn)> _waiting = new();
    private readonly Lock _gate = new();

    /// <summary>
    /// Starts generating the report of <paramref name="kind"/> holding <paramref name="day"/> for the supervisor
    /// <paramref name="by"/>, or answers the one already running: the job's id, or why not (<see cref="QueueFull"/>,
    /// <see cref="OutsideHallLife"/>).
    /// </summary>
    public async Task<(Guid? Id, Refusal? Refusal)> StartAsync(Actor by, ReportKind kind, DateOnly day, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var old in _jobs.Values.Where(j => j.Finished is { } end && now - end > KeepFinished))
        {
            _jobs.TryRemove(old.Id, out _);
        }
        var (first, today) = await LifeAsync(by.HallId, now, ct);
        var start = new DateOnly(first.Year, 1, 1);
        // A day far outside (year 1, year 9999) is refused before any period is worked out from it.
        if (day.DayNumber < start.DayNumber - 7 || day > today)
        {
            return (null, OutsideHallLife);
        }
        var (from, to) = ReportPeriods.Containing(kind, day);
        if (to < start || from > today)
        {
            return (null, OutsideHallLife);
        }
        if (await store.IssuedAsync(by.HallId, kind, day, ct))
        {
            return (null, ReportIssuing.AlreadyIssued);
        }
        // The same report asked again while this server has it: the same job, even when the queue is full.
        if (_jobs.Values.FirstOrDefault(j => j.Finished is null && j.HallId == by.HallId && j.Kind == kind && j.PeriodFrom == from) is { } same)
        {
            return (same.Id, null);
        }
        lock (_gate)
        {
            if (_pending >= _maxRunning + _maxQueued || _pendingByHall.GetValueOrDefault(by.HallId) >= _maxRunningPerHall + _maxQueuedPerHall)
            {
                return (null, QueueFull);
            }
            _pending++;
            _pendingByHall[by.HallId] = _pendingByHall.GetValueOrDefault(by.HallId) + 1;
        }
        var job = new ReportJob(Guid.NewGuid(), by.HallId, kind, from, to, now);
        Guid running;
        try
        {
            running = await table.ClaimAsync(job.Id, job.HallId, TableKind, $"{kind}:{from:yyyy-MM-dd}", job.ToView(), ct);
        }
        catch
        {
            Release(job.HallId);
            throw;
        }
        if (running != job.Id)
        {
            Release(job.HallId);
            return (running, null);
        }
        _jobs[job.Id] = job;
        _ = Task.Run(() => table.RunAsync(job.Id, job.ToView, () => RunAsync(job, by, day, lifetime.ApplicationStopping), lifetime.ApplicationStopping), CancellationToken.None);
        return (job.Id, null);
    }

    /// <summary>
    /// The first business date the hall has any record of (a ticket, a window opened, a device, an audit entry; today
    /// when none), and today, in the hall's time zone.
    /// </summary>
    private async Task<(DateOnly First, DateOnly Today)> LifeAsync(int hallId, DateTimeOffset now, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var zone = (await halls.GetAsync(db, hallId, now, ct)).Zone;
        var today = HallClock.BusinessDate(now, zone);
        var firstTicket = await db.Tickets.Where(t => t.HallId == hallId).MinAsync(t => (DateOnly?)t.BusinessDate, ct);
        var firstAt = new[]
        {
            await db.WindowSessions.Where(w => w.HallId == hallId).MinAsync(w => (DateTimeOffset?)w.OpenedAt, ct),
            await db.Devices.Where(d => d.HallId == hallId).MinAsync(d => (DateTimeOffset?)d.CreatedAt, ct),
            await db.AuditEntries.Where(a => a.HallId == hallId).MinAsync(a => (DateTimeOffset?)a.At, ct),
        }.Where(at => at is not null).Select(at => HallClock.BusinessDate(at!.Value, zone));
        var first = firstAt.Append(firstTicket ?? today).Append(today).Min();
        return (first, today);
    }

    private void Release(int hallId)
    {
        lock (_gate)
        {
            _pending--;
            _pendingByHall[hallId]--;
        }
    }

    private bool MayRun(int hallId) => _running < _maxRunning && _runningByHall.GetValueOrDefault(hallId) < _maxRunningPerHall;

    private void Take(int hallId)
    {
        _running++;
        _runningByHall[hallId] = _runningByHall.GetValueOrDefault(hallId) + 1;
    }

    /// <summary>Completes when the hall's job may draw: at once when there is room, else in its turn.</summary>
    private async Task TurnAsync(int hallId, CancellationToken ct)
    {
        var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        LinkedListNode<(int HallId, TaskCompletionSource Turn)> node;
        lock (_gate)
        {
            if (MayRun(hallId))
            {
                Take(hallId);
                return;
            }
            node = _waiting.AddLast((hallId, turn));
        }
        await using var stopping = ct.Register(() =>
        {
            lock (_gate)
            {
                if (node.List is null)
                {
                    return;
                }
                _waiting.Remove(node);
            }
            turn.TrySetCanceled(ct);
        });
        await turn.Task;
    }

    /// <summary>A job has drawn: the oldest waiting job whose hall has room takes its place.</summary>
    private void EndTurn(int hallId)
    {
        TaskCompletionSource? next = null;
        lock (_gate)
        {
            _running--;
            _runningByHall[hallId]--;
            for (var node = _waiting.First; node is not null; node = node.Next)
            {
                if (MayRun(node.Value.HallId))
                {
                    Take(node.Value.HallId);
                    _waiting.Remove(node);
                    next = node.Value.Turn;
                    break;
                }
            }
        }
        next?.TrySetResult();
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
            { Interrupted: true, View: var view } => view with { State = "failed", Error = Failed.ToError(), Queued = false },
            { View: var view } => view,
        };
    }

    private async Task RunAsync(ReportJob job, Actor by, DateOnly day, CancellationToken ct)
    {
        var drawing = false;
        try
        {
            await TurnAsync(job.HallId, ct);
            drawing = true;
            job.Queued = false;
            var id = await store.ReplaceAsync(job.HallId, job.Kind, day, by.Id, job, ct);
            await audit.RecordAsync(by, "report.generate", $"report:{id}", null, new { Kind = job.Kind.ToString(), job.PeriodFrom, job.PeriodTo }, ct);
            job.Done(id, clock.GetUtcNow());
        }
        catch (ReportIssuedException)
        {
            job.Fail(ReportIssuing.AlreadyIssued, clock.GetUtcNow());
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
        finally
        {
            if (drawing)
            {
                EndTurn(job.HallId);
            }
            Release(job.HallId);
        }
    }
}
