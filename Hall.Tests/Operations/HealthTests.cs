using System.Net;
using System.Text.Json;
using Hall.Tests.Support;
using Npgsql;

namespace Hall.Tests.Operations;

/// <summary>/health/live says the process is up; /health/ready (and /health) that the database answers.</summary>
[TestFixture]
public sealed class HealthTests
{
    [Test]
    public async Task Ready_reports_the_database_as_healthy_and_live_answers_without_checks()
    {
        await using var app = await HallApp.StartAsync("health");
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var alias = await http.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(alias.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.That(body.RootElement.GetProperty("status").GetString(), Is.EqualTo("Healthy"));
        Assert.That(body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString(), Is.EqualTo("Healthy"));
        using var liveBody = JsonDocument.Parse(await live.Content.ReadAsStringAsync());
        Assert.That(liveBody.RootElement.GetProperty("checks").EnumerateObject(), Is.Empty, "liveness depends on nothing");
    }

    [Test]
    public async Task With_the_database_unreachable_ready_is_503_and_live_stays_200()
    {
        await using var app = await HallApp.StartAsync("healthdown");
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
        var admin = new NpgsqlConnectionStringBuilder(app.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;

        await SqlAsync(admin, $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");
        try
        {
            var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));

            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var text = await ready.Content.ReadAsStringAsync();
            using var body = JsonDocument.Parse(text);
            Assert.That(body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString(), Is.EqualTo("Unhealthy"));
            Assert.That(text, Does.Not.Contain("Password").And.Not.Contain("127.0.0.1"), "no connection details in an anonymous answer");
        }
        finally
        {
            await SqlAsync(admin, $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true");
            NpgsqlConnection.ClearAllPools();
        }
        Assert.That((await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.OK), "ready again once the database is back");
    }

    private static async Task SqlAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
