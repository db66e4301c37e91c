using Hall.Tests.Support;
using System.Text;

namespace Hall.Tests.Kiosk;

/// <summary>
/// The resident ID card reader's SAM serial frames (GA 467) as the tests know them, written from the protocol and
/// sharing nothing with the kiosk's driver: a command is AA AA AA 96 69, a length (2 bytes, big-endian) of CMD Para
/// Data CHK, then those; an answer the same with SW1 SW2 SW3 Data CHK; CHK is the XOR of the length bytes and
/// everything after them but itself. The base information's text is UCS-2 little-endian in fixed, space-padded fields.
/// </summary>
public static class SamProtocol
{
    public static readonly byte[] Preamble = [0xAA, 0xAA, 0xAA, 0x96, 0x69];

    /// <summary>A command as the reader received it; <see cref="ChecksumOk"/> false when its checksum did not match.</summary>
    public sealed record Command(byte Cmd, byte Para, byte[] Data, bool ChecksumOk)
    {
        public string Name => (Cmd, Para) switch
        {
            (0x20, 0x01) => "find",
            (0x20, 0x02) => "select",
            (0x30, 0x01) => "read",
            _ => $"{Cmd:X2} {Para:X2}",
        };
    }

    /// <summary>A resident as the card holds them.</summary>
    public sealed record Citizen(
        string Name, string Sex, string Nation, string BirthDate, string Address, string IdNumber, string Authority, string ValidFrom, string ValidTo);

    public static byte[] EncodeCommand(byte cmd, byte para, params byte[] data) => Frame([cmd, para, .. data]);

    public static byte[] EncodeAnswer(byte sw3, byte[] data, bool corruptChecksum = false)
    {
        var frame = Frame([0x00, 0x00, sw3, .. data]);
        if (corruptChecksum)
        {
            frame[^1] ^= 0x5A;
        }
        return frame;
    }

    private static byte[] Frame(byte[] body)
    {
        var length = body.Length + 1;
        byte[] lengthBytes = [(byte)(length / 256), (byte)(length % 256)];
        var check = lengthBytes.Concat(body).Aggregate((byte)0, (x, b) => (byte)(x ^ b));
        return [.. Preamble, .. lengthBytes, .. body, check];
    }

    /// <summary>Takes the first whole command off the front of <paramref name="buffer"/>, skipping bytes before a preamble; null while none is whole.</summary>
    public static Command? TakeCommand(List<byte> buffer)
    {
        while (buffer.Count >= Preamble.Length && !buffer.Take(Preamble.Length).SequenceEqual(Preamble))
        {
            buffer.RemoveAt(0);
        }
        if (buffer.Count < Preamble.Length + 2)
        {
            return null;
        }
        var length = buffer[5] * 256 + buffer[6];
        if (buffer.Count < 7 + length)
        {
            return null;
        }
        var frame = buffer.GetRange(0, 7 + length);
        buffer.RemoveRange(0, 7 + length);
        var check = frame.Skip(5).SkipLast(1).Aggregate((byte)0, (x, b) => (byte)(x ^ b));
        return new Command(frame[7], frame[8], [.. frame.Skip(9).SkipLast(1)], check == frame[^1]);
    }

    /// <summary>An answer decoded: null when its checksum is wrong.</summary>
    public static (byte Sw1, byte Sw2, byte Sw3, byte[] Data)? DecodeAnswer(byte[] frame)
    {
        Assert.That(frame.Take(5), Is.EqualTo(Preamble));
        var length = frame[5] * 256 + frame[6];
        Assert.That(frame, Has.Length.EqualTo(7 + length));
        var check = frame.Skip(5).SkipLast(1).Aggregate((byte)0, (x, b) => (byte)(x ^ b));
        return check == frame[^1] ? (frame[7], frame[8], frame[9], frame[10..^1]) : null;
    }

    /// <summary>The data of a base-information answer: text length 256 and photo length (big-endian), the text, the photo.</summary>
    public static byte[] BaseInformation(Citizen citizen, byte[] photo)
    {
        var text = Text(citizen);
        return [(byte)(text.Length >> 8), (byte)text.Length, (byte)(photo.Length >> 8), (byte)photo.Length, .. text, .. photo];
    }

    /// <summary>The 256-byte text: name 30, sex 2, nation 4, birth 16, address 70, number 36, authority 30, valid from 16, to 16, reserved 36.</summary>
    public static byte[] Text(Citizen c)
    {
        var fields = new (string Value, int Bytes)[]
        {
            (c.Name, 30), (c.Sex, 2), (c.Nation, 4), (c.BirthDate, 16), (c.Address, 70), (c.IdNumber, 36),
            (c.Authority, 30), (c.ValidFrom, 16), (c.ValidTo, 16), ("", 36),
        };
        var text = new List<byte>();
        foreach (var (value, bytes) in fields)
        {
            Assert.That(value.Length * 2, Is.LessThanOrEqualTo(bytes), $"{value} fits its field");
            text.AddRange(Encoding.Unicode.GetBytes(value.PadRight(bytes / 2)));
        }
        Assert.That(text, Has.Count.EqualTo(256));
        return [.. text];
    }

    /// <summary>The GB 11643 check character of the first 17 digits.</summary>
    public static char CheckCharacter(string first17) => IdNumbers.CheckCharacter(first17);
}
