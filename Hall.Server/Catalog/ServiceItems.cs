using Hall.Server.Contracts;
using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Catalog;

/// <summary>Reads of the service-item catalogue.</summary>
public static class ServiceItems
{
    /// <summary>
    /// The items of a hall whose service is active, as the kiosk searches them: each with its name, its service's name
    /// and the admin's search synonyms that lead to it, in pinyin.
    /// </summary>
    public static async Task<List<ServiceItemView>> ForKioskAsync(HallDb db, int hallId, CancellationToken ct)
    {
        var items = await ItemsAsync(db, hallId, activeOnly: true, ct);
        var synonyms = await SynonymStore.WordsForAsync(db, hallId, ct);
        var names = new Dictionary<string, SearchName>(StringComparer.Ordinal);
        SearchName NameOf(string text) => names.TryGetValue(text, out var found) ? found : names[text] = SearchNameOf(text);
        return [.. items.Select(i => i with { SearchNames = [NameOf(i.Name), NameOf(i.ServiceName), .. synonyms(i.Code, i.ServiceId).Select(NameOf)] })];
    }

    /// <summary>Every item of a hall, also of services not in use, with its name and its service's name in pinyin: what the admin picks from.</summary>
    public static async Task<List<ServiceItemView>> ForAdminAsync(HallDb db, int hallId, CancellationToken ct)
    {
        var items = await ItemsAsync(db, hallId, activeOnly: false, ct);
        return [.. items.Select(i => i with { SearchNames = [SearchNameOf(i.Name), SearchNameOf(i.ServiceName)] })];
    }

    private static Task<List<ServiceItemView>> ItemsAsync(HallDb db, int hallId, bool activeOnly, CancellationToken ct) =>
        (from i in db.ServiceItems.AsNoTracking()
         join s in db.Services on i.ServiceId equals s.Id
         where i.HallId == hallId && (s.Active || !activeOnly)
         orderby i.Code
         select new ServiceItemView(i.Id, i.Code, i.Name, i.Initials, i.Department, s.Id, s.Name, i.Materials, null))
        .ToListAsync(ct);

    /// <summary>A name with the pinyin of each of its characters.</summary>
    public static SearchName SearchNameOf(string text)
    {
        var normalized = PinyinSyllables.Normalize(text);
        return new SearchName(normalized, PinyinSyllables.Of(normalized));
    }
}
