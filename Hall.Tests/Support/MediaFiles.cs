using System.Text;

namespace Hall.Tests.Support;

/// <summary>Media files built byte by byte for upload tests: ISO-BMFF boxes with the codec the test names.</summary>
public static class MediaFiles
{
    public static byte[] Box(string type, params byte[][] content)
    {
        var body = content.SelectMany(c => c).ToArray();
        var size = body.Length + 8;
        return [(byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size, .. Encoding.ASCII.GetBytes(type), .. body];
    }
}
