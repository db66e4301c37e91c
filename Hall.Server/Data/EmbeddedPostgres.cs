using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Hall.Server.Data;

/// <summary>Hall cannot start, for a reason the operator can fix; the message says how.</summary>
public sealed class HallStartupException(string message) : Exception(message);

/// <summary>
/// A private PostgreSQL cluster under a folder of ours: initdb on first start, pg_ctl start/stop, loopback only,
/// a password kept in the folder. As root the cluster runs as the <c>postgres</c> user (initdb refuses root).
/// The process that runs the cluster is its owner (<c>owner.pid</c> in the folder) and stops it when it stops. A cluster found
/// running is adopted when its owner is gone (a server killed with <c>kill -9</c> left it) and only used while its owner lives.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    public const string MissingMessage =
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them — Debian/Ubuntu: sudo apt-get install postgresql — " +
        "or set ConnectionStrings__Hall to an existing PostgreSQL database. / 未找到 PostgreSQL 服务器程序，请安装 postgresql 或设置 ConnectionStrings__Hall。";

    private readonly string _bin;
    private readonly bool _asPostgresUser;

    public string Folder { get; }
    public int Port { get; private set; }
    public string Password { get; private set; } = "";
    /// <summary>Whether this process owns the cluster (started or adopted it) and so stops it.</summary>
    public bool Owned { get; private set; }

    /// <summary>Whether the cluster was found running without its owner (left by a killed server) and taken over.</summary>
    public bool Adopted { get; private set; }
    private string DataDir => Path.Combine(Folder, "pg");
    private string OwnerFile => Path.Combine(Folder, "owner.pid");

    private EmbeddedPostgres(string folder, string bin)
    {
        Folder = Path.GetFullPath(folder);
        _bin = bin;
        _asPostgresUser = Environment.UserName == "root";
    }

    public string ConnectionString(string database = "hall") => ConnectionStringOf(Folder, database);

    /// <summary>The connection string of a cluster another process started in <paramref name="folder"/>.</summary>
    public static string ConnectionStringOf(string folder, string database = "hall")
    {
        var full = Path.GetFullPath(folder);
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = int.Parse(File.ReadAllText(Path.Combine(full, "pg-port")).Trim(), System.Globalization.CultureInfo.InvariantCulture),
            Username = "postgres",
            Password = File.ReadAllText(Path.Combine(full, "pg-password")).Trim(),
            Database = database,
            MaxPoolSize = 200,
        }.ConnectionString;
    }

    /// <summary>The folder with initdb and pg_ctl: PATH first, then the newest /usr/lib/postgresql/*/bin.</summary>
    public static string? FindBinaries()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        var candidates = path.Concat(
            Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d => Path.Combine(d, "bin"))
                : []);
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    /// <summary>Starts (creating if needed) the cluster in <paramref name="folder"/>. <paramref name="fastUnsafe"/> turns fsync off — for tests only.</summary>
    public static async Task<EmbeddedPostgres> StartAsync(string folder, bool fastUnsafe = false, CancellationToken ct = default)
    {
        var bin = FindBinaries() ?? throw new HallStartupException(MissingMessage);
        var pg = new EmbeddedPostgres(folder, bin);
        await pg.StartAsync(fastUnsafe, ct);
        return pg;
    }

    private async Task StartAsync(bool fastUnsafe, CancellationToken ct)
    {
        Directory.CreateDirectory(Folder);
        var passwordFile = Path.Combine(Folder, "pg-password");
        var portFile = Path.Combine(Folder, "pg-port");
        if (!File.Exists(Path.Combine(DataDir, "PG_VERSION")))
        {
            if (Directory.Exists(DataDir))
            {
                Directory.Delete(DataDir, recursive: true);
            }
            File.WriteAllText(passwordFile, Guid.NewGuid().ToString("N"));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            File.WriteAllText(portFile, FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(DataDir);
            GiveToPostgres(passwordFile);
            await RunAsync("initdb", ["-D", DataDir, "-U", "postgres", "-A", "scram-sha-256", "--pwfile", passwordFile, "-E", "UTF8", "--locale=C.UTF-8"], ct);
        }
        Password = File.ReadAllText(passwordFile).Trim();
        Port = int.Parse(File.ReadAllText(portFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        if (!await IsRunningAsync(ct))
        {
            var settings = $"-p {Port} -k {DataDir} -c listen_addresses=127.0.0.1 -c max_connections=300";
            if (fastUnsafe)
            {
                settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            }
            await RunAsync("pg_ctl", ["-D", DataDir, "-w", "-t", "60", "-l", Path.Combine(Folder, "postgres.log"), "-o", settings, "start"], ct);
            TakeOwnership();
        }
        else if (LivingOwner() is null)
        {
            // Left running by a process that is gone: ours now, stopped when we stop.
            TakeOwnership();
            Adopted = true;
        }
        await EnsureDatabaseAsync("hall", ct);
    }

    public async Task EnsureDatabaseAsync(string name, CancellationToken ct, string? template = null)
    {
        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync(ct);
        await using var check = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", conn);
        check.Parameters.AddWithValue("n", name);
        if (await check.ExecuteScalarAsync(ct) is null)
        {
            var from = template is null ? "" : $" TEMPLATE \"{template}\"";
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"{from}", conn);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    private async Task<bool> IsRunningAsync(CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(DataDir, "postmaster.pid")))
        {
            return false;
        }
        var (code, _) = await TryRunAsync("pg_ctl", ["-D", DataDir, "status"], ct);
        return code == 0;
    }

    public async Task StopAsync()
    {
        if (Owned)
        {
            await TryRunAsync("pg_ctl", ["-D", DataDir, "-w", "-m", "fast", "stop"], CancellationToken.None);
            Owned = false;
            if (LivingOwner() == Environment.ProcessId)
            {
                File.Delete(OwnerFile);
            }
        }
    }

    private void TakeOwnership()
    {
        using var me = Process.GetCurrentProcess();
        File.WriteAllText(OwnerFile, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{me.Id} {me.StartTime.ToUniversalTime().Ticks}"));
        Owned = true;
    }

    /// <summary>The process named in <c>owner.pid</c> if it still runs (the same process: its start time checked too), else null.</summary>
    private int? LivingOwner()
    {
        if (!File.Exists(OwnerFile) || File.ReadAllText(OwnerFile).Split(' ') is not [var pidText, var startText]
            || !int.TryParse(pidText, System.Globalization.CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(startText, System.Globalization.CultureInfo.InvariantCulture, out var started))
        {
            return null;
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            // A pid is reused after its process ends: only the same start time is the same owner.
            return !process.HasExited && Math.Abs(process.StartTime.ToUniversalTime().Ticks - started) < TimeSpan.TicksPerSecond ? pid : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Restarts the cluster as an operator would (<c>pg_ctl restart</c>): <c>fast</c> ends open sessions, <c>immediate</c> is a crash and recovery.</summary>
    public Task RestartAsync(string mode = "fast", CancellationToken ct = default) =>
        RunAsync("pg_ctl", ["-D", DataDir, "-w", "-t", "60", "-l", Path.Combine(Folder, "postgres.log"), "-m", mode, "restart"], ct);

    public ValueTask DisposeAsync() => new(StopAsync());

    private void GiveToPostgres(string passwordFile)
    {
        if (!_asPostgresUser)
        {
            return;
        }
        // The cluster runs as postgres: it owns the data folder and must be able to reach it.
        Run("chown", ["-R", "postgres:postgres", DataDir, passwordFile]);
        Run("chown", ["postgres:postgres", Folder]);
        for (var dir = Folder; dir is not null && dir != "/"; dir = Path.GetDirectoryName(dir))
        {
            if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(dir).HasFlag(UnixFileMode.OtherExecute))
            {
                throw new HallStartupException($"The postgres user cannot reach {dir}; choose a data folder outside it (Hall:DataFolder). / postgres 用户无法访问 {dir}，请更换数据目录。");
            }
        }
    }

    private async Task RunAsync(string tool, string[] args, CancellationToken ct)
    {
        var (code, output) = await TryRunAsync(tool, args, ct);
        if (code != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({code}): {output}");
        }
    }

    private async Task<(int Code, string Output)> TryRunAsync(string tool, string[] args, CancellationToken ct)
    {
        var exe = Path.Combine(_bin, tool);
        var info = _asPostgresUser ? new ProcessStartInfo("runuser") : new ProcessStartInfo(exe);
        if (_asPostgresUser)
        {
            foreach (var a in new[] { "-u", "postgres", "--", exe })
            {
                info.ArgumentList.Add(a);
            }
        }
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.WorkingDirectory = Folder;
        using var process = Process.Start(info)!;
        // pg_ctl start leaves the server holding inherited pipes: read only until the tool itself exits.
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var err = stderr.IsCompleted ? await stderr : "";
        return (process.ExitCode, err);
    }

    private static void Run(string exe, string[] args)
    {
        using var p = Process.Start(exe, args);
        p.WaitForExit();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
