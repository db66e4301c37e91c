using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Reports;
using Hall.Server.Security;
using Hall.Server.Tickets;
using Hall.Server.Web;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hall.Tests.Server;

/// <summary>
/// Citizens' ID and mobile numbers (PIPL): kept as an HMAC and a masked form, the phone encrypted only until its
/// ticket closes; never in clear in a log line, page, report, export or database dump; erased after the retention.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PrivacyTests
{
    private static readonly (string Mobile, string Id)[] People =
    [
        ("13800138000", "410102199001011234"),
        ("15912345678", "11010519491231002X"),
        ("18688886666", "412725199206308815"),
    ];

    private static Task<Reply<TicketIssued>> IssueAsync(HubClient kiosk, int serviceId, string? mobile, string? idNumber) =>
        kiosk.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), serviceId, null, null, PriorityClass.Normal, mobile, idNumber));

    [Test]
    public async Task A_day_with_known_numbers_leaves_them_in_clear_in_no_log_page_report_export_or_database_dump()
    {
        await using var app = await HallApp.StartAsync("privacy-day", captureDebugLogs: true);
        await using var hall = await SeededHall.CreateAsync(app);
        var kiosk = await hall.DeviceAsync("kiosk");
        var clerk = await hall.ClerkAsync(6);
        var evaluator = await hall.EvaluatorAsync(6);
        var service = await app.ServiceIdAsync(hall.HallId, "huzheng");
        var window = await app.WindowIdAsync(hall.HallId, 6);
        // Four without numbers ahead, so the notice (at three ahead) is sent for the first citizen with a mobile.
        for (var i = 0; i < 4; i++)
        {
            (await kiosk.IssueAsync(service)).Ok();
        }
        var issued = new List<TicketIssued>();
        foreach (var (mobile, id) in People)
        {
            var ticket = (await IssueAsync(kiosk, service, mobile, id)).Ok();
            Assert.That(ticket.MobileMasked, Is.EqualTo($"{mobile[..3]}****{mobile[^4..]}"));
            issued.Add(ticket);
        }
        await using (var db = app.Db())
        {
            var stored = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == issued[0].Ticket.TicketId);
            Assert.That(stored.IdMasked, Is.EqualTo("4101**********1234"));
            Assert.That(stored.IdHmac, Has.Length.EqualTo(32));
        }
        (await clerk.OpenAsync(window)).Ok();
        var pages = new List<string>();
        var http = app.CreateClient();
        for (var i = 0; i < 4 + People.Length - 1; i++)
        {
            var called = (await clerk.CallNextAsync(window)).Ok();
            // What a clerk and a supervisor see while a citizen with numbers is at the window, and the citizen's own page.
            pages.Add(JsonSerializer.Serialize(await app.Services.GetRequiredService<ConsoleData>().ReadAsync(hall.HallId, window, CancellationToken.None)));
            var wall = await app.Services.GetRequiredService<WallData>().ReadAsync(hall.HallId, CancellationToken.None);
            pages.Add(JsonSerializer.Serialize(new { wall.Windows, wall.Services, wall.Devices }));
            pages.Add(JsonSerializer.Serialize(await app.Services.GetRequiredService<WallData>().WaitingAsync(hall.HallId, service, CancellationToken.None)));
            (await clerk.StartAsync(window, called.Ticket.TicketId)).Ok();
            (await clerk.FinishAsync(window, called.Ticket.TicketId)).Ok();
            (await evaluator.RateAsync(called.Ticket.TicketId, RatingLevel.Basic)).Ok();
        }
        foreach (var ticket in issued)
        {
            pages.Add(await http.GetStringAsync(new Uri($"/t/{ticket.TrackingCode}", UriKind.Relative)));
            pages.Add(await http.GetStringAsync(new Uri($"/t/{ticket.TrackingCode}/state", UriKind.Relative)));
        }
        Assert.That(app.Notices.Sent, Is.Not.Empty, "a notice was sent during the day");

        var builder = app.Services.GetRequiredService<ReportBuilder>();
        var renderer = app.Services.GetRequiredService<IReportRenderer>();
        var day = DateOnly.FromDateTime(HallApp.MondayMorning.DateTime);
        var report = renderer.Render(await builder.BuildAsync(hall.HallId, ReportKind.DailyPatrol, day, null, CancellationToken.None));
        var reportText = string.Join("\n", PdfText.Pages(report.Pdf).SelectMany(p => p).Select(r => string.Join(" | ", r)));
        Assert.That(reportText, Is.Not.Empty);
        var workbook = Unzipped(report.Xlsx);

        var logs = string.Join("\n", app.Logs.Lines);
        Assert.That(app.Logs.Lines.Any(l => l.StartsWith("[server Debug]", StringComparison.Ordinal)), "Debug lines are captured");
        var dump = await DumpAttack.PgDumpAsync(app.ConnectionString);
        Assert.That(dump, Does.Contain("4101**********1234"), "the dump holds the masked form");

        var places = new Dictionary<string, string>
        {
            ["the server's log at Debug"] = logs,
            ["the console, wall and tracking pages"] = string.Join("\n", pages),
            ["the daily report's PDF"] = reportText,
            ["the daily report's workbook"] = workbook,
            ["pg_dump"] = dump,
            ["every table"] = JsonSerializer.Serialize(await TableDump.AllAsync(app.ConnectionString)),
        };
        foreach (var (mobile, id) in People)
        {
            foreach (var clear in new[] { mobile, id, id.ToLowerInvariant(), $"{mobile[..3]} {mobile[3..7]} {mobile[7..]}", $"{mobile[..3]}-{mobile[3..7]}-{mobile[7..]}" })
            {
                foreach (var (place, text) in places)
                {
                    Assert.That(text, Does.Not.Contain(clear), () => $"{clear} in {place}: " + string.Join("\n", text.Split('\n').Where(l => l.Contains(clear, StringComparison.Ordinal)).Take(5)));
                }
            }
        }
    }

    private static string Unzipped(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        var text = new StringBuilder();
        foreach (var entry in archive.Entries)
        {
            using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
            text.AppendLine(reader.ReadToEnd());
        }
        return text.ToString();
    }

    [Test]
    public async Task After_the_retention_closed_tickets_have_no_personal_fields_open_ones_keep_theirs_and_the_event_log_stays()
    {
        await using var app = await HallApp.StartAsync("privacy-retention", settings: new Dictionary<string, string?> { ["Hall:Privacy:RetentionDays"] = "3" }, captureDebugLogs: true);
        await using var hall = await SeededHall.CreateAsync(app, openAllDay: true);
        var kiosk = await hall.DeviceAsync("kiosk");
        var clerk = await hall.ClerkAsync(6);
        var service = await app.ServiceIdAsync(hall.HallId, "huzheng");
        var window = await app.WindowIdAsync(hall.HallId, 6);
        var finished = (await IssueAsync(kiosk, service, People[0].Mobile, People[0].Id)).Ok();
        var noShow = (await IssueAsync(kiosk, service, null, People[1].Id)).Ok();
        var open = (await IssueAsync(kiosk, service, null, People[2].Id)).Ok();
        (await clerk.OpenAsync(window)).Ok();
        (await clerk.StartAsync(window, (await clerk.CallNextAsync(window)).Ok().Ticket.TicketId)).Ok();
        (await clerk.FinishAsync(window, finished.Ticket.TicketId)).Ok();
        (await clerk.NoShowAsync(window, (await clerk.CallNextAsync(window)).Ok().Ticket.TicketId)).Ok();
        // A second server on the same database: both run the daily job when the day turns.
        await using var second = HallApp.StartAlongside(app);
        var retention = app.Services.GetRequiredService<PersonalDataRetention>();
        // Each server runs the job once at start: ours is asked only when neither holds it (else it answers null, "taken").
        await WaitForAsync(async () => await Task.FromResult(RunLines(app).Count >= 1 && RunLines(second).Count >= 1), "both servers ran the job at start");
        Assert.That(await retention.EraseAsync(CancellationToken.None), Is.Zero, "nothing is old enough yet");
        long events, ratings, audits;
        await using (var db = app.Db())
        {
            (events, ratings, audits) = (await db.TicketEvents.LongCountAsync(), await db.Ratings.LongCountAsync(), await db.AuditEntries.LongCountAsync());
        }
        var recent = await RunLinesAsync();

        app.Clock.Advance(TimeSpan.FromDays(4));
        second.Clock.Advance(TimeSpan.FromDays(4));
        await WaitForAsync(async () =>
        {
            await using var db = app.Db();
            return await db.Tickets.CountAsync(t => t.IdHmac == null && (t.Id == finished.Ticket.TicketId || t.Id == noShow.Ticket.TicketId)) == 2;
        }, "the daily job erased the closed tickets");
        await WaitForAsync(async () => await Task.FromResult(RunLines(app).Count + RunLines(second).Count >= recent + 2), "both servers ran the job after the day turned");

        // Erased once: the counts the servers logged add up to the two closed tickets; a server finding the job taken skipped it.
        Assert.That(ErasedCounts(app).Concat(ErasedCounts(second)).Sum(), Is.EqualTo(2));
        Assert.That(app.Logs.Lines.Concat(second.Logs.Lines).Where(l => l.Contains("[server Error]", StringComparison.Ordinal) || l.Contains("[server Warning]", StringComparison.Ordinal) && l.Contains("Personal", StringComparison.Ordinal)), Is.Empty);
        await using (var db = app.Db())
        {
            foreach (var closedId in new[] { finished.Ticket.TicketId, noShow.Ticket.TicketId })
            {
                var t = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == closedId);
                Assert.That((t.MobileCipher, t.MobileHmac, t.MobileMasked, t.IdHmac, t.IdMasked), Is.EqualTo(((string?)null, (byte[]?)null, (string?)null, (byte[]?)null, (string?)null)));
            }
            var stillOpen = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == open.Ticket.TicketId);
            Assert.That(stillOpen.State, Is.EqualTo(TicketState.Waiting));
            Assert.That(stillOpen.IdMasked, Is.EqualTo("4127**********8815"), "an open ticket keeps its fields until it closes");
            Assert.That(stillOpen.IdHmac, Is.Not.Null);
            Assert.That((await db.TicketEvents.LongCountAsync(), await db.Ratings.LongCountAsync(), await db.AuditEntries.LongCountAsync()), Is.EqualTo((events, ratings, audits)), "the event log, ratings and audit stay");
        }
        Assert.That(await retention.EraseAsync(CancellationToken.None), Is.Zero.Or.Null, "a later run finds nothing left (or another server holds the job)");

        async Task<int> RunLinesAsync() => await Task.FromResult(RunLines(app).Count + RunLines(second).Count);
    }

    [Test]
    public async Task A_call_back_number_is_kept_past_the_next_day_only_for_a_ticket_whose_bad_rating_opened_a_follow_up()
    {
        await using var app = await HallApp.StartAsync("privacy-contact", settings: new Dictionary<string, string?> { ["Hall:Privacy:RetentionDays"] = "30" });
        await using var hall = await SeededHall.CreateAsync(app, openAllDay: true);
        var kiosk = await hall.DeviceAsync("kiosk");
        var clerk = await hall.ClerkAsync(6);
        var evaluator = await hall.DeviceAsync("evaluator06");
        var service = await app.ServiceIdAsync(hall.HallId, "huzheng");
        var window = await app.WindowIdAsync(hall.HallId, 6);
        (await clerk.OpenAsync(window)).Ok();
        var served = new List<long>();
        foreach (var (level, person) in new[] { (RatingLevel.VerySatisfied, People[0]), (RatingLevel.VeryDissatisfied, People[1]) })
        {
            (await IssueAsync(kiosk, service, person.Mobile, person.Id)).Ok();
            var called = (await clerk.CallNextAsync(window)).Ok();
            (await clerk.StartAsync(window, called.Ticket.TicketId)).Ok();
            (await clerk.FinishAsync(window, called.Ticket.TicketId)).Ok();
            (await evaluator.RateAsync(called.Ticket.TicketId, level)).Ok();
            served.Add(called.Ticket.TicketId);
        }
        var retention = app.Services.GetRequiredService<PersonalDataRetention>();
        async Task<(bool Contact, string? Id)> FieldsAsync(long id)
        {
            await using var db = app.Db();
            var t = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == id);
            return (t.ContactCipher is not null, t.IdMasked);
        }
        Assert.That(await FieldsAsync(served[0]), Is.EqualTo((true, "4101**********1234")), "kept on the day, for a rating still to come");

        // Two days on (within the 30 days' retention): the satisfied citizen's number is gone, the other is kept for the call-back.
        app.Clock.Advance(TimeSpan.FromDays(2));
        for (var until = Environment.TickCount64 + 15_000; Environment.TickCount64 < until && (await FieldsAsync(served[0])).Contact; await Task.Delay(200))
        {
            await retention.EraseAsync(CancellationToken.None);
        }
        Assert.That((await FieldsAsync(served[0])).Contact, Is.False, "no follow-up case: the call-back number is forgotten");
        Assert.That((await FieldsAsync(served[0])).Id, Is.Not.Null, "the other personal fields wait for the retention");
        Assert.That((await FieldsAsync(served[1])).Contact, Is.True, "a bad rating's follow-up keeps it");
    }

    private static List<string> RunLines(HallApp app) =>
        app.Logs.Lines.Where(l => l.Contains("PersonalDataRetention", StringComparison.Ordinal) && (l.Contains("Erased", StringComparison.Ordinal) || l.Contains("skipped", StringComparison.Ordinal))).ToList();

    private static IEnumerable<int> ErasedCounts(HallApp app) =>
        RunLines(app).Where(l => l.Contains("Erased", StringComparison.Ordinal))
            .Select(l => int.Parse(l.Split("fields of ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var until = Environment.TickCount64 + 15_000;
        while (!await condition())
        {
            if (Environment.TickCount64 > until)
            {
                Assert.Fail($"timed out waiting for {what}");
            }
            await Task.Delay(50);
        }
    }
}
