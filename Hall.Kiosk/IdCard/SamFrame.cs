namespace Hall.Kiosk.IdCard;

/// <summary>A reader's answer: the card's SW1 SW2, the reader's own status SW3, and the data.</summary>
public sealed record SamResponse(byte Sw1, byte Sw2, SamStatus Sw3, byte[] Data);

/// <summary>SW3 of an answer: the reader's own status (the ones the kiosk acts on; any other is a failure).</summary>
public enum SamStatus : byte
{
    Success = 0x90,
    CardFound = 0x9F,
    NoCard = 0x80,
    SelectFailed = 0x81,
    ReadFailed = 0x41,
}

/// <summary>A frame that cannot be the reader's answer (its checksum or its length is wrong).</summary>
public sealed class SamFrameException(string message) : Exception(message);

/// <summary>
/// The frames of the resident ID card reader's SAM interface (GA 467): preamble AA AA AA 96 69, a big-endian length of
/// what follows it, the body, and a checksum that XORs every byte from the length to the last data byte. A command's
/// body is CMD Para Data; an answer's is SW1 SW2 SW3 Data. Pure: the serial reader writes and reads these bytes.
/// </summary>
public static class SamFrame
{
    public static ReadOnlySpan<byte> Preamble => [0xAA, 0xAA, 0xAA, 0x96, 0x69];

    /// <summary>The longest answer taken: base information with fingerprints is 2,321 bytes; anything far beyond is line noise.</summary>
    public const int MaxLength = 4096;

    public static byte[] FindCard { get; } = Command(0x20, 0x01);
    public static byte[] SelectCard { get; } = Command(0x20, 0x02);
    public static byte[] ReadBaseInformation { get; } = Command(0x30, 0x01);

    public static byte[] Command(byte command, byte parameter, ReadOnlySpan<byte> data = default)
    {
        var length = 2 + data.Length + 1;
        var frame = new byte[Preamble.Length + 2 + length];
        Preamble.CopyTo(frame);
        var body = frame.AsSpan(Preamble.Length);
        body[0] = (byte)(length >> 8);
        body[1] = (byte)length;
        body[2] = command;
        body[3] = parameter;
        data.CopyTo(body[4..]);
        body[^1] = Checksum(body[..^1]);
        return frame;
    }

    /// <summary>The body's length as the two length bytes after the preamble give it.</summary>
    public static int Length(byte high, byte low)
    {
        var length = (high << 8) | low;
        return length is < 4 or > MaxLength ? throw new SamFrameException($"An answer of {length} bytes cannot be the reader's.") : length;
    }

    /// <summary>An answer from its two length bytes and the body they announce (status, data, checksum).</summary>
    public static SamResponse Decode(byte high, byte low, ReadOnlySpan<byte> body)
    {
        if (body.Length != Length(high, low))
        {
            throw new SamFrameException($"The answer announced {Length(high, low)} bytes and carries {body.Length}.");
        }
        if ((byte)(high ^ low ^ Checksum(body[..^1])) != body[^1])
        {
            throw new SamFrameException("The answer's checksum is wrong.");
        }
        return new SamResponse(body[0], body[1], (SamStatus)body[2], body[3..^1].ToArray());
    }

    private static byte Checksum(ReadOnlySpan<byte> bytes)
    {
        byte x = 0;
        foreach (var b in bytes)
        {
            x ^= b;
        }
        return x;
    }
}
