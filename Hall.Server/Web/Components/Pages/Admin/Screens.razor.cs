using System.Globalization;
using Hall.Server.Contracts;
using Hall.Server.Media;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace Hall.Server.Web.Components.Pages.Admin;

/// <summary>The admin's page for the lobby screens: notice line, call voice and recorded pack, the 普法 media library with uploads showing their progress, and the playlists.</summary>
public sealed partial class Screens : IDisposable
{
    [Inject]
    private LobbyScreens Lobby { get; set; } = null!;

    [Inject]
    private MediaLibrary Library { get; set; } = null!;

    [Inject]
    private Microsoft.EntityFrameworkCore.IDbContextFactory<Data.HallDb> Db { get; set; } = null!;

    private readonly CancellationTokenSource _gone = new();
    private string? _notice;
    private string _source = "";
    private string? _template;
    private int? _repeat;
    private double? _volume;
    private string? _quiet;
    private string? _packSha;
    private string _closedShow = "";
    private int? _closedMediaId;
    private int? _closedLead;
    private bool _bilingual;
    private string? _title;
    private int _seconds = 10;
    private bool _legal = true;
    private int? _progress;
    private List<MediaItem> _media = [];
    private List<PlaylistView> _playlists = [];
    private string? _plName;
    private List<int> _plMedia = [];
    private DateTime? _plFrom;
    private DateTime? _plTo;
    private List<int> _plDays = [];
    private MediaItem? _preview;
    private string? _plTimes;
    private int _plPriority;

    protected override async Task LoadAsync()
    {
        await using var db = await Db.CreateDbContextAsync(_gone.Token);
        _notice = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Halls.Where(h => h.Id == Actor.HallId).Select(h => h.NoticeLine), _gone.Token);
        var s = await Library.DisplaySettingsAsync(Actor.HallId, _gone.Token);
        (_source, _template, _repeat, _volume, _quiet, _packSha) = (s.VoiceSource ?? "", s.Template, s.Repeat, s.Volume, s.QuietHours is null ? null : string.Join("\n", s.QuietHours), s.VoicePackSha256);
        (_closedShow, _closedMediaId, _closedLead, _bilingual) = (s.ClosedShow ?? "", s.ClosedMediaId, s.ClosedLeadMinutes, s.Bilingual == true);
        _media = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.MediaItems.Where(m => m.HallId == Actor.HallId && m.DeletedAt == null).OrderByDescending(m => m.Id), _gone.Token);
        _playlists = await Library.PlaylistsAsync(Actor.HallId, _gone.Token);
    }

    private async Task SaveNoticeAsync() => await ReportAsync((await Lobby.SetNoticeLineAsync(Actor, _notice, _gone.Token)).Refusal, L.T("已发布到大屏", "Published"));

    private async Task SaveVoiceAsync()
    {
        var quiet = _quiet is null ? null : _quiet.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var request = new DisplaySettings.Request(_source.Length == 0 ? null : _source, string.IsNullOrWhiteSpace(_template) ? null : _template, _repeat, _volume, quiet,
            _closedShow, _closedMediaId, _closedLead, _bilingual);
        await ReportAsync((await Lobby.SetVoiceAsync(Actor, request, _gone.Token)).Refusal, L.T("已保存，大屏随即生效", "Saved; the screens follow at once"));
    }

    private async Task UploadPackAsync(InputFileChangeEventArgs e)
    {
        await using var stream = e.File.OpenReadStream(VoicePack.MaxBytes, _gone.Token);
        await ReportAsync((await Lobby.UploadVoicePackAsync(Actor, stream, _gone.Token)).Refusal, L.T("语音包已上传，大屏随即下载", "Pack uploaded; the screens fetch it at once"));
    }

    private async Task UploadMediaAsync(InputFileChangeEventArgs e)
    {
        _progress = 0;
        var size = Math.Max(1, e.File.Size);
        await using var stream = new CountingStream(e.File.OpenReadStream(2048L * 1024 * 1024, _gone.Token));
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var upload = Lobby.UploadMediaAsync(Actor, stream, string.IsNullOrWhiteSpace(_title) ? Path.GetFileNameWithoutExtension(e.File.Name) : _title, _legal, _seconds, _gone.Token);
        while (!upload.IsCompleted && await timer.WaitForNextTickAsync(_gone.Token))
        {
            _progress = (int)(stream.BytesRead * 100 / size);
            StateHasChanged();
        }
        var (item, refusal) = await upload;
        _progress = null;
        _title = null;
        await ReportAsync(refusal, L.T($"已上传：{item?.Title}", $"Uploaded: {item?.Title}"));
    }

    /// <summary>The admin's own address for the file (also for a township site they run): the displays' one takes a device key.</summary>
    private static string UrlOf(MediaItem m) => $"/api/admin/media/{m.Id}";

    private async Task DeleteMediaAsync(MediaItem m)
    {
        var refusal = await Lobby.DeleteMediaAsync(Actor, m.Id, _gone.Token);
        if (refusal is null && _preview?.Id == m.Id)
        {
            _preview = null;
        }
        _plMedia.Remove(m.Id);
        await ReportAsync(refusal, L.T($"已删除：{m.Title}", $"Deleted: {m.Title}"));
    }

    private void AddMedia(object? value)
    {
        if (int.TryParse(value?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 && !_plMedia.Contains(id))
        {
            _plMedia.Add(id);
        }
    }

    private void Move(int rank, int by)
    {
        var to = rank + by;
        if (to >= 0 && to < _plMedia.Count)
        {
            (_plMedia[rank], _plMedia[to]) = (_plMedia[to], _plMedia[rank]);
        }
    }

    private void ToggleDay(int day, bool on)
    {
        _plDays.Remove(day);
        if (on)
        {
            _plDays.Add(day);
        }
    }

    private async Task CreatePlaylistAsync()
    {
        var request = new MediaLibrary.PlaylistRequest(_plName, [.. _plMedia], _plFrom is { } f ? DateOnly.FromDateTime(f) : null, _plTo is { } t ? DateOnly.FromDateTime(t) : null,
            [.. _plDays], [.. (_plTimes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)], _plPriority);
        var (playlist, refusal) = await Lobby.CreatePlaylistAsync(Actor, request, _gone.Token);
        if (playlist is not null)
        {
            (_plName, _plMedia, _plFrom, _plTo, _plDays, _plTimes, _plPriority) = (null, [], null, null, [], null, 0);
        }
        await ReportAsync(refusal, L.T($"已新建播放列表：{playlist?.Name}", $"Playlist created: {playlist?.Name}"));
    }

    private async Task DeletePlaylistAsync(int id) => await ReportAsync(await Lobby.DeletePlaylistAsync(Actor, id, _gone.Token), L.T("已删除播放列表", "Playlist deleted"));

    public void Dispose()
    {
        _gone.Cancel();
        _gone.Dispose();
    }
}
