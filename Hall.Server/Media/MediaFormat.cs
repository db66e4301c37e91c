using Hall.Server.Contracts;

namespace Hall.Server.Media;

/// <summary>What a file really is, from its bytes (never from its name): H.264 MP4 video, or a JPEG / PNG image.</summary>
public static class MediaFormat
{
    public sealed record Detected(MediaKind Kind, string ContentType, string Extension);

    /// <summary>Null when the file is none of the accepted formats (another video codec, another container, anything else).</summary>
    public static Detected? Detect(ReadOnlySpan<byte> file)
    {
        if (file.Length > 3 && file[0] == 0xFF && file[1] == 0xD8 && file[2] == 0xFF)
        {
            return new(MediaKind.Image, "image/jpeg", "jpg");
        }
        if (file.Length > 8 && file[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return new(MediaKind.Image, "image/png", "png");
        }
        return IsH264Mp4(file) ? new(MediaKind.Video, "video/mp4", "mp4") : null;
    }

    /// <summary>An ISO-BMFF file starting with <c>ftyp</c> whose sample descriptions (moov/trak/mdia/minf/stbl/stsd) include an <c>avc1</c> or <c>avc3</c> entry.</summary>
    public static bool IsH264Mp4(ReadOnlySpan<byte> file)
    {
        if (file.Length < 12 || !file.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            return false;
        }
        return FindSampleEntry(file, 0, file.Length, 0);
    }

    private static readonly string[] Path = ["moov", "trak", "mdia", "minf", "stbl", "stsd"];

    private static bool FindSampleEntry(ReadOnlySpan<byte> file, int start, int end, int depth)
    {
        var at = start;
        while (at + 8 <= end)
        {
            long size = (uint)(file[at] << 24 | file[at + 1] << 16 | file[at + 2] << 8 | file[at + 3]);
            var type = file.Slice(at + 4, 4);
            var header = 8;
            if (size == 1 && at + 16 <= end)
            {
                size = (long)((ulong)file[at + 8] << 56 | (ulong)file[at + 9] << 48 | (ulong)file[at + 10] << 40 | (ulong)file[at + 11] << 32
                    | (ulong)file[at + 12] << 24 | (ulong)file[at + 13] << 16 | (ulong)file[at + 14] << 8 | file[at + 15]);
                header = 16;
            }
            else if (size == 0)
            {
                size = end - at;
            }
            if (size < header || at + size > end)
            {
                return false;
            }
            var boxEnd = (int)(at + size);
            if (depth < Path.Length && type.SequenceEqual(System.Text.Encoding.ASCII.GetBytes(Path[depth])))
            {
                if (depth == Path.Length - 1)
                {
                    // stsd: version/flags (4), entry count (4), then sample entries: size (4) + format (4).
                    var entry = at + header + 8;
                    while (entry + 8 <= boxEnd)
                    {
                        var format = file.Slice(entry + 4, 4);
                        if (format.SequenceEqual("avc1"u8) || format.SequenceEqual("avc3"u8))
                        {
                            return true;
                        }
                        var entrySize = (int)(uint)(file[entry] << 24 | file[entry + 1] << 16 | file[entry + 2] << 8 | file[entry + 3]);
                        if (entrySize < 8)
                        {
                            return false;
                        }
                        entry += entrySize;
                    }
                }
                else if (FindSampleEntry(file, at + header, boxEnd, depth + 1))
                {
                    return true;
                }
            }
            at = boxEnd;
        }
        return false;
    }
}
