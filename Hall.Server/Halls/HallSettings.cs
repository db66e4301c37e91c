using System.Collections.Concurrent;
using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Halls;

/// <summary>
/// The halls' settings (hours, calendar, policy, lists), read by every command: kept for a few seconds so a command does not
/// reload them. An admin's change reaches every server instance within <see cref="Lifetime"/>.
/// </summary>
public sealed class HallSettings
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<int, (HallSite Hall, DateTimeOffset Until)> _cache = new();

    public async Task<HallSite> GetAsync(HallDb db, int hallId, DateTimeOffset now, CancellationToken ct)
    {
        if (_cache.TryGetValue(hallId, out var cached) && cached.Until > now)
        {
            return cached.Hall;
        }
        var hall = await db.Halls.AsNoTracking().Include(h => h.Calendar).FirstAsync(h => h.Id == hallId, ct);
        _cache[hallId] = (hall, now + Lifetime);
        return hall;
    }

    /// <summary>Forget a hall's settings after this server changed them.</summary>
    public void Invalidate(int hallId) => _cache.TryRemove(hallId, out _);
}
