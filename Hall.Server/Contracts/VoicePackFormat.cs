using System.IO.Compression;
using System.Text.Json;

namespace Hall.Server.Contracts;

/// <summary>What is wrong with a voice pack, in Chinese and English.</summary>
public sealed record VoicePackProblem(string Zh, string En);

/// <summary>
/// The shape of a recorded voice pack ZIP, checked whole by the server at upload and again by each display before it
/// unpacks (a display trusts no download blindly): <c>manifest.json</c> at the root maps each phrase to an audio file;
/// every other entry is a file the manifest names, at the root, once; the pack is bounded in entries, in size once
/// unpacked and in compression ratio, so a ZIP bomb is refused before anything is written. A pack from
/// deploy/make-voice-pack.sh has 49 entries (16 phrases, 6 kiosk guidance phrases, 26 letters, the manifest) of a few MB in all; a recorded
/// one at 48 kHz stereo about 20 MB.
/// </summary>
public static class VoicePackFormat
{
    public const string ManifestName = "manifest.json";

    /// <summary>The ZIP as uploaded and downloaded.</summary>
    public const long MaxZipBytes = 50L * 1024 * 1024;

    public const int MaxManifestBytes = 64 * 1024;

    /// <summary>Entries in the ZIP, the manifest included: four times what a pack with every letter needs.</summary>
    public const int MaxEntries = 200;

    public const long MaxFileBytes = 5L * 1024 * 1024;

    /// <summary>All entries unpacked.</summary>
    public const long MaxUnpackedBytes = 100L * 1024 * 1024;

    /// <summary>Audio hardly compresses (a WAV of speech about 1.2:1); a ZIP bomb does by a thousand.</summary>
    public const int MaxCompressionRatio = 100;

    /// <summary>Below this an entry's ratio says nothing (a short silent WAV compresses well and harms no one).</summary>
    private const long RatioCheckedFromBytes = 1024 * 1024;

    private const int MaxNamesListed = 5;

    /// <summary>
    /// Reads the entry count from the ZIP's end record before the archive is opened (opening it reads every entry of the
    /// central directory into memory): a ZIP of a million empty entries is refused unopened. Null when it looks fine
    /// or is no ZIP at all (opening it then says so).
    /// </summary>
    public static VoicePackProblem? CheckEntryCount(Stream zip)
    {
        ArgumentNullException.ThrowIfNull(zip);
        const int endRecord = 22;
        var tail = (int)Math.Min(zip.Length, endRecord + ushort.MaxValue);
        if (tail < endRecord)
        {
            return null;
        }
        var bytes = new byte[tail];
        zip.Position = zip.Length - tail;
        zip.ReadExactly(bytes);
        zip.Position = 0;
        for (var at = tail - endRecord; at >= 0; at--)
        {
            if (bytes[at] == 0x50 && bytes[at + 1] == 0x4B && bytes[at + 2] == 0x05 && bytes[at + 3] == 0x06)
            {
                var count = bytes[at + 10] | bytes[at + 11] << 8;
                // 0xFFFF: the count is in a ZIP64 record, which only a pack far over the limit needs.
                return count > MaxEntries ? new($"文件过多（{(count == ushort.MaxValue ? "65535 个以上" : $"{count} 个")}，最多 {MaxEntries} 个）", $"too many entries ({(count == ushort.MaxValue ? "over 65535" : count)}, at most {MaxEntries})") : null;
            }
        }
        return null;
    }

    /// <summary>Checks the whole ZIP, reading every file the manifest names to its end; the manifest, or what is wrong.</summary>
    public static (IReadOnlyDictionary<string, string>? Manifest, VoicePackProblem? Problem) Check(ZipArchive archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        try
        {
            return CheckEntries(archive);
        }
        catch (InvalidDataException e)
        {
            return (null, new("ZIP 文件已损坏", $"the ZIP is damaged ({e.Message})"));
        }
    }

