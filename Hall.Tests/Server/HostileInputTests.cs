using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Server.Ratings;
using Hall.Server.Security;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>One hostile or malformed call: what it is, what it must be answered with, and how to make it.</summary>
public sealed record HostileCase(string Kind, string Name, string Expected, Func<HostileInputTests, Task<string>> Act)
{
    /// <summary>Accepted text is stored (the case checks it is stored verbatim); everything else must change nothing.</summary>
    public bool Changes => Expected == HostileInputTests.Stored;

    public override string ToString() => $"{Kind}: {Name}";
}

/// <summary>
/// Malformed and unauthorized calls over the hub and HTTP, each answered with its code and each refusal leaving every
/// table as it was. An outcome is the reply's code, the hub error's code, or "status code" for HTTP.
/// </summary>
[TestFixture]
public sealed class HostileInputTests() : HallFixture("hostile")
{
    public const string Stored = "stored";
    private const string BadArguments = "invalid_arguments";
    private const string Sql = "'; DROP TABLE tickets;--";
    private const string Script = "<script>alert(1)</script>";
    private const string Rare = "𠀀𪚥";
    private const string Emoji = "王😀";

    private SeededHall _other = null!;
    internal HubClient Kiosk { get; private set; } = null!;
    internal HubClient Display { get; private set; } = null!;
    internal HubClient Evaluator { get; private set; } = null!;
    internal HubClient Clerk { get; private set; } = null!;
    internal HubClient Supervisor { get; private set; } = null!;
    internal HubClient OtherKiosk { get; private set; } = null!;
    internal string ClerkToken { get; private set; } = "";
    internal string AdminToken { get; private set; } = "";
    internal string KioskKey { get; private set; } = "";
    internal string ExpiredToken { get; private set; } = "";
    internal string LoggedOutToken { get; private set; } = "";
    internal int Window { get; private set; }
    internal int OtherWindow { get; private set; }
    internal int Service { get; private set; }
    internal int OtherService { get; private set; }
    internal long Waiting { get; private set; }
    internal long OtherTicket { get; private set; }
    internal Guid UsedIssueId { get; private set; }
    internal Guid UsedOpenId { get; private set; }
    internal HallAppAccess Access => new(App, Seeded, _other);

