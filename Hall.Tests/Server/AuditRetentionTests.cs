using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Hall.Server.Admin;
using Hall.Server.Notices;
using Hall.Server.Security;
using Hall.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>
/// 等保 2.0: audit logs are kept at least 6 months. No job of Hall deletes audit entries or the event log: the retention
/// jobs erase personal fields only. Proved on a server whose clock moves 201 days on, with the strictest retention.
/// </summary>
[TestFixture, NonParallelizable]
public sealed partial class AuditRetentionTests
{
    private static async Task<(List<string> Audit, List<string> Events)> LogsAsync(HallApp app)
    {
        var dump = await TableDump.AllAsync(app.ConnectionString);
        return (dump["audit_entries"], dump["ticket_events"]);
    }

    [Test]
    public async Task Audit_entries_and_the_event_log_outlive_every_daily_job_200_days_on()
    {
        await using var app = await HallApp.StartAsync("audit-retention", settings: new Dictionary<string, string?> { ["Hall:Privacy:RetentionDays"] = "1" });
        await using var hall = await SeededHall.CreateAsync(app);
        // What a day leaves in the logs: a failed sign-in (audited), tickets issued and called (the event log).
        using (var http = new HttpClient { BaseAddress = app.BaseAddress })
        {
            using var failed = await http.PostAsJsonAsync("/api/auth/login", new { login = "xinxian-admin", password = "wrong" });
        }
        var kiosk = await hall.DeviceAsync("kiosk");
        var clerk = await hall.ClerkAsync(1);
        var shebao = await app.ServiceIdAsync(hall.HallId, "shebao");
        (await kiosk.IssueAsync(shebao)).Ok();
        (await clerk.OpenAsync(await app.WindowIdAsync(hall.HallId, 1))).Ok();
        (await clerk.CallNextAsync(await app.WindowIdAsync(hall.HallId, 1))).Ok();
        await using (var db = app.Db())
        {
            // Entries already 200 and 400 days old when the jobs run below.
            foreach (var days in new[] { 0, 200 })
            {
                db.AuditEntries.Add(new AuditEntry { HallId = hall.HallId, StaffId = 1, StaffName = "管理员", At = app.Clock.GetUtcNow().AddDays(-days), Action = "service.update", Subject = "service:1", Before = "{}", After = "{}" });
            }
            await db.SaveChangesAsync();
        }
        var before = await LogsAsync(app);
        Assert.That(before.Audit, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(before.Events, Is.Not.Empty);

        app.Clock.Advance(TimeSpan.FromDays(201));
        // The jobs' own timers tick on the moved clock; each is also run once more here, after the jump for sure.
        await app.Services.GetRequiredService<PersonalDataRetention>().EraseAsync(CancellationToken.None);
        await app.Services.GetRequiredService<MobileRetention>().ForgetPastDaysAsync(CancellationToken.None);
        await app.Services.GetRequiredService<Hall.Server.Alerts.AlertMonitor>().EvaluateAsync(hall.HallId, default);

        var after = await LogsAsync(app);
        Assert.That(after.Audit, Is.SupersetOf(before.Audit), "every audit entry, the 400-day-old one too, is still there unchanged");
        Assert.That(after.Events, Is.SupersetOf(before.Events), "the event log is kept whole");
    }

    [GeneratedRegex(@"(AuditEntries|TicketEvents)[^;]*\.(Remove|RemoveRange|ExecuteDelete|ExecuteDeleteAsync)\b|(?i:delete\s+from|truncate(\s+table)?)\s+""?(audit_entries|ticket_events)")]
    private static partial Regex DeletesLogs();

    [Test]
    public void No_code_of_the_server_deletes_audit_entries_or_events()
    {
        var server = Path.Combine(AgentProcess.RepositoryRoot(), "Hall.Server");
        var offenders = Directory.EnumerateFiles(server, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => DeletesLogs().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(server, f));
        Assert.That(offenders, Is.Empty, "audit logs are kept at least 6 months (等保 2.0): a deletion needs a retention of its own of 180 days or more");
        Assert.That(DeletesLogs().IsMatch("await db.AuditEntries.Where(a => a.At < cutoff).ExecuteDeleteAsync(ct);"), Is.True, "the check finds a deletion");
        Assert.That(DeletesLogs().IsMatch("DELETE FROM audit_entries WHERE at < now()"), Is.True);
    }
}
