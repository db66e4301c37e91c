using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Hall.Server.Contracts;

namespace Hall.Display.Agent;

/// <summary>
/// The voice settings and the recorded phrase pack the admin set on the server, kept on disk so a display that
/// restarts while the server is away still speaks the hall's way. The pack is downloaded with the device key,
/// verified against its SHA-256 and unpacked into its own folder; the previous pack is removed once the new one is in.
/// </summary>
public sealed class HallVoice(string folder, ILogger<HallVoice> log)
{
    private readonly Lock _lock = new();
    private DisplaySettingsView? _settings;
    private bool _loaded;

    private string SettingsFile => Path.Combine(folder, "display-settings.json");

    private string PackFolderOf(string sha) => Path.Combine(folder, "pack-" + sha);

    /// <summary>What the server said last; null until it said anything (then the display's own settings apply).</summary>
    public DisplaySettingsView? Settings
    {
        get
        {
            lock (_lock)
            {
                if (!_loaded)
                {
                    _loaded = true;
                    try
                    {
                        _settings = File.Exists(SettingsFile) ? JsonSerializer.Deserialize<DisplaySettingsView>(File.ReadAllText(SettingsFile)) : null;
                    }
                    catch (JsonException ex)
                    {
                        log.LogWarning("Voice settings on disk unreadable: {Error}", ex.Message);
                    }
                }
                return _settings;
            }
        }
    }

    /// <summary>The unpacked recorded pack, when the hall uploaded one and it is here.</summary>
    public (string Folder, string Version)? Pack => Settings?.VoicePackSha256 is { } sha && File.Exists(Path.Combine(PackFolderOf(sha), "manifest.json"))
        ? (PackFolderOf(sha), sha[..12])
        : null;

    public async Task SyncAsync(DisplaySettingsView settings, HttpClient server, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        if (settings.VoicePackSha256 is { } sha && !File.Exists(Path.Combine(PackFolderOf(sha), "manifest.json")))
        {
            await DownloadPackAsync(sha, server, ct);
        }
        var temp = SettingsFile + ".part";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(settings), ct);
        File.Move(temp, SettingsFile, overwrite: true);
        lock (_lock)
        {
            _settings = settings;
            _loaded = true;
        }
        foreach (var old in Directory.GetDirectories(folder, "pack-*").Where(d => Path.GetFileName(d) != "pack-" + settings.VoicePackSha256))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    private async Task DownloadPackAsync(string sha, HttpClient server, CancellationToken ct)
    {
        var zip = Path.Combine(folder, "pack.zip.part");
        var unpacked = Path.Combine(folder, "pack.unpacking");
        try
        {
            await using (var file = File.Create(zip))
            {
                using var response = await server.GetAsync(new Uri("/api/voice-pack", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, ct);
                response.EnsureSuccessStatusCode();
                await (await response.Content.ReadAsStreamAsync(ct)).CopyToAsync(file, ct);
            }
            string got;
            await using (var file = File.OpenRead(zip))
            {
                got = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
            }
            if (got != sha)
            {
                throw new InvalidDataException($"voice pack checksum {got} ≠ {sha}");
            }
            if (Directory.Exists(unpacked))
            {
                Directory.Delete(unpacked, recursive: true);
            }
            // Only files at the root: the server checked the pack, and a name with a path is never unpacked.
            using (var archive = ZipFile.OpenRead(zip))
            {
                Directory.CreateDirectory(unpacked);
                foreach (var entry in archive.Entries.Where(e => e.Name.Length > 0 && e.FullName == e.Name))
                {
                    entry.ExtractToFile(Path.Combine(unpacked, entry.Name));
                }
            }
            Directory.Move(unpacked, PackFolderOf(sha));
            log.LogInformation("Recorded voice pack {Sha} in use", sha[..12]);
        }
        finally
        {
            File.Delete(zip);
            if (Directory.Exists(unpacked))
            {
                Directory.Delete(unpacked, recursive: true);
            }
        }
    }
}