    [OneTimeSetUp]
    public async Task PrepareAsync()
    {
        _other = await SeededHall.CreateAsync(App, "other");
        Kiosk = await Seeded.DeviceAsync("kiosk");
        Display = await Seeded.DeviceAsync("display");
        Evaluator = await Seeded.EvaluatorAsync(1);
        Clerk = await Seeded.ClerkAsync(1);
        Supervisor = await Seeded.StaffAsync("supervisor");
        OtherKiosk = await _other.DeviceAsync("kiosk");
        ClerkToken = await LoginAsync(Seeded, "clerk01");
        AdminToken = await LoginAsync(Seeded, "admin");
        KioskKey = Seeded.Credentials.DeviceKeys["kiosk"];
        ExpiredToken = await LoginAsync(Seeded, "clerk02");
        LoggedOutToken = await LoginAsync(Seeded, "clerk03");
        await using (var db = App.Db())
        {
            Assert.That(Secrets.TryParse(ExpiredToken, HallAuth.StaffPrefix, out var expired, out _), Is.True);
            Assert.That(Secrets.TryParse(LoggedOutToken, HallAuth.StaffPrefix, out var revoked, out _), Is.True);
            await db.StaffSessions.Where(s => s.Id == expired).ExecuteUpdateAsync(u => u.SetProperty(s => s.ExpiresAt, App.Clock.GetUtcNow().AddMinutes(-1)));
            await db.StaffSessions.Where(s => s.Id == revoked).ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, App.Clock.GetUtcNow()));
        }
        Window = await App.WindowIdAsync(Seeded.HallId, 1);
        OtherWindow = await App.WindowIdAsync(_other.HallId, 1);
        Service = await App.ServiceIdAsync(Seeded.HallId, "shebao");
        OtherService = await App.ServiceIdAsync(_other.HallId, "shebao");
        UsedIssueId = Guid.NewGuid();
        Waiting = (await Kiosk.IssueAsync(Service, id: UsedIssueId)).Ok().Ticket.TicketId;
        OtherTicket = (await OtherKiosk.IssueAsync(OtherService)).Ok().Ticket.TicketId;
        UsedOpenId = Guid.NewGuid();
        (await Clerk.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.OpenWindow), new WindowCommand(UsedOpenId, Window))).Ok();
    }

    [OneTimeTearDown]
    public Task StopOtherHallAsync() => _other.DisposeAsync().AsTask();

    private static async Task<string> LoginAsync(SeededHall hall, string role)
    {
        var login = hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));
        return await hall.App.LoginAsync(login, hall.Credentials.Passwords[login]);
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Hostile_input_is_refused_with_its_code_and_changes_nothing(HostileCase c)
    {
        var before = await TableDump.AllAsync(App.ConnectionString);
        var outcome = await c.Act(this);
        var after = await TableDump.AllAsync(App.ConnectionString);
        Assert.That(outcome, Is.EqualTo(c.Expected), c.ToString());
        if (!c.Changes)
        {
            Assert.That(after.Keys, Is.EqualTo(before.Keys));
            foreach (var table in before.Keys)
            {
                Assert.That(after[table], Is.EqualTo(before[table]), $"table {table} changed");
            }
        }
    }

    public static IEnumerable<TestCaseData> Cases() =>
        AllCases().Select(c => new TestCaseData(c).SetName($"{c.Kind}: {c.Name}"));

    private static readonly string[] WindowMethods = [nameof(IHallHub.OpenWindow), nameof(IHallHub.TakeOverWindow), nameof(IHallHub.ResumeWindow), nameof(IHallHub.CloseWindow), nameof(IHallHub.CallNext)];
    private static readonly string[] TicketMethods = [nameof(IHallHub.CallTicket), nameof(IHallHub.Recall), nameof(IHallHub.NoShow), nameof(IHallHub.StartService)];

    /// <summary>Every hub method a clerk may call, with the caller that may call it and a well-formed argument.</summary>
    private static IEnumerable<(string Method, Func<HostileInputTests, HubClient> Caller)> Commands()
    {
        foreach (var m in WindowMethods.Concat(TicketMethods).Concat([nameof(IHallHub.PauseWindow), nameof(IHallHub.Finish), nameof(IHallHub.Transfer), nameof(IHallHub.Rate)]))
        {
            yield return (m, t => t.Clerk);
        }
        yield return (nameof(IHallHub.Requeue), t => t.Kiosk);
        yield return (nameof(IHallHub.IssueTicket), t => t.Kiosk);
        yield return (nameof(IHallHub.VoidTicket), t => t.Kiosk);
        yield return (nameof(IHallHub.Cancel), t => t.Supervisor);
    }

    private static IEnumerable<HostileCase> AllCases()
    {
        // Wrong types: a string, a number, an array in place of the command object.
        foreach (var (m, caller) in Commands())
        {
            yield return new("wrong type", $"{m} with a string", BadArguments, t => Raw(caller(t), m, "garbage"));
        }
        foreach (var m in WindowMethods)
        {
            yield return new("wrong type", $"{m} with a number", BadArguments, t => Raw(t.Clerk, m, 42));
            yield return new("wrong type", $"{m} with a non-guid command id", BadArguments, t => Raw(t.Clerk, m, new { commandId = "not-a-guid", windowId = t.Window }));
            yield return new("wrong type", $"{m} with full-width digits as the window", BadArguments, t => Raw(t.Clerk, m, new { commandId = Guid.NewGuid(), windowId = "１２３" }));
        }
        yield return new("wrong type", "CallNext with a fractional window", BadArguments, t => Raw(t.Clerk, nameof(IHallHub.CallNext), new { commandId = Guid.NewGuid(), windowId = 1.5 }));
        yield return new("wrong type", "CallNext with an array", BadArguments, t => Raw(t.Clerk, nameof(IHallHub.CallNext), new[] { 1, 2 }));
        yield return new("wrong type", "NoShow with a text ticket id", BadArguments, t => Raw(t.Clerk, nameof(IHallHub.NoShow), new { commandId = Guid.NewGuid(), windowId = t.Window, ticketId = "abc" }));
        yield return new("wrong type", "Rate with a text level", BadArguments, t => Raw(t.Evaluator, nameof(IHallHub.Rate), new { commandId = Guid.NewGuid(), ticketId = t.Waiting, level = "excellent" }));
        yield return new("wrong type", "Rate with a level out of range, of a ticket of another window", "forbidden", t => Raw(t.Evaluator, nameof(IHallHub.Rate), new { commandId = Guid.NewGuid(), ticketId = t.Waiting, level = 99 }));
        yield return new("wrong type", "IssueTicket with a priority out of range", "invalid_command", t => Raw(t.Kiosk, nameof(IHallHub.IssueTicket), new { commandId = Guid.NewGuid(), serviceId = t.Service, priority = 77 }));
        yield return new("wrong type", "AckCall with text", BadArguments, t => Raw(t.Display, nameof(IHallHub.AckCall), "x"));
        yield return new("wrong type", "ReportPlays with an object", BadArguments, t => Raw(t.Display, nameof(IHallHub.ReportPlays), new { plays = 1 }));

        // Missing arguments and fields.
        foreach (var (m, caller) in Commands())
        {
            yield return new("missing", $"{m} with a null command", "invalid_command", t => Raw(caller(t), m, null));
        }
        yield return new("missing", "CallNext with no argument", BadArguments, t => RawArgs(t.Clerk, nameof(IHallHub.CallNext)));
        yield return new("missing", "OpenWindow with an empty object", "invalid_command", t => Raw(t.Clerk, nameof(IHallHub.OpenWindow), new { }));
        yield return new("missing", "CallNext without a window", "unknown_window", t => Raw(t.Clerk, nameof(IHallHub.CallNext), new { commandId = Guid.NewGuid() }));
        yield return new("missing", "PauseWindow without a reason", "unknown_pause_reason", t => Raw(t.Clerk, nameof(IHallHub.PauseWindow), new { commandId = Guid.NewGuid(), windowId = t.Window }));
        yield return new("missing", "Finish without an outcome", "ticket_not_serving", t => Raw(t.Clerk, nameof(IHallHub.Finish), new { commandId = Guid.NewGuid(), windowId = t.Window, ticketId = t.Waiting }));
        yield return new("missing", "Cancel without a reason", "reason_required", t => Raw(t.Supervisor, nameof(IHallHub.Cancel), new { commandId = Guid.NewGuid(), ticketId = t.Waiting }));
        yield return new("missing", "VoidTicket without a reason", "reason_required", t => Raw(t.Kiosk, nameof(IHallHub.VoidTicket), new { commandId = Guid.NewGuid(), ticketId = t.Waiting }));
        yield return new("missing", "IssueTicket without a service", "unknown_service", t => Raw(t.Kiosk, nameof(IHallHub.IssueTicket), new { commandId = Guid.NewGuid() }));
        yield return new("missing", "Transfer without a target", "transfer_target_missing", t => Raw(t.Clerk, nameof(IHallHub.Transfer), new { commandId = Guid.NewGuid(), fromWindowId = t.Window, ticketId = t.Waiting }));

        // Extra fields are ignored: the command is judged on what it means.
        yield return new("extra", "OpenWindow of an unknown window with an extra field", "unknown_window", t => Raw(t.Clerk, nameof(IHallHub.OpenWindow), new { commandId = Guid.NewGuid(), windowId = 999_999, hallId = t.Access.OtherHallId, isAdmin = true }));
        yield return new("extra", "IssueTicket for an unknown service with an extra hall", "unknown_service", t => Raw(t.Kiosk, nameof(IHallHub.IssueTicket), new { commandId = Guid.NewGuid(), serviceId = 987_654, hallId = 1, role = "Admin" }));
        yield return new("extra", "CallNext with two arguments", BadArguments, t => RawArgs(t.Clerk, nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), t.Window), "extra"));

        // Huge payloads: past the hub's 64 KB message limit the connection is closed; under it, too-long text is refused.
        yield return new("huge", "PauseWindow with a 1 MB reason", "connection_closed", t => OversizedAsync(t, new PauseWindowCommand(Guid.NewGuid(), t.Window, new string('长', 1 << 20))));
        yield return new("huge", "Cancel with a 40 KB reason", "text_too_long", t => Raw(t.Supervisor, nameof(IHallHub.Cancel), new CancelCommand(Guid.NewGuid(), t.Waiting, new string('x', 40_000))));
        yield return new("huge", "VoidTicket with a 40 KB reason", "text_too_long", t => Raw(t.Kiosk, nameof(IHallHub.VoidTicket), new VoidTicketCommand(Guid.NewGuid(), t.Waiting, new string('x', 40_000))));
        yield return new("huge", "PauseWindow with a 40 KB reason", "unknown_pause_reason", t => Raw(t.Clerk, nameof(IHallHub.PauseWindow), new PauseWindowCommand(Guid.NewGuid(), t.Window, new string('x', 40_000))));
        yield return new("huge", "Notice line of 2 MB", "400 invalid_notice_line", t => t.HttpAsync(HttpMethod.Put, "/api/admin/notice-line", t.AdminToken, Json(new { text = new string('通', 2 << 20) })));

        // Unknown ids.
        foreach (var m in WindowMethods)
        {
            yield return new("unknown id", $"{m} of window 999999", "unknown_window", t => Raw(t.Clerk, m, new WindowCommand(Guid.NewGuid(), 999_999)));
        }
        foreach (var m in TicketMethods)
        {
            yield return new("unknown id", $"{m} of ticket 99999999", "unknown_ticket", t => Raw(t.Clerk, m, new TicketCommand(Guid.NewGuid(), t.Window, 99_999_999)));
        }
        yield return new("unknown id", "Transfer to service 987654", "unknown_service", t => Raw(t.Supervisor, nameof(IHallHub.Transfer), new TransferCommand(Guid.NewGuid(), null, t.Waiting, 987_654, null)));
        yield return new("unknown id", "Cancel ticket 99999999", "unknown_ticket", t => Raw(t.Supervisor, nameof(IHallHub.Cancel), new CancelCommand(Guid.NewGuid(), 99_999_999, "测试")));
        yield return new("unknown id", "Issue for item 987654", "unknown_service_item", t => Raw(t.Kiosk, nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), null, null, 987_654, PriorityClass.Normal)));
        yield return new("unknown id", "Initials of item 987654", "404 unknown_service_item", t => t.HttpAsync(HttpMethod.Put, "/api/admin/items/987654/initials", t.AdminToken, Json(new { initials = "abc" })));
        yield return new("unknown id", "Report 987654", "404 unknown_report", t => t.HttpAsync(HttpMethod.Get, "/api/reports/987654/pdf", t.AdminToken, null));

        // Ids of another hall.
        yield return new("other hall", "OpenWindow of the other hall's window", "wrong_hall", t => Raw(t.Clerk, nameof(IHallHub.OpenWindow), new WindowCommand(Guid.NewGuid(), t.OtherWindow)));
        yield return new("other hall", "CallNext at the other hall's window", "wrong_hall", t => Raw(t.Clerk, nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), t.OtherWindow)));
        yield return new("other hall", "CallTicket of the other hall's ticket", "wrong_hall", t => Raw(t.Clerk, nameof(IHallHub.CallTicket), new TicketCommand(Guid.NewGuid(), t.Window, t.OtherTicket)));
        yield return new("other hall", "Transfer to the other hall's service", "wrong_hall", t => Raw(t.Supervisor, nameof(IHallHub.Transfer), new TransferCommand(Guid.NewGuid(), null, t.Waiting, t.OtherService, null)));
        yield return new("other hall", "Issue for the other hall's service", "wrong_hall", t => Raw(t.Kiosk, nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), t.OtherService, null, null, PriorityClass.Normal)));
        yield return new("other hall", "Cancel the other hall's ticket", "wrong_hall", t => Raw(t.Supervisor, nameof(IHallHub.Cancel), new CancelCommand(Guid.NewGuid(), t.OtherTicket, "测试")));
        yield return new("other hall", "Requeue the other hall's ticket", "wrong_hall", t => Raw(t.Kiosk, nameof(IHallHub.Requeue), new RequeueCommand(Guid.NewGuid(), t.OtherTicket)));
        yield return new("other hall", "Void the other hall's ticket", "wrong_hall", t => Raw(t.Kiosk, nameof(IHallHub.VoidTicket), new VoidTicketCommand(Guid.NewGuid(), t.OtherTicket, "测试")));
        yield return new("other hall", "Rate the other hall's ticket", "wrong_hall", t => Raw(t.Evaluator, nameof(IHallHub.Rate), new RateCommand(Guid.NewGuid(), t.OtherTicket, RatingLevel.Satisfied, null)));

        // Replayed command ids with other arguments.
        yield return new("replayed id", "IssueTicket id reused for another service", "command_id_reused", t => Raw(t.Kiosk, nameof(IHallHub.IssueTicket), new IssueTicketCommand(t.UsedIssueId, 987_654, null, null, PriorityClass.Normal)));
        yield return new("replayed id", "Issue id reused for CallNext", "command_id_reused", t => Raw(t.Clerk, nameof(IHallHub.CallNext), new WindowCommand(t.UsedIssueId, t.Window)));
        yield return new("replayed id", "Open id reused for Pause", "command_id_reused", t => Raw(t.Clerk, nameof(IHallHub.PauseWindow), new PauseWindowCommand(t.UsedOpenId, t.Window, "会议")));
        yield return new("replayed id", "Open id reused for another window", "command_id_reused", t => Raw(t.Clerk, nameof(IHallHub.OpenWindow), new WindowCommand(t.UsedOpenId, 999_999)));
        yield return new("replayed id", "Open id reused by the supervisor to cancel", "command_id_reused", t => Raw(t.Supervisor, nameof(IHallHub.Cancel), new CancelCommand(t.UsedOpenId, t.Waiting, "测试")));

        // Expired and revoked credentials.
        yield return new("credentials", "a revoked device key", "401", t => t.Access.RevokedDeviceAsync());
        yield return new("credentials", "an expired staff session", "401", t => t.Access.ConnectStatusAsync(t.ExpiredToken));
        yield return new("credentials", "a logged-out staff token", "401", t => t.Access.ConnectStatusAsync(t.LoggedOutToken));
        yield return new("credentials", "a made-up device key", "401", t => t.Access.ConnectStatusAsync("hd_1_" + Secrets.New()));
        yield return new("credentials", "a malformed token", "401", t => t.Access.ConnectStatusAsync("hd_x_'; DROP TABLE devices;--"));
        yield return new("credentials", "no token for an admin endpoint", "401", t => t.HttpAsync(HttpMethod.Put, "/api/admin/notice-line", null, Json(new { text = "x" })));

        // Device keys calling clerk and supervisor methods.
        foreach (var (who, client) in new (string, Func<HostileInputTests, HubClient>)[] { ("display", t => t.Display), ("kiosk", t => t.Kiosk), ("evaluator", t => t.Evaluator) })
        {
            yield return new("device as clerk", $"{who} opens a window", "forbidden", t => Raw(client(t), nameof(IHallHub.OpenWindow), new WindowCommand(Guid.NewGuid(), t.Window)));
            yield return new("device as clerk", $"{who} calls next", "forbidden", t => Raw(client(t), nameof(IHallHub.CallNext), new WindowCommand(Guid.NewGuid(), t.Window)));
            yield return new("device as clerk", $"{who} pauses", "forbidden", t => Raw(client(t), nameof(IHallHub.PauseWindow), new PauseWindowCommand(Guid.NewGuid(), t.Window, "会议")));
            yield return new("device as clerk", $"{who} finishes", "forbidden", t => Raw(client(t), nameof(IHallHub.Finish), new FinishCommand(Guid.NewGuid(), t.Window, t.Waiting, "办结", null)));
            yield return new("device as clerk", $"{who} cancels", "forbidden", t => Raw(client(t), nameof(IHallHub.Cancel), new CancelCommand(Guid.NewGuid(), t.Waiting, "测试")));
        }
        yield return new("device as clerk", "display issues", "forbidden", t => Raw(t.Display, nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), t.Service, null, null, PriorityClass.Normal)));
        yield return new("device as clerk", "clerk acknowledges a call", "forbidden", t => Raw(t.Clerk, nameof(IHallHub.AckCall), 1L));
        yield return new("device as clerk", "kiosk key on an admin endpoint", "403 forbidden", t => t.HttpAsync(HttpMethod.Put, "/api/admin/notice-line", t.KioskKey, Json(new { text = "x" })));

        // A clerk for supervisor and admin work.
        yield return new("clerk as admin", "clerk cancels a ticket", "forbidden", t => Raw(t.Clerk, nameof(IHallHub.Cancel), new CancelCommand(Guid.NewGuid(), t.Waiting, "测试")));
        yield return new("clerk as admin", "clerk sets the notice line", "403 forbidden", t => t.HttpAsync(HttpMethod.Put, "/api/admin/notice-line", t.ClerkToken, Json(new { text = "x" })));
        yield return new("clerk as admin", "clerk edits initials", "403 forbidden", t => t.HttpAsync(HttpMethod.Put, "/api/admin/items/1/initials", t.ClerkToken, Json(new { initials = "abc" })));
        yield return new("clerk as admin", "clerk imports the catalogue", "403 forbidden", t => t.HttpAsync(HttpMethod.Post, "/api/admin/catalogue/import", t.ClerkToken, Csv("编码,名称\nA1,x\n")));
        yield return new("clerk as admin", "clerk creates a playlist", "403 forbidden", t => t.HttpAsync(HttpMethod.Post, "/api/admin/playlists", t.ClerkToken, Json(new { name = "x", mediaIds = Array.Empty<int>(), priority = 0 })));
        yield return new("clerk as admin", "clerk changes display settings", "403 forbidden", t => t.HttpAsync(HttpMethod.Put, "/api/admin/display-settings", t.ClerkToken, Json(new { repeat = 2 })));
        yield return new("clerk as admin", "clerk uploads media", "403 forbidden", t => t.HttpAsync(HttpMethod.Post, "/api/admin/media", t.ClerkToken, Csv("x")));
        yield return new("clerk as admin", "clerk uploads a voice pack", "403 forbidden", t => t.HttpAsync(HttpMethod.Post, "/api/admin/voice-pack", t.ClerkToken, Csv("x")));
        yield return new("clerk as admin", "clerk generates a report", "403 forbidden", t => t.HttpAsync(HttpMethod.Post, "/api/reports", t.ClerkToken, Json(new { kind = "Weekly", date = "2026-11-30" })));

        // Malformed HTTP bodies.
        yield return new("malformed http", "notice line as broken JSON", "400 invalid_request", t => t.HttpAsync(HttpMethod.Put, "/api/admin/notice-line", t.AdminToken, new StringContent("{\"text\":", Encoding.UTF8, "application/json")));
        yield return new("malformed http", "notice line as plain text", "415 invalid_request", t => t.HttpAsync(HttpMethod.Put, "/api/admin/notice-line", t.AdminToken, new StringContent("通知", Encoding.UTF8, "text/plain")));
        yield return new("malformed http", "notice line as a number", "400 invalid_request", t => t.HttpAsync(HttpMethod.Put, "/api/admin/notice-line", t.AdminToken, Json(new { text = 123 })));
        yield return new("malformed http", "initials as a JSON array", "400 invalid_request", t => t.HttpAsync(HttpMethod.Put, "/api/admin/items/1/initials", t.AdminToken, Json(new[] { 1 })));
        yield return new("malformed http", "catalogue import as JSON", "400 invalid_command", t => t.HttpAsync(HttpMethod.Post, "/api/admin/catalogue/import", t.AdminToken, Json(new { file = "x" })));
        yield return new("malformed http", "login with broken JSON", "400 invalid_request", t => t.HttpAsync(HttpMethod.Post, "/api/auth/login", null, new StringContent("{login:", Encoding.UTF8, "application/json")));
        yield return new("malformed http", "login without a password", "401 login_failed", t => t.HttpAsync(HttpMethod.Post, "/api/auth/login", null, Json(new { login = "xinxian-admin" })));
        yield return new("malformed http", "playlist with a text priority", "400 invalid_request", t => t.HttpAsync(HttpMethod.Post, "/api/admin/playlists", t.AdminToken, new StringContent("{\"name\":\"x\",\"priority\":\"high\"}", Encoding.UTF8, "application/json")));

        // Injection in free text: accepted text is stored exactly; text with a closed list is refused.
        foreach (var (label, text) in new[] { ("SQL", Sql), ("script", Script), ("rare characters", Rare), ("emoji", Emoji) })
        {
            yield return new("free text", $"{label} in the notice line", Stored, t => t.Access.NoticeLineStoredAsync(t, text));
            yield return new("free text", $"{label} in a staff name", Stored, t => t.Access.StaffNameStoredAsync(text));
            yield return new("free text", $"{label} in a window name", Stored, t => t.Access.WindowNameStoredAsync(text));
            yield return new("free text", $"{label} as a pause reason", "unknown_pause_reason", t => Raw(t.Clerk, nameof(IHallHub.PauseWindow), new PauseWindowCommand(Guid.NewGuid(), t.Window, text)));
            yield return new("free text", $"{label} as item initials", "400 invalid_initials", t => t.HttpAsync(HttpMethod.Put, "/api/admin/items/1/initials", t.AdminToken, Json(new { initials = text })));
            yield return new("free text", $"{label} as a login", "401 login_failed", t => t.HttpAsync(HttpMethod.Post, "/api/auth/login", null, Json(new { login = text, password = text })));
        }
        yield return new("free text", "script in a follow-up note", Stored, t => t.Access.FollowUpNoteStoredAsync(Script + Sql));
        yield return new("free text", "SQL in a catalogue CSV cell", Stored, t => t.Access.ImportCellStoredAsync(t, Sql));
        yield return new("free text", "script in a catalogue CSV cell", Stored, t => t.Access.ImportCellStoredAsync(t, Script));

        // Unicode in numbers.
        yield return new("unicode", "full-width digits in a mobile number", "invalid_mobile", t => Raw(t.Kiosk, nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), t.Service, null, null, PriorityClass.Normal, "１３８００１３８０００")));
        yield return new("unicode", "full-width digits as a ticket id", BadArguments, t => Raw(t.Clerk, nameof(IHallHub.NoShow), new { commandId = Guid.NewGuid(), windowId = t.Window, ticketId = "１２３" }));
        yield return new("unicode", "full-width digits in item initials", "400 invalid_initials", t => t.HttpAsync(HttpMethod.Put, "/api/admin/items/1/initials", t.AdminToken, Json(new { initials = "ｓｂ１２３" })));
        yield return new("unicode", "a control character in the notice line", "400 invalid_text", t => t.HttpAsync(HttpMethod.Put, "/api/admin/notice-line", t.AdminToken, Json(new { text = "通知\u0007" })));
    }

    private static JsonContent Json(object value) => JsonContent.Create(value);

    private static MultipartFormDataContent Csv(string text) => new() { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "file", "items.csv" } };

    /// <summary>Invokes a hub method with whatever arguments are given, untyped, as a hostile client would.</summary>
    internal static Task<string> Raw(HubClient client, string method, object? argument) => RawArgs(client, method, argument);

    internal static async Task<string> RawArgs(HubClient client, string method, params object?[] arguments)
    {
        try
        {
            var reply = await client.Connection.InvokeCoreAsync<JsonElement?>(method, arguments);
            if (reply is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("ok", out var ok))
            {
                if (ok.GetBoolean())
                {
                    return "ok";
                }
                var error = r.GetProperty("error");
                Assert.That(error.GetProperty("messageZh").GetString(), Does.Match(@"\p{IsCJKUnifiedIdeographs}"), "a Chinese message");
                Assert.That(error.GetProperty("messageEn").GetString(), Does.Match("[A-Za-z]{3,}"), "an English message");
                return error.GetProperty("code").GetString()!;
            }
            return "ok";
        }
        catch (HubException ex)
        {
            return ex.Message.Contains("Error binding arguments", StringComparison.Ordinal) || ex.Message.Contains("argument(s) but target expects", StringComparison.Ordinal)
                ? BadArguments
                : ex.Message[(ex.Message.LastIndexOf(": ", StringComparison.Ordinal) + 2)..];
        }
    }

    private static async Task<string> OversizedAsync(HostileInputTests t, object command)
    {
        await using var client = await t.App.ConnectAsync(t.ClerkToken);
        try
        {
            await client.Connection.InvokeCoreAsync<JsonElement?>(nameof(IHallHub.PauseWindow), [command]);
            return "answered";
        }
        catch (Exception ex) when (ex is not AssertionException)
        {
            return "connection_closed";
        }
    }

    internal async Task<string> HttpAsync(HttpMethod method, string path, string? token, HttpContent? content)
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if ((int)response.StatusCode < 400)
        {
            return status;
        }
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("code", out var code))
            {
                Assert.That(json.RootElement.GetProperty("messageZh").GetString(), Does.Match(@"\p{IsCJKUnifiedIdeographs}"), "a Chinese message");
                Assert.That(json.RootElement.GetProperty("messageEn").GetString(), Does.Match("[A-Za-z]{3,}"), "an English message");
                return $"{status} {code.GetString()}";
            }
        }
        catch (JsonException)
        {
        }
        return status;
    }

    internal new HallApp App => base.App;

    internal new SeededHall Seeded => base.Seeded;
}

