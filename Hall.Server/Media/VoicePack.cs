using System.IO.Compression;
using System.Text.Json;
using Hall.Server.Queue;

namespace Hall.Server.Media;

/// <summary>
/// A recorded voice pack as the admin uploads it: a ZIP with <c>manifest.json</c> at its root mapping each phrase
/// (请, 号, 到, 号窗口, 办理, 十, the digits 0–9 and the letters of the hall's ticket prefixes) to an audio file
/// (WAV, MP3, Ogg or M4A) in the same ZIP. The lobby page plays the files in sequence.
/// </summary>
public static class VoicePack
{
    public const long MaxBytes = 50L * 1024 * 1024;
    public const long MaxFileBytes = 5L * 1024 * 1024;
    public static readonly string[] Phrases = ["请", "号", "到", "号窗口", "办理", "十", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    private static readonly Refusal Invalid = new("invalid_voice_pack", "语音包无效", "The voice pack is not valid.");

    private static Refusal Because(string zh, string en) => Invalid with { MessageZh = $"语音包无效：{zh}", MessageEn = $"The voice pack is not valid: {en}" };

    /// <summary>Checks the ZIP; returns its manifest, or a refusal that says exactly what is wrong.</summary>
    public static (Dictionary<string, string>? Manifest, Refusal? Refusal) Check(Stream zip, IEnumerable<char> prefixes)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException)
        {
            return (null, Because("不是 ZIP 文件", "not a ZIP file"));
        }
        using (archive)
        {
            if (archive.GetEntry("manifest.json") is not { } manifestEntry || manifestEntry.Length > 64 * 1024)
            {
                return (null, Because("根目录缺少 manifest.json", "manifest.json is missing at the root"));
            }
            Dictionary<string, string>? manifest;
            try
            {
                using var stream = manifestEntry.Open();
                manifest = JsonSerializer.Deserialize<Dictionary<string, string>>(stream);
            }
            catch (JsonException)
            {
                manifest = null;
            }
            if (manifest is null)
            {
                return (null, Because("manifest.json 须是“短语 → 文件名”的 JSON 对象", "manifest.json must be a JSON object of phrase → file name"));
            }
            var missing = Phrases.Concat(prefixes.Distinct().Order().Select(c => c.ToString())).Where(p => !manifest.ContainsKey(p)).ToList();
            if (missing.Count > 0)
            {
                var list = string.Join(" ", missing);
                return (null, Because($"缺少这些短语的录音：{list}", $"no recording for: {list}"));
            }
            foreach (var (phrase, file) in manifest)
            {
                if (string.IsNullOrWhiteSpace(file) || file.Contains('/', StringComparison.Ordinal) || file.Contains('\\', StringComparison.Ordinal) || file.StartsWith('.') || file.Length > 100)
                {
                    return (null, Because($"“{phrase}”的文件名“{file}”不可用（只能是根目录下的文件）", $"the file name \"{file}\" of \"{phrase}\" is not allowed (files at the root only)"));
                }
                if (archive.GetEntry(file) is not { } entry)
                {
                    return (null, Because($"ZIP 中没有“{phrase}”的文件 {file}", $"the file {file} of \"{phrase}\" is not in the ZIP"));
                }
                if (entry.Length is 0 or > MaxFileBytes || !IsAudio(entry))
                {
                    return (null, Because($"{file} 不是 WAV/MP3/OGG/M4A 音频（或超过 5 MB）", $"{file} is not WAV/MP3/Ogg/M4A audio (or over 5 MB)"));
                }
            }
            return (manifest, null);
        }
    }

    private static bool IsAudio(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        var head = new byte[12];
        var got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var h = head.AsSpan(0, got);
        return (h.Length >= 12 && h[..4].SequenceEqual("RIFF"u8) && h[8..12].SequenceEqual("WAVE"u8))
            || (h.Length >= 4 && h[..4].SequenceEqual("OggS"u8))
            || (h.Length >= 3 && h[..3].SequenceEqual("ID3"u8))
            || (h.Length >= 2 && h[0] == 0xFF && (h[1] & 0xE0) == 0xE0)
            || (h.Length >= 8 && h[4..8].SequenceEqual("ftyp"u8));
    }
}
