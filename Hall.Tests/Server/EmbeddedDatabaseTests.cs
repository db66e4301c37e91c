using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Hall.Tests.Server;

/// <summary>With no connection string Hall.Server runs its own PostgreSQL under its data folder, seeds the demo hall once, and keeps the data across restarts.</summary>
[TestFixture]
public sealed class EmbeddedDatabaseTests
{
    [Test]
    public async Task The_server_starts_its_own_database_seeds_the_demo_hall_stops_it_and_keeps_the_data()
    {
        await PostgresCluster.ClusterAsync();
        var folder = Path.Combine(Path.GetTempPath(), $"hall-embedded-{Guid.NewGuid():N}");
        Dictionary<string, string> settings = new() { ["Hall__DataFolder"] = folder, ["Hall__Demo__OpenAllDay"] = "true" };
        try
        {
            await using (var first = await ServerProcess.StartAsync(settings, "Production"))
            {
                var credentials = Path.Combine(folder, "demo-credentials.txt");
                Assert.That(File.Exists(credentials), Is.True, "the demo credentials are written at first start");
                var kioskKey = File.ReadAllLines(credentials).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(p => p is ["device", "kiosk", "key", _])[3];
                var connection = await HubConnections.ConnectAsync(first.BaseAddress, kioskKey);
                var snapshot = await connection.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot));
                Assert.That(snapshot.HallName, Is.EqualTo("新县市民之家"));
                Assert.That(snapshot.Services, Has.Count.GreaterThanOrEqualTo(10));
                Assert.That(snapshot.Windows, Has.Count.GreaterThanOrEqualTo(15));
                var shebao = snapshot.Services.Single(s => s.Code == "shebao").ServiceId;
                var issued = await connection.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), shebao, null, null, PriorityClass.Normal));
                Assert.That(issued.Value?.Ticket.Number, Is.EqualTo("A001"));
                await connection.DisposeAsync();
                await first.StopAsync();
            }
            Assert.That(File.Exists(Path.Combine(folder, "pg", "postmaster.pid")), Is.False, "stopping the server stops its cluster");
            var credentialsAfterFirstRun = await File.ReadAllTextAsync(Path.Combine(folder, "demo-credentials.txt"));

            await using var second = await ServerProcess.StartAsync(settings, "Production");
            await using var conn = new NpgsqlConnection(EmbeddedPostgres.ConnectionStringOf(folder));
            await conn.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT (SELECT count(*) FROM tickets)::int * 1000 + (SELECT count(*) FROM halls)::int", conn);
            Assert.That(await count.ExecuteScalarAsync(), Is.EqualTo(1 * 1000 + 2), "the ticket is still there and the demo hall (with its township) was not seeded again");
            Assert.That(await File.ReadAllTextAsync(Path.Combine(folder, "demo-credentials.txt")), Is.EqualTo(credentialsAfterFirstRun));
            await second.StopAsync();
        }
        finally
        {
            await RemoveAsync(folder);
        }
    }

    [Test]
    public async Task A_server_killed_with_kill_9_leaves_its_database_running_and_the_server_started_next_takes_it_over_and_stops_it()
    {
        await PostgresCluster.ClusterAsync();
        var folder = Path.Combine(Path.GetTempPath(), $"hall-embedded-{Guid.NewGuid():N}");
        Dictionary<string, string> settings = new() { ["Hall__DataFolder"] = folder, ["Hall__Demo__OpenAllDay"] = "true" };
        try
        {
            await using (var killed = await ServerProcess.StartAsync(settings, "Production"))
            {
                Assert.That(await IssueAsync(killed.BaseAddress, folder), Is.EqualTo("A001"));
                await killed.KillAsync();
            }
            Assert.That(await AnswersAsync(folder), Is.True, "the killed server could not stop its database: it is still running");

            await using (var next = await ServerProcess.StartAsync(settings, "Production"))
            {
                Assert.That(await IssueAsync(next.BaseAddress, folder), Is.EqualTo("A002"), "the server started next uses the same database");
                await next.StopAsync();
            }
            Assert.That((File.Exists(Path.Combine(folder, "pg", "postmaster.pid")), await AnswersAsync(folder)), Is.EqualTo((false, false)),
                "the server that took the database over stopped it when it stopped");
        }
        finally
        {
            await RemoveAsync(folder);
        }
    }

    [Test]
    public async Task A_second_server_on_the_same_folder_uses_the_running_database_and_leaves_it_running_when_it_stops()
    {
        await PostgresCluster.ClusterAsync();
        var folder = Path.Combine(Path.GetTempPath(), $"hall-embedded-{Guid.NewGuid():N}");
        Dictionary<string, string> settings = new() { ["Hall__DataFolder"] = folder, ["Hall__Demo__OpenAllDay"] = "true" };
        try
        {
            await using var first = await ServerProcess.StartAsync(settings, "Production");
            await using (var second = await ServerProcess.StartAsync(settings, "Production"))
            {
                Assert.That(await IssueAsync(second.BaseAddress, folder), Is.EqualTo("A001"));
                await second.StopAsync();
            }
            Assert.That(await IssueAsync(first.BaseAddress, folder), Is.EqualTo("A002"), "the first server's database was not stopped under it");
            await first.StopAsync();
            Assert.That(await AnswersAsync(folder), Is.False, "the server that started the database stopped it");
        }
        finally
        {
            await RemoveAsync(folder);
        }
    }

    /// <summary>A ticket of 社保 issued through the demo kiosk of the server; its number.</summary>
    private static async Task<string?> IssueAsync(Uri server, string folder)
    {
        var credentials = Path.Combine(folder, "demo-credentials.txt");
        var kioskKey = File.ReadAllLines(credentials).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(p => p is ["device", "kiosk", "key", _])[3];
        await using var connection = await HubConnections.ConnectAsync(server, kioskKey);
        var snapshot = await connection.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot));
        var shebao = snapshot.Services.Single(s => s.Code == "shebao").ServiceId;
        var issued = await connection.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), shebao, null, null, PriorityClass.Normal));
        return issued.Value?.Ticket.Number;
    }

    /// <summary>Whether the folder's cluster accepts a connection.</summary>
    private static async Task<bool> AnswersAsync(string folder)
    {
        try
        {
            await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(EmbeddedPostgres.ConnectionStringOf(folder)) { Pooling = false, Timeout = 5 }.ConnectionString);
            await conn.OpenAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>Stops whatever cluster the test left running in <paramref name="folder"/> and deletes the folder.</summary>
    private static async Task RemoveAsync(string folder)
    {
        if (File.Exists(Path.Combine(folder, "pg", "postmaster.pid")))
        {
            string[] stopArgs = ["-D", Path.Combine(folder, "pg"), "-m", "immediate", "stop"];
            var pgCtl = Path.Combine(EmbeddedPostgres.FindBinaries()!, "pg_ctl");
            using var stop = Environment.UserName == "root"
                ? System.Diagnostics.Process.Start("runuser", ["-u", "postgres", "--", pgCtl, .. stopArgs])
                : System.Diagnostics.Process.Start(pgCtl, stopArgs);
            await stop.WaitForExitAsync();
        }
        Directory.Delete(folder, recursive: true);
    }
}
