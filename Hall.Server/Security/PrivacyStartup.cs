using System.Xml.Linq;
using Hall.Server.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Security;

/// <summary>Says which privacy key the server runs with (its public id, never the key): servers of one database show the same.</summary>
public sealed class PrivacyKeyLoad(PrivacyKeys keys, ILogger<PrivacyKeyLoad> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        log.LogInformation("Privacy key {KeyId} from {Source}{Previous}", keys.Current.Id, keys.Current.Source,
            keys.Previous is { } previous ? $"; previous key {previous.Id} from {previous.Source}, used only to re-wrap what it wrapped" : "");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// After the migrations: every stored Data Protection key is wrapped with the current privacy key (re-wrapping what the
/// previous key or no key wrapped), open tickets' mobile HMACs follow a rotated key, and the key ring must be readable —
/// a server with another key than the others of its database refuses to start instead of failing one notice at a time.
/// <c>Hall:Privacy:ForgetUnreadable</c> = true lets a server whose key was lost start: it deletes the stored keys it
/// cannot read and the mobile numbers they encrypted (the notices of today's open tickets; nothing else needs them).
/// </summary>
public sealed class KeyRingCheck(IDbContextFactory<HallDb> dbFactory, PrivacyKeys keys, MobileNumbers mobiles, IDataProtectionProvider protection, IConfiguration config, ILogger<KeyRingCheck> log) : IHostedService
{
    private static readonly XNamespace DataProtection = "http://schemas.asp.net/2015/03/dataProtection";

    /// <summary>Serialises the check of servers starting together on one database.</summary>
    private const long LockKey = 7140003;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using (var tx = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
            var (rewrapped, unreadable) = await RewrapAsync(db, cancellationToken);
            if (unreadable.Count > 0)
            {
                await ForgetUnreadableAsync(db, unreadable, cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
            if (rewrapped > 0)
            {
                log.LogWarning("Wrapped {Count} stored Data Protection keys with privacy key {KeyId}", rewrapped, keys.Current.Id);
            }
        }
        if (keys.Previous is not null)
        {
            var rekeyed = await mobiles.RekeyOpenTicketsAsync(cancellationToken);
            log.LogWarning("Privacy key rotated: {Count} open tickets' mobile HMACs now use key {KeyId}; the previous key is no longer needed and can be removed", rekeyed, keys.Current.Id);
        }
        // A key ring this server can use: makes the first key now, wrapped, rather than on the first citizen's mobile.
        var protector = protection.CreateProtector("Hall.KeyRingCheck");
        if (protector.Unprotect(protector.Protect("ok")) != "ok")
        {
            throw new HallStartupException("The Data Protection key ring does not round-trip. / 数据保护密钥环无法使用。");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<(int Rewrapped, List<Guid> Unreadable)> RewrapAsync(HallDb db, CancellationToken ct)
    {
        var rewrapped = 0;
        var unreadable = new List<Guid>();
        foreach (var row in await db.DataProtectionKeys.ToListAsync(ct))
        {
            if (row.Xml is null)
            {
                continue;
            }
            var xml = XElement.Parse(row.Xml);
            var changed = false;
            foreach (var plain in xml.Descendants().Where(e => (bool?)e.Attribute(DataProtection + "requiresEncryption") == true).ToList())
            {
                plain.ReplaceWith(Secret(KeyRingWrapping.Wrap(keys.Current, plain)));
                changed = true;
            }
            foreach (var wrapped in xml.Descendants(KeyRingWrapping.ElementName).ToList())
            {
                var keyId = KeyRingWrapping.KeyIdOf(wrapped);
                if (keyId == keys.Current.Id)
                {
                    continue;
                }
                if (keyId is not null && keys.Find(keyId) is not null)
                {
                    wrapped.ReplaceWith(KeyRingWrapping.Wrap(keys.Current, KeyRingWrapping.Unwrap(keys, wrapped)));
                    changed = true;
                }
                else
                {
                    unreadable.Add(Guid.TryParse((string?)xml.Attribute("id"), out var id) ? id : Guid.Empty);
                }
            }
            if (changed)
            {
                row.Xml = xml.ToString(SaveOptions.DisableFormatting);
                rewrapped++;
            }
        }
        await db.SaveChangesAsync(ct);
        return (rewrapped, unreadable);
    }

    private static XElement Secret(XElement wrapped) =>
        new(DataProtection + "encryptedSecret", new XAttribute("decryptorType", typeof(KeyRingDecryptor).AssemblyQualifiedName!), wrapped);

    private async Task ForgetUnreadableAsync(HallDb db, List<Guid> unreadable, CancellationToken ct)
    {
        if (!config.GetValue("Hall:Privacy:ForgetUnreadable", false))
        {
            throw new HallStartupException(
                $"{unreadable.Count} Data Protection keys in the database were wrapped with another privacy key than this server's ({keys.Current.Id}). " +
                "Give this server the key file of the other servers of this database (or the old key as Hall__Privacy__PreviousKeyFile after a rotation). " +
                "If that key is lost, start once with Hall__Privacy__ForgetUnreadable=true: the mobile numbers of today's open tickets are then forgotten (no notice is sent for them). / " +
                $"数据库中有 {unreadable.Count} 个数据保护密钥由其他隐私密钥加密，与本服务器（{keys.Current.Id}）不一致：请使用同一密钥文件；如密钥已丢失，可设置 Hall__Privacy__ForgetUnreadable=true 启动一次。");
        }
        var ids = unreadable.ToHashSet();
        var rows = await db.DataProtectionKeys.ToListAsync(ct);
        db.DataProtectionKeys.RemoveRange(rows.Where(r => r.Xml is not null && Guid.TryParse((string?)XElement.Parse(r.Xml).Attribute("id"), out var id) && ids.Contains(id)));
        var forgotten = 0;
        foreach (var ticket in await db.Tickets.Where(t => t.MobileCipher != null).Select(t => new { t.Id, t.MobileCipher }).ToListAsync(ct))
        {
            if (ids.Contains(KeyIdOfPayload(ticket.MobileCipher!)))
            {
                forgotten += await db.Database.ExecuteSqlAsync($"UPDATE tickets SET mobile_cipher = NULL, mobile_hmac = NULL, mobile_masked = NULL WHERE id = {ticket.Id}", ct);
            }
        }
        await db.SaveChangesAsync(ct);
        log.LogWarning("Forgot {Keys} unreadable Data Protection keys and the mobile numbers of {Tickets} open tickets they encrypted", ids.Count, forgotten);
    }

    /// <summary>The Data Protection key a protected payload names (magic header, then the key's id).</summary>
    private static Guid KeyIdOfPayload(string protectedText)
    {
        try
        {
            var bytes = WebEncoders.Base64UrlDecode(protectedText);
            return bytes.Length >= 20 ? new Guid(bytes.AsSpan(4, 16)) : Guid.Empty;
        }
        catch (FormatException)
        {
            return Guid.Empty;
        }
    }
}
