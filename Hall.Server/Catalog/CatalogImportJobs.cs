using System.Collections.Concurrent;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Catalog;

/// <summary>One catalogue import running in the background: the admin's page polls it for progress and the result.</summary>
public sealed class CatalogImportJob(Guid id, int hallId, DateTimeOffset started) : IProgress<int>
{
    private int _processed;
    private int _total;

    public Guid Id { get; } = id;
    public int HallId { get; } = hallId;
    public DateTimeOffset Started { get; } = started;
    public DateTimeOffset? Finished { get; private set; }

    /// <summary>"running", then "done" or "refused" (nothing imported).</summary>
    public string State { get; private set; } = "running";

    public int Processed => Volatile.Read(ref _processed);
    public int Total => Volatile.Read(ref _total);
    public ImportReport? Report { get; private set; }
    public Refusal? Error { get; private set; }

    void IProgress<int>.Report(int value) => Volatile.Write(ref _processed, value);

    internal void Begin(int total) => Volatile.Write(ref _total, total);

    internal void Done(ImportReport report, DateTimeOffset now)
    {
        Report = report;
        Finished = now;
        State = "done";
    }

    internal void Refuse(Refusal error, DateTimeOffset now)
    {
        Error = error;
        // The transaction was rolled back: no row counts as done.
        Volatile.Write(ref _processed, 0);
        Finished = now;
        State = "refused";
    }

    public CatalogImportView ToView() => new(
        Id, State, Processed, Total, Report?.Added ?? 0, Report?.Updated ?? 0, Report?.Unchanged ?? 0, Report?.Rejected ?? [], Error?.ToError());
}

/// <summary>What <c>GET /api/admin/catalogue/import/{id}</c> answers: the job's state, its progress and, once done, its counts and rejected rows.</summary>
public sealed record CatalogImportView(Guid Id, string State, int Processed, int Total, int Added, int Updated, int Unchanged, IReadOnlyList<ImportRejection> Rejected, HallError? Error);

/// <summary>
/// The catalogue imports: one running per hall across all servers. The server doing the work keeps the job in memory and
/// writes its progress to <c>background_jobs</c>, so the admin may poll any server; an import whose server stopped reads
/// as refused (it was never committed). Finished jobs are forgotten from memory an hour after they end.
/// </summary>
public sealed class CatalogImportJobs(IDbContextFactory<HallDb> dbFactory, Operations.BackgroundJobs table, TimeProvider clock, IHostApplicationLifetime lifetime, Admin.AdminStore audit,
    Microsoft.AspNetCore.SignalR.IHubContext<Hub.HallHub, Contracts.IHallClient> hub, ILogger<CatalogImportJobs> log)
{
    public const string TableKind = "catalogue_import";

    /// <summary>Items listed in the audit entry of an import (the first changed, before and after): the entry is a summary, never the file.</summary>
    public const int MaxAuditedItems = 50;
    private static readonly TimeSpan KeepFinished = TimeSpan.FromHours(1);

    public static readonly Refusal AlreadyRunning = new("catalogue_import_running", "本大厅已有一个事项清单正在导入，请等它完成", "An import of this hall's catalogue is already running; wait for it to finish.");

    public static readonly Refusal Interrupted = new("catalogue_import_failed", "导入未完成，事项清单没有任何改动，请重试", "The import did not complete and the catalogue is unchanged; try again.");

    private readonly ConcurrentDictionary<Guid, CatalogImportJob> _jobs = new();

    /// <summary>Starts importing the file for the admin <paramref name="by"/> (recorded in the audit log with every item it adds or changes); null when the hall already has an import running.</summary>
    public async Task<CatalogImportJob?> StartAsync(Queue.Actor by, byte[] bytes, CatalogFileKind kind, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var old in _jobs.Values.Where(j => j.Finished is { } end && now - end > KeepFinished))
        {
            _jobs.TryRemove(old.Id, out _);
        }
        var job = new CatalogImportJob(Guid.NewGuid(), by.HallId, now);
        if (await table.ClaimAsync(job.Id, job.HallId, TableKind, "", job.ToView(), ct) != job.Id)
        {
            return null;
        }
        _jobs[job.Id] = job;
        _ = Task.Run(() => table.RunAsync(job.Id, job.ToView, () => RunAsync(job, by, bytes, kind, lifetime.ApplicationStopping), lifetime.ApplicationStopping), CancellationToken.None);
        return job;
    }

    /// <summary>The import of <paramref name="hallId"/> as it stands, from this server's memory or from the table; null when there is none.</summary>
    public async Task<CatalogImportView?> ViewAsync(Guid id, int hallId, CancellationToken ct)
    {
        if (_jobs.TryGetValue(id, out var local))
        {
            return local.HallId == hallId ? local.ToView() : null;
        }
        return await table.FindAsync<CatalogImportView>(id, hallId, TableKind, ct) switch
        {
            null => null,
            { Interrupted: true, View: var view } => view with { State = "refused", Processed = 0, Error = Interrupted.ToError() },
            { View: var view } => view,
        };
    }

    private async Task RunAsync(CatalogImportJob job, Queue.Actor by, byte[] bytes, CatalogFileKind kind, CancellationToken ct)
    {
        try
        {
            var (table, refusal) = CatalogFile.Read(bytes, kind);
            if (table is null)
            {
                job.Refuse(refusal!, clock.GetUtcNow());
                return;
            }
            job.Begin(table.Rows.Count);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var file = new { Kind = kind.ToString(), Bytes = bytes.Length, Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)) };
            var report = await CatalogImport.ApplyAsync(db, job.HallId, table, job, ct, (db, r, before, after) => db.AuditEntries.Add(audit.EntryFor(by, "catalogue.import", "catalogue",
                before.Count == 0 ? null : new { Items = before.Take(MaxAuditedItems), ItemsNotListed = Math.Max(0, before.Count - MaxAuditedItems) },
                new { file.Kind, file.Bytes, file.Sha256, r.Total, r.Added, r.Updated, r.Unchanged, Rejected = r.Rejected.Count, Items = after.Take(MaxAuditedItems), ItemsNotListed = Math.Max(0, after.Count - MaxAuditedItems) })));
            job.Done(report, clock.GetUtcNow());
            if (report.Added + report.Updated > 0)
            {
                await hub.Clients.Group(Hub.HubGroups.Hall(job.HallId)).ServiceItemsChanged();
            }
            log.LogInformation("Catalogue import {Job} of hall {Hall}: {Added} added, {Updated} updated, {Unchanged} unchanged, {Rejected} rejected", job.Id, job.HallId, report.Added, report.Updated, report.Unchanged, report.Rejected.Count);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Catalogue import {Job} of hall {Hall} failed", job.Id, job.HallId);
            job.Refuse(Interrupted, clock.GetUtcNow());
        }
    }
}
