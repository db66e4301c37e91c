using System.Security.Cryptography;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hall.Server.Media;

/// <summary>
/// The hall's media library: uploads checked by their bytes (H.264 MP4, JPEG, PNG) and stored once by SHA-256 under
/// <c>Hall:MediaFolder</c> (default: the data folder's media/), playlists with schedules, and the displays' proof of play.
/// </summary>
public sealed class MediaLibrary(IDbContextFactory<HallDb> dbFactory, IConfiguration config, IHostEnvironment env, TimeProvider clock)
{
    public const int MaxPlaysPerReport = 500;

    public static readonly Refusal UnsupportedMedia = new("unsupported_media", "只支持 H.264 编码的 MP4 视频和 JPG/PNG 图片", "Only H.264 MP4 videos and JPEG/PNG images are accepted.");
    public static readonly Refusal InvalidPlaylist = new("invalid_playlist", "播放列表内容有误（名称、媒体、日期、星期或时段）", "The playlist is not valid (name, media, dates, days or times).");
    public static readonly Refusal InvalidPlaylistName = InvalidPlaylist with { MessageZh = "名称：请填写名称（最多 100 字）", MessageEn = "Name: give the playlist a name (at most 100 characters)." };
    public static readonly Refusal InvalidPlaylistMedia = InvalidPlaylist with { MessageZh = "媒体：请从媒体库选择 1 至 200 项", MessageEn = "Media: choose 1 to 200 items of the media library." };
    public static readonly Refusal InvalidPlaylistDates = InvalidPlaylist with { MessageZh = "日期：开始日期不能晚于结束日期", MessageEn = "Dates: the first day cannot be after the last." };
    public static readonly Refusal InvalidPlaylistDays = InvalidPlaylist with { MessageZh = "星期：只能选周一至周日", MessageEn = "Days: only Monday to Sunday." };
    public static readonly Refusal InvalidPlaylistTimes = InvalidPlaylist with { MessageZh = "时段：每段写成 09:00-12:00，开始早于结束，多段用空格分开", MessageEn = "Times: each range as 09:00-12:00, start before end, ranges separated by spaces." };
    public static readonly Refusal MediaIsClosedPicture = new("media_in_use", "该图片是下班后大屏显示的静态图片，请先在“叫号语音”中另选图片或改为其他显示方式", "This picture is shown on the screens outside opening hours; choose another picture or display first.");