/// <summary>The cases that need the database or the server's services directly.</summary>
internal sealed record HallAppAccess(HallApp App, SeededHall Seeded, SeededHall Other)
{
    public int OtherHallId => Other.HallId;

    private AdminStore Admin => App.Services.GetRequiredService<AdminStore>();

    private Task<Actor> AdminActorAsync() => ActorAsync(StaffRole.Admin);

    private async Task<Actor> ActorAsync(StaffRole role)
    {
        await using var db = App.Db();
        var admin = await db.Staff.FirstAsync(s => s.HallId == Seeded.HallId && s.Role == role);
        return new Actor(ActorKind.Staff, admin.Id, admin.HallId, admin.Name, admin.Role, null, null);
    }

    public async Task<string> ConnectStatusAsync(string token)
    {
        try
        {
            await using var client = await App.ConnectAsync(token);
            return "connected";
        }
        catch (HttpRequestException ex)
        {
            return ((int?)ex.StatusCode)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "failed";
        }
    }

    public async Task<string> RevokedDeviceAsync()
    {
        var key = Seeded.Credentials.DeviceKeys["evaluator02"];
        Assert.That(Secrets.TryParse(key, HallAuth.DevicePrefix, out var id, out _), Is.True);
        await using var db = App.Db();
        var device = await db.Devices.SingleAsync(d => d.Id == id);
        var revokedAt = device.RevokedAt;
        await db.Devices.Where(d => d.Id == id).ExecuteUpdateAsync(u => u.SetProperty(d => d.RevokedAt, App.Clock.GetUtcNow()));
        try
        {
            return await ConnectStatusAsync(key);
        }
        finally
        {
            await db.Devices.Where(d => d.Id == id).ExecuteUpdateAsync(u => u.SetProperty(d => d.RevokedAt, revokedAt));
        }
    }

