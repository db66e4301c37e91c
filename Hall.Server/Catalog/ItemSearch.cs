using System.Text;
using Hall.Server.Contracts;

namespace Hall.Server.Catalog;

/// <summary>
/// The kiosk search: an item is found by part of its name, its service's name or a synonym, typed in Chinese, in full
/// pinyin, in initials or a mix of them ("社保", "shebao", "sbk", "shebaok", "社保k"). Pure, so the kiosk agent (which
/// links this file) searches offline, and the server tests it against the real catalogue.
/// </summary>
public static class ItemSearch
{
    /// <summary>How a name was matched; lower ranks first.</summary>
    private enum Rank { NameExact, NameStart, NameInside, Service, Synonym }

    /// <summary>The items matching <paramref name="query"/>: exact and prefix name matches first, then other name matches, then matches by service, then by synonym; shorter names first within a rank.</summary>
    public static IReadOnlyList<ServiceItemView> Search(IEnumerable<ServiceItemView> items, string? query, int take = 30)
    {
        ArgumentNullException.ThrowIfNull(items);
        var q = Clean(query);
        if (q.Length == 0)
            return [];
        return [.. items
            .Select(i => (Item: i, Rank: RankOf(i, q)))
            .Where(x => x.Rank is not null)
            .OrderBy(x => x.Rank).ThenBy(x => x.Item.Name.Length).ThenBy(x => x.Item.Code, StringComparer.Ordinal)
            .Take(take)
            .Select(x => x.Item)];
    }

    /// <summary>
    /// Chinese words and characters of the catalogue's own names whose pinyin the letters at the end of <paramref name="query"/>
    /// spell (each character taking its whole syllable or its start): "sb" → 社保, 申报 …; what the on-screen keyboard offers.
    /// Words whose syllables are all typed whole come first, then the most frequent.
    /// </summary>
    public static IReadOnlyList<string> Candidates(IEnumerable<ServiceItemView> items, string? query, int take = 12)
    {
        ArgumentNullException.ThrowIfNull(items);
        var q = Clean(query);
        var start = q.Length;
        while (start > 0 && char.IsAsciiLetterLower(q[start - 1]))
            start--;
        var letters = q[start..];
        if (letters.Length == 0)
            return [];
        var found = new Dictionary<string, (bool Whole, int Count)>(StringComparer.Ordinal);
        foreach (var name in items.SelectMany(NamesOf).Where(n => n.Kind != Rank.Synonym).Select(n => n.Name))
        {
            for (var i = 0; i < name.Text.Length; i++)
            {
                for (var length = 1; length <= MaxWordLength && i + length <= name.Text.Length; length++)
                {
                    if (!IsHanzi(name.Text[i + length - 1]))
                        break;
                    if (Spells(name, i, length, letters, 0) is { } whole)
                    {
                        var word = name.Text.Substring(i, length);
                        var held = found.GetValueOrDefault(word);
                        found[word] = (held.Whole || whole, held.Count + 1);
                    }
                }
            }
        }
        return [.. found
            .OrderByDescending(x => x.Value.Whole).ThenByDescending(x => x.Value.Count).ThenBy(x => x.Key.Length).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Take(take)
            .Select(x => x.Key)];
    }

    private const int MaxWordLength = 4;

    private static string Clean(string? query)
    {
        var text = (query ?? "").Normalize(NormalizationForm.FormKC);
        var clean = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
                clean.Append(char.ToLowerInvariant(c));
        }
        return clean.ToString();
    }

    private static IEnumerable<(SearchName Name, Rank Kind)> NamesOf(ServiceItemView item)
    {
        if (item.SearchNames is not { Count: > 0 } names)
        {
            yield return (Plain(item.Name), Rank.NameStart);
            yield return (Plain(item.ServiceName), Rank.Service);
            yield break;
        }
        for (var i = 0; i < names.Count; i++)
            yield return (names[i], i switch { 0 => Rank.NameStart, 1 => Rank.Service, _ => Rank.Synonym });
    }

    // Without pinyin (an older server): Latin letters and digits as themselves, hanzi matched as typed.
    private static SearchName Plain(string text) =>
        new(text, [.. text.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c).ToString() : "")]);

    private static Rank? RankOf(ServiceItemView item, string q)
    {
        Rank? best = null;
        foreach (var (name, kind) in NamesOf(item))
        {
            var at = Find(name, q);
            if (at is null)
                continue;
            var rank = kind != Rank.NameStart ? kind
                : at == 0 && (string.Equals(name.Text, q, StringComparison.OrdinalIgnoreCase) || SpellsAll(name, q)) ? Rank.NameExact
                : at == 0 ? Rank.NameStart
                : Rank.NameInside;
            if (best is null || rank < best)
                best = rank;
        }
        return best;
    }

    private static bool SpellsAll(SearchName name, string q) =>
        string.Concat(name.Syllables) == q || string.Concat(name.Syllables.Where(s => s.Length > 0).Select(s => s[0])) == q;

    /// <summary>The first character the query's match starts at, or null.</summary>
    private static int? Find(SearchName name, string q)
    {
        for (var i = 0; i < name.Text.Length; i++)
        {
            if (Consumes(name, i, q, 0, first: true))
                return i;
        }
        return null;
    }

    // Whether q[p..] is spelled by the name from character i on: a typed hanzi or letter equal to the character, or the
    // whole syllable of the character or its start; punctuation inside a match is passed over.
    private static bool Consumes(SearchName name, int i, string q, int p, bool first)
    {
        if (p == q.Length)
            return true;
        if (i >= name.Text.Length)
            return false;
        var c = name.Text[i];
        if (char.ToLowerInvariant(c) == q[p] && Consumes(name, i + 1, q, p + 1, first: false))
            return true;
        var syllable = i < name.Syllables.Count ? name.Syllables[i] : "";
        if (syllable.Length == 0)
            return !first && !char.IsLetterOrDigit(c) && Consumes(name, i + 1, q, p, first: false);
        for (var k = Math.Min(syllable.Length, q.Length - p); k > 0; k--)
        {
            if (string.CompareOrdinal(q, p, syllable, 0, k) == 0 && Consumes(name, i + 1, q, p + k, first: false))
                return true;
        }
        return false;
    }

    // Whether the letters from position p are spelled by exactly the characters i..i+length-1, each taking at least its
    // initial: null if not, else whether every syllable was typed whole.
    private static bool? Spells(SearchName name, int i, int length, string letters, int p)
    {
        if (length == 0)
            return p == letters.Length ? true : null;
        var syllable = i < name.Syllables.Count ? name.Syllables[i] : "";
        bool? best = null;
        for (var k = Math.Min(syllable.Length, letters.Length - p); k > 0; k--)
        {
            if (string.CompareOrdinal(letters, p, syllable, 0, k) != 0)
                continue;
            if (Spells(name, i + 1, length - 1, letters, p + k) is { } rest)
            {
                var whole = rest && k == syllable.Length;
                if (whole)
                    return true;
                best = false;
            }
        }
        return best;
    }

    private static bool IsHanzi(char c) => c is >= '\u3400' and <= '\u9FFF';
}
