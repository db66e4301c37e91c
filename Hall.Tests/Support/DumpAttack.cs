using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Hall.Server.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hall.Tests.Support;

/// <summary>
/// What someone holding a copy of the database does to get citizens' numbers back, knowing Hall's source code: reads every
/// column of a <c>pg_dump</c>, takes every masked number it finds as a set of candidates (138****5678: 10⁴; an ID masked
/// 4101**********1234: every region and birth date whose check digit fits), every value that could be a key (any binary
/// or base64 value of key length outside the columns named as hashes, and the keys Hall would derive from each), and tries every candidate against
/// every 32-byte value in the dump: plain SHA-256, and HMAC-SHA-256 under each key, of the number with and without
/// Hall's "id:" label; and decrypts every Data Protection payload with the key ring found in the dump.
/// Given the privacy key as well (<c>extraKeys</c>), the same program must get the numbers back: that is what shows it works.
/// </summary>
public sealed partial class DumpAttack
{
    private readonly List<(string Table, string Column, string Value)> _cells = [];
    private readonly List<byte[]> _extraKeys;

    private DumpAttack(string dump, IEnumerable<byte[]> extraKeys)
    {
        _extraKeys = [.. extraKeys];
        string[]? columns = null;
        string table = "";
        foreach (var line in dump.Split('\n'))
        {
            if (columns is null)
            {
                if (CopyLine().Match(line) is { Success: true } m)
                {
                    table = m.Groups[1].Value.Replace("public.", "", StringComparison.Ordinal);
                    columns = [.. m.Groups[2].Value.Split(", ").Select(c => c.Trim('"'))];
                }
                continue;
            }
            if (line == "\\.")
            {
                columns = null;
                continue;
            }
            var values = line.Split('\t');
            for (var i = 0; i < values.Length && i < columns.Length; i++)
            {
                if (values[i] != "\\N")
                {
                    _cells.Add((table, columns[i], Unescape(values[i])));
                }
            }
        }
    }

    /// <summary>What the attack found to work on (so a test can show it was not empty-handed) and what it got back.</summary>
    public sealed record Outcome(int Cells, int MobileMasks, int IdMasks, int Targets, int KeyCandidates, int Ciphers, int KeyRingEntries, HashSet<string> Recovered, TimeSpan Took);

    public static Outcome Run(string dump, params byte[][] extraKeys) => new DumpAttack(dump, extraKeys).Run();

