using System.Text;

namespace Hall.Display.Led;

/// <summary>
/// Hall's default line protocol for window LED strips on an RS-485 bus (many strips, one pair of wires, each strip
/// answering to its own address). One frame per change:
/// <code>
/// STX 0x02 | ADDR 1 byte (1–254; 0xFF = every strip) | CMD 'T' show text / 'C' clear | LEN 2 bytes, big-endian, text bytes |
/// TEXT GB18030 | ETX 0x03 | SUM 1 byte: XOR of every byte from ADDR through ETX
/// </code>
/// A vendor's own protocol is another <see cref="IWindowScreen"/> implementation; this class is pure (no port).
/// </summary>
public static class LedLineProtocol
{
    public const byte Stx = 0x02, Etx = 0x03, Show = (byte)'T', Clear = (byte)'C', Broadcast = 0xFF;

    /// <summary>Strips hold a line of a few dozen characters; longer text is cut, not wrapped.</summary>
    public const int MaxTextBytes = 64;

    private static readonly Encoding Gb18030 = CreateGb18030();

    private static Encoding CreateGb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030");
    }

    public static byte[] ShowText(int address, string text) => Frame(address, Show, Encode(text));

    public static byte[] ClearScreen(int address) => Frame(address, Clear, []);

    private static byte[] Encode(string text)
    {
        var clean = string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));
        var bytes = Gb18030.GetBytes(clean);
        if (bytes.Length <= MaxTextBytes)
        {
            return bytes;
        }
        // Cut on a character boundary: never half of a two- or four-byte character.
        var cut = clean;
        while (Gb18030.GetByteCount(cut) > MaxTextBytes)
        {
            cut = cut[..^(char.IsLowSurrogate(cut[^1]) ? 2 : 1)];
        }
        return Gb18030.GetBytes(cut);
    }

    private static byte[] Frame(int address, byte command, byte[] text)
    {
        if (address is < 1 or > 0xFF)
        {
            throw new ArgumentOutOfRangeException(nameof(address), address, "An LED address is 1–254, or 255 for every strip.");
        }
        var frame = new List<byte>(text.Length + 7) { Stx, (byte)address, command, (byte)(text.Length >> 8), (byte)(text.Length & 0xFF) };
        frame.AddRange(text);
        frame.Add(Etx);
        byte sum = 0;
        for (var i = 1; i < frame.Count; i++)
        {
            sum ^= frame[i];
        }
        frame.Add(sum);
        return [.. frame];
    }
}
