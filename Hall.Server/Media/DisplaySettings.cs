using System.Globalization;
using Hall.Server.Contracts;
using Hall.Server.Queue;

namespace Hall.Server.Media;

/// <summary>
/// How a hall's lobby screens speak (stored with the hall); the admin sets it, every display follows it. A setting
/// the admin never set is null: each display keeps its own (its Display:Voice settings, default 「请A012号到3号窗口办理」 twice).
/// </summary>
public sealed class DisplaySettings
{
    public string? VoiceSource { get; set; }
    public string? Template { get; set; }
    public int? Repeat { get; set; }
    public double? Volume { get; set; }
    public List<string>? QuietHours { get; set; }
    public string? VoicePackSha256 { get; set; }
    public long VoicePackSize { get; set; }
    public DateTimeOffset? VoicePackUploadedAt { get; set; }

    public static readonly Refusal Invalid = new("invalid_display_settings",
        "叫号语音设置有误：语音来源为 pack 或 speech，模板须含 {number} 和 {window}（最多 40 字），重复 1–5 次，音量 0–1，静音时段形如 12:00-13:30（最多 6 段）",
        "Invalid voice settings: source pack or speech, a template with {number} and {window} (at most 40 characters), 1–5 repeats, volume 0–1, quiet hours like 12:00-13:30 (at most 6).");

    public sealed record Request(string? VoiceSource, string? Template, int? Repeat, double? Volume, List<string>? QuietHours);

    /// <summary>The settings with the request applied, or why it is refused (nothing is changed then).</summary>
    public (DisplaySettings? Settings, Refusal? Refusal) With(Request request)
    {
        var source = request.VoiceSource ?? VoiceSource;
        var template = request.Template?.Trim() ?? Template;
        var repeat = request.Repeat ?? Repeat;
        var volume = request.Volume ?? Volume;
        var quiet = request.QuietHours ?? QuietHours;
        var valid = source is null or "pack" or "speech"
            && (template is null || (template.Length <= 40 && template.Contains("{number}", StringComparison.Ordinal)
                && template.Contains("{window}", StringComparison.Ordinal) && !template.Any(char.IsControl)))
            && repeat is null or (>= 1 and <= 5)
            && (volume is null || (volume is >= 0 and <= 1 && double.IsFinite(volume.Value)))
            && (quiet is null || (quiet.Count <= 6 && quiet.All(q => QuietRange(q) is not null)));
        return valid
            ? (new DisplaySettings
            {
                VoiceSource = source,
                Template = template,
                Repeat = repeat,
                Volume = volume,
                QuietHours = quiet?.Select(q => q.Trim()).ToList(),
                VoicePackSha256 = VoicePackSha256,
                VoicePackSize = VoicePackSize,
                VoicePackUploadedAt = VoicePackUploadedAt,
            }, null)
            : (null, Invalid);
    }

    /// <summary>"HH:mm-HH:mm"; may run past midnight (22:00-07:00), never empty.</summary>
    public static (TimeOnly From, TimeOnly To)? QuietRange(string? range)
    {
        var parts = (range ?? "").Split('-', 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            && TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to)
            && from != to
                ? (from, to)
                : null;
    }

    public DisplaySettingsView ToView() => new(VoiceSource, Template, Repeat, Volume, QuietHours, VoicePackSha256, VoicePackSize);
}
