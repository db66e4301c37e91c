using System.Security.Cryptography;
using System.Text;
using Hall.Server.Data;

namespace Hall.Server.Security;

/// <summary>
/// The key that makes citizens' numbers unrecoverable from a copy of the database: it lives outside the database, so a
/// dump, a backup or a replica alone gives back no ID number and no mobile, not even by trying every candidate.
/// <list type="bullet">
/// <item><c>Hall:Privacy:Key</c> (base64, 32 bytes; the environment variable <c>Hall__Privacy__Key</c>), or</item>
/// <item><c>Hall:Privacy:KeyFile</c>: a file holding that base64 line, readable by the service user and not by others.</item>
/// </list>
/// Outside Production, with neither set, the key is a file beside the data (<c>{Hall:DataFolder}/privacy.key</c>) made at
/// first start; a configured key file that does not exist yet is made too. Production never makes its own key: it refuses
/// to start without one, so that two servers never run on two different keys by accident.
/// Every use has its own key derived from this one (HKDF): the number HMACs, the command hashes, the Data Protection key
/// ring's wrapping. <c>Hall:Privacy:PreviousKey</c> / <c>PreviousKeyFile</c> name the key before a rotation.
/// </summary>
public sealed class PrivacyKeys
{
    public const string KeySetting = "Hall:Privacy:Key";
    public const string KeyFileSetting = "Hall:Privacy:KeyFile";
    public const string PreviousKeySetting = "Hall:Privacy:PreviousKey";
    public const string PreviousKeyFileSetting = "Hall:Privacy:PreviousKeyFile";

    /// <summary>The name the key had before it also wrapped the key ring; still read, as an operator may have set it.</summary>
    public const string LegacyKeySetting = "Hall:Privacy:MobileHmacKey";

    public const int KeyLength = 32;

    private PrivacyKeys(PrivacyKey current, PrivacyKey? previous)
    {
        Current = current;
        Previous = previous;
    }

    public PrivacyKey Current { get; }

    /// <summary>The key before a rotation, when given: what it wrapped is wrapped again with the current key at start.</summary>
    public PrivacyKey? Previous { get; }

    /// <summary>The key with this id: the current one or the previous one.</summary>
    public PrivacyKey? Find(string keyId) =>
        Current.Id == keyId ? Current : Previous?.Id == keyId ? Previous : null;

    /// <summary>Reads the keys from configuration, making the key file outside Production; refuses with a message an operator can act on.</summary>
    public static PrivacyKeys Load(IConfiguration config, IHostEnvironment env)
    {
        var production = env.IsProduction();
        var current = Read(config, KeySetting, KeyFileSetting, env, mayCreate: !production)
            ?? Read(config, LegacyKeySetting, null, env, mayCreate: false);
        if (current is null)
        {
            if (production)
            {
                throw new HallStartupException(
                    "No privacy key: set Hall__Privacy__KeyFile (e.g. /etc/hall/privacy.key, made with: umask 027; openssl rand -base64 32 > /etc/hall/privacy.key; chown root:hall /etc/hall/privacy.key) or Hall__Privacy__Key. " +
                    "It keeps ID and mobile numbers unrecoverable from a copy of the database; see OPERATIONS.md §4. / " +
                    "未配置隐私密钥：请设置 Hall__Privacy__KeyFile（如 /etc/hall/privacy.key）或 Hall__Privacy__Key，详见 OPERATIONS.md 第 4 节。");
            }
            var folder = config["Hall:DataFolder"] is { Length: > 0 } f ? f : Path.Combine(env.ContentRootPath, ".hall-data");
            current = FromFile(Path.Combine(folder, "privacy.key"), mayCreate: true);
        }
        var previous = Read(config, PreviousKeySetting, PreviousKeyFileSetting, env, mayCreate: false);
        return new PrivacyKeys(current, previous?.Id == current.Id ? null : previous);
    }

    /// <summary>Keys given directly, for tools and tests that hold their own.</summary>
    public static PrivacyKeys Of(byte[] current, byte[]? previous = null) =>
        new(new PrivacyKey(current, "given"), previous is null ? null : new PrivacyKey(previous, "given"));

    private static PrivacyKey? Read(IConfiguration config, string keySetting, string? fileSetting, IHostEnvironment env, bool mayCreate)
    {
        if (config[keySetting] is { Length: > 0 } inline)
        {
            return new PrivacyKey(Parse(inline, keySetting), keySetting);
        }
        if (fileSetting is not null && config[fileSetting] is { Length: > 0 } file)
        {
            return FromFile(Path.IsPathRooted(file) ? file : Path.Combine(env.ContentRootPath, file), mayCreate);
        }
        return null;
    }

    private static PrivacyKey FromFile(string path, bool mayCreate)
    {
        if (!File.Exists(path))
        {
            if (!mayCreate)
            {
                throw new HallStartupException(
                    $"The privacy key file {path} does not exist. Make it with: umask 027; openssl rand -base64 32 > {path} — or copy it from the other servers of this database. / " +
                    $"隐私密钥文件 {path} 不存在：请用 openssl rand -base64 32 生成，或从同一数据库的其他服务器复制。");
            }
            Create(path);
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new HallStartupException(
                $"The privacy key file {path} can be read or written by every user of this machine: chmod o-rwx {path}. / 隐私密钥文件 {path} 对所有用户可读写，请执行 chmod o-rwx。");
        }
        return new PrivacyKey(Parse(File.ReadAllText(path), path), path);
    }

    /// <summary>Writes a new random key readable only by this user; with several servers starting at once, the first file stays.</summary>
    private static void Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyLength)) + "\n"));
            stream.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
    }

    private static byte[] Parse(string text, string source)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new HallStartupException($"The privacy key in {source} is not base64 (openssl rand -base64 32). / {source} 中的隐私密钥不是 base64 格式。");
        }
        if (key.Length != KeyLength)
        {
            throw new HallStartupException($"The privacy key in {source} has {key.Length} bytes; it needs {KeyLength} (openssl rand -base64 32). / {source} 中的隐私密钥须为 {KeyLength} 字节。");
        }
        return key;
    }
}

/// <summary>One privacy key and the keys derived from it for each use.</summary>
public sealed class PrivacyKey
{
    internal PrivacyKey(byte[] key, string source)
    {
        Source = source;
        Id = Convert.ToHexStringLower(Derive(key, "Hall.Privacy.KeyId.v1")[..8]);
        HmacKey = Derive(key, "Hall.Privacy.NumberHmac.v1");
        CommandHashKey = Derive(key, "Hall.Privacy.CommandHash.v1");
        KeyRingKey = Derive(key, "Hall.Privacy.KeyRing.v1");
    }

    /// <summary>Where it came from (a file path or a setting's name), for the start-up log; never the key.</summary>
    public string Source { get; }

    /// <summary>A short public fingerprint: servers of one database must show the same one.</summary>
    public string Id { get; }

    /// <summary>Keys the HMACs of ID and mobile numbers.</summary>
    public byte[] HmacKey { get; }

    /// <summary>Keys the hash of a command's arguments in the command log.</summary>
    public byte[] CommandHashKey { get; }

    /// <summary>Wraps the Data Protection key ring stored in the database.</summary>
    public byte[] KeyRingKey { get; }

    private static byte[] Derive(byte[] key, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key, PrivacyKeys.KeyLength, salt: [], info: Encoding.ASCII.GetBytes(purpose));
}
