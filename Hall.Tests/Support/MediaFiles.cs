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
}
