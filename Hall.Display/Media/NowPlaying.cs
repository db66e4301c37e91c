using Hall.Display.Agent;
using Hall.Server.Contracts;
using Microsoft.Extensions.Options;

namespace Hall.Display.Media;

/// <summary>What the screen plays now: the scheduled playlist at the hall's local time, only the items already in the cache.</summary>
public sealed class NowPlaying(MediaCache cache, IOptions<DisplayOptions> options, TimeProvider clock)
{
    public PlaylistView? Playlist()
    {
        var local = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone)).DateTime;
        return PlaylistSchedule.Active(cache.Playlists, local);
    }

    public IReadOnlyList<MediaView> Items() => [.. (Playlist()?.Items ?? []).Where(cache.Has)];
}
