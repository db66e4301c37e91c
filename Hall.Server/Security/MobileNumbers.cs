using System.Security.Cryptography;
using System.Text;
using Hall.Server.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Security;

/// <summary>
/// Citizens' mobile numbers: encrypted with ASP.NET Core Data Protection (keys shared by the servers through the
/// database) while a notice may still be needed, and matched by an HMAC with a server-held key — never kept in clear.
/// </summary>
public sealed class MobileNumbers(IDataProtectionProvider protection, IDbContextFactory<HallDb> dbFactory, IConfiguration config)
{
    private const string HmacKeyName = "mobile_hmac";
    private readonly IDataProtector _protector = protection.CreateProtector("Hall.Mobile.v1");
    private byte[]? _hmacKey;

    public string Protect(string mobile) => _protector.Protect(mobile);

    public string Unprotect(string cipher) => _protector.Unprotect(cipher);

    public async Task<byte[]> HmacAsync(string mobile, CancellationToken ct) =>
        HMACSHA256.HashData(await HmacKeyAsync(ct), Encoding.UTF8.GetBytes(mobile));

    /// <summary>
    /// HMAC of a resident ID number with the same server-held key, under its own label so an ID and a mobile never
    /// share a hash. Only the HMAC and the masked form are kept: an ID is never stored encrypted or in clear.
    /// </summary>
    public async Task<byte[]> IdHmacAsync(string idNumber, CancellationToken ct) =>
        HMACSHA256.HashData(await HmacKeyAsync(ct), Encoding.UTF8.GetBytes("id:" + idNumber));

    /// <summary>The key from configuration (<c>Hall:Privacy:MobileHmacKey</c>, base64) or, by default, one generated once per database.</summary>
    private async Task<byte[]> HmacKeyAsync(CancellationToken ct)
    {
        if (_hmacKey is { } known)
        {
            return known;
        }
        if (config["Hall:Privacy:MobileHmacKey"] is { Length: > 0 } configured)
        {
            return _hmacKey = Convert.FromBase64String(configured);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Two servers starting together both try; the first insert wins and both read it back.
        await db.Database.ExecuteSqlAsync($"INSERT INTO server_secrets (name, value) VALUES ({HmacKeyName}, {RandomNumberGenerator.GetBytes(32)}) ON CONFLICT (name) DO NOTHING", ct);
        return _hmacKey = await db.ServerSecrets.Where(s => s.Name == HmacKeyName).Select(s => s.Value).SingleAsync(ct);
    }
}
