using System.Text;

namespace Hall.Tests.Kiosk;

/// <summary>
/// Reads an ESC/POS stream back into what a printer would do with it, written from the command reference and sharing
/// nothing with the encoder: text lines with their alignment, emphasis and size (GB18030), QR codes from the
/// <c>GS ( k</c> function sequence, feeds and the cut. Anything it does not know fails the test.
/// </summary>
public static class EscPosDecoder
{
    public abstract record Element;

    /// <param name="Align">ESC a: 0 left, 1 centre, 2 right.</param>
    /// <param name="Size">GS !: high nibble width − 1, low nibble height − 1.</param>
    public sealed record Text(string Value, int Align, bool Bold, int Size) : Element
    {
        public bool DoubleWidthAndHeight => Size == 0x11;
    }

    public sealed record Qr(string Data, int Model, int ModuleSize, char ErrorCorrection) : Element;

    public sealed record Feed(int Lines) : Element;

    public sealed record Cut(int Mode) : Element;

    public sealed record Initialise : Element;

    public static List<Element> Decode(byte[] stream)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gb18030 = Encoding.GetEncoding("GB18030");
        var result = new List<Element>();
        var text = new List<byte>();
        int align = 0, size = 0, qrModel = 0, qrSize = 0;
        var bold = false;
        var qrLevel = '?';
        string? qrData = null;
        var i = 0;
        byte Next() => i < stream.Length ? stream[i++] : throw new FormatException($"The stream ends inside a command at byte {i}.");
        void EndText()
        {
            result.Add(new Text(gb18030.GetString([.. text]), align, bold, size));
            text.Clear();
        }
        while (i < stream.Length)
        {
            var b = Next();
            switch (b)
            {
                case 0x0A:
                    EndText();
                    break;
                case 0x1B:
                    var esc = Next();
                    switch ((char)esc)
                    {
                        case '@': (align, size, bold) = (0, 0, false); result.Add(new Initialise()); break;
                        case 'a': align = Next(); break;
                        case 'E': bold = (Next() & 1) == 1; break;
                        case 'd': result.Add(new Feed(Next())); break;
                        default: throw new FormatException($"Unknown command ESC 0x{esc:X2} at byte {i - 2}.");
                    }
                    break;
                case 0x1C:
                    var fs = Next();
                    if (fs != '&')
                    {
                        throw new FormatException($"Unknown command FS 0x{fs:X2}.");
                    }
                    break;
                case 0x1D:
                    var gs = Next();
                    switch ((char)gs)
                    {
                        case '!': size = Next(); break;
                        case 'V':
                            var mode = Next();
                            if (mode is 65 or 66)
                            {
                                Next(); // feed amount before the cut
                            }
                            result.Add(new Cut(mode));
                            break;
                        case '(':
                            if (Next() != 'k')
                            {
                                throw new FormatException("Only GS ( k (2D codes) is known among GS ( commands.");
                            }
                            var length = Next() | (Next() << 8);
                            var body = Enumerable.Range(0, length).Select(_ => Next()).ToArray();
                            if (body[0] != 49)
                            {
                                throw new FormatException($"GS ( k for symbol type {body[0]}, not QR (49).");
                            }
                            switch (body[1])
                            {
                                case 65: qrModel = body[2] - 48; break;                                    // select the model
                                case 67: qrSize = body[2]; break;                                          // module size
                                case 69: qrLevel = "LMQH"[body[2] - 48]; break;                           // error correction
                                case 80: qrData = Encoding.ASCII.GetString(body, 3, body.Length - 3); break; // store the data
                                case 81: result.Add(new Qr(qrData ?? throw new FormatException("QR printed before its data was stored."), qrModel, qrSize, qrLevel)); break;
                                default: throw new FormatException($"Unknown QR function {body[1]}.");
                            }
                            break;
                        default: throw new FormatException($"Unknown command GS 0x{gs:X2} at byte {i - 2}.");
                    }
                    break;
                case < 0x20:
                    throw new FormatException($"Unknown control byte 0x{b:X2} at byte {i - 1}.");
                default:
                    text.Add(b);
                    break;
            }
        }
        if (text.Count > 0)
        {
            throw new FormatException("Text after the last line feed is never printed.");
        }
        return result;
    }
}
