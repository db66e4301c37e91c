using System.Text;

namespace Hall.Tests.Support;

/// <summary>Media files for upload tests: ISO-BMFF boxes built byte by byte, and real H.264 clips encoded with ffmpeg.</summary>
public static class MediaFiles
{
    public static byte[] Box(string type, params byte[][] content)
    {
        var body = content.SelectMany(c => c).ToArray();
        var size = body.Length + 8;
        return [(byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size, .. Encoding.ASCII.GetBytes(type), .. body];
    }

    /// <summary>
    /// A real H.264 + AAC MP4 (640×360, a moving test pattern and a tone) that Chromium decodes, encoded with Debian's
    /// ffmpeg (deploy/test.sh installs it). Without ffmpeg the test is ignored locally and fails when CI=true.
    /// </summary>
    public static async Task EncodeH264Async(string path, int seconds)
    {
        const string ffmpeg = "/usr/bin/ffmpeg";
        if (!File.Exists(ffmpeg))
        {
            const string missing = "ffmpeg is missing — install it with `apt-get install ffmpeg` (deploy/test.sh does).";
            if (PostgresCluster.OnCi)
            {
                Assert.Fail(missing);
            }
            Assert.Ignore(missing);
        }
        var start = new System.Diagnostics.ProcessStartInfo(ffmpeg) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[]
        {
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", $"testsrc2=size=640x360:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", $"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-movflags", "+faststart", path,
        })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"ffmpeg: {await errors}");
    }

    /// <summary>A real PNG (grey, 320×180), so the browser decodes and shows it; another <paramref name="shade"/> gives other bytes.</summary>
    public static byte[] Png(byte shade = 60)
    {
        static byte[] Chunk(string type, byte[] data)
        {
            var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            var crc = 0xFFFFFFFFu;
            foreach (var b in typed)
            {
                crc ^= b;
                for (var k = 0; k < 8; k++)
                {
                    crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
                }
            }
            crc ^= 0xFFFFFFFFu;
            return [(byte)(data.Length >> 24), (byte)(data.Length >> 16), (byte)(data.Length >> 8), (byte)data.Length, .. typed, (byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc];
        }
        const int width = 320, height = 180;
        var raw = new byte[height * (width + 1)];
        for (var y = 0; y < height; y++)
        {
            for (var x = 1; x <= width; x++)
            {
                raw[y * (width + 1) + x] = (byte)(shade + y / 2);
            }
        }
        using var compressed = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Optimal))
        {
            z.Write(raw);
        }
        byte[] header = [0, 0, 1, 64, 0, 0, 0, 180, 8, 0, 0, 0, 0];
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", header), .. Chunk("IDAT", compressed.ToArray()), .. Chunk("IEND", [])];
    }
}
