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
    /// <summary>What the board shows outside opening hours: <c>dim</c>, <c>image</c> (<see cref="ClosedMediaId"/>), <c>blank</c>; null = the board as usual.</summary>
    public string? ClosedShow { get; set; }
    /// <summary>The still picture (an image in the media library) for <c>image</c>.</summary>
    public int? ClosedMediaId { get; set; }
    /// <summary>Minutes the board wakes before opening and stays awake after closing (default 30).</summary>
    public int? ClosedLeadMinutes { get; set; }
    /// <summary>Calls shown in Chinese and English in turn (default off).</summary>
    public bool? Bilingual { get; set; }

    public const int DefaultLeadMinutes = 30;

    public static readonly Refusal Invalid = new("invalid_display_settings",
        "叫号语音设置有误：语音来源为 pack 或 speech，模板须含 {number} 和 {window}（最多 40 字），重复 1–5 次，音量 0–1，静音时段形如 12:00-13:30（最多 6 段）",
        "Invalid voice settings: source pack or speech, a template with {number} and {window} (at most 40 characters), 1–5 repeats, volume 0–1, quiet hours like 12:00-13:30 (at most 6).");

    public static readonly Refusal InvalidClosed = new("invalid_closed_display",
        "闭厅画面设置有误：显示方式为 dim（变暗）、image（静态图片）、blank（黑屏）或不设；选择静态图片时须选媒体库中的一张图片；提前时间 0–240 分钟",
        "Invalid closed-hours screen: show dim, image or blank (or nothing); image needs a picture from the media library; lead time 0–240 minutes.");

    /// <param name="ClosedShow">"" clears it (the board as usual outside hours).</param>
    public sealed record Request(string? VoiceSource, string? Template, int? Repeat, double? Volume, List<string>? QuietHours,
        string? ClosedShow = null, int? ClosedMediaId = null, int? ClosedLeadMinutes = null, bool? Bilingual = null);

    /// <summary>The settings with the request applied, or why it is refused (nothing is changed then).</summary>
    public (DisplaySettings? Settings, Refusal? Refusal) With(Request request)
    {
        var source = request.VoiceSource ?? VoiceSource;
        var template = request.Template?.Trim() ?? Template;
        var repeat = request.Repeat ?? Repeat;
        var volume = request.Volume ?? Volume;
        var quiet = request.QuietHours ?? QuietHours;
        var voice = new Admin.FieldRules(Invalid.Code, "叫号语音设置有误", "Invalid voice settings")
            .Check(source is null or "pack" or "speech", "语音来源", "voice", "须为录音语音包或浏览器语音", "must be the recorded pack or the browser voice")
            .Check(template is null || (template.Length <= 40 && !template.Any(char.IsControl)), "播报模板", "template", "最多 40 字", "must be at most 40 characters")
            .Check(template is null || (template.Contains("{number}", StringComparison.Ordinal) && template.Contains("{window}", StringComparison.Ordinal)),
                "播报模板", "template", "须含 {number}（号码）和 {window}（窗口）", "must hold {number} and {window}")
            .Check(repeat is null or (>= 1 and <= 5), "播报次数", "repeats", "须在 1–5 之间", "must be 1–5")
            .Check(volume is null || (volume is >= 0 and <= 1 && double.IsFinite(volume.Value)), "音量", "volume", "须在 0–1 之间", "must be 0–1")
            .Check(quiet is null || quiet.Count <= 6, "静音时段", "quiet hours", "最多 6 段", "must be at most 6")
            .Check(quiet is null || quiet.All(q => QuietRange(q) is not null), "静音时段", "quiet hours",
                $"形如 12:00-13:30（“{quiet?.FirstOrDefault(q => QuietRange(q) is null)}”不是）", $"must be like 12:00-13:30 (\"{quiet?.FirstOrDefault(q => QuietRange(q) is null)}\" is not)");
        var refusal = voice.Refusal ?? WithClosed(request);
        return refusal is null
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
                ClosedShow = ClosedOf(request),
                ClosedMediaId = request.ClosedMediaId ?? ClosedMediaId,
                ClosedLeadMinutes = request.ClosedLeadMinutes ?? ClosedLeadMinutes,
                Bilingual = request.Bilingual ?? Bilingual,
            }, null)
            : (null, refusal);
    }

    private string? ClosedOf(Request request) => request.ClosedShow is null ? ClosedShow : request.ClosedShow.Trim() is "" ? null : request.ClosedShow.Trim();

    /// <summary>The closed-hours part of a request checked on its own (the picture's existence is checked by the library).</summary>
    private Refusal? WithClosed(Request request)
    {
        var show = ClosedOf(request);
        var lead = request.ClosedLeadMinutes ?? ClosedLeadMinutes;
        var media = request.ClosedMediaId ?? ClosedMediaId;
        return new Admin.FieldRules(InvalidClosed.Code, "闭厅画面设置有误", "Invalid closed-hours screen")
            .Check(show is null or "dim" or "image" or "blank", "下班后大屏显示", "closed-hours screen", "须为照常、变暗、静态图片或黑屏", "must be as usual, dimmed, a still picture or black")
            .Check(show != "image" || media is not null, "静态图片", "still picture", "须从媒体库中选一张图片", "must be a picture chosen from the media library")
            .Check(lead is null or (>= 0 and <= 240), "提前/延后（分钟）", "lead time (minutes)", "须在 0–240 之间", "must be 0–240")
            .Refusal;
    }

    /// <summary>
    /// Whether the board shows its closed state at <paramref name="now"/>: no opening range of the hall (its calendar
    /// applied) is within the lead time before or after now. Never when <see cref="ClosedShow"/> is unset.
    /// </summary>
    public bool ClosedAt(DateTimeOffset now, HallCalendar calendar)
    {
        if (ClosedShow is null)
        {
            return false;
        }
        var lead = TimeSpan.FromMinutes(ClosedLeadMinutes ?? DefaultLeadMinutes);
        var local = HallClock.ToLocal(now, calendar.Zone).DateTime;
        var today = DateOnly.FromDateTime(local);
        for (var date = today.AddDays(-1); date <= today.AddDays(1); date = date.AddDays(1))
        {
            foreach (var range in HallClock.RangesOn(date, calendar.Hours, null, calendar.Days))
            {
                var from = date.ToDateTime(range.From);
                // TimeOnly.MaxValue ends the day.
                var to = range.To == TimeOnly.MaxValue ? date.AddDays(1).ToDateTime(TimeOnly.MinValue) : date.ToDateTime(range.To);
                if (local >= from - lead && local < to + lead)
                {
                    return false;
                }
            }
        }
        return true;
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

    public DisplaySettingsView ToView() => new(VoiceSource, Template, Repeat, Volume, QuietHours, VoicePackSha256, VoicePackSize,
        ClosedShow, ClosedMediaId, ClosedLeadMinutes, Bilingual);
}
