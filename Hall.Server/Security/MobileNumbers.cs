using System.Security.Cryptography;
using System.Text;
using Hall.Server.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Security;

/// <summary>
/// Citizens' mobile numbers: encrypted with ASP.NET Core Data Protection (its key ring shared by the servers through
/// the database, wrapped with the privacy key) while a notice may still be needed, and matched by an HMAC under a key
/// derived from the privacy key — never kept in clear, and never recoverable from the database alone.
/// </summary>
public sealed class MobileNumbers(IDataProtectionProvider protection, IDbContextFactory<HallDb> dbFactory, PrivacyKeys keys)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Hall.Mobile.v1");

    public string Protect(string mobile) => _protector.Protect(mobile);

    private readonly IDataProtector _contactProtector = protection.CreateProtector("Hall.Mobile.FollowUp.v1");

    /// <summary>The number as kept for a 回访 after the ticket closed: another purpose, so neither cipher opens the other's use.</summary>
    public string ProtectContact(string mobile) => _contactProtector.Protect(mobile);

    /// <summary>The 回访 number, or null when it can no longer be read (its Data Protection key is gone).</summary>
    public string? UnprotectContact(string cipher)
    {
        try
        {
            return _contactProtector.Unprotect(cipher);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public string Unprotect(string cipher) => _protector.Unprotect(cipher);

    public byte[] Hmac(string mobile) => HMACSHA256.HashData(keys.Current.HmacKey, Encoding.UTF8.GetBytes(mobile));

    /// <summary>
    /// HMAC of a resident ID number with the same key, under its own label so an ID and a mobile never share a hash.
    /// Only the HMAC and the masked form are kept: an ID is never stored encrypted or in clear.
    /// </summary>
    public byte[] IdHmac(string idNumber) => HMACSHA256.HashData(keys.Current.HmacKey, Encoding.UTF8.GetBytes("id:" + idNumber));

    /// <summary>
    /// After a rotation, the open tickets' mobile HMACs are made again with the current key from their encrypted numbers.
    /// An ID number's HMAC cannot be (the ID is not kept): tickets taken before the rotation are not matched by ID that day.
    /// </summary>
    public async Task<int> RekeyOpenTicketsAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rekeyed = 0;
        foreach (var ticket in await db.Tickets.Where(t => t.MobileCipher != null).Select(t => new { t.Id, t.MobileCipher }).ToListAsync(ct))
        {
            string mobile;
            try
            {
                mobile = Unprotect(ticket.MobileCipher!);
            }
            catch (CryptographicException)
            {
                continue;
            }
            rekeyed += await db.Database.ExecuteSqlAsync($"UPDATE tickets SET mobile_hmac = {Hmac(mobile)} WHERE id = {ticket.Id} AND mobile_cipher IS NOT NULL", ct);
        }
        return rekeyed;
    }
}
