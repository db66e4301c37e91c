using System.Collections.Concurrent;
using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Bookings;

/// <summary>An item the booking page offers: booking it books its service.</summary>
public sealed record BookableItem(int Id, string Name, string Department, int ServiceId, string ServiceName);

/// <summary>
/// The booking page's item search: the kiosk's own search (<see cref="ItemSearch"/>: Chinese, full pinyin, initials or a
/// mix, and the admin's synonyms) over the items of the services that take bookings. A hall's catalogue is read at most
/// once a minute.
/// </summary>
public sealed class BookingItems(IDbContextFactory<HallDb> dbFactory, BookingService bookings, TimeProvider clock)
{
    public const int MaxQuery = 30;
    public const int Take = 20;
    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(1);

    public static readonly Refusal QueryTooLong = new("invalid_search", $"搜索内容最多 {MaxQuery} 个字", $"A search is at most {MaxQuery} characters.");

    private readonly ConcurrentDictionary<int, (DateTimeOffset At, List<ServiceItemView> Items)> _catalogues = new();

    /// <summary>The bookable items matching <paramref name="query"/>, best first; none for an empty query.</summary>
    public async Task<(List<BookableItem> Items, Refusal? Refusal)> SearchAsync(int hallId, string? query, CancellationToken ct)
    {
        var q = query?.Trim() ?? "";
        if (q.Length > MaxQuery)
        {
            return ([], QueryTooLong);
        }
        if (q.Length == 0)
        {
            return ([], null);
        }
        var bookable = (await bookings.ServicesAsync(hallId, ct)).Select(s => s.Id).ToHashSet();
        if (bookable.Count == 0)
        {
            return ([], null);
        }
        var items = await CatalogueAsync(hallId, ct);
        return ([.. ItemSearch.Search(items.Where(i => bookable.Contains(i.ServiceId)), q, Take)
            .Select(i => new BookableItem(i.Id, i.Name, i.Department, i.ServiceId, i.ServiceName))], null);
    }

    private async Task<List<ServiceItemView>> CatalogueAsync(int hallId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_catalogues.TryGetValue(hallId, out var held) && now - held.At < Keep && now >= held.At)
        {
            return held.Items;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var items = await ServiceItems.ForKioskAsync(db, hallId, ct);
        _catalogues[hallId] = (now, items);
        return items;
    }
}