    private Outcome Run()
    {
        var watch = Stopwatch.StartNew();
        var text = _cells.Select(c => c.Value).ToList();
        var mobileMasks = text.SelectMany(v => MobileMask().Matches(v).Select(m => m.Value)).ToHashSet();
        var idMasks = text.SelectMany(v => IdMask().Matches(v).Select(m => m.Value)).ToHashSet();
        var binaries = _cells.Select(c => Binary(c.Value)).OfType<byte[]>().ToList();
        var targets = binaries.Where(b => b.Length == 32).Select(Convert.ToHexString).ToHashSet();
        // Hex text of hash length is a target too (an HMAC written into a JSON payload, say).
        foreach (var hex in text.SelectMany(v => Hex64().Matches(v).Select(m => m.Value.ToUpperInvariant())))
        {
            targets.Add(hex);
        }
        // A key is any value of key length, except in the columns the schema names as hash outputs (…_hash, …_hmac): those are what is attacked.
        var rawKeys = _cells.Where(c => !c.Column.EndsWith("_hash", StringComparison.Ordinal) && !c.Column.EndsWith("_hmac", StringComparison.Ordinal))
            .Select(c => Binary(c.Value)).OfType<byte[]>().Where(b => b.Length is >= 16 and <= 64)
            .Concat(text.SelectMany(v => Base64().Matches(v).Select(m => FromBase64(m.Value))).OfType<byte[]>().Where(b => b.Length is 32 or 64))
            .Concat(_extraKeys)
            .DistinctBy(Convert.ToHexString)
            .ToList();
        // Hall's source says how it derives its keys: try each value found as such a master key too.
        var keys = rawKeys.Concat(rawKeys.Where(k => k.Length == 32).Select(k => PrivacyKeys.Of(k).Current.HmacKey)).DistinctBy(Convert.ToHexString).ToList();

        var recovered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mask in mobileMasks)
        {
            Try(MobileCandidates(mask), keys, targets, recovered);
        }
        foreach (var mask in idMasks)
        {
            Try(IdCandidates(mask), keys, targets, recovered);
        }
        var ciphers = text.Where(v => v.StartsWith("CfDJ8", StringComparison.Ordinal)).ToList();
        var ring = _cells.Where(c => c.Table == "data_protection_keys" && c.Column == "xml").Select(c => XElement.Parse(c.Value)).ToList();
        foreach (var plain in Decrypt(ring, ciphers))
        {
            recovered.Add(plain);
        }
        return new Outcome(_cells.Count, mobileMasks.Count, idMasks.Count, targets.Count, keys.Count, ciphers.Count, ring.Count, recovered, watch.Elapsed);
    }

    private static void Try(IEnumerable<string> candidates, List<byte[]> keys, HashSet<string> targets, HashSet<string> recovered)
    {
        var list = candidates.ToList();
        var found = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, list.Count), range =>
        {
            var hmacs = keys.Select(k => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, k)).ToList();
            Span<byte> hash = stackalloc byte[32];
            for (var i = range.Item1; i < range.Item2; i++)
            {
                foreach (var message in new[] { list[i], "id:" + list[i] })
                {
                    var bytes = Encoding.UTF8.GetBytes(message);
                    SHA256.HashData(bytes, hash);
                    if (targets.Contains(Convert.ToHexString(hash)))
                    {
                        found.Add(list[i]);
                    }
                    foreach (var hmac in hmacs)
                    {
                        hmac.AppendData(bytes);
                        hmac.GetHashAndReset(hash);
                        if (targets.Contains(Convert.ToHexString(hash)))
                        {
                            found.Add(list[i]);
                        }
                    }
                }
            }
            hmacs.ForEach(h => h.Dispose());
        });
        recovered.UnionWith(found);
    }

    /// <summary>Decrypts with the key ring of the dump, as Hall itself would (its application name and purpose), and with the privacy keys given, if any.</summary>
    private List<string> Decrypt(List<XElement> ring, List<string> ciphers)
    {
        var services = new ServiceCollection();
        foreach (var key in _extraKeys.Where(k => k.Length == PrivacyKeys.KeyLength))
        {
            services.AddSingleton(PrivacyKeys.Of(key));
        }
        services.AddDataProtection().SetApplicationName("Hall").DisableAutomaticKeyGeneration();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new FoundKeys(ring));
        using var provider = services.BuildServiceProvider();
        var protector = provider.GetDataProtector("Hall.Mobile.v1");
        var plain = new List<string>();
        foreach (var cipher in ciphers)
        {
            try
            {
                plain.Add(protector.Unprotect(cipher));
            }
            catch (Exception ex) when (ex is CryptographicException or InvalidOperationException)
            {
                // Not readable with what the dump holds.
            }
        }
        return plain;
    }

    private sealed class FoundKeys(List<XElement> ring) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements() => ring;

        public void StoreElement(XElement element, string friendlyName) => throw new NotSupportedException();
    }

    private static IEnumerable<string> MobileCandidates(string mask)
    {
        for (var middle = 0; middle < 10_000; middle++)
        {
            yield return $"{mask[..3]}{middle:D4}{mask[^4..]}";
        }
    }

    /// <summary>Every ID number the mask allows: the two hidden region digits, every birth date from 1900 to today, the check digit as shown.</summary>
    private static IEnumerable<string> IdCandidates(string mask)
    {
        for (var region = 0; region < 100; region++)
        {
            for (var day = new DateOnly(1900, 1, 1); day <= DateOnly.FromDateTime(DateTime.Today); day = day.AddDays(1))
            {
                var first17 = $"{mask[..4]}{region:D2}{day:yyyyMMdd}{mask[14..17]}";
                if (IdNumbers.CheckCharacter(first17) == char.ToUpperInvariant(mask[17]))
                {
                    yield return first17 + mask[17];
                }
            }
        }
    }

    private static byte[]? Binary(string value) =>
        value.StartsWith("\\x", StringComparison.Ordinal) && value.Length % 2 == 0 && value.Length > 2 && value[2..].All(char.IsAsciiHexDigit)
            ? Convert.FromHexString(value[2..])
            : null;

    private static byte[]? FromBase64(string value)
    {
        try
        {
            return Convert.FromBase64String(value.Replace('-', '+').Replace('_', '/').PadRight((value.Length + 3) / 4 * 4, '='));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>COPY's text format: backslash escapes (a bytea arrives as \\x…, i.e. \x… once unescaped).</summary>
    private static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }
        var s = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                s.Append(value[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var c => c });
            }
            else
            {
                s.Append(value[i]);
            }
        }
        return s.ToString();
    }

    /// <summary>A plain <c>pg_dump</c> of the database, with the newest client tools on the machine.</summary>
    public static async Task<string> PgDumpAsync(string connectionString)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        // The server's own bin folder first, then Debian's versioned folders (newest first), then PATH.
        var candidates = new[] { Hall.Server.Data.EmbeddedPostgres.FindBinaries() }
            .Concat(Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending(StringComparer.Ordinal).Select(d => Path.Combine(d, "bin")) : [])
            .Where(d => d is not null && File.Exists(Path.Combine(d, "pg_dump")))
            .Select(d => Path.Combine(d!, "pg_dump"));
        var info = new ProcessStartInfo(candidates.FirstOrDefault() ?? "pg_dump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-h", cs.Host!, "-p", cs.Port.ToString(CultureInfo.InvariantCulture), "-U", cs.Username!, "-d", cs.Database!, "--no-owner" })
        {
            info.ArgumentList.Add(a);
        }
        if (cs.Password is { } password)
        {
            info.Environment["PGPASSWORD"] = password;
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, await error);
        return await output;
    }

    [GeneratedRegex(@"^COPY ([\w.""]+) \((.*)\) FROM stdin;$")]
    private static partial Regex CopyLine();

    [GeneratedRegex(@"1\d{2}\*{4}\d{4}")]
    private static partial Regex MobileMask();

    [GeneratedRegex(@"\d{4}\*{10}\d{3}[\dXx]")]
    private static partial Regex IdMask();

    [GeneratedRegex(@"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")]
    private static partial Regex Hex64();

    [GeneratedRegex(@"[A-Za-z0-9+/_-]{40,}={0,2}")]
    private static partial Regex Base64();
}
