using System.Security.Cryptography;

namespace Hall.Server.Bookings;

/// <summary>
/// Booking codes: 8 characters drawn by a cryptographic generator from 31 that cannot be confused when read aloud or
/// typed (no 0/O, 1/I/L): 31⁸ ≈ 8.5 × 10¹¹ codes, so guessing one of a day's bookings takes billions of tries against a rate limit.
/// </summary>
public static class BookingCodes
{
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    public const int Length = 8;

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>
    /// A code as typed or scanned ("abcd-efgh", spaces, lower case, or the booking page's link that a scanner reads from the QR
    /// and types: its last path segment) in its stored form, or null when it cannot be one.
    /// </summary>
    public static string? Normalize(string? typed)
    {
        if (typed is null)
        {
            return null;
        }
        typed = typed.Trim();
        if (typed.Contains('/', StringComparison.Ordinal))
        {
            var path = typed.Split('?', '#')[0].TrimEnd('/');
            typed = path[(path.LastIndexOf('/') + 1)..];
        }
        var code = string.Concat(typed.Where(c => c is not ('-' or ' '))).ToUpperInvariant();
        return code.Length == Length && code.All(c => Alphabet.Contains(c, StringComparison.Ordinal)) ? code : null;
    }

    /// <summary>As printed and spoken: ABCD-EFGH.</summary>
    public static string Display(string code) => $"{code[..4]}-{code[4..]}";
}
