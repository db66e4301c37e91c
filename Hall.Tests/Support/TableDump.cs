using Npgsql;

namespace Hall.Tests.Support;

/// <summary>
/// Every row of every table as text: compare before and after to prove a command changed nothing. The supervisor's
/// alerts are left out: they are derived from the other tables by a background monitor, at its own moments; so are the
/// background jobs' records: a refused import is still a job that ran, and its refusal is what the admin's page reads there.
/// </summary>
public static class TableDump
{
    /// <summary>
    /// The tables once the background jobs a clock advance woke have done their work: two dumps half a second apart agree
    /// (at most ten tries). Take the "before" of a refusal with this after moving a test's clock.
    /// </summary>
    public static async Task<SortedDictionary<string, List<string>>> SettledAsync(string connectionString)
    {
        var last = await AllAsync(connectionString);
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(500);
            var next = await AllAsync(connectionString);
            if (next.Count == last.Count && next.All(t => last.TryGetValue(t.Key, out var rows) && rows.SequenceEqual(t.Value)))
            {
                return next;
            }
            last = next;
        }
        return last;
    }

    public static async Task<SortedDictionary<string, List<string>>> AllAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('alerts', 'background_jobs') ORDER BY 1", conn))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        var dump = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var rows = new List<string>();
            await using var select = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" t ORDER BY 1", conn);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
            dump[table] = rows;
        }
        return dump;
    }
}
