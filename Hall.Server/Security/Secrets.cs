using System.Security.Cryptography;

namespace Hall.Server.Security;

/// <summary>Long random secrets (device keys, login tokens): shown once, stored as a SHA-256 hash.</summary>
public static class Secrets
{
    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string secret) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));

    public static bool Matches(string secret, byte[] hash) => CryptographicOperations.FixedTimeEquals(Hash(secret), hash);

    /// <summary>A token is <c>{prefix}_{id}_{secret}</c>: the id finds the row, the secret proves it.</summary>
    public static string Token(string prefix, long id, string secret) => $"{prefix}_{id}_{secret}";

    public static bool TryParse(string token, string prefix, out long id, out string secret)
    {
        id = 0;
        secret = "";
        var parts = token.Split('_', 3);
        if (parts.Length != 3 || parts[0] != prefix || !long.TryParse(parts[1], System.Globalization.NumberStyles.None, null, out id) || parts[2].Length < 20)
        {
            return false;
        }
        secret = parts[2];
        return true;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '.');
}
