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
        return cluster.ConnectionString(name);
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
