using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>
/// A NUL, another control character or a bidirectional override in any free text — a hub command's reason or outcome, an
/// API field, a form, a query, an admin form — is refused as <c>invalid_text</c> with a Chinese and an English message,
/// and nothing changes (a NUL used to reach PostgreSQL and come back as <c>unavailable</c>).
/// </summary>
[TestFixture]
public sealed class InvalidTextTests() : HallFixture("invalidtext")
{
    private const string Nul = "会议\u0000";
    private const string Bell = "原因\u0007";
    private const string Override = "\u202E办结\u202C";
    private const string Isolate = "\u2067张三\u2069";
    private const string C1 = "原因\u0085";

    private HubClient _kiosk = null!;
    private HubClient _clerk = null!;
    private HubClient _supervisor = null!;
    private HubClient _display = null!;
    private int _window;
    private int _service;
    private long _waiting;
    private string _adminToken = "";

    [OneTimeSetUp]
    public async Task PrepareAsync()
    {
        _kiosk = await Seeded.DeviceAsync("kiosk");
        _display = await Seeded.DeviceAsync("display");
        _clerk = await Seeded.ClerkAsync(1);
        _supervisor = await Seeded.StaffAsync("supervisor");
        _window = await App.WindowIdAsync(Seeded.HallId, 1);
        _service = await App.ServiceIdAsync(Seeded.HallId, "shebao");
        _waiting = (await _kiosk.IssueAsync(_service)).Ok().Ticket.TicketId;
        (await _clerk.OpenAsync(_window)).Ok();
        var admin = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-admin", StringComparison.Ordinal));
        _adminToken = await App.LoginAsync(admin, Seeded.Credentials.Passwords[admin]);
    }

