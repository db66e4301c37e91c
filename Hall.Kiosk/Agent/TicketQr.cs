using System.Text;
using QRCoder;

namespace Hall.Kiosk.Agent;

/// <summary>The QR code of a ticket's phone page for the touch screen, when no paper ticket carries it (the printer draws its own).</summary>
public static class TicketQr
{
    /// <summary>
    /// An SVG image as a data URI, for an <c>img</c> on the page (its CSP allows <c>img-src data:</c>): error correction M
    /// as on paper, with its quiet zone, scaling to whatever box the page gives it.
    /// </summary>
    public static string SvgDataUri(string url)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        using var code = new SvgQRCode(data);
        var svg = code.GetGraphic(10, "#000000", "#ffffff", drawQuietZones: true, SvgQRCode.SizingMode.ViewBoxAttribute);
        return "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(svg));
    }
}
