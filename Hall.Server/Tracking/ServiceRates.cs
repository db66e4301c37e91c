using System.Collections.Concurrent;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Tracking;

/// <summary>
/// The take-up rate of each service behind the phones' wait estimates, read at most once a <see cref="Lifetime"/> per
/// service and server: hundreds of phones of one service poll every few seconds, and the rate of the last hour does not
/// move visibly within a second. Only the estimate comes from here; the ticket itself and the people ahead of it are
/// read on every poll. Concurrent polls of an expired service share one read; a failed read is not kept.
/// </summary>
public sealed class ServiceRates(IDbContextFactory<HallDb> dbFactory)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<int, Entry> _cache = new();

    private sealed record Entry(Task<QueueRate?> Rate, DateTimeOffset Until);

    /// <summary>The service's rate, or null when it is not an active service of <paramref name="hall"/>.</summary>
    public Task<QueueRate?> GetAsync(HallSite hall, int serviceId, DateTimeOffset now, CancellationToken ct)
    {
        while (true)
        {
            if (_cache.TryGetValue(serviceId, out var cached) && cached.Until > now && !cached.Rate.IsFaulted && !cached.Rate.IsCanceled)
            {
                return cached.Rate.WaitAsync(ct);
            }
            // Started only by the poll whose entry went in; the others loop and share it.
            var read = new Task<Task<QueueRate?>>(() => ReadAsync(hall, serviceId, now));
            var entry = new Entry(read.Unwrap(), now + Lifetime);
            if (cached is null ? _cache.TryAdd(serviceId, entry) : _cache.TryUpdate(serviceId, entry, cached))
            {
                read.Start(TaskScheduler.Default);
                return entry.Rate.WaitAsync(ct);
            }
        }
    }

    // Not cancelled with the poll that started it: the polls sharing it still want it.
    private async Task<QueueRate?> ReadAsync(HallSite hall, int serviceId, DateTimeOffset now)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        var services = await HallStateReader.ServiceStatesAsync(db, hall, [serviceId], now, CancellationToken.None);
        return services.Count == 1 ? services[0].Rate : null;
    }
}
