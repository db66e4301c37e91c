using System.Globalization;
using Hall.Server.Web;

namespace Hall.Server.Media;

/// <summary>A playlist's schedule as the admin reads it: 周一至周五, 周一、周三, 每天; dates as 2026-12-03, 不限 when open.</summary>
public static class PlaylistText
{
    /// <summary>The days in the order the week is read here: Monday first, Sunday last (as stored: 0 = Sunday … 6 = Saturday).</summary>
    public static readonly IReadOnlyList<int> Week = [1, 2, 3, 4, 5, 6, 0];

    private static readonly string[] Zh = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];
    private static readonly string[] En = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    public static string DayName(int day, Lang l) => l.T(Zh[day], En[day]);

    /// <summary>Runs of three or more days in a row as 周一至周五, the rest by name: 周一、周三; none or all seven are 每天.</summary>
    public static string Days(IEnumerable<int> days, Lang l)
    {
        var ranks = days.Where(d => d is >= 0 and <= 6).Distinct().Select(d => (d + 6) % 7).Order().ToList();
        if (ranks.Count is 0 or 7)
        {
            return l.T("每天", "Every day");
        }
        var parts = new List<string>();
        for (var i = 0; i < ranks.Count;)
        {
            var j = i;
            while (j + 1 < ranks.Count && ranks[j + 1] == ranks[j] + 1)
            {
                j++;
            }
            string Name(int rank) => DayName(Week[rank], l);
            if (j - i >= 2)
            {
                parts.Add(l.T($"{Name(ranks[i])}至{Name(ranks[j])}", $"{Name(ranks[i])}–{Name(ranks[j])}"));
            }
            else
            {
                parts.AddRange(ranks[i..(j + 1)].Select(Name));
            }
            i = j + 1;
        }
        return string.Join(l.T("、", ", "), parts);
    }

    public static string Date(DateOnly? date, Lang l) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? l.T("不限", "open");

    /// <summary>2026-12-01 – 2026-12-07; 不限 for an open end, and once when both are open.</summary>
    public static string Dates(DateOnly? from, DateOnly? to, Lang l) =>
        from is null && to is null ? Date(null, l) : $"{Date(from, l)} – {Date(to, l)}";

    public static string Times(IEnumerable<string> times, Lang l) => string.Join(" ", times) is { Length: > 0 } t ? t : l.T("全天", "all day");
}
