using System.Buffers.Binary;
using Hall.Server.Staff;
using SkiaSharp;

namespace Hall.Tests.Server;

/// <summary>
/// A clerk's photo taken on a phone: stored sideways with the way up in EXIF, it shows upright on the evaluator, for
/// every orientation a camera writes.
/// </summary>
public sealed class StaffPhotoTests
{
    // The stored image is 1200×900 (landscape): its top half red, its bottom half blue, a green square at its top left.
    // Where each lands once upright, for the EXIF orientations 1–8.
    [TestCase(1, 300, 225, "red top")]
    [TestCase(2, 300, 225, "red top")]
    [TestCase(3, 300, 225, "red bottom")]
    [TestCase(4, 300, 225, "red bottom")]
    [TestCase(5, 300, 400, "red left")]
    [TestCase(6, 300, 400, "red right")]
    [TestCase(7, 300, 400, "red right")]
    [TestCase(8, 300, 400, "red left")]
    public void A_photo_is_kept_upright_whatever_way_the_camera_stored_it(int orientation, int width, int height, string red)
    {
        var upload = WithOrientation(Stored(), orientation);
        var kept = StaffCards.Prepare(upload);
        Assert.That(kept.Ok, Is.True, kept.Refusal?.MessageEn);
        using var image = SKBitmap.Decode(kept.Value);
        Assert.That((image.Width, image.Height), Is.EqualTo((width, height)), "upright, at most 300×400");

        var (redAt, blueAt) = red switch
        {
            "red top" => ((width / 2, height / 4), (width / 2, height * 3 / 4)),
            "red bottom" => ((width / 2, height * 3 / 4), (width / 2, height / 4)),
            "red left" => ((width / 4, height / 2), (width * 3 / 4, height / 2)),
            _ => ((width * 3 / 4, height / 2), (width / 4, height / 2)),
        };
        Assert.That(Colour(image, redAt), Is.EqualTo("red"), $"orientation {orientation}: {red}");
        Assert.That(Colour(image, blueAt), Is.EqualTo("blue"));

        // The green corner tells the mirrored orientations from the rotated ones: the stored top-left, moved as EXIF says.
        var corner = orientation switch
        {
            1 or 5 => (5, 5),
            2 or 6 => (width - 6, 5),
            3 or 7 => (width - 6, height - 6),
            _ => (5, height - 6),
        };
        Assert.That(Colour(image, corner), Is.EqualTo("green"), $"orientation {orientation}: the stored top-left corner");
    }

    private static string Colour(SKBitmap image, (int X, int Y) at)
    {
        var c = image.GetPixel(at.X, at.Y);
        return c.Red > 180 && c.Green < 80 && c.Blue < 80 ? "red"
            : c.Blue > 180 && c.Red < 80 && c.Green < 80 ? "blue"
            : c.Green > 150 && c.Red < 80 && c.Blue < 80 ? "green"
            : $"rgb({c.Red},{c.Green},{c.Blue})";
    }

    private static byte[] Stored()
    {
        using var bitmap = new SKBitmap(1200, 900);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var red = new SKPaint { Color = new SKColor(230, 20, 20) };
            using var blue = new SKPaint { Color = new SKColor(20, 20, 230) };
            using var green = new SKPaint { Color = new SKColor(20, 200, 20) };
            canvas.DrawRect(0, 0, 1200, 450, red);
            canvas.DrawRect(0, 450, 1200, 450, blue);
            canvas.DrawRect(0, 0, 120, 120, green);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
        return data.ToArray();
    }

    /// <summary>The JPEG with an APP1 EXIF segment holding only the orientation tag (0x0112), as a camera writes it.</summary>
    private static byte[] WithOrientation(byte[] jpeg, int orientation)
    {
        var tiff = new byte[26];
        "MM"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(4), 8); // the first IFD right after the header
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(8), 1); // one entry
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(10), 0x0112); // Orientation
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(12), 3); // SHORT
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(14), 1); // one value
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(18), (ushort)orientation);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(22), 0); // no next IFD
        byte[] exif = [.. "Exif\0\0"u8, .. tiff];
        var segment = new byte[4 + exif.Length];
        (segment[0], segment[1]) = ((byte)0xFF, (byte)0xE1);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(2 + exif.Length));
        exif.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }
}
