using System.Security.Cryptography;

namespace Hall.Server.Tracking;

/// <summary>The code in a ticket's tracking URL: 16 characters of a 31-letter alphabet (79 bits), so a guessed URL finds nothing.</summary>
public static class TrackingCodes
{
    // No 0/o, 1/l/i: a code read aloud or typed from paper stays unambiguous.
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    public const int Length = 16;

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    public static bool LooksValid(string code) => code.Length == Length && code.All(Alphabet.Contains);
}
