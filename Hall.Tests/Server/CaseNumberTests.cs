using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>
/// 办件编号: typed or scanned at finish (required by a service that says so), and attached afterwards by the 一窗受理 system
/// with its own key (对接系统); every refusal answers in Chinese and English and leaves every table as it was.
/// </summary>
[TestFixture]
public sealed class CaseNumberTests() : HallFixture("case-number")
{
    private HubClient _kiosk = null!;
    private HubClient _clerk1 = null!;
    private HubClient _clerk3 = null!;
    private int _window1;
    private int _window3;
    private int _shebao;
    private int _yibao;

    [OneTimeSetUp]
    public async Task PrepareAsync()
    {
        _kiosk = await Seeded.DeviceAsync("kiosk");
        _clerk1 = await Seeded.ClerkAsync(1);
        _clerk3 = await Seeded.ClerkAsync(3);
        _window1 = await App.WindowIdAsync(Seeded.HallId, 1);
        _window3 = await App.WindowIdAsync(Seeded.HallId, 3);
        _shebao = await App.ServiceIdAsync(Seeded.HallId, "shebao");
        _yibao = await App.ServiceIdAsync(Seeded.HallId, "yibao");
        (await _clerk1.OpenAsync(_window1)).Ok();
        (await _clerk3.OpenAsync(_window3)).Ok();
    }

    /// <summary>Issues a ticket of the service and has the window's clerk call and start it.</summary>
    private async Task<long> ServingAsync(HubClient clerk, int window, int service)
    {
        var ticket = (await _kiosk.IssueAsync(service)).Ok().Ticket;
        Assert.That((await clerk.CallNextAsync(window)).Ok().Ticket.TicketId, Is.EqualTo(ticket.TicketId));
        (await clerk.StartAsync(window, ticket.TicketId)).Ok();
        return ticket.TicketId;
    }

