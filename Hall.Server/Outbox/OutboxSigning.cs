using System.Security.Cryptography;
using System.Text;

namespace Hall.Server.Outbox;

/// <summary>
/// The signature of an outgoing message, the same for the province and for webhooks: HMAC-SHA256 with the shared secret
/// over the timestamp (Unix seconds), the nonce and the body, concatenated as text with nothing between them.
/// </summary>
public static class OutboxSigning
{
    public static byte[] Sign(byte[] secret, string timestamp, string nonce, string body) =>
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(timestamp + nonce + body));

    /// <summary>The signature as sent: lower-case hex, or base64 when the receiver asks for it.</summary>
    public static string Encode(byte[] signature, bool base64) => base64 ? Convert.ToBase64String(signature) : Convert.ToHexStringLower(signature);

    /// <summary>Whether <paramref name="signature"/> (as sent) is the message's, compared in constant time.</summary>
    public static bool Verify(byte[] secret, string timestamp, string nonce, string body, string signature, bool base64 = false) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Encode(Sign(secret, timestamp, nonce, body), base64)), Encoding.ASCII.GetBytes(signature));
}