    /// <summary>What a hub call with <paramref name="text"/> in it is answered with, and that it changed nothing.</summary>
    private async Task<string> HubAsync(HubClient client, string method, object command)
    {
        var before = await TableDump.AllAsync(App.ConnectionString);
        var outcome = await HostileInputTests.Raw(client, method, command);
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before), $"{method} changed nothing");
        return outcome;
    }

    private static IEnumerable<TestCaseData> HubCases()
    {
        foreach (var (label, text) in new[] { ("a NUL", Nul), ("a bell", Bell), ("an RTL override", Override), ("an isolate", Isolate), ("a C1 control", C1) })
        {
            yield return new TestCaseData("cancel", text).SetName($"Cancelling with {label} in the reason is refused as invalid_text");
            yield return new TestCaseData("void", text).SetName($"Voiding with {label} in the reason is refused as invalid_text");
            yield return new TestCaseData("pause", text).SetName($"Pausing with {label} in the reason is refused as invalid_text");
            yield return new TestCaseData("finish", text).SetName($"Finishing with {label} in the outcome is refused as invalid_text");
            yield return new TestCaseData("rate", text).SetName($"Rating with {label} in a reason is refused as invalid_text");
            yield return new TestCaseData("issue", text).SetName($"Issuing with {label} in the service code is refused as invalid_text");
        }
    }

    [TestCaseSource(nameof(HubCases))]
    public async Task A_hub_command_with_a_control_or_bidi_character_is_refused(string command, string text)
    {
        var outcome = command switch
        {
            "cancel" => await HubAsync(_supervisor, nameof(IHallHub.Cancel), new CancelCommand(Guid.NewGuid(), _waiting, text)),
            "void" => await HubAsync(_kiosk, nameof(IHallHub.VoidTicket), new VoidTicketCommand(Guid.NewGuid(), _waiting, text)),
            "pause" => await HubAsync(_clerk, nameof(IHallHub.PauseWindow), new PauseWindowCommand(Guid.NewGuid(), _window, text)),
            "finish" => await HubAsync(_clerk, nameof(IHallHub.Finish), new FinishCommand(Guid.NewGuid(), _window, _waiting, text, null)),
            "rate" => await HubAsync(_clerk, nameof(IHallHub.Rate), new RateCommand(Guid.NewGuid(), _waiting, RatingLevel.Dissatisfied, ["态度差", text])),
            "issue" => await HubAsync(_kiosk, nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), null, "shebao" + text, null, PriorityClass.Normal)),
            _ => throw new ArgumentOutOfRangeException(nameof(command)),
        };
        Assert.That(outcome, Is.EqualTo("invalid_text"));
    }

    [Test]
    public void A_device_status_with_a_nul_is_refused_as_invalid_text()
    {
        var error = Assert.ThrowsAsync<HubException>(() => _display.Connection.InvokeAsync(nameof(IHallHub.ReportStatus), new DeviceStatusReport("Ready", "屏幕\u0000")));
        Assert.That(error!.Message, Does.EndWith("invalid_text"));
    }

    private async Task<(HttpStatusCode Status, JsonElement? Body, string Text)> HttpAsync(HttpMethod method, string path, HttpContent? content, string? token = null)
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement? body = null;
        try
        {
            body = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
        }
        return (response.StatusCode, body, text);
    }

    private static void AssertInvalidText((HttpStatusCode Status, JsonElement? Body, string Text) answer)
    {
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.BadRequest), answer.Text);
        Assert.That(answer.Body?.GetProperty("code").GetString(), Is.EqualTo("invalid_text"), answer.Text);
        Assert.That(answer.Body?.GetProperty("messageZh").GetString(), Does.Contain("控制字符"));
        Assert.That(answer.Body?.GetProperty("messageEn").GetString(), Does.Contain("control character"));
    }

    [Test]
    public async Task A_login_with_a_nul_is_refused_as_invalid_text_not_as_the_database_being_away()
    {
        var before = await TableDump.AllAsync(App.ConnectionString);
        AssertInvalidText(await HttpAsync(HttpMethod.Post, "/api/auth/login", JsonContent.Create(new { login = "xinxian-admin\u0000", password = "x" })));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
    }

    [TestCase("\u202E字幕\u202C")]
    [TestCase("字幕\u0000")]
    [TestCase("第一行\n第二行")]
    public async Task A_notice_line_with_a_control_or_bidi_character_is_refused_as_invalid_text(string text)
    {
        var before = await TableDump.AllAsync(App.ConnectionString);
        AssertInvalidText(await HttpAsync(HttpMethod.Put, "/api/admin/notice-line", JsonContent.Create(new { text }), _adminToken));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
    }

    [Test]
    public async Task A_lone_surrogate_in_json_is_refused_as_invalid_text() =>
        AssertInvalidText(await HttpAsync(HttpMethod.Put, "/api/admin/notice-line", new StringContent("{\"text\":\"\\ud800字幕\"}", Encoding.UTF8, "application/json"), _adminToken));

    [Test]
    public async Task A_playlist_name_with_a_nul_is_refused_as_invalid_text() =>
        AssertInvalidText(await HttpAsync(HttpMethod.Post, "/api/admin/playlists", JsonContent.Create(new { name = "普法\u0000", mediaIds = new[] { 1 }, priority = 0 }), _adminToken));

    [Test]
    public async Task A_tracking_code_with_a_control_character_is_refused_as_invalid_text()
    {
        AssertInvalidText(await HttpAsync(HttpMethod.Get, "/t/abc%07def/state", null));
        // A NUL in the path does not even reach Hall: Kestrel answers 400 itself.
        Assert.That((await HttpAsync(HttpMethod.Get, "/t/abc%00def/state", null)).Status, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_query_with_a_control_character_is_refused_as_invalid_text() =>
        AssertInvalidText(await HttpAsync(HttpMethod.Get, "/api/reports?kind=Weekly%07", null, _adminToken));

    [Test]
    public async Task The_sign_in_form_with_a_nul_answers_a_page_saying_why()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = App.BaseAddress };
        using var request = await FormPost.RequestAsync(http, "/login", "/login", new Dictionary<string, string> { ["login"] = "xinxian-admin\u0000", ["password"] = "x", ["back"] = "/console" });
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await http.SendAsync(request);
        var page = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), page);
        Assert.That(page, Does.Contain("data-code=\"invalid_text\"").And.Contain("控制字符").And.Contain("control character"));
    }

    private AdminStore Store => App.Services.GetRequiredService<AdminStore>();

    private async Task<Actor> AdminAsync()
    {
        await using var db = App.Db();
        var admin = await db.Staff.FirstAsync(s => s.HallId == Seeded.HallId && s.Role == StaffRole.Admin);
        return new Actor(ActorKind.Staff, admin.Id, admin.HallId, admin.Name, admin.Role, null, null);
    }

    private async Task AssertAdminRefusedAsync(Func<Actor, Task<Refusal?>> change)
    {
        var before = await TableDump.AllAsync(App.ConnectionString);
        var refusal = await change(await AdminAsync());
        Assert.That(refusal?.Code, Is.EqualTo("invalid_text"));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
    }

    [Test]
    public Task An_admin_form_staff_name_with_a_nul_is_refused() =>
        AssertAdminRefusedAsync(async a => (await Store.CreateStaffAsync(a, "nulname", "王\u0000五", StaffRole.Clerk, CancellationToken.None)).Refusal);

    [Test]
    public Task An_admin_form_window_name_with_an_override_is_refused() =>
        AssertAdminRefusedAsync(async a =>
        {
            var window = (await Store.WindowsAsync(Seeded.HallId, CancellationToken.None)).First(w => w.Number == 2);
            return await Store.SaveWindowAsync(a, window with { Name = "\u202E口窗号2" }, CancellationToken.None);
        });

    [Test]
    public Task An_admin_form_outcome_line_with_a_nul_is_refused() =>
        AssertAdminRefusedAsync(async a =>
        {
            var form = AdminStore.FormOf(await Store.HallAsync(Seeded.HallId, CancellationToken.None));
            return await Store.SaveHallAsync(a, form with { OutcomesText = form.OutcomesText + "\n退回\u0000" }, CancellationToken.None);
        });

    [Test]
    public async Task Multi_line_lists_still_take_their_newlines()
    {
        var form = AdminStore.FormOf(await Store.HallAsync(Seeded.HallId, CancellationToken.None));
        Assert.That(form.OutcomesText, Does.Contain("\n"));
        Assert.That(await Store.SaveHallAsync(await AdminAsync(), form with { OutcomesText = form.OutcomesText.Replace("\n", "\r\n", StringComparison.Ordinal) }, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Clean_chinese_text_and_emoji_are_still_taken()
    {
        var outcome = await HostileInputTests.Raw(_supervisor, nameof(IHallHub.Cancel), new CancelCommand(Guid.NewGuid(), (await _kiosk.IssueAsync(_service)).Ok().Ticket.TicketId, "群众主动放弃办理 😀 𠀀"));
        Assert.That(outcome, Is.EqualTo("ok"));
    }
}