    private static (IReadOnlyDictionary<string, string>? Manifest, VoicePackProblem? Problem) CheckEntries(ZipArchive archive)
    {
        var entries = archive.Entries;
        if (entries.Count > MaxEntries)
        {
            return (null, new($"文件过多（{entries.Count} 个，最多 {MaxEntries} 个）", $"too many entries ({entries.Count}, at most {MaxEntries})"));
        }
        foreach (var entry in entries)
        {
            if (!IsPlainName(entry.FullName))
            {
                return (null, new($"ZIP 中的“{entry.FullName}”带有路径，不可用（只能是根目录下的文件）", $"the entry \"{entry.FullName}\" has a path and is not allowed (files at the root only)"));
            }
        }
        if (entries.GroupBy(e => e.FullName, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return (null, new($"ZIP 中“{twice.Key}”出现了不止一次", $"\"{twice.Key}\" is in the ZIP more than once"));
        }
        var unpacked = entries.Sum(e => e.Length);
        if (unpacked > MaxUnpackedBytes)
        {
            return (null, new($"解压后共 {Megabytes(unpacked)} MB，超过 {Megabytes(MaxUnpackedBytes)} MB", $"it unpacks to {Megabytes(unpacked)} MB, over {Megabytes(MaxUnpackedBytes)} MB"));
        }
        if (entries.FirstOrDefault(e => e.Length > RatioCheckedFromBytes && e.Length > e.CompressedLength * MaxCompressionRatio) is { } bomb)
        {
            return (null, new($"{bomb.FullName} 的压缩比超过 {MaxCompressionRatio}:1（疑似 ZIP 炸弹）", $"{bomb.FullName} is compressed over {MaxCompressionRatio}:1 (a ZIP bomb?)"));
        }
        if (archive.GetEntry(ManifestName) is not { } manifestEntry || manifestEntry.Length > MaxManifestBytes)
        {
            return (null, new($"根目录缺少 {ManifestName}", $"{ManifestName} is missing at the root"));
        }
        Dictionary<string, string>? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Dictionary<string, string>>(ReadBounded(manifestEntry, MaxManifestBytes) ?? []);
        }
        catch (JsonException)
        {
            manifest = null;
        }
        if (manifest is null)
        {
            return (null, new($"{ManifestName} 须是“短语 → 文件名”的 JSON 对象", $"{ManifestName} must be a JSON object of phrase → file name"));
        }
        foreach (var (phrase, file) in manifest)
        {
            if (file is null || !IsPlainName(file) || file.Length > 100 || file == ManifestName)
            {
                return (null, new($"“{phrase}”的文件名“{file}”不可用（只能是根目录下的文件）", $"the file name \"{file}\" of \"{phrase}\" is not allowed (files at the root only)"));
            }
            if (archive.GetEntry(file) is not { } entry)
            {
                return (null, new($"ZIP 中没有“{phrase}”的文件 {file}", $"the file {file} of \"{phrase}\" is not in the ZIP"));
            }
            if (entry.Length is 0 or > MaxFileBytes || !IsAudio(entry))
            {
                return (null, new($"{file} 不是 WAV/MP3/OGG/M4A 音频（或超过 {Megabytes(MaxFileBytes)} MB）", $"{file} is not WAV/MP3/Ogg/M4A audio (or over {Megabytes(MaxFileBytes)} MB)"));
            }
        }
        var named = manifest.Values.ToHashSet(StringComparer.Ordinal);
        var unnamed = entries.Select(e => e.FullName).Where(n => n != ManifestName && !named.Contains(n)).ToList();
        if (unnamed.Count > 0)
        {
            var list = string.Join("、", unnamed.Take(MaxNamesListed)) + (unnamed.Count > MaxNamesListed ? $" 等 {unnamed.Count} 个" : "");
            var listEn = string.Join(", ", unnamed.Take(MaxNamesListed)) + (unnamed.Count > MaxNamesListed ? $" and {unnamed.Count - MaxNamesListed} more" : "");
            return (null, new($"ZIP 中有清单未列出的文件：{list}", $"the ZIP holds files the manifest does not name: {listEn}"));
        }
        // The sizes above are what the ZIP declares: each file is read to its end to see that it holds no more.
        foreach (var file in named)
        {
            if (ReadBounded(archive.GetEntry(file)!, MaxFileBytes) is null)
            {
                return (null, new($"{file} 解压后比声明的大", $"{file} unpacks to more than it declares"));
            }
        }
        return (manifest, null);
    }

    /// <summary>
    /// Writes the files the manifest names (and the manifest) into <paramref name="folder"/>, each no longer than the
    /// ZIP declared: call it only after <see cref="Check"/> found nothing wrong.
    /// </summary>
    public static void Unpack(ZipArchive archive, IReadOnlyDictionary<string, string> manifest, string folder)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(manifest);
        Directory.CreateDirectory(folder);
        var written = 0L;
        foreach (var name in manifest.Values.Append(ManifestName).Distinct(StringComparer.Ordinal))
        {
            var entry = archive.GetEntry(name) ?? throw new InvalidDataException($"{name} is not in the ZIP");
            var bytes = ReadBounded(entry, name == ManifestName ? MaxManifestBytes : MaxFileBytes) ?? throw new InvalidDataException($"{name} unpacks to more than it declares");
            written += bytes.Length;
            if (written > MaxUnpackedBytes)
            {
                throw new InvalidDataException($"the pack unpacks to more than {MaxUnpackedBytes} bytes");
            }
            // The name is plain (checked): it cannot leave the folder.
            File.WriteAllBytes(Path.Combine(folder, Path.GetFileName(name)), bytes);
        }
    }

    /// <summary>A file name at the root: no folder, no parent, no drive, not hidden.</summary>
    private static bool IsPlainName(string name) =>
        name.Length > 0 && !name.StartsWith('.') && name.IndexOfAny(['/', '\\', ':', '\0']) < 0 && !name.Any(char.IsControl);

    /// <summary>The entry's bytes, or null when it holds more than it declares or than <paramref name="limit"/>.</summary>
    private static byte[]? ReadBounded(ZipArchiveEntry entry, long limit)
    {
        var declared = Math.Min(entry.Length, limit);
        using var stream = entry.Open();
        var buffer = new byte[declared + 1];
        var got = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return got > declared ? null : buffer[..got];
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

    private static long Megabytes(long bytes) => (bytes + 1024 * 1024 - 1) / (1024 * 1024);
}
