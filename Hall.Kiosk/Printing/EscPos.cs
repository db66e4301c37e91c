using System.Text;

namespace Hall.Kiosk.Printing;

/// <summary>The ESC/POS byte stream of a ticket, and the reading of the printer's status replies. Pure: no port here.</summary>
public static class EscPos
{
    private const byte Esc = 0x1B, Gs = 0x1D, Fs = 0x1C, Dle = 0x10, Eot = 0x04, Lf = 0x0A;

    public static readonly Encoding Gb18030 = CreateGb18030();

    private static Encoding CreateGb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030");
    }

    /// <summary>The real-time status requests: printer (1), offline cause (2), paper roll sensor (4).</summary>
    public static readonly byte[] StatusQueries = [1, 2, 4];

    public static byte[] StatusRequest(byte n) => [Dle, Eot, n];

    public static byte[] Encode(TicketPrint t)
    {
        var b = new List<byte>(512);
        b.AddRange([Esc, (byte)'@']);      // initialise
        b.AddRange([Fs, (byte)'&']);       // Chinese character mode
        Align(b, 1);
        Line(b, t.HallName, bold: true);
        Line(b, t.ServiceName);
        Feed(b, 1);
        Size(b, 0x11);                     // double width and height
        Bold(b, true);
        Line(b, t.Number);
        Bold(b, false);
        Size(b, 0x00);
        if (t.PriorityLabel is { Length: > 0 } priority)
        {
            Line(b, $"【优先】{priority}", bold: true);
        }
        if (t.BookingLine is { Length: > 0 } booking)
        {
            Line(b, $"【预约】{booking}", bold: true);
        }
        Feed(b, 1);
        Line(b, $"前面还有 {t.PeopleAhead} 人");
        Line(b, t.EstimatedWaitMinutes switch
        {
            null => "暂无窗口办理",
            > 0 => $"预计等候约 {t.EstimatedWaitMinutes} 分钟",
            _ => "请留意叫号",
        });
        Line(b, "取号时间 " + TimeZoneInfo.ConvertTime(t.IssuedAt, t.Zone).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        if (t.TrackingUrl is { Length: > 0 } url)
        {
            Feed(b, 1);
            Qr(b, url);
            Line(b, "扫码查看排队进度");
        }
        if (t.Footer is { Length: > 0 } footer)
        {
            Feed(b, 1);
            Line(b, footer);
        }
        Align(b, 0);
        b.AddRange([Esc, (byte)'d', 4]);   // feed to the cutter
        b.AddRange([Gs, (byte)'V', 66, 0]); // partial cut
        return [.. b];
    }

    /// <summary>
    /// Reads the replies to DLE EOT 1, 2 and 4. Each reply byte has bit 1 and bit 4 set and bits 0 and 7 clear; a
    /// missing or malformed reply means the printer is not there.
    /// </summary>
    public static PrinterStatus ReadStatus(byte? printer, byte? offlineCause, byte? paperSensor)
    {
        if (printer is not { } p || offlineCause is not { } o || paperSensor is not { } s || !WellFormed(p) || !WellFormed(o) || !WellFormed(s))
        {
            return PrinterStatus.Offline;
        }
        // With the cover open the paper sensor cannot be trusted: the cover comes first.
        if ((o & 0b0000_0100) != 0)
        {
            return PrinterStatus.CoverOpen;
        }
        if ((s & 0b0110_0000) != 0 || (o & 0b0010_0000) != 0)
        {
            return PrinterStatus.PaperOut;   // roll sensor: paper end; or printing stopped at paper end
        }
        return (p & 0b0000_1000) != 0 ? PrinterStatus.Offline : PrinterStatus.Ready;
    }

    private static bool WellFormed(byte b) => (b & 0b1001_0011) == 0b0001_0010;

    private static void Line(List<byte> b, string text, bool bold = false)
    {
        if (bold)
        {
            Bold(b, true);
        }
        // A control character in a name (set by an admin, or worse) must not become a printer command.
        b.AddRange(Gb18030.GetBytes(string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c))));
        b.Add(Lf);
        if (bold)
        {
            Bold(b, false);
        }
    }

    private static void Align(List<byte> b, byte n) => b.AddRange([Esc, (byte)'a', n]);

    private static void Bold(List<byte> b, bool on) => b.AddRange([Esc, (byte)'E', on ? (byte)1 : (byte)0]);

    private static void Size(List<byte> b, byte n) => b.AddRange([Gs, (byte)'!', n]);

    private static void Feed(List<byte> b, byte lines) => b.AddRange([Esc, (byte)'d', lines]);

    /// <summary>The printer's own QR code (GS ( k): model 2, module size 6, error correction M, store, print.</summary>
    private static void Qr(List<byte> b, string data)
    {
        var bytes = Encoding.ASCII.GetBytes(data);
        b.AddRange([Gs, (byte)'(', (byte)'k', 4, 0, 49, 65, 50, 0]);
        b.AddRange([Gs, (byte)'(', (byte)'k', 3, 0, 49, 67, 6]);
        b.AddRange([Gs, (byte)'(', (byte)'k', 3, 0, 49, 69, 49]);
        var length = bytes.Length + 3;
        b.AddRange([Gs, (byte)'(', (byte)'k', (byte)(length & 0xFF), (byte)(length >> 8), 49, 80, 48]);
        b.AddRange(bytes);
        b.AddRange([Gs, (byte)'(', (byte)'k', 3, 0, 49, 81, 48]);
    }
}
