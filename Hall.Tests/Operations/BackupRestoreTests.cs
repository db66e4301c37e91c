using Hall.Tests.Support;
using Npgsql;

namespace Hall.Tests.Operations;

/// <summary>deploy/backup.sh and deploy/restore.sh against the test cluster: what comes back is what was saved, row by row.</summary>
[TestFixture]
public sealed class BackupRestoreTests
{
    [Test]
    public async Task A_backup_restored_into_a_fresh_database_has_every_table_row_for_row()
    {
        Tools.Require("pg_dump", "postgresql-client");
        Tools.Require("pg_restore", "postgresql-client");
        Tools.Require("psql", "postgresql-client");
        await using var app = await HallApp.StartAsync("backup");
        await using (var hall = await SeededHall.CreateAsync(app))
        {
            var kiosk = await hall.DeviceAsync("kiosk");
            var clerk = await hall.ClerkAsync(1);
            var shebao = await app.ServiceIdAsync(hall.HallId, "shebao");
            var window1 = await app.WindowIdAsync(hall.HallId, 1);
            for (var i = 0; i < 5; i++)
            {
                (await kiosk.IssueAsync(shebao)).Ok();
            }
            (await clerk.OpenAsync(window1)).Ok();
            var called = (await clerk.CallNextAsync(window1)).Ok();
            (await clerk.StartAsync(window1, called.Ticket.TicketId)).Ok();
            (await clerk.FinishAsync(window1, called.Ticket.TicketId)).Ok();
        }
        // The server's background services (alerts, device status, retention) keep writing: stop it, so the backup and the comparison see one state.
        await app.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        var source = new NpgsqlConnectionStringBuilder(app.ConnectionString);
        var restored = $"{source.Database}_restored";
        var folder = Path.Combine(Path.GetTempPath(), $"hall-backup-{Guid.NewGuid():N}");
        var env = new Dictionary<string, string>
        {
            ["PGHOST"] = source.Host!,
            ["PGPORT"] = source.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = source.Username!,
            ["PGPASSWORD"] = source.Password!,
        };
        try
        {
            var (backedUp, file, backupErrors) = await Tools.RunAsync("bash", [Path.Combine(Tools.DeployFolder, "backup.sh"), "-d", source.Database!, "-o", folder, "-k", "30"], env);
            Assert.That(backedUp, Is.Zero, backupErrors);
            file = file.Trim();
            Assert.That(Path.GetFileName(file), Does.Match(@"^hall-\d{8}-\d{6}\.dump$"));

            var (code, _, errors) = await Tools.RunAsync("bash", [Path.Combine(Tools.DeployFolder, "restore.sh"), file, restored], env);
            Assert.That(code, Is.Zero, errors);

            var before = await TableDigestsAsync(app.ConnectionString);
            var after = await TableDigestsAsync(new NpgsqlConnectionStringBuilder(app.ConnectionString) { Database = restored }.ConnectionString);
            Assert.That(before["tickets"].Rows, Is.EqualTo(5));
            Assert.That(before.Count(t => t.Value.Rows > 0), Is.GreaterThan(5), "the seeded hall fills several tables");
            Assert.That(after, Is.EqualTo(before));

            var (refused, _, refusal) = await Tools.RunAsync("bash", [Path.Combine(Tools.DeployFolder, "restore.sh"), file, restored], env);
            Assert.That(refused, Is.EqualTo(3), "an existing database is not overwritten without --force");
            Assert.That(refusal, Does.Contain("--force"));
            var (forced, _, forceErrors) = await Tools.RunAsync("bash", [Path.Combine(Tools.DeployFolder, "restore.sh"), "--force", file, restored], env);
            Assert.That(forced, Is.Zero, forceErrors);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(app.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
            await conn.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{restored}\" WITH (FORCE)", conn);
            await drop.ExecuteNonQueryAsync();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Per table of the public schema: its row count and an md5 over its rows in text form, sorted.</summary>
    private static async Task<SortedDictionary<string, (long Rows, string Digest)>> TableDigestsAsync(string connectionString)
    {
        var digests = new SortedDictionary<string, (long, string)>(StringComparer.Ordinal);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", conn))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        foreach (var table in tables)
        {
            await using var cmd = new NpgsqlCommand($"SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM public.\"{table}\" t", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            digests[table] = (reader.GetInt64(0), reader.GetString(1));
        }
        return digests;
    }
}
