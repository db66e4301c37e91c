using System.Collections.Concurrent;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Tracking;

/// <summary>
/// Each hall's call order behind the phones' people ahead and estimates (<see cref="CallOrderReader.HallQueueAsync"/>), read
/// at most once per change of the hall's queues and windows, and once a <see cref="Lifetime"/>, per server: hundreds of phones
/// poll every few seconds, and between two changes only the clock moves (the rate of the last hour, the ageing bound), which
/// does not show within a second. A poll that saw a newer change than the kept order reads again; concurrent polls share one
/// read; a failed read is not kept.
/// </summary>
public sealed class QueuePositions(IDbContextFactory<HallDb> dbFactory)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<int, Entry> _cache = new();

    private sealed record Entry(Task<HallQueue> Queue, long Version, DateTimeOffset Until);

    /// <summary>The hall's call order as of <paramref name="version"/> (<see cref="CallOrderReader.VersionCommand"/>) or later.</summary>
    public Task<HallQueue> GetAsync(HallSite hall, long version, DateTimeOffset now, CancellationToken ct)
    {
        while (true)
        {
            if (_cache.TryGetValue(hall.Id, out var cached) && cached.Version >= version && cached.Until > now && !cached.Queue.IsFaulted && !cached.Queue.IsCanceled)
            {
                return cached.Queue.WaitAsync(ct);
            }
            // Started only by the poll whose entry went in; the others loop and share it. It reads at the version asked or later.
            var read = new Task<Task<HallQueue>>(() => ReadAsync(hall, now));
            var entry = new Entry(read.Unwrap(), version, now + Lifetime);
            if (cached is null ? _cache.TryAdd(hall.Id, entry) : _cache.TryUpdate(hall.Id, entry, cached))
            {
                read.Start(TaskScheduler.Default);
                return entry.Queue.WaitAsync(ct);
            }
        }
    }

    // Not cancelled with the poll that started it: the polls sharing it still want it.
    private async Task<HallQueue> ReadAsync(HallSite hall, DateTimeOffset now)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        return await CallOrderReader.HallQueueAsync(db, hall, now, CancellationToken.None);
    }
}
