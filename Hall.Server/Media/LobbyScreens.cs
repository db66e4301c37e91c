using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Media;

/// <summary>
/// The admin's changes to what the lobby screens show and say — notice line, voice settings and pack, media,
/// playlists — for the HTTP endpoints and the admin page alike: checked, stored, written to the audit log, pushed to
/// the hall's screens.
/// </summary>
public sealed class LobbyScreens(IDbContextFactory<HallDb> dbFactory, HallSettings halls, MediaLibrary library, AdminStore audit, IHubContext<HallHub, IHallClient> hub)
{
    public const int MaxNoticeLineLength = 200;

    public static readonly Refusal InvalidNoticeLine = Refusal.TextTooLong with
    {
        Code = "invalid_notice_line",
        MessageZh = "滚动字幕最多 200 字，且不能含控制字符",
        MessageEn = "The notice line is at most 200 characters, without control characters.",
    };

    private static Refusal? AdminOnly(Actor actor) => actor.StaffRole == StaffRole.Admin ? null : Refusal.Forbidden;

    private IHallClient Screens(Actor actor) => hub.Clients.Group(HubGroups.Hall(actor.HallId));

    public async Task<(string? Text, Refusal? Refusal)> SetNoticeLineAsync(Actor actor, string? requested, CancellationToken ct)
    {
        if (AdminOnly(actor) is { } forbidden)
        {
            return (null, forbidden);
        }
        var text = string.IsNullOrWhiteSpace(requested) ? null : requested.Trim();
        if (!Security.FreeText.IsClean(text))
        {
            return (null, Refusal.InvalidText);
        }
        if (text is { Length: > MaxNoticeLineLength })
        {
            return (null, InvalidNoticeLine);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var before = await db.Halls.Where(h => h.Id == actor.HallId).Select(h => h.NoticeLine).SingleAsync(ct);
        await db.Halls.Where(h => h.Id == actor.HallId).ExecuteUpdateAsync(s => s.SetProperty(h => h.NoticeLine, text), ct);
        halls.Invalidate(actor.HallId);
        await audit.RecordAsync(actor, "notice_line.set", $"hall:{actor.HallId}", new { text = before }, new { text }, ct);
        await Screens(actor).NoticeLineChanged(new NoticeLineMessage(text));
        return (text, null);
    }

    public async Task<(DisplaySettings? Settings, Refusal? Refusal)> SetVoiceAsync(Actor actor, DisplaySettings.Request request, CancellationToken ct)
    {
        if (AdminOnly(actor) is { } forbidden)
        {
            return (null, forbidden);
        }
        var before = (await library.DisplaySettingsAsync(actor.HallId, ct)).ToView();
        var (settings, refusal) = await library.UpdateDisplaySettingsAsync(actor.HallId, request, ct);
        if (settings is null)
        {
            return (null, refusal);
        }
        await audit.RecordAsync(actor, "display_settings.set", $"hall:{actor.HallId}", before, settings.ToView(), ct);
        await Screens(actor).DisplaySettingsChanged(settings.ToView());
        return (settings, null);
    }

    public async Task<(DisplaySettings? Settings, Refusal? Refusal)> UploadVoicePackAsync(Actor actor, Stream zip, CancellationToken ct)
    {
        if (AdminOnly(actor) is { } forbidden)
        {
            return (null, forbidden);
        }
        var (settings, refusal) = await library.UploadVoicePackAsync(actor.HallId, zip, ct);
        if (settings is null)
        {
            return (null, refusal);
        }
        await audit.RecordAsync(actor, "voice_pack.upload", $"hall:{actor.HallId}", null, new { settings.VoicePackSha256, settings.VoicePackSize }, ct);
        await Screens(actor).DisplaySettingsChanged(settings.ToView());
        return (settings, null);
    }

    public async Task<(MediaItem? Item, Refusal? Refusal)> UploadMediaAsync(Actor actor, Stream content, string? title, bool legal, int seconds, CancellationToken ct)
    {
        if (AdminOnly(actor) is { } forbidden)
        {
            return (null, forbidden);
        }
        var (item, refusal) = await library.UploadAsync(actor.HallId, content, title, legal, seconds, ct);
        if (item is not null)
        {
            await audit.RecordAsync(actor, "media.upload", $"media:{item.Id}", null, new { item.Id, item.Title, Kind = item.Kind.ToString(), item.Sha256, item.Size, item.DisplaySeconds, item.Legal }, ct);
        }
        return (item, refusal);
    }

    /// <summary>Deletes a media item no playlist shows (its plays stay in the reports); the screens read their playlists again.</summary>
    public async Task<Refusal?> DeleteMediaAsync(Actor actor, int mediaId, CancellationToken ct)
    {
        if (AdminOnly(actor) is { } forbidden)
        {
            return forbidden;
        }
        var (item, refusal) = await library.DeleteAsync(actor.HallId, mediaId, ct);
        if (item is null)
        {
            return refusal;
        }
        await audit.RecordAsync(actor, "media.delete", $"media:{item.Id}", new { item.Id, item.Title, Kind = item.Kind.ToString(), item.Sha256, item.Size, item.DisplaySeconds, item.Legal }, null, ct);
        await Screens(actor).PlaylistsChanged();
        return null;
    }

    public async Task<(Playlist? Playlist, Refusal? Refusal)> CreatePlaylistAsync(Actor actor, MediaLibrary.PlaylistRequest request, CancellationToken ct)
    {
        if (AdminOnly(actor) is { } forbidden)
        {
            return (null, forbidden);
        }
        var (playlist, refusal) = await library.CreatePlaylistAsync(actor.HallId, request, ct);
        if (playlist is not null)
        {
            await audit.RecordAsync(actor, "playlist.create", $"playlist:{playlist.Id}", null, request, ct);
            await Screens(actor).PlaylistsChanged();
        }
        return (playlist, refusal);
    }

    public async Task<Refusal?> DeletePlaylistAsync(Actor actor, int playlistId, CancellationToken ct)
    {
        if (AdminOnly(actor) is { } forbidden)
        {
            return forbidden;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var playlist = await db.Playlists.FirstOrDefaultAsync(p => p.Id == playlistId && p.HallId == actor.HallId, ct);
        if (playlist is null)
        {
            return AdminStore.NotFound;
        }
        db.Playlists.Remove(playlist);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(actor, "playlist.delete", $"playlist:{playlistId}", new { playlist.Name, playlist.MediaIds, playlist.From, playlist.To, playlist.Days, playlist.Times, playlist.Priority }, null, ct);
        await Screens(actor).PlaylistsChanged();
        return null;
    }
}
