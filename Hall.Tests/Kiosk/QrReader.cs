using SkiaSharp;
using ZXing;
using ZXing.Common;

namespace Hall.Tests.Kiosk;

/// <summary>Reads a QR code back from a screenshot of the screen, as a phone's camera would.</summary>
public static class QrReader
{
    /// <summary>The text of the one QR code in the PNG, or null when none can be read.</summary>
    public static string? Read(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new ArgumentException("not an image", nameof(png));
        var (width, height) = (bitmap.Width, bitmap.Height);
        var gray = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                gray[(y * width) + x] = (byte)(((c.Red * 299) + (c.Green * 587) + (c.Blue * 114)) / 1000);
            }
        }
        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true } };
        return reader.Decode(new RGBLuminanceSource(gray, width, height, RGBLuminanceSource.BitmapFormat.Gray8))?.Text;
    }
}
