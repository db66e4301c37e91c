using Hall.Server.Contracts;
using Hall.Server.Contracts.Agents;
using Microsoft.Extensions.Options;

namespace Hall.Kiosk.Agent;

/// <summary>
/// Keeps the hall's voice settings and recorded pack on the kiosk for the page's spoken guidance, as the lobby display
/// does (<see cref="HallVoice"/>: downloaded with the device key, SHA-256 verified, checked whole, only the files its
/// manifest names unpacked, kept across restarts). Synced after each connect, when the server says the settings
/// changed, and every <see cref="KioskVoiceOptions.SyncSeconds"/>.
/// </summary>
public sealed class KioskVoice(ServerLink link, HallVoice voice, IOptions<KioskOptions> options, ILogger<KioskVoice> log) : BackgroundService
{
    /// <summary>Where the page finds the pack: {PackPath}/{version}/manifest.json and the files it names.</summary>
    public const string PackPath = "/voice";

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>The pack's URL for the page (its version in it, so a new pack is loaded anew); null without a pack.</summary>
    public string? PackUrl => voice.Pack is { } pack ? $"{PackPath}/{pack.Version}/" : null;

    /// <summary>
    /// The file of the pack in use that the page may have: the manifest, or a file the manifest names. Null for
    /// anything else (an old version, a path, a file the manifest does not name).
    /// </summary>
    public string? FileOf(string version, string file)
    {
        if (voice.Pack is not { } pack || pack.Version != version || file != Path.GetFileName(file))
        {
            return null;
        }
        if (file != VoicePackFormat.ManifestName)
        {
            var manifest = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(pack.Folder, VoicePackFormat.ManifestName)));
            if (manifest?.ContainsValue(file) != true)
            {
                return null;
            }
        }
        var path = Path.Combine(pack.Folder, file);
        return File.Exists(path) ? path : null;
    }

    private void Wake()
    {
        lock (_wake)
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        link.Connected += () =>
        {
            Wake();
            return Task.CompletedTask;
        };
        link.VoiceChanged += Wake;
        using var server = new HttpClient { BaseAddress = new Uri(options.Value.Server), Timeout = TimeSpan.FromMinutes(10) };
        server.DefaultRequestHeaders.Authorization = new("Bearer", options.Value.DeviceKey);
        var every = TimeSpan.FromSeconds(Math.Max(1, options.Value.Voice.SyncSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            var online = link.State == LinkState.Online;
            if (online)
            {
                try
                {
                    var settings = await link.InvokeAsync<DisplaySettingsView>(nameof(IHallHub.GetDisplaySettings), null, stoppingToken);
                    await voice.SyncAsync(settings, server, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    log.LogWarning("Voice settings not synced, tried again later: {Error}", ex.Message);
                }
            }
            await _wake.WaitAsync(online ? every : TimeSpan.FromSeconds(2), stoppingToken);
        }
    }
}
