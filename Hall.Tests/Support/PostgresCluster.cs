using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hall.Tests.Support;

/// <summary>
/// One throwaway PostgreSQL cluster per test run (fsync off), a migrated template database, and a fresh database per fixture.
/// Without PostgreSQL server binaries the tests that need it are ignored locally — and fail when CI=true.
/// </summary>
public static class PostgresCluster
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static EmbeddedPostgres? _cluster;
    private static int _databases;
    private const string Template = "hall_template";

    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static async Task<EmbeddedPostgres> ClusterAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_cluster is not null)
            {
                return _cluster;
            }
            if (EmbeddedPostgres.FindBinaries() is null)
            {
                if (OnCi)
                {
                    Assert.Fail(EmbeddedPostgres.MissingMessage);
                }
                Assert.Ignore("PostgreSQL server binaries missing — install postgresql to run this test. " + EmbeddedPostgres.MissingMessage);
            }
            var folder = Path.Combine(Path.GetTempPath(), $"hall-tests-{Environment.ProcessId}");
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            var cluster = await EmbeddedPostgres.StartAsync(folder, fastUnsafe: true);
            await cluster.EnsureDatabaseAsync(Template, CancellationToken.None);
            await using (var db = Context(cluster.ConnectionString(Template)))
            {
                await db.Database.MigrateAsync();
            }
            NpgsqlConnection.ClearAllPools();
            _cluster = cluster;
            return cluster;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A new database copied from the migrated template.</summary>
    public static async Task<string> NewDatabaseAsync(string purpose)
    {
        var cluster = await ClusterAsync();
        var name = $"t{Interlocked.Increment(ref _databases)}_{new string([.. purpose.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(30)])}";
        await cluster.EnsureDatabaseAsync(name, CancellationToken.None, Template);
        // A finished fixture's idle connections go within seconds, not Npgsql's default 5 minutes: a run opens hundreds
        // of databases, and their idle pools together would pass the cluster's max_connections.
        return new NpgsqlConnectionStringBuilder(cluster.ConnectionString(name)) { ConnectionIdleLifetime = 10, ConnectionPruningInterval = 5 }.ConnectionString;
    }

    /// <summary>
    /// A cluster of the test's own, with the migrated database <c>hall</c>, for a test that stops or restarts PostgreSQL
    /// (the shared cluster serves the other tests meanwhile). Stop it with <see cref="DropPrivateClusterAsync"/>.
    /// </summary>
    public static async Task<EmbeddedPostgres> PrivateClusterAsync(string purpose)
    {
        // Fails or ignores the test as the shared cluster does when PostgreSQL is missing.
        await ClusterAsync();
        var folder = Path.Combine(Path.GetTempPath(), $"hall-tests-{Environment.ProcessId}-{purpose}-{Guid.NewGuid():N}");
        // Durable (fsync and synchronous commit on), as a hall's database is: a crash must not lose an acknowledged commit.
        var cluster = await EmbeddedPostgres.StartAsync(folder);
        await using (var db = Context(cluster.ConnectionString()))
        {
            await db.Database.MigrateAsync();
        }
        return cluster;
    }

    public static async Task DropPrivateClusterAsync(EmbeddedPostgres cluster)
    {
        NpgsqlConnection.ClearAllPools();
        await cluster.StopAsync();
        try
        {
            Directory.Delete(cluster.Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static HallDb Context(string connectionString) =>
        new(new DbContextOptionsBuilder<HallDb>().UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options);

    public static async Task StopAsync()
    {
        if (_cluster is { } c)
        {
            NpgsqlConnection.ClearAllPools();
            await c.StopAsync();
            try
            {
                Directory.Delete(c.Folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a dying backend; /tmp is cleaned anyway.
            }
            _cluster = null;
        }
    }
}
