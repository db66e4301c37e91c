using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Hall.Server.Contracts.Agents;

/// <summary>
/// The voice settings and the recorded phrase pack the admin set on the server, kept on disk so a display that
/// restarts while the server is away still speaks the hall's way. The pack is downloaded with the device key,
/// verified against its SHA-256, checked whole as the server checks it (<see cref="VoicePackFormat"/>: a display trusts no
/// download blindly) and only the files its manifest names are unpacked, bounded in size, into its own folder; the
/// previous pack is removed once the new one is in, and stays in use when the new one is refused.
/// Shared by the agents that speak: the lobby display (calls) and the kiosk (spoken guidance).
/// </summary>
public sealed class HallVoice(string folder, ILogger<HallVoice> log)
{
    private readonly Lock _lock = new();
    private DisplaySettingsView? _settings;
    private bool _loaded;

    private string SettingsFile => Path.Combine(folder, "display-settings.json");

    private string PackFolderOf(string sha) => Path.Combine(folder, "pack-" + sha);

    /// <summary>What the server said last; null until it said anything (then the agent's own settings apply).</summary>
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
    public (string Folder, string Version)? Pack => Settings?.VoicePackSha256 is { } sha && File.Exists(Path.Combine(PackFolderOf(sha), VoicePackFormat.ManifestName))
        ? (PackFolderOf(sha), sha[..12])
        : null;

    /// <summary>Why the hall's newest pack was refused here (its checksum or its contents); null when none was. The previous pack stays in use meanwhile.</summary>
    public string? RefusedPack
    {
        get
        {
            lock (_lock)
            {
                return _refused?.Reason;
            }
        }
    }

    private (string Sha, string Reason)? _refused;

    /// <summary>
    /// Takes the server's settings; downloads and unpacks a new pack first. A pack that cannot be had (the server away)
    /// or is bad (checksum, contents: refused, logged, reported and not downloaded again) never stops the sync: the
    /// previous pack stays in use and the rest of the settings apply.
    /// </summary>
    public async Task SyncAsync(DisplaySettingsView settings, HttpClient server, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var kept = settings;
        if (settings.VoicePackSha256 is { } sha && !HasPack(sha))
        {
            string? refused;
            lock (_lock)
            {
                refused = _refused?.Sha;
            }
            if (refused != sha)
            {
                try
                {
                    await DownloadPackAsync(sha, server, ct);
                }
                catch (InvalidDataException e)
                {
                    log.LogWarning("Voice pack {Sha} refused, the previous pack stays in use: {Error}", sha[..12], e.Message);
                    lock (_lock)
                    {
                        _refused = (sha, e.Message);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    log.LogWarning("Voice pack {Sha} not downloaded, tried again at the next sync: {Error}", sha[..12], e.Message);
                }
            }
            if (!HasPack(sha))
            {
                var previous = Settings is { VoicePackSha256: { } p } before && HasPack(p) ? before : null;
                kept = settings with { VoicePackSha256 = previous?.VoicePackSha256, VoicePackSize = previous?.VoicePackSize ?? 0 };
            }
        }
        if (kept.VoicePackSha256 == settings.VoicePackSha256)
        {
            lock (_lock)
            {
                _refused = null;
            }
        }
        var temp = SettingsFile + ".part";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(kept), ct);
        File.Move(temp, SettingsFile, overwrite: true);
        lock (_lock)
        {
            _settings = kept;
            _loaded = true;
        }
        foreach (var old in Directory.GetDirectories(folder, "pack-*").Where(d => Path.GetFileName(d) != "pack-" + kept.VoicePackSha256))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    private bool HasPack(string sha) => File.Exists(Path.Combine(PackFolderOf(sha), VoicePackFormat.ManifestName));

    /// <summary>Downloads (at most the largest pack the server takes), verifies and checks the pack as the server does, then unpacks only what its manifest names.</summary>
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
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    if (file.Length + read > VoicePackFormat.MaxZipBytes)
                    {
                        throw new InvalidDataException($"the voice pack is larger than {VoicePackFormat.MaxZipBytes} bytes");
                    }
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
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
            await using (var file = File.OpenRead(zip))
            {
                if (VoicePackFormat.CheckEntryCount(file) is { } tooMany)
                {
                    throw new InvalidDataException(tooMany.En);
                }
                using var archive = new ZipArchive(file, ZipArchiveMode.Read);
                var (manifest, problem) = VoicePackFormat.Check(archive);
                if (manifest is null)
                {
                    throw new InvalidDataException(problem!.En);
                }
                VoicePackFormat.Unpack(archive, manifest, unpacked);
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