    public async Task<string> NoticeLineStoredAsync(HostileInputTests t, string text)
    {
        var outcome = await t.HttpAsync(HttpMethod.Put, "/api/admin/notice-line", t.AdminToken, JsonContent.Create(new { text }));
        Assert.That(outcome, Is.EqualTo("200"));
        await using var db = App.Db();
        Assert.That(await db.Halls.Where(h => h.Id == Seeded.HallId).Select(h => h.NoticeLine).SingleAsync(), Is.EqualTo(text));
        return HostileInputTests.Stored;
    }

    public async Task<string> StaffNameStoredAsync(string name)
    {
        var login = "h" + Guid.NewGuid().ToString("N")[..10];
        var (password, refusal) = await Admin.CreateStaffAsync(await AdminActorAsync(), login, name, StaffRole.Clerk, CancellationToken.None);
        Assert.That(refusal, Is.Null);
        Assert.That(password, Is.Not.Null);
        await using var db = App.Db();
        Assert.That(await db.Staff.Where(s => s.Login == login).Select(s => s.Name).SingleAsync(), Is.EqualTo(name));
        return HostileInputTests.Stored;
    }

    public async Task<string> WindowNameStoredAsync(string name)
    {
        var actor = await AdminActorAsync();
        var window = (await Admin.WindowsAsync(Seeded.HallId, CancellationToken.None)).First(w => w.Number == 3);
        Assert.That(await Admin.SaveWindowAsync(actor, window with { Name = name }, CancellationToken.None), Is.Null);
        await using var db = App.Db();
        Assert.That(await db.Windows.Where(w => w.Id == window.Id).Select(w => w.Name).SingleAsync(), Is.EqualTo(name));
        return HostileInputTests.Stored;
    }

