using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Hall.Server.Security;

/// <summary>
/// Wraps each Data Protection key before it is stored in the database (AES-256-GCM under a key derived from the
/// privacy key, which lives outside it): the key ring in a dump cannot decrypt the mobiles of open tickets.
/// </summary>
public sealed class KeyRingEncryptor(PrivacyKeys keys) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement) => new(KeyRingWrapping.Wrap(keys.Current, plaintextElement), typeof(KeyRingDecryptor));
}

/// <summary>Unwraps a stored key; Data Protection makes it by type name with the application's services.</summary>
public sealed class KeyRingDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) => KeyRingWrapping.Unwrap(services.GetRequiredService<PrivacyKeys>(), encryptedElement);
}

public static class KeyRingWrapping
{
    public const string ElementName = "privacyKeyWrapped";
    private const int NonceLength = 12;
    private const int TagLength = 16;

    /// <summary>The id of the privacy key a stored element was wrapped with.</summary>
    public static string? KeyIdOf(XElement wrapped) => (string?)wrapped.Attribute("keyId");

    public static XElement Wrap(PrivacyKey key, XElement plain)
    {
        var plaintext = System.Text.Encoding.UTF8.GetBytes(plain.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(NonceLength);
        var sealedBytes = new byte[NonceLength + TagLength + plaintext.Length];
        using (var aes = new AesGcm(key.KeyRingKey, TagLength))
        {
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceLength + TagLength), sealedBytes.AsSpan(NonceLength, TagLength), AssociatedData(key.Id));
        }
        nonce.CopyTo(sealedBytes, 0);
        return new XElement(ElementName, new XAttribute("keyId", key.Id), new XAttribute("algorithm", "AES-256-GCM"), Convert.ToBase64String(sealedBytes));
    }

    public static XElement Unwrap(PrivacyKeys keys, XElement wrapped)
    {
        var keyId = KeyIdOf(wrapped) ?? "";
        var key = keys.Find(keyId) ?? throw new CryptographicException(
            $"A Data Protection key in the database was wrapped with privacy key {keyId}; this server has {keys.Current.Id}. Every server of a database needs the same key (OPERATIONS.md §4).");
        var sealedBytes = Convert.FromBase64String(wrapped.Value);
        var plaintext = new byte[sealedBytes.Length - NonceLength - TagLength];
        using (var aes = new AesGcm(key.KeyRingKey, TagLength))
        {
            aes.Decrypt(sealedBytes.AsSpan(0, NonceLength), sealedBytes.AsSpan(NonceLength + TagLength), sealedBytes.AsSpan(NonceLength, TagLength), plaintext, AssociatedData(key.Id));
        }
        return XElement.Parse(System.Text.Encoding.UTF8.GetString(plaintext));
    }

    private static byte[] AssociatedData(string keyId) => System.Text.Encoding.ASCII.GetBytes("Hall.KeyRing/" + keyId);
}
