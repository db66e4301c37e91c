using System.IO.Compression;
using Hall.Server.Contracts;
using Hall.Server.Queue;

namespace Hall.Server.Media;

/// <summary>
/// A recorded voice pack as the admin uploads it: a ZIP with <c>manifest.json</c> at its root mapping each phrase
/// (请, 号, 到, 号窗口, 办理, 十, the digits 0–9 and the letters of the hall's ticket prefixes) to an audio file
/// (WAV, MP3, Ogg or M4A) in the same ZIP. The lobby page plays the files in sequence.
/// </summary>
public static class VoicePack
{
    public const long MaxBytes = VoicePackFormat.MaxZipBytes;
    public static readonly string[] Phrases = ["请", "号", "到", "号窗口", "办理", "十", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    private static readonly Refusal Invalid = new("invalid_voice_pack", "语音包无效", "The voice pack is not valid.");

    private static Refusal Because(string zh, string en) => Invalid with { MessageZh = $"语音包无效：{zh}", MessageEn = $"The voice pack is not valid: {en}" };

    private static Refusal Because(VoicePackProblem problem) => Because(problem.Zh, problem.En);

    /// <summary>Checks the ZIP whole (<see cref="VoicePackFormat"/>) and that it speaks every phrase and prefix of the hall; its manifest, or a refusal that says exactly what is wrong.</summary>
    public static (IReadOnlyDictionary<string, string>? Manifest, Refusal? Refusal) Check(Stream zip, IEnumerable<char> prefixes)
    {
        ArgumentNullException.ThrowIfNull(zip);
        if (VoicePackFormat.CheckEntryCount(zip) is { } tooMany)
        {
            return (null, Because(tooMany));
        }
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
            var (manifest, problem) = VoicePackFormat.Check(archive);
            if (manifest is null)
            {
                return (null, Because(problem!));
            }
            var missing = Phrases.Concat(prefixes.Distinct().Order().Select(c => c.ToString())).Where(p => !manifest.ContainsKey(p)).ToList();
            if (missing.Count > 0)
            {
                var list = string.Join(" ", missing);
                return (null, Because($"缺少这些短语的录音：{list}", $"no recording for: {list}"));
            }
            return (manifest, null);
        }
    }
}
