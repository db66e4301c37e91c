using Hall.Server.Catalog;
using Hall.Server.Halls;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Hall.Server.Data;

/// <summary>
/// Where the database is: <c>ConnectionStrings:Hall</c> when set, else a private cluster under <c>Hall:DataFolder</c>.
/// At start it applies the migrations (EF's migration lock keeps two servers from racing) and seeds the demo hall into an empty database.
/// </summary>
public sealed class DatabaseHost(IConfiguration config, IHostEnvironment env, IServiceProvider services, TimeProvider clock, ILogger<DatabaseHost> log) : IHostedService
{
    private readonly Lazy<(string ConnectionString, EmbeddedPostgres? Embedded)> _db = new(() => Prepared(Open(config, env), config));

    public string ConnectionString => _db.Value.ConnectionString;

    private static (string, EmbeddedPostgres?) Open(IConfiguration config, IHostEnvironment env)
    {
        if (config.GetConnectionString("Hall") is { Length: > 0 } cs)
        {
            return (cs, null);
        }
        var folder = config["Hall:DataFolder"] is { Length: > 0 } f ? f : Path.Combine(env.ContentRootPath, ".hall-data");
        var pg = EmbeddedPostgres.StartAsync(folder).GetAwaiter().GetResult();
        return (pg.ConnectionString(), pg);
    }

    /// <summary>
    /// The statements Hall sends most are prepared once per connection (<c>Hall:Database:MaxAutoPrepare</c>, default 64; 0 behind
    /// a pooler that cannot keep prepared statements, such as PgBouncer in transaction mode before 1.21). A connection string that
    /// sets <c>Max Auto Prepare</c> itself is left as it is.
    /// </summary>
    private static (string, EmbeddedPostgres?) Prepared((string ConnectionString, EmbeddedPostgres? Embedded) db, IConfiguration config)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString);
        if (!db.ConnectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase) && !db.ConnectionString.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = Math.Max(0, config.GetValue("Hall:Database:MaxAutoPrepare", 64));
        }
        return (builder.ConnectionString, db.Embedded);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_db.Value.Embedded is { } pg)
        {
            log.LogInformation("Embedded PostgreSQL on 127.0.0.1:{Port}, data in {Folder}{How}", pg.Port, pg.Folder,
                pg.Adopted ? " (left running by a server that ended without stopping it: taken over, stopped with this one)"
                : pg.Owned ? "" : " (run by another server process on this folder: used, not stopped with this one)");
        }
        var factory = services.GetRequiredService<IDbContextFactory<HallDb>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await CreateHistoryTableAsync(db, cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        await FillInitialsAsync(db, cancellationToken);
        if (!config.GetValue("Hall:Demo:Seed", true))
        {
            return;
        }
        var seeded = await DemoHall.SeedIfEmptyAsync(db, clock.GetUtcNow(), config.GetValue("Hall:Demo:OpenAllDay", false), cancellationToken);
        if (seeded is not null)
        {
            PrintCredentials(seeded);
        }
    }

    /// <summary>
    /// EF reads the migrations' history table before it creates it, and logs that read as a failed command on a fresh
    /// database (dotnet/efcore#37328): the operator's first start began with an error. The table is made first, under a lock
    /// so two servers starting together on a new database do not both create it.
    /// </summary>
    private static async Task CreateHistoryTableAsync(HallDb db, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({HistoryLockKey})", ct);
        await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), ct);
        await tx.CommitAsync(ct);
    }

    private const long HistoryLockKey = 7140011;

    /// <summary>Items that came without pinyin initials (from before they existed, or inserted by hand) get computed ones.</summary>
    private static async Task FillInitialsAsync(HallDb db, CancellationToken ct)
    {
        var items = await db.ServiceItems.Where(i => i.Initials == "").ToListAsync(ct);
        foreach (var item in items)
        {
            item.Initials = PinyinInitials.Of(item.Name);
        }
        await db.SaveChangesAsync(ct);
    }

    private void PrintCredentials(DemoCredentials seeded)
    {
        var lines = new List<string> { "Demo hall 新县市民之家 created. These credentials are shown once (and kept in demo-credentials.txt beside the data when the database is embedded):" };
        lines.AddRange(seeded.Passwords.Select(p => $"  staff  {p.Key,-24} password {p.Value}"));
        lines.AddRange(seeded.DeviceKeys.Select(k => $"  device {k.Key,-24} key      {k.Value}"));
        var text = string.Join(Environment.NewLine, lines);
        Console.WriteLine(text);
        if (_db.Value.Embedded is { } pg)
        {
            var file = Path.Combine(pg.Folder, "demo-credentials.txt");
            File.WriteAllText(file, text + Environment.NewLine);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_db.IsValueCreated && _db.Value.Embedded is { } pg)
        {
            // Pooled connections would hold the cluster open; close them before stopping it.
            Npgsql.NpgsqlConnection.ClearAllPools();
            await pg.StopAsync();
        }
    }
}
