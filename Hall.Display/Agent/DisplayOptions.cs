namespace Hall.Display.Agent;

/// <summary>The lobby screen's settings (section <c>Display</c>; environment <c>Display__Server</c> …).</summary>
public sealed class DisplayOptions
{
    /// <summary>Hall.Server's address.</summary>
    public string Server { get; set; } = "http://localhost:5080";
    /// <summary>This display's device key (hd_…).</summary>
    public string DeviceKey { get; set; } = "";
    /// <summary>How many calls the board lists.</summary>
    public int RecentCalls { get; set; } = 8;
    /// <summary>The hall's time zone, for quiet hours.</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";
    public VoiceOptions Voice { get; set; } = new();
    /// <summary>Where downloaded media and the last playlists are kept. Default: media-cache/ under the content root.</summary>
    public string MediaCacheFolder { get; set; } = "";
    /// <summary>The cache's bound; media no playlist uses are evicted beyond it.</summary>
    public int MediaCacheMegabytes { get; set; } = 4096;
    /// <summary>The windows' LED strips: one entry per RS-485 bus.</summary>
    public List<Led.LedBusOptions> LedBuses { get; set; } = [];
}

/// <summary>How calls are spoken.</summary>
public sealed class VoiceOptions
{
    /// <summary><c>pack</c> (recorded phrase segments, the default) or <c>speech</c> (the browser's zh-CN voice, where it has one).</summary>
    public string Source { get; set; } = "pack";
    /// <summary>The announcement; {number} and {window} are filled in.</summary>
    public string Template { get; set; } = "请{number}号到{window}号窗口办理";
    public int Repeat { get; set; } = 2;
    /// <summary>0 to 1.</summary>
    public double Volume { get; set; } = 0.9;
    /// <summary>The recorded pack uploaded by the hall: a folder with manifest.json (segment → file). Default: voice/ under the content root.</summary>
    public string PackFolder { get; set; } = "";
    /// <summary>The robotic fallback pack deploy/make-voice-pack.sh generates with espeak-ng; used (with an alert) when the recorded pack is missing.</summary>
    public string FallbackFolder { get; set; } = "";
    /// <summary>Times without voice, e.g. "12:00-13:30" (local time); calls still show.</summary>
    public List<string> QuietHours { get; set; } = [];
}
