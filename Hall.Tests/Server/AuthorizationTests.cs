using System.Net;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Server.Security;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>Who may connect and who may do what: devices by key, staff by login, each only in their own hall and role.</summary>
[TestFixture]
public sealed class AuthorizationTests() : HallFixture("auth")
{
    private SeededHall _otherHall = null!;
    private int _shebao;
    private int _window1;

    [OneTimeSetUp]
    public async Task SeedOtherHallAsync()
    {
        _otherHall = await SeededHall.CreateAsync(App, "other");
        _shebao = await App.ServiceIdAsync(Seeded.HallId, "shebao");
        _window1 = await App.WindowIdAsync(Seeded.HallId, 1);
    }

    [OneTimeTearDown]
    public Task StopOtherHallAsync() => _otherHall.DisposeAsync().AsTask();

    private static async Task<HttpStatusCode?> RefusedStatusAsync(HallApp app, string? token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.BaseAddress, "/hubs/hall"), o => o.AccessTokenProvider = () => Task.FromResult(token))
            .Build();
        try
        {
            await connection.StartAsync();
            return null;
        }
        catch (HttpRequestException ex)
        {
            return ex.StatusCode;
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    [Test]
    public async Task A_connection_without_credentials_is_refused() =>
        Assert.That(await RefusedStatusAsync(App, null), Is.EqualTo(HttpStatusCode.Unauthorized));

    [Test]
    public async Task A_connection_with_a_made_up_device_key_is_refused() =>
        Assert.That(await RefusedStatusAsync(App, "hd_1_" + Secrets.New()), Is.EqualTo(HttpStatusCode.Unauthorized));

    [Test]
    public async Task A_revoked_device_key_is_refused()
    {
        var key = await App.CreateDeviceAsync(Seeded.HallId, "将撤销的取号机", DeviceRole.Kiosk);
        Assert.That(await RefusedStatusAsync(App, key), Is.Null, "works before revocation");
        Assert.That(Secrets.TryParse(key, HallAuth.DevicePrefix, out var id, out _), Is.True);
        await using (var db = App.Db())
        {
            await db.Devices.Where(d => d.Id == id).ExecuteUpdateAsync(u => u.SetProperty(d => d.RevokedAt, DateTimeOffset.UtcNow));
        }
        Assert.That(await RefusedStatusAsync(App, key), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_wrong_password_gets_no_token()
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        var response = await http.PostAsync("/api/auth/login", new StringContent("""{"login":"xinxian-clerk01","password":"wrong"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("用户名或密码错误"));
    }

    [Test]
    public async Task A_display_cannot_call_numbers()
    {
        var display = await Seeded.DeviceAsync("display");
        var reply = await display.CallNextAsync(_window1);
        Assert.That(reply.Error?.Code, Is.EqualTo("forbidden"));
    }

    [Test]
    public async Task A_display_cannot_issue_tickets()
    {
        var display = await Seeded.DeviceAsync("display");
        Assert.That((await display.IssueAsync(_shebao)).Error?.Code, Is.EqualTo("forbidden"));
    }

    [Test]
    public async Task A_kiosk_cannot_finish_tickets()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var ticket = (await kiosk.IssueAsync(_shebao)).Ok();
        var reply = await kiosk.FinishAsync(_window1, ticket.Ticket.TicketId);
        Assert.That(reply.Error?.Code, Is.EqualTo("forbidden"));
    }

    [Test]
    public async Task A_clerk_cannot_act_on_a_window_of_another_hall()
    {
        var foreignClerk = await _otherHall.ClerkAsync(1);
        Assert.That((await foreignClerk.OpenAsync(_window1)).Error?.Code, Is.EqualTo("wrong_hall"));
        Assert.That((await foreignClerk.CallNextAsync(_window1)).Error?.Code, Is.EqualTo("wrong_hall"));
    }

    [Test]
    public async Task A_kiosk_cannot_issue_for_a_service_of_another_hall()
    {
        var kiosk = await _otherHall.DeviceAsync("kiosk");
        Assert.That((await kiosk.IssueAsync(_shebao)).Error?.Code, Is.EqualTo("wrong_hall"));
    }

    [Test]
    public async Task A_clerk_cannot_call_from_a_window_another_clerk_opened()
    {
        var window2 = await App.WindowIdAsync(Seeded.HallId, 2);
        var owner = await Seeded.ClerkAsync(2);
        var intruder = await Seeded.ClerkAsync(4);
        (await owner.OpenAsync(window2)).Ok();
        Assert.That((await intruder.CallNextAsync(window2)).Error?.Code, Is.EqualTo("not_your_window"));
        Assert.That((await intruder.OpenAsync(window2)).Error?.Code, Is.EqualTo("window_opened_by_other"));
        Assert.That((await intruder.PauseAsync(window2, "休息")).Error?.Code, Is.EqualTo("not_your_window"));
    }

    [Test]
    public async Task A_clerk_cannot_cancel_tickets_but_a_supervisor_can()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var ticket = (await kiosk.IssueAsync(_shebao)).Ok();
        var clerk = await Seeded.ClerkAsync(1);
        var supervisor = await Seeded.StaffAsync("supervisor");
        var cancel = new CancelCommand(Guid.NewGuid(), ticket.Ticket.TicketId, "群众离开");
        Assert.That((await clerk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Cancel), cancel)).Error?.Code, Is.EqualTo("forbidden"));
        var cancelled = (await supervisor.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Cancel), cancel with { CommandId = Guid.NewGuid() })).Ok();
        Assert.That(cancelled.State, Is.EqualTo(TicketState.Cancelled));
    }

    [Test]
    public async Task The_pages_are_held_to_the_same_role_table_as_the_hub()
    {
        // The wall and the console call the queue service directly, not through the hub: a clerk's actor on that path is
        // refused a cancel exactly as on the hub, and the ticket stays waiting.
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var ticket = (await kiosk.IssueAsync(_shebao)).Ok();
        var queue = App.Services.GetRequiredService<QueueService>();
        await using var db = App.Db();
        var clerk = await db.Staff.FirstAsync(s => s.HallId == Seeded.HallId && s.Role == StaffRole.Clerk);
        var asClerk = new Actor(ActorKind.Staff, clerk.Id, Seeded.HallId, clerk.Name, StaffRole.Clerk, null, null);
        var commandsBefore = await db.Commands.CountAsync();
        var reply = await queue.CancelAsync(asClerk, new CancelCommand(Guid.NewGuid(), ticket.Ticket.TicketId, "群众离开"), CancellationToken.None);
        Assert.That(reply.Error?.Code, Is.EqualTo("forbidden"));
        Assert.That(reply.Error?.MessageZh, Is.EqualTo("无权执行此操作"));
        Assert.That(await db.Tickets.Where(t => t.Id == ticket.Ticket.TicketId).Select(t => t.State).SingleAsync(), Is.EqualTo(TicketState.Waiting));
        Assert.That(await db.Commands.CountAsync(), Is.EqualTo(commandsBefore), "a refused command is not recorded");
    }

    [Test]
    public async Task Every_queue_command_refuses_a_role_the_table_does_not_name_on_the_page_path()
    {
        var queue = App.Services.GetRequiredService<QueueService>();
        await using var db = App.Db();
        var display = await db.Devices.FirstAsync(d => d.HallId == Seeded.HallId && d.Role == DeviceRole.Display);
        var evaluator = await db.Devices.FirstAsync(d => d.HallId == Seeded.HallId && d.Role == DeviceRole.Evaluator);
        var asDisplay = new Actor(ActorKind.Device, display.Id, Seeded.HallId, display.Name, null, DeviceRole.Display, null);
        var asEvaluator = new Actor(ActorKind.Device, evaluator.Id, Seeded.HallId, evaluator.Name, null, DeviceRole.Evaluator, evaluator.WindowId);
        var none = CancellationToken.None;
        var calls = new Dictionary<string, Func<Actor, Task<HallError?>>>
        {
            ["issue"] = async a => (await queue.IssueAsync(a, new IssueTicketCommand(Guid.NewGuid(), _shebao, null, null, PriorityClass.Normal), none)).Error,
            ["open"] = async a => (await queue.OpenWindowAsync(a, new WindowCommand(Guid.NewGuid(), _window1), none)).Error,
            ["take_over"] = async a => (await queue.TakeOverWindowAsync(a, new WindowCommand(Guid.NewGuid(), _window1), none)).Error,
            ["pause"] = async a => (await queue.PauseWindowAsync(a, new PauseWindowCommand(Guid.NewGuid(), _window1, "休息"), none)).Error,
            ["resume"] = async a => (await queue.ResumeWindowAsync(a, new WindowCommand(Guid.NewGuid(), _window1), none)).Error,
            ["close"] = async a => (await queue.CloseWindowAsync(a, new WindowCommand(Guid.NewGuid(), _window1), none)).Error,
            ["call_next"] = async a => (await queue.CallNextAsync(a, new WindowCommand(Guid.NewGuid(), _window1), none)).Error,
            ["call_ticket"] = async a => (await queue.CallTicketAsync(a, new TicketCommand(Guid.NewGuid(), _window1, 1), none)).Error,
            ["recall"] = async a => (await queue.RecallAsync(a, new TicketCommand(Guid.NewGuid(), _window1, 1), none)).Error,
            ["no_show"] = async a => (await queue.NoShowAsync(a, new TicketCommand(Guid.NewGuid(), _window1, 1), none)).Error,
            ["requeue"] = async a => (await queue.RequeueAsync(a, new RequeueCommand(Guid.NewGuid(), 1), none)).Error,
            ["start"] = async a => (await queue.StartServiceAsync(a, new TicketCommand(Guid.NewGuid(), _window1, 1), none)).Error,
            ["finish"] = async a => (await queue.FinishAsync(a, new FinishCommand(Guid.NewGuid(), _window1, 1, "办结", null), none)).Error,
            ["transfer"] = async a => (await queue.TransferAsync(a, new TransferCommand(Guid.NewGuid(), _window1, 1, _shebao, null), none)).Error,
            ["cancel"] = async a => (await queue.CancelAsync(a, new CancelCommand(Guid.NewGuid(), 1, "群众离开"), none)).Error,
            ["rate"] = async a => (await queue.RateAsync(a, new RateCommand(Guid.NewGuid(), 1, RatingLevel.Basic, null), none)).Error,
            ["invite_rating"] = async a => (await queue.InviteRatingAsync(a, new TicketCommand(Guid.NewGuid(), _window1, 1), none)).Error,
            ["void"] = async a => (await queue.VoidAsync(a, new VoidTicketCommand(Guid.NewGuid(), 1, "缺纸"), none)).Error,
        };
        var queueKinds = CommandRoles.All.Keys.Where(k => !k.StartsWith("ack_", StringComparison.Ordinal) && !k.StartsWith("report_", StringComparison.Ordinal) && !k.StartsWith("get_", StringComparison.Ordinal));
        Assert.That(calls.Keys, Is.EquivalentTo(queueKinds), "every queue command of the table is tried here");
        var commandsBefore = await db.Commands.CountAsync();
        foreach (var (kind, call) in calls)
        {
            // A lobby screen may run none of them; an evaluator only rates.
            var outsider = kind == "rate" ? asDisplay : asEvaluator;
            Assert.That(CommandRoles.Allows(kind, outsider), Is.False);
            Assert.That((await call(outsider))?.Code, Is.EqualTo("forbidden"), kind);
        }
        Assert.That(await db.Commands.CountAsync(), Is.EqualTo(commandsBefore), "no refused command was recorded");
    }
}
