using System.Text.Json;
using Hall.Tests.Support;

namespace Hall.Tests.Operations;

/// <summary>
/// The server's log as the operator's settings template makes it: one JSON object a line on standard output (journald
/// keeps it; a log shipper reads it without patterns), each with its time, level, category and the message's fields.
/// </summary>
public sealed class StructuredLogTests
{
    private const string Retention = "Hall.Server.Security.PersonalDataRetention";

    [Test]
    public async Task With_the_settings_template_every_log_line_is_a_json_object_with_its_fields()
    {
        // The logging lines of deploy/hall-server.env.example, as systemd would pass them.
        var template = (await File.ReadAllLinesAsync(Path.Combine(Tools.DeployFolder, "hall-server.env.example")))
            .Where(l => l.StartsWith("Logging__", StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
        Assert.That(template, Does.ContainKey("Logging__Console__FormatterName").WithValue("json"), "the template asks for JSON logs");
        var settings = new Dictionary<string, string>(template)
        {
            ["ConnectionStrings__Hall"] = await PostgresCluster.NewDatabaseAsync("jsonlogs"),
            ["Hall__Demo__Seed"] = "false",
        };
        await using var server = await ServerProcess.StartAsync(settings);

        // The start (Information) and the day's erasure of old personal data, run at start.
        List<JsonElement> entries = [];
        for (var i = 0; i < 200 && !(entries.Any(e => Message(e).StartsWith("Now listening on", StringComparison.Ordinal))
            && entries.Any(e => e.GetProperty("Category").GetString() == Retention)); i++)
        {
            await Task.Delay(100);
            entries = [.. server.Output.Select(Parse)];
        }

        Assert.That(entries, Is.Not.Empty);
        foreach (var entry in entries)
        {
            Assert.That(entry.TryGetProperty("Timestamp", out _) && entry.TryGetProperty("LogLevel", out _) && entry.TryGetProperty("Category", out _),
                Is.True, entry.ToString());
        }
        var started = entries.FirstOrDefault(e => Message(e).StartsWith("Now listening on", StringComparison.Ordinal));
        Assert.That(started.ValueKind, Is.EqualTo(JsonValueKind.Object), "the start is logged");
        Assert.That(started.GetProperty("State").GetProperty("address").GetString(), Is.EqualTo(server.BaseAddress.ToString().TrimEnd('/')), "with its fields, not only as text");
        // Hall's own lines too: the daily erasure of old personal data, run at start, with its figures as fields.
        var erasure = entries.FirstOrDefault(e => e.GetProperty("Category").GetString() == Retention);
        Assert.That(erasure.ValueKind, Is.EqualTo(JsonValueKind.Object), "the retention job's line");
        Assert.That((erasure.GetProperty("State").GetProperty("Count").GetInt32(), erasure.GetProperty("State").GetProperty("Days").GetInt32()), Is.EqualTo((0, 90)));
    }

    private static JsonElement Parse(string line)
    {
        try
        {
            return JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (JsonException e)
        {
            Assert.Fail($"a log line that is not JSON: {line} ({e.Message})");
            throw;
        }
    }

    private static string Message(JsonElement entry) =>
        entry.TryGetProperty("Message", out var message) ? message.GetString() ?? "" : "";
}
