using Hall.Server.Contracts.Agents;
using Microsoft.Extensions.Options;

namespace Hall.Display.Agent;

/// <summary>Which voice the page uses now, and where its phrase pack is served.</summary>
public sealed record VoiceChoice(string Source, string? PackUrl, string Status, string? Detail);

/// <summary>How a call is said: the template, how many times, how loud.</summary>
public sealed record Speaking(string Template, int Repeat, double Volume);

/// <summary>
/// Picks the voice: the hall's recorded phrase pack (the default — Debian's Chromium has no speech voices); the
/// espeak-ng fallback pack when the recorded one is missing (reported, so the supervisor's wall shows an alert);
/// the browser's speech when the hall chose it; silence in quiet hours. What the admin set on the server (voice
/// source, template, repeats, volume, quiet hours, the uploaded recorded pack) wins over the display's own settings.
/// </summary>
public sealed class Voice(IOptions<DisplayOptions> options, IHostEnvironment env, TimeProvider clock, HallVoice hall)
{
    public const string PackPath = "/voice";
    public const string FallbackPath = "/voice-fallback";

    /// <summary>The status reported while the hall's newest pack is refused here.</summary>
    public const string RefusedStatus = "VoicePackRefused";

    /// <summary>The server keeps 200 characters of a status detail; the suffix added to it fits in the rest.</summary>
    private static string Shorten(string detail) => detail.Length > 180 ? detail[..179] + "…" : detail;

    /// <summary>The display's own recorded pack (Display:Voice:PackFolder), used when the hall uploaded none.</summary>
    public string PackFolder => Folder(options.Value.Voice.PackFolder, "voice");

    /// <summary>The recorded pack in use and its version (part of its URL, so the page reloads a new pack): the hall's upload first.</summary>
    public (string Folder, string Version)? RecordedPack => hall.Pack
        ?? (File.Exists(Path.Combine(PackFolder, "manifest.json")) ? (PackFolder, "local") : null);

    public Speaking Speaking()
    {
        var (s, o) = (hall.Settings, options.Value.Voice);
        return new(s?.Template ?? o.Template, s?.Repeat ?? o.Repeat, s?.Volume ?? o.Volume);
    }

    public string FallbackFolder => Folder(options.Value.Voice.FallbackFolder, "voice-fallback");

    private string Folder(string configured, string fallback) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(env.ContentRootPath, fallback) : configured, env.ContentRootPath);

    public VoiceChoice Choose()
    {
        var o = options.Value.Voice;
        var server = hall.Settings;
        if (InQuietHours(server?.QuietHours ?? o.QuietHours))
        {
            return new("none", null, "Quiet", "静音时段");
        }
        if (string.Equals(server?.VoiceSource ?? o.Source, "speech", StringComparison.OrdinalIgnoreCase))
        {
            return new("speech", null, "Ready", null);
        }
        // A new pack of the hall's that this display refused is reported whatever voice it keeps using meanwhile.
        var refused = hall.RefusedPack is { } reason ? Shorten($"大厅的新语音包无效，未使用（{reason}）") : null;
        if (RecordedPack is { } pack)
        {
            return refused is null ? new("pack", $"{PackPath}/{pack.Version}/", "Ready", null) : new("pack", $"{PackPath}/{pack.Version}/", RefusedStatus, refused + "，仍用之前的语音包");
        }
        if (File.Exists(Path.Combine(FallbackFolder, "manifest.json")))
        {
            return new("pack", FallbackPath + "/", refused is null ? "VoiceFallback" : RefusedStatus, refused ?? "未上传录音语音包，正在使用备用合成语音");
        }
        return new("speech", null, "VoiceMissing", "没有语音包，叫号可能无声");
    }

    private bool InQuietHours(IEnumerable<string> ranges)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);
        var now = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);
        foreach (var range in ranges)
        {
            var parts = range.Split('-', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && TimeOnly.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var from)
                && TimeOnly.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var to) && now.IsBetween(from, to))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>Tells the server which voice is in use when it changes (and after each connect), so a fallback voice raises an alert.</summary>
public sealed class VoiceReporter(Voice voice, DisplayLink link, ILogger<VoiceReporter> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? reported = null;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        do
        {
            var choice = voice.Choose();
            if (link.State != Hall.Server.Contracts.Agents.LinkState.Online)
            {
                reported = null;
                continue;
            }
            if (choice.Status != reported)
            {
                try
                {
                    await link.ReportAsync(new Hall.Server.Contracts.DeviceStatusReport(choice.Status, choice.Detail), stoppingToken);
                    reported = choice.Status;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log.LogWarning("Voice status not reported: {Error}", ex.Message);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