    private static Task<Reply<TicketView>> FinishAsync(HubClient clerk, int window, long ticketId, string? caseNumber, string outcome = "办结") =>
        clerk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Finish), new FinishCommand(Guid.NewGuid(), window, ticketId, outcome, null, CaseNumber: caseNumber));

    private async Task<string?> CaseNumberOfAsync(long ticketId)
    {
        await using var db = App.Db();
        return await db.Tickets.Where(t => t.Id == ticketId).Select(t => t.CaseNumber).SingleAsync();
    }

    private async Task<T> NothingChangedAsync<T>(Func<Task<T>> act)
    {
        var before = await TableDump.AllAsync(App.ConnectionString);
        var result = await act();
        var after = await TableDump.AllAsync(App.ConnectionString);
        Assert.That(after.Keys, Is.EqualTo(before.Keys));
        foreach (var table in before.Keys)
        {
            Assert.That(after[table], Is.EqualTo(before[table]), $"table {table} changed");
        }
        return result;
    }

    private async Task RefusedAsync(Func<Task<Reply<TicketView>>> command, string code)
    {
        var reply = await NothingChangedAsync(command);
        Assert.That(reply.Error?.Code, Is.EqualTo(code));
        Assert.That(reply.Error!.MessageZh, Does.Contain("未作任何更改"));
        Assert.That(reply.Error.MessageEn, Does.Contain("Nothing was changed"));
    }

    [Test, Order(1)]
    public async Task A_scanned_case_number_is_stored_trimmed_with_the_finish_and_read_back()
    {
        var ticket = await ServingAsync(_clerk1, _window1, _shebao);

        var done = (await FinishAsync(_clerk1, _window1, ticket, "  YC-2026/000123_a  ")).Ok();

        Assert.That((done.State, done.CaseNumber), Is.EqualTo((TicketState.Finished, "YC-2026/000123_a")));
        Assert.That(await CaseNumberOfAsync(ticket), Is.EqualTo("YC-2026/000123_a"));
    }

    [Test, Order(2)]
    public async Task Without_a_case_number_an_optional_service_finishes_with_none()
    {
        var ticket = await ServingAsync(_clerk1, _window1, _shebao);

        var done = (await FinishAsync(_clerk1, _window1, ticket, "   ")).Ok();

        Assert.That((done.State, done.CaseNumber, await CaseNumberOfAsync(ticket)), Is.EqualTo((TicketState.Finished, (string?)null, (string?)null)));
    }

    [Test, Order(3)]
    public async Task A_service_that_requires_the_case_number_refuses_a_finish_without_a_valid_one_and_changes_nothing()
    {
        // The admin ticks 必须录入办件编号 for 医保业务; the change is in the audit log like every service field.
        var admin = App.Services.GetRequiredService<AdminStore>();
        await using (var db = App.Db())
        {
            var adminId = await db.Staff.Where(s => s.HallId == Seeded.HallId && s.Role == StaffRole.Admin).Select(s => s.Id).FirstAsync();
            var actor = new Actor(ActorKind.Staff, adminId, Seeded.HallId, "系统管理员", StaffRole.Admin, null, null);
            var form = (await admin.ServicesAsync(Seeded.HallId, default)).Single(s => s.Id == _yibao);
            Assert.That(await admin.SaveServiceAsync(actor, form with { CaseNumberRequired = true }, default), Is.Null);
        }
        await using (var db = App.Db())
        {
            Assert.That(await db.Services.Where(s => s.Id == _yibao).Select(s => s.CaseNumberRequired).SingleAsync(), Is.True);
            var entry = await db.AuditEntries.Where(a => a.Action == "service.update" && a.Subject == $"service:{_yibao}").OrderByDescending(a => a.Id).FirstAsync();
            Assert.That(entry.Before, Does.Contain("\"CaseNumberRequired\": false"));
            Assert.That(entry.After, Does.Contain("\"CaseNumberRequired\": true"));
        }
        var ticket = await ServingAsync(_clerk3, _window3, _yibao);

        await RefusedAsync(() => FinishAsync(_clerk3, _window3, ticket, null), "case_number_required");
        await RefusedAsync(() => FinishAsync(_clerk3, _window3, ticket, " "), "case_number_required");
        await RefusedAsync(() => FinishAsync(_clerk3, _window3, ticket, "YB 2026 01"), "invalid_case_number");
        await RefusedAsync(() => FinishAsync(_clerk3, _window3, ticket, "医保2026001"), "invalid_case_number");
        await RefusedAsync(() => FinishAsync(_clerk3, _window3, ticket, new string('7', 65)), "invalid_case_number");
        var refused = await FinishAsync(_clerk3, _window3, ticket, null);
        Assert.That((refused.Error!.MessageZh, refused.Error.MessageEn),
            Is.EqualTo(("该业务办结须录入办件编号，未作任何更改", "This service needs the case number (办件编号) to finish a case. Nothing was changed.")));

        var done = (await FinishAsync(_clerk3, _window3, ticket, new string('7', 64))).Ok();
        Assert.That(await CaseNumberOfAsync(ticket), Is.EqualTo(new string('7', 64)));
        Assert.That(done.CaseNumber, Is.EqualTo(new string('7', 64)));

        // A consultation accepts no case, so it has no number to give.
        var question = await ServingAsync(_clerk3, _window3, _yibao);
        Assert.That((await FinishAsync(_clerk3, _window3, question, null, TicketRules.Consultation)).Ok().State, Is.EqualTo(TicketState.Finished));
    }

    private HttpClient Client(string? token)
    {
        var http = new HttpClient { BaseAddress = App.BaseAddress };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient http, int hall, long ticketId, object? body) =>
        http.PutAsJsonAsync($"/api/halls/{hall}/tickets/{ticketId}/case-number", body);

    /// <summary>A refused attach: the status, the code, both languages, and every table as it was.</summary>
    private async Task AttachRefusedAsync(HttpClient http, int hall, long ticketId, object? body, HttpStatusCode status, string? code)
    {
        var response = await NothingChangedAsync(() => PutAsync(http, hall, ticketId, body));
        Assert.That(response.StatusCode, Is.EqualTo(status), $"{hall}/{ticketId} {JsonSerializer.Serialize(body)}");
        if (code is not null)
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.That(json.RootElement.GetProperty("code").GetString(), Is.EqualTo(code));
            Assert.That(json.RootElement.GetProperty("messageZh").GetString(), Does.Match(@"\p{IsCJKUnifiedIdeographs}"));
            Assert.That(json.RootElement.GetProperty("messageEn").GetString(), Does.Match("[A-Za-z]{3,}"));
        }
    }

    [Test, Order(4)]
    public async Task The_case_system_attaches_a_number_afterwards_once_and_every_refusal_changes_nothing()
    {
        var finished = await ServingAsync(_clerk1, _window1, _shebao);
        (await FinishAsync(_clerk1, _window1, finished, null)).Ok();
        var waiting = (await _kiosk.IssueAsync(_shebao)).Ok().Ticket.TicketId;
        int township;
        await using (var db = App.Db())
        {
            township = await db.Halls.Where(h => h.Code == DemoHall.Code + "-xinji").Select(h => h.Id).SingleAsync();
        }
        using var system = Client(await App.CreateDeviceAsync(Seeded.HallId, "一窗受理系统", DeviceRole.CaseSystem));
        using var townshipSystem = Client(await App.CreateDeviceAsync(township, "新集镇一窗受理", DeviceRole.CaseSystem));
        using var nobody = Client(null);
        using var clerk = await Seeded.HttpAsync("clerk01");
        using var supervisor = await Seeded.HttpAsync("supervisor");
        using var kiosk = Client(Seeded.Credentials.DeviceKeys["kiosk"]);
        var body = new { caseNumber = "YC-2026-0815" };

        await AttachRefusedAsync(nobody, Seeded.HallId, finished, body, HttpStatusCode.Unauthorized, null);
        using var forged = Client("hd_1_wrongsecret");
        await AttachRefusedAsync(forged, Seeded.HallId, finished, body, HttpStatusCode.Unauthorized, null);
        await AttachRefusedAsync(clerk, Seeded.HallId, finished, body, HttpStatusCode.Forbidden, "forbidden");
        await AttachRefusedAsync(supervisor, Seeded.HallId, finished, body, HttpStatusCode.Forbidden, "forbidden");
        await AttachRefusedAsync(kiosk, Seeded.HallId, finished, body, HttpStatusCode.Forbidden, "forbidden");
        await AttachRefusedAsync(system, township, finished, body, HttpStatusCode.Forbidden, "wrong_hall");
        // The township's system asks for a ticket of the county hall: as unknown as a ticket that does not exist.
        await AttachRefusedAsync(townshipSystem, township, finished, body, HttpStatusCode.NotFound, "unknown_ticket");
        await AttachRefusedAsync(system, Seeded.HallId, 999_999_999, body, HttpStatusCode.NotFound, "unknown_ticket");
        await AttachRefusedAsync(system, Seeded.HallId, waiting, body, HttpStatusCode.Conflict, "case_number_before_finish");
        await AttachRefusedAsync(system, Seeded.HallId, finished, new { caseNumber = "=HYPERLINK(\"http://x\")" }, HttpStatusCode.BadRequest, "invalid_case_number");
        await AttachRefusedAsync(system, Seeded.HallId, finished, new { caseNumber = "" }, HttpStatusCode.BadRequest, "invalid_case_number");
        await AttachRefusedAsync(system, Seeded.HallId, finished, new { }, HttpStatusCode.BadRequest, "invalid_case_number");

        var attached = await PutAsync(system, Seeded.HallId, finished, new { caseNumber = " YC-2026-0815 " });
        Assert.That(attached.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var json = JsonDocument.Parse(await attached.Content.ReadAsStringAsync()))
        {
            Assert.That((json.RootElement.GetProperty("caseNumber").GetString(), json.RootElement.GetProperty("changed").GetBoolean(), json.RootElement.GetProperty("ticketId").GetInt64()),
                Is.EqualTo(("YC-2026-0815", true, finished)));
        }
        Assert.That(await CaseNumberOfAsync(finished), Is.EqualTo("YC-2026-0815"));
        await using (var db = App.Db())
        {
            var entry = await db.AuditEntries.Where(a => a.Action == "ticket.case_number").SingleAsync();
            Assert.That((entry.Subject, entry.StaffName, entry.HallId), Is.EqualTo(($"ticket:{finished}", "一窗受理系统", Seeded.HallId)));
            Assert.That(entry.After, Does.Contain("\"CaseNumber\": \"YC-2026-0815\""));
        }

        // The same number again (a retry after a lost answer) is done already; another number is refused.
        var again = await NothingChangedAsync(() => PutAsync(system, Seeded.HallId, finished, body));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var json = JsonDocument.Parse(await again.Content.ReadAsStringAsync()))
        {
            Assert.That(json.RootElement.GetProperty("changed").GetBoolean(), Is.False);
        }
        await AttachRefusedAsync(system, Seeded.HallId, finished, new { caseNumber = "YC-2026-0816" }, HttpStatusCode.Conflict, "case_number_differs");
        Assert.That(await CaseNumberOfAsync(finished), Is.EqualTo("YC-2026-0815"));
    }

    [Test]
    public async Task The_case_system_key_cannot_join_the_hub()
    {
        var key = await App.CreateDeviceAsync(Seeded.HallId, "一窗受理系统（测试）", DeviceRole.CaseSystem);

        var refused = Assert.CatchAsync(async () => await (await App.ConnectAsync(key)).DisposeAsync());

        Assert.That(refused!.Message, Does.Contain("403"));
    }
}