    /// <summary>The refusal to delete a media item that playlists still show, naming them.</summary>
    public static Refusal MediaInPlaylists(IEnumerable<string> names) => new("media_in_use",
        $"被播放列表{string.Concat(names.Select(n => $"「{n}」"))}使用，请先从列表中移除",
        $"Used by the playlist(s) {string.Join(", ", names.Select(n => $"\"{n}\""))}; remove it from them first.");
    public static readonly Refusal InvalidPlays = new("invalid_plays", "播放记录有误", "The play records are not valid.");

    public string Folder => config["Hall:MediaFolder"] is { Length: > 0 } f ? f
        : Path.Combine(config["Hall:DataFolder"] is { Length: > 0 } d ? d : Path.Combine(env.ContentRootPath, ".hall-data"), "media");

    public string PathOf(MediaItem item) => Path.Combine(Folder, $"{item.Sha256}.{Extension(item.ContentType)}");

    private static string Extension(string contentType) => contentType switch { "video/mp4" => "mp4", "image/png" => "png", _ => "jpg" };

    public async Task<(MediaItem? Item, Refusal? Refusal)> UploadAsync(int hallId, Stream content, string? title, bool legal, int displaySeconds, CancellationToken ct)
    {
        if (TicketRules.CheckText(title, required: true) is { } badTitle)
        {
            return (null, badTitle);
        }
        if (displaySeconds is < 0 or > 3600)
        {
            return (null, Refusal.InvalidCommand);
        }
        Directory.CreateDirectory(Folder);
        var temp = Path.Combine(Folder, $"upload-{Guid.NewGuid():N}.part");
        try
        {
            var (sha, size) = await CopyHashedAsync(content, temp, ct);
            if (await DetectAsync(temp, ct) is not { } detected)
            {
                return (null, UnsupportedMedia);
            }
            var item = new MediaItem
            {
                HallId = hallId,
                Title = title!.Trim(),
                Kind = detected.Kind,
                ContentType = detected.ContentType,
                Size = size,
                Sha256 = sha,
                DisplaySeconds = detected.Kind == MediaKind.Image ? Math.Max(3, displaySeconds == 0 ? 10 : displaySeconds) : 0,
                Legal = legal,
                UploadedAt = clock.GetUtcNow(),
            };
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.MediaItems.Add(item);
            await db.SaveChangesAsync(ct);
            // After the row: a delete of another item with the same bytes keeps the file once this row is there, and
            // one that removed it just before is undone by this move.
            File.Move(temp, PathOf(item), overwrite: true);
            return (item, null);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static async Task<(string Sha256, long Size)> CopyHashedAsync(Stream content, string path, CancellationToken ct)
    {
        await using var file = File.Create(path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await file.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), file.Length);
    }

    public string VoicePackPath(string sha256) => Path.Combine(Folder, $"voice-{sha256}.zip");

    public async Task<DisplaySettings> DisplaySettingsAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await db.Halls.AsNoTracking().SingleAsync(h => h.Id == hallId, ct)).Display;
    }

    /// <summary>The settings as a display takes them: with whether the hall is closed now and the still picture to download.</summary>
    public async Task<DisplaySettingsView> DisplaySettingsForScreenAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hall = await db.Halls.AsNoTracking().Include(h => h.Calendar).SingleAsync(h => h.Id == hallId, ct);
        var settings = hall.Display;
        var image = settings.ClosedShow == "image" && settings.ClosedMediaId is { } id
            ? await db.MediaItems.AsNoTracking().Where(m => m.HallId == hallId && m.Id == id && m.Kind == MediaKind.Image && m.DeletedAt == null)
                .Select(m => new MediaView(m.Id, m.Title, m.Kind, $"/api/media/{m.Id}", m.Sha256, m.Size, m.DisplaySeconds, m.Legal)).FirstOrDefaultAsync(ct)
            : null;
        return settings.ToView() with { ClosedNow = settings.ClosedAt(clock.GetUtcNow(), hall.ToCalendar()), ClosedImage = image };
    }

    public async Task<(DisplaySettings? Settings, Refusal? Refusal)> UpdateDisplaySettingsAsync(int hallId, DisplaySettings.Request request, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hall = await db.Halls.SingleAsync(h => h.Id == hallId, ct);
        var (settings, refusal) = hall.Display.With(request);
        if (settings is null)
        {
            return (null, refusal);
        }
        // The still picture must be an image of this hall's library.
        if (settings.ClosedShow == "image" && !await db.MediaItems.AnyAsync(m => m.HallId == hallId && m.Id == settings.ClosedMediaId && m.Kind == MediaKind.Image && m.DeletedAt == null, ct))
        {
            return (null, DisplaySettings.InvalidClosed);
        }
        hall.Display = settings;
        await db.SaveChangesAsync(ct);
        return (settings, null);
    }

    /// <summary>Checks and stores the hall's recorded voice pack (kept once by SHA-256); a refused pack leaves nothing behind.</summary>
    public async Task<(DisplaySettings? Settings, Refusal? Refusal)> UploadVoicePackAsync(int hallId, Stream content, CancellationToken ct)
    {
        Directory.CreateDirectory(Folder);
        var temp = Path.Combine(Folder, $"upload-{Guid.NewGuid():N}.part");
        try
        {
            var (sha, size) = await CopyHashedAsync(content, temp, ct);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var prefixes = await db.Services.Where(s => s.HallId == hallId).Select(s => s.Prefix).ToListAsync(ct);
            await using (var zip = File.OpenRead(temp))
            {
                if (VoicePack.Check(zip, prefixes).Refusal is { } refusal)
                {
                    return (null, refusal);
                }
            }
            if (!File.Exists(VoicePackPath(sha)))
            {
                File.Move(temp, VoicePackPath(sha));
            }
            var hall = await db.Halls.SingleAsync(h => h.Id == hallId, ct);
            var settings = hall.Display.With(new(null, null, null, null, null)).Settings!;
            settings.VoicePackSha256 = sha;
            settings.VoicePackSize = size;
            settings.VoicePackUploadedAt = clock.GetUtcNow();
            hall.Display = settings;
            await db.SaveChangesAsync(ct);
            return (settings, null);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Reads the file's format from its bytes; for MP4 only the ftyp and moov boxes are read (moov may sit at the end).</summary>
    public static async Task<MediaFormat.Detected?> DetectAsync(string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        var head = new byte[16];
        var got = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        if (MediaFormat.Detect(head.AsSpan(0, got)) is { Kind: MediaKind.Image } image)
        {
            return image;
        }
        // Top-level boxes: keep ftyp and moov, skip the rest (mdat can be gigabytes).
        var kept = new List<byte>();
        var at = 0L;
        var header = new byte[16];
        while (at + 8 <= file.Length)
        {
            file.Position = at;
            await file.ReadExactlyAsync(header.AsMemory(0, 8), ct);
            long size = (uint)(header[0] << 24 | header[1] << 16 | header[2] << 8 | header[3]);
            var type = System.Text.Encoding.ASCII.GetString(header, 4, 4);
            if (size == 1)
            {
                await file.ReadExactlyAsync(header.AsMemory(8, 8), ct);
                size = (long)((ulong)header[8] << 56 | (ulong)header[9] << 48 | (ulong)header[10] << 40 | (ulong)header[11] << 32
                    | (ulong)header[12] << 24 | (ulong)header[13] << 16 | (ulong)header[14] << 8 | header[15]);
            }
            else if (size == 0)
            {
                size = file.Length - at;
            }
            if (size < 8 || at + size > file.Length)
            {
                return null;
            }
            if (at == 0 && type != "ftyp")
            {
                return null;
            }
            if (type is "ftyp" or "moov")
            {
                if (size > 64 * 1024 * 1024)
                {
                    return null;
                }
                var box = new byte[size];
                file.Position = at;
                await file.ReadExactlyAsync(box, ct);
                kept.AddRange(box);
            }
            at += size;
        }
        return MediaFormat.IsH264Mp4(kept.ToArray()) ? new(MediaKind.Video, "video/mp4", "mp4") : null;
    }

    public record PlaylistRequest(string? Name, List<int>? MediaIds, DateOnly? From, DateOnly? To, List<int>? Days, List<string>? Times, int Priority);

    /// <summary>Why the playlist cannot be stored, naming the field; null when it can (its media are checked against the library separately).</summary>
    public static Refusal? CheckPlaylist(PlaylistRequest request) =>
        TicketRules.CheckText(request.Name, required: true) is not null || request.Name!.Trim().Length > 100 ? InvalidPlaylistName
        : (request.MediaIds ?? []).Count is 0 or > 200 ? InvalidPlaylistMedia
        : request.From is { } from && request.To is { } to && from > to ? InvalidPlaylistDates
        : (request.Days ?? []).Any(d => d is < 0 or > 6) ? InvalidPlaylistDays
        : (request.Times ?? []).Any(t => TimeRangeOf(t) is null) ? InvalidPlaylistTimes
        : null;

    public async Task<(Playlist? Playlist, Refusal? Refusal)> CreatePlaylistAsync(int hallId, PlaylistRequest request, CancellationToken ct)
    {
        if (CheckPlaylist(request) is { } refusal)
        {
            return (null, refusal);
        }
        var ids = request.MediaIds!.ToArray();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Shared locks on the chosen media: a delete of one of them waits for this playlist, then sees it and refuses.
        var live = (await db.MediaItems.FromSql($"SELECT * FROM media_items WHERE hall_id = {hallId} AND id = ANY({ids}) FOR SHARE").AsNoTracking().ToListAsync(ct))
            .Where(m => m.DeletedAt is null).Select(m => m.Id).ToHashSet();
        if (!ids.All(live.Contains))
        {
            return (null, InvalidPlaylistMedia);
        }
        var playlist = new Playlist
        {
            HallId = hallId,
            Name = request.Name!.Trim(),
            MediaIds = [.. ids],
            From = request.From,
            To = request.To,
            Days = [.. (request.Days ?? []).Distinct().Order()],
            Times = request.Times ?? [],
            Priority = request.Priority,
        };
        db.Playlists.Add(playlist);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (playlist, null);
    }

    /// <summary>
    /// Deletes a media item of the hall, refused while a playlist shows it or it is the still picture shown outside
    /// opening hours. The row is kept, marked deleted, so the plays the displays reported (and the bulletin made of
    /// them) still name it; the file goes once no item still in the library has the same bytes.
    /// </summary>
    public async Task<(MediaItem? Item, Refusal? Refusal)> DeleteAsync(int hallId, int mediaId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await db.MediaItems.FromSql($"SELECT * FROM media_items WHERE id = {mediaId} AND hall_id = {hallId} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (item is null || item.DeletedAt is not null)
        {
            return (null, Admin.AdminStore.NotFound);
        }
        var playlists = await db.Playlists.AsNoTracking().Where(p => p.HallId == hallId && p.MediaIds.Contains(mediaId)).OrderBy(p => p.Id).Select(p => p.Name).ToListAsync(ct);
        if (playlists.Count > 0)
        {
            return (null, MediaInPlaylists(playlists));
        }
        var display = await db.Halls.AsNoTracking().Where(h => h.Id == hallId).Select(h => h.Display).SingleAsync(ct);
        if (display.ClosedShow == "image" && display.ClosedMediaId == mediaId)
        {
            return (null, MediaIsClosedPicture);
        }
        item.DeletedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        var path = PathOf(item);
        if (!await db.MediaItems.AnyAsync(m => m.Sha256 == item.Sha256 && m.ContentType == item.ContentType && m.DeletedAt == null, ct))
        {
            File.Delete(path);
        }
        return (item, null);
    }

    public static (TimeOnly From, TimeOnly To)? TimeRangeOf(string range)
    {
        var parts = range.Split('-', 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && TimeOnly.TryParseExact(parts[0], "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var from)
            && TimeOnly.TryParseExact(parts[1], "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var to)
            && from < to
                ? (from, to)
                : null;
    }

    public async Task<List<PlaylistView>> PlaylistsAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var playlists = await db.Playlists.AsNoTracking().Where(p => p.HallId == hallId).OrderByDescending(p => p.Priority).ThenBy(p => p.Id).ToListAsync(ct);
        var media = await db.MediaItems.AsNoTracking().Where(m => m.HallId == hallId && m.DeletedAt == null).ToDictionaryAsync(m => m.Id, ct);
        return [.. playlists.Select(p => new PlaylistView(p.Id, p.Name, p.Priority, p.From, p.To, p.Days, p.Times,
            [.. p.MediaIds.Where(media.ContainsKey).Select(id => media[id]).Select(m =>
                new MediaView(m.Id, m.Title, m.Kind, $"/api/media/{m.Id}", m.Sha256, m.Size, m.DisplaySeconds, m.Legal))]))];
    }

    /// <summary>
    /// Stores plays not seen before (by play id). Refuses the whole report when any play is malformed or of another
    /// hall's media. A well-formed play that cannot have happened is refused alone, counted on the device
    /// (<see cref="Devices.Device.RefusedPlays"/>, the supervisor's wall shows it) and not stored: one that overlaps
    /// another play of the same display (in the report or stored), ends in the future (beyond <see cref="ClockSkew"/>)
    /// or began before the device existed. So a display's plays never add up to more than the time it has existed.
    /// </summary>
    public async Task<(int Added, Refusal? Refusal)> ReportPlaysAsync(int hallId, int deviceId, IReadOnlyList<PlayReport?>? reported, CancellationToken ct)
    {
        if (reported is null || reported.Any(p => p is null))
        {
            return (0, Security.ApiErrors.InvalidRequest);
        }
        var plays = reported.Select(p => p!).ToList();
        if (plays.Count is 0 or > MaxPlaysPerReport || plays.Any(p => p.PlayId == Guid.Empty || p.EndedAt < p.StartedAt || p.EndedAt - p.StartedAt > TimeSpan.FromHours(6)))
        {
            return (0, InvalidPlays);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mediaIds = plays.Select(p => p.MediaId).Distinct().ToList();
        if (await db.MediaItems.CountAsync(m => m.HallId == hallId && mediaIds.Contains(m.Id), ct) != mediaIds.Count)
        {
            return (0, InvalidPlays);
        }
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // One report of a display at a time: the overlap check sees what the other stored.
        var created = await db.Devices.FromSql($"SELECT * FROM devices WHERE id = {deviceId} FOR UPDATE").Select(d => d.CreatedAt).SingleAsync(ct);
        var ids = plays.Select(p => p.PlayId).ToList();
        var known = (await db.MediaPlays.Where(p => ids.Contains(p.PlayId)).Select(p => p.PlayId).ToListAsync(ct)).ToHashSet();
        var fresh = plays.DistinctBy(p => p.PlayId).Where(p => !known.Contains(p.PlayId)).OrderBy(p => p.StartedAt).ToList();
        var taken = new List<(DateTimeOffset From, DateTimeOffset To)>();
        if (fresh.Count > 0)
        {
            var from = fresh.Min(p => p.StartedAt);
            var to = fresh.Max(p => p.EndedAt);
            taken.AddRange((await db.MediaPlays.Where(p => p.DeviceId == deviceId && p.StartedAt < to && p.EndedAt > from)
                .Select(p => new { p.StartedAt, p.EndedAt }).ToListAsync(ct)).Select(p => (p.StartedAt, p.EndedAt)));
        }
        var added = 0;
        var refused = 0;
        foreach (var p in fresh)
        {
            if (p.EndedAt > now + ClockSkew || p.StartedAt < created - ClockSkew || taken.Any(t => Overlap(t, (p.StartedAt, p.EndedAt))))
            {
                refused++;
                continue;
            }
            taken.Add((p.StartedAt, p.EndedAt));
            added += await db.Database.ExecuteSqlAsync($"""
                INSERT INTO media_plays (play_id, hall_id, device_id, media_id, started_at, ended_at, completed, received_at)
                VALUES ({p.PlayId}, {hallId}, {deviceId}, {p.MediaId}, {p.StartedAt.ToUniversalTime()}, {p.EndedAt.ToUniversalTime()}, {p.Completed}, {now})
                ON CONFLICT (play_id) DO NOTHING
                """, ct);
        }
        if (refused > 0)
        {
            await db.Devices.Where(d => d.Id == deviceId).ExecuteUpdateAsync(s => s.SetProperty(d => d.RefusedPlays, d => d.RefusedPlays + refused), ct);
        }
        await tx.CommitAsync(ct);
        return (added, null);
    }

    /// <summary>How far a display's clock may run ahead of the server's (or a play begin before its pairing) and still count.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    /// <summary>Two plays of one screen overlap when they share more than a second (the page's timestamps are rounded).</summary>
    private static bool Overlap((DateTimeOffset From, DateTimeOffset To) a, (DateTimeOffset From, DateTimeOffset To) b) =>
        a.From < b.To - OverlapTolerance && b.From < a.To - OverlapTolerance;

    private static readonly TimeSpan OverlapTolerance = TimeSpan.FromSeconds(1);
}
