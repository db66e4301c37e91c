using System.Text;

namespace Hall.Kiosk.IdCard;

/// <summary>
/// The base information of a second-generation resident ID card (二代身份证) as its reader gives it. The photo is not
/// part of it: the reader's bytes are never decoded, kept or logged. <see cref="ToString"/> shows the masked number only.
/// </summary>
/// <param name="Sex">The code: 1 male, 2 female.</param>
/// <param name="Nation">The nationality code, e.g. 01 汉.</param>
/// <param name="BirthDate">yyyyMMdd.</param>
/// <param name="ValidTo">yyyyMMdd, or 长期.</param>
public sealed record ResidentCard(
    string Name, string Sex, string Nation, string BirthDate, string Address, string IdNumber, string Authority, string ValidFrom, string ValidTo)
{
    public override string ToString() => $"ResidentCard {ResidentIdNumber.Mask(IdNumber)}";

    // The text's fixed fields in UCS-2 little-endian, padded with spaces: their lengths in bytes, in order.
    private static readonly int[] FieldBytes = [30, 2, 4, 16, 70, 36, 30, 16, 16, 36];

    /// <summary>The card from the data of a base-information answer: text length, photo length (both big-endian), text, photo.</summary>
    public static ResidentCard FromBaseInformation(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4)
        {
            throw new SamFrameException("The base information is shorter than its two lengths.");
        }
        var textLength = (data[0] << 8) | data[1];
        var photoLength = (data[2] << 8) | data[3];
        if (textLength < FieldBytes.Sum() || data.Length < 4 + textLength + photoLength)
        {
            throw new SamFrameException($"The base information carries {data.Length - 4} bytes for a text of {textLength} and a photo of {photoLength}.");
        }
        var text = data.Slice(4, textLength);
        var fields = new string[FieldBytes.Length];
        var at = 0;
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = Encoding.Unicode.GetString(text.Slice(at, FieldBytes[i])).TrimEnd(' ', '\0');
            at += FieldBytes[i];
        }
        return new ResidentCard(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], fields[7], fields[8]);
    }
}

/// <summary>The resident ID number (GB 11643): 17 digits and a check character.</summary>
public static class ResidentIdNumber
{
    /// <summary>Whether the 18th character is the ISO 7064 MOD 11-2 check of the first 17, as GB 11643 defines it.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: 18 } && id[..17].All(char.IsAsciiDigit)
        && "10X98765432"[id[..17].Select((c, i) => (c - '0') * (1 << (17 - i)) % 11).Sum() % 11] == id[17];

    /// <summary>As the kiosk and the server show it: 1101**********0030.</summary>
    public static string Mask(string id) => id.Length < 8 ? new string('*', id.Length) : $"{id[..4]}{new string('*', id.Length - 8)}{id[^4..]}";
}
