using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Hall.Display.Agent;
using Hall.Server.Contracts;
using Microsoft.Extensions.Options;

namespace Hall.Display.Media;

/// <summary>
/// The display's local copy of the media its playlists need: downloaded with the device key, resumed with a Range
/// request after a break, verified against the server's SHA-256 (a corrupted file is thrown away and fetched again),
/// bounded in size by evicting files no playlist uses. The playlists themselves are kept on disk too, so the screen
/// keeps playing when the server is unreachable — even after a restart.
/// </summary>
public sealed class MediaCache(IOptions<DisplayOptions> options, IHostEnvironment env, ILogger<MediaCache> log)
{
    private readonly Lock _lock = new();
    private List<PlaylistView> _playlists = [];

    public string Folder => Path.GetFullPath(string.IsNullOrWhiteSpace(options.Value.MediaCacheFolder)
        ? Path.Combine(env.ContentRootPath, "media-cache") : options.Value.MediaCacheFolder, env.ContentRootPath);

    private string PlaylistsFile => Path.Combine(Folder, "playlists.json");

    public static string FileName(MediaView m) => $"{m.Sha256}.{(m.Kind == MediaKind.Video ? "mp4" : "img")}";

    public bool Has(MediaView m) => File.Exists(Path.Combine(Folder, FileName(m)));

    public IReadOnlyList<PlaylistView> Playlists
    {
        get
        {
            lock (_lock)
            {
                if (_playlists.Count == 0 && File.Exists(PlaylistsFile))
                {
                    _playlists = JsonSerializer.Deserialize<List<PlaylistView>>(File.ReadAllText(PlaylistsFile)) ?? [];
                }
                return _playlists;
            }
        }
    }

    /// <summary>Keeps the server's playlists, fetches what is missing, then evicts what no playlist uses when over the bound.</summary>
    public async Task SyncAsync(List<PlaylistView> playlists, HttpClient server, CancellationToken ct)
    {
        Directory.CreateDirectory(Folder);
        lock (_lock)
        {
            _playlists = playlists;
        }
        await File.WriteAllTextAsync(PlaylistsFile, JsonSerializer.Serialize(playlists), ct);
        foreach (var media in playlists.SelectMany(p => p.Items).DistinctBy(m => m.Sha256))
        {
            if (!Has(media))
            {
                await DownloadAsync(media, server, ct);
            }
        }
        Evict(playlists);
    }

    /// <summary>Downloads one item into the cache, resuming a partial file; true when the file is there and verified.</summary>
    public async Task<bool> DownloadAsync(MediaView media, HttpClient server, CancellationToken ct)
    {
        Directory.CreateDirectory(Folder);
        var part = Path.Combine(Folder, FileName(media) + ".part");
        try
        {
            var have = File.Exists(part) ? new FileInfo(part).Length : 0;
            if (have < media.Size)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, media.Url);
                if (have > 0)
                {
                    request.Headers.Range = new RangeHeaderValue(have, null);
                }
                using var response = await server.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                response.EnsureSuccessStatusCode();
                var append = have > 0 && response.StatusCode == System.Net.HttpStatusCode.PartialContent;
                await using var file = new FileStream(part, append ? FileMode.Append : FileMode.Create);
                await response.Content.CopyToAsync(file, ct);
            }
            await using (var check = File.OpenRead(part))
            {
                var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(check, ct));
                if (sha != media.Sha256 || check.Length != media.Size)
                {
                    log.LogWarning("Media {Id} failed its checksum; fetched again next time", media.Id);
                    File.Delete(part);
                    return false;
                }
            }
            File.Move(part, Path.Combine(Folder, FileName(media)), overwrite: true);
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            log.LogWarning("Media {Id} not downloaded yet: {Error}", media.Id, ex.Message);
            return false;
        }
    }

    private void Evict(List<PlaylistView> playlists)
    {
        var limit = options.Value.MediaCacheMegabytes * 1024L * 1024L;
        var used = playlists.SelectMany(p => p.Items).Select(FileName).ToHashSet();
        var files = new DirectoryInfo(Folder).GetFiles().Where(f => f.Name != "playlists.json" && f.Extension != ".part").OrderBy(f => f.LastAccessTimeUtc).ToList();
        var total = files.Sum(f => f.Length);
        foreach (var file in files.Where(f => !used.Contains(f.Name)))
        {
            if (total <= limit)
            {
                break;
            }
            total -= file.Length;
            file.Delete();
        }
    }
}
