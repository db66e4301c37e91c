using Hall.Server.Contracts;

namespace Hall.Display.Media;

/// <summary>Which playlist plays at a given local time: the highest priority whose dates, days and times all apply (ties: the lower id).</summary>
public static class PlaylistSchedule
{
    public static PlaylistView? Active(IEnumerable<PlaylistView> playlists, DateTime localNow)
    {
        var date = DateOnly.FromDateTime(localNow);
        var time = TimeOnly.FromDateTime(localNow);
        return playlists
            .Where(p => (p.From is null || p.From <= date) && (p.To is null || date <= p.To))
            .Where(p => p.Days.Count == 0 || p.Days.Contains((int)localNow.DayOfWeek))
            .Where(p => p.Times.Count == 0 || p.Times.Any(t => InRange(t, time)))
            .OrderByDescending(p => p.Priority).ThenBy(p => p.Id)
            .FirstOrDefault();
    }

    private static bool InRange(string range, TimeOnly time)
    {
        var parts = range.Split('-', 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && TimeOnly.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var from)
            && TimeOnly.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var to)
            && time >= from && time < to;
    }
}