    public async Task<string> FollowUpNoteStoredAsync(string note)
    {
        long caseId;
        await using (var db = App.Db())
        {
            var ticket = await db.Tickets.Where(t => t.HallId == Seeded.HallId).Select(t => new { t.Id, t.Number }).FirstAsync();
            var opened = new FollowUpCase { HallId = Seeded.HallId, TicketId = ticket.Id, TicketNumber = ticket.Number, Level = RatingLevel.Dissatisfied, OpenedAt = App.Clock.GetUtcNow(), DueDate = new DateOnly(2026, 12, 31) };
            db.FollowUpCases.Add(opened);
            await db.SaveChangesAsync();
            caseId = opened.Id;
        }
        var supervisor = await ActorAsync(StaffRole.Supervisor);
        Assert.That(await App.Services.GetRequiredService<FollowUps>().AddNoteAsync(supervisor, caseId, note, CancellationToken.None), Is.Null);
        await using var check = App.Db();
        Assert.That((await check.FollowUpCases.SingleAsync(f => f.Id == caseId)).Notes.Single().Text, Is.EqualTo(note));
        return HostileInputTests.Stored;
    }

    public async Task<string> ImportCellStoredAsync(HostileInputTests t, string text)
    {
        await using var db = App.Db();
        var service = await db.Services.Where(s => s.Id == t.Service).Select(s => s.Name).SingleAsync();
        var code = "H" + Guid.NewGuid().ToString("N")[..8];
        var cell = "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var csv = $"实施部门,事项编码,事项名称,办理业务\n{cell},{code},{cell},{service}\n";
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", t.AdminToken);
        using var content = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "清单.csv" } };
        using var started = await http.PostAsync(new Uri("/api/admin/catalogue/import", UriKind.Relative), content);
        var body = await started.Content.ReadAsStringAsync();
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/admin/catalogue/import/{id}", UriKind.Relative))).RootElement.GetProperty("state").GetString() == "running")
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the import never finished");
            await Task.Delay(20);
        }
        var item = await db.ServiceItems.AsNoTracking().SingleAsync(i => i.Code == code);
        Assert.That((item.Name, item.Department), Is.EqualTo((text, text)));
        return HostileInputTests.Stored;
    }
}
