using System.Text.Json;
using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Operations;

/// <summary>
/// A long piece of work a person started (a report, a catalogue import), as every server sees it: the server doing the
/// work writes its progress here, so the page that polls may reach any server. <see cref="Key"/> names what the job works
/// on; one job runs per hall, kind and key (a partial unique index on the running ones).
/// </summary>
public sealed class BackgroundJob
{
    public Guid Id { get; set; }
    public int HallId { get; set; }
    /// <summary><c>report</c> or <c>catalogue_import</c>.</summary>
    public required string Kind { get; set; }
    public required string Key { get; set; }
    /// <summary><c>running</c>, <c>finished</c>, or <c>interrupted</c> (its server stopped beating).</summary>
    public required string State { get; set; }
    /// <summary>The job's last view as its endpoint answers it (JSON).</summary>
    public required string View { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>The running server writes at least every <see cref="BackgroundJobs.Beat"/>; a job silent for <see cref="BackgroundJobs.Silence"/> is dead.</summary>
    public DateTimeOffset HeartbeatAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>What the table knows of one job: its last view, and whether its server is gone while it was running.</summary>
public sealed record JobRecord<TView>(TView View, bool Interrupted);

/// <summary>
/// The <c>background_jobs</c> table: claiming a job (one per hall, kind and key across all servers), its heartbeat with
/// progress, its end, and reading it from any server. A job whose server died is seen as interrupted once its heartbeat is
/// older than <see cref="Silence"/>, and a new one may then be claimed in its place.
/// </summary>
public sealed class BackgroundJobs(IDbContextFactory<HallDb> dbFactory, TimeProvider clock, ILogger<BackgroundJobs> log)
{
    public static readonly TimeSpan Beat = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Silence = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KeepFinished = TimeSpan.FromDays(1);

    public const string Running = "running";
    public const string Finished = "finished";
    public const string Interrupted = "interrupted";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Claims the job <paramref name="id"/> for this server unless the hall already runs one of this kind and key; answers
    /// the id of the job that runs — <paramref name="id"/> when claimed.
    /// </summary>
    public async Task<Guid> ClaimAsync<TView>(Guid id, int hallId, string kind, string key, TView view, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var silentSince = now - Silence;
        var forgetBefore = now - KeepFinished;
        var json = JsonSerializer.Serialize(view, Json);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE background_jobs SET state = {Interrupted}, finished_at = {now}
            WHERE state = {Running} AND hall_id = {hallId} AND kind = {kind} AND heartbeat_at < {silentSince}
            """, ct);
        await db.Database.ExecuteSqlAsync($"DELETE FROM background_jobs WHERE state <> {Running} AND finished_at < {forgetBefore}", ct);
        var claimed = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO background_jobs (id, hall_id, kind, key, state, view, started_at, heartbeat_at)
            VALUES ({id}, {hallId}, {kind}, {key}, {Running}, {json}::jsonb, {now}, {now})
            ON CONFLICT (hall_id, kind, key) WHERE state = 'running' DO NOTHING
            """, ct);
        var running = claimed == 1 ? id : await db.Database.SqlQuery<Guid>($"""
            SELECT id AS "Value" FROM background_jobs WHERE hall_id = {hallId} AND kind = {kind} AND key = {key} AND state = {Running}
            """).SingleAsync(ct);
        await tx.CommitAsync(ct);
        return running;
    }

    /// <summary>
    /// Runs the claimed job's <paramref name="work"/> (which must not throw), writing <paramref name="view"/> every
    /// <see cref="Beat"/> while it runs and once more when it has ended.
    /// </summary>
    public async Task RunAsync<TView>(Guid id, Func<TView> view, Func<Task> work, CancellationToken ct)
    {
        using var beating = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var beats = BeatAsync(id, view, beating.Token);
        try
        {
            await work();
        }
        finally
        {
            await beating.CancelAsync();
            await beats;
        }
        await FinishAsync(id, view(), ct);
    }

    private async Task BeatAsync<TView>(Guid id, Func<TView> view, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Beat, ct);
                try
                {
                    // Only while the table still has it running: a job declared dead stays so.
                    await WriteAsync(id, Running, view(), finished: null, onlyRunning: true, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "Job {Job}: progress not written", id);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The job's end is written whatever the table thought of it meanwhile, retried for a while: a page somewhere waits for it.</summary>
    private async Task FinishAsync<TView>(Guid id, TView view, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(id, Finished, view, clock.GetUtcNow(), onlyRunning: false, ct);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 10)
            {
                log.LogWarning(e, "Job {Job}: end not written, attempt {Attempt}", id, attempt);
                await Task.Delay(Beat, ct);
            }
        }
    }

    /// <summary>The job as the table holds it, when it is of <paramref name="kind"/> and in <paramref name="hallId"/>.</summary>
    public async Task<JobRecord<TView>?> FindAsync<TView>(Guid id, int hallId, string kind, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var job = await db.BackgroundJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id && j.HallId == hallId && j.Kind == kind, ct);
        if (job is null || JsonSerializer.Deserialize<TView>(job.View, Json) is not { } view)
        {
            return null;
        }
        var dead = job.State == Interrupted || (job.State == Running && job.HeartbeatAt < clock.GetUtcNow() - Silence);
        return new JobRecord<TView>(view, dead);
    }

    private async Task WriteAsync<TView>(Guid id, string state, TView view, DateTimeOffset? finished, bool onlyRunning, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(view, Json);
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE background_jobs SET state = {state}, view = {json}::jsonb, heartbeat_at = {now}, finished_at = {finished}
            WHERE id = {id} AND (state = {Running} OR NOT {onlyRunning})
            """, ct);
    }
}
