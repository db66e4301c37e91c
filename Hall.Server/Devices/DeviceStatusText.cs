namespace Hall.Server.Devices;

/// <summary>A device's own status (what kiosks and displays report, <see cref="Contracts.DeviceStatusReport"/>) in words a supervisor reads.</summary>
public static class DeviceStatusText
{
    private static readonly Dictionary<string, (string Zh, string En)> Words = new(StringComparer.Ordinal)
    {
        ["Ready"] = ("正常", "Working"),
        ["PaperOut"] = ("打印机缺纸", "Printer out of paper"),
        ["CoverOpen"] = ("打印机盖未关", "Printer cover open"),
        ["Offline"] = ("打印机未连接", "Printer not connected"),
        ["Disabled"] = ("未接打印机（号码显示在屏幕上）", "No printer (numbers shown on screen)"),
        ["VoiceFallback"] = ("使用备用合成语音", "Using the fallback synthetic voice"),
        ["VoiceMissing"] = ("没有语音包", "No voice pack"),
        ["VoicePackRefused"] = ("新语音包无效，未使用", "New voice pack invalid, not used"),
    };

    /// <summary>The status in Chinese; one Hall does not know (a newer agent's) as it came.</summary>
    public static string Chinese(string status) => Words.TryGetValue(status, out var w) ? w.Zh : status;

    public static string English(string status) => Words.TryGetValue(status, out var w) ? w.En : status;
}
