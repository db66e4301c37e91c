using System.Text;
using Hall.Server.Complaints;
using Hall.Server.Contracts;
using Hall.Server.Outbox;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ComplaintSteps = Hall.Server.Complaints.Complaints;

namespace Hall.Tests.Outbox;

/// <summary>
/// Webhooks against a stand-in receiver on real Kestrel: a ticket's four events arrive in order with valid signatures;
/// a receiver down for an hour gets everything afterwards, in order per ticket, each event once by its id; a 500 is
/// retried and holds back the ticket's later events; an endpoint with a bad address is refused and changes nothing.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class WebhookTests
{
    private static readonly string[] Lifecycle = ["ticket.issued", "ticket.called", "ticket.finished", "ticket.rated"];
    private StandInReceiver _receiver = null!;
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private OutboxTestKit _kit = null!;
    private Actor _admin = null!;
    private int _endpointId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _receiver = new StandInReceiver("/county/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await _receiver.StartAsync();
        _app = await HallApp.StartAsync("webhooks");
        _hall = await SeededHall.CreateAsync(_app, openAllDay: true);
        _kit = await OutboxTestKit.StartAsync(_app, _hall);
        await using var db = _app.Db();
        var admin = await db.Staff.FirstAsync(s => s.HallId == _hall.HallId && s.Role == StaffRole.Admin);
        _admin = new Actor(ActorKind.Staff, admin.Id, _hall.HallId, admin.Name, admin.Role, null, null);
        var (secret, refused) = await Admin.RegisterAsync(_admin, _receiver.Url, Lifecycle, default);
        Assert.That(refused, Is.Null);
        _receiver.Secret = Encoding.UTF8.GetBytes(secret!);
        _endpointId = await db.WebhookEndpoints.Where(w => w.HallId == _hall.HallId).Select(w => w.Id).SingleAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _kit.DisposeAsync();
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private OutboxAdmin Admin => _app.Services.GetRequiredService<OutboxAdmin>();

    /// <summary>A ticket's life with a rating: its four events.</summary>
    private async Task<long> LifeAsync()
    {
        var (_, ticketId, _) = await _kit.RateAsync(RatingLevel.Satisfied);
        return ticketId;
    }

    /// <summary>The event types the receiver accepted for a ticket, in the order it accepted them.</summary>
    private List<string> AcceptedFor(long ticketId) =>
        [.. _receiver.Accepted.Where(p => p.Json.GetProperty("data").GetProperty("ticketId").GetInt64() == ticketId).Select(p => p.Json.GetProperty("type").GetString()!)];

    private void AssertEachEventAcceptedOnce()
    {
        var ids = _receiver.Accepted.Select(p => p.Json.GetProperty("id").GetString()).ToList();
        Assert.That(ids, Is.Unique, "no event accepted twice on these runs");
        Assert.That(_receiver.Posts.All(p => p.SignatureValid), Is.True, "every request signed with the endpoint's secret");
    }

    [Test, Order(1)]
    public async Task A_tickets_four_events_arrive_in_order_signed_with_the_endpoints_secret()
    {
        var ticketId = await LifeAsync();
        await _kit.SettleAsync();

        Assert.That(AcceptedFor(ticketId), Is.EqualTo(Lifecycle));
        AssertEachEventAcceptedOnce();
        var called = _receiver.Accepted.Single(p => p.Json.GetProperty("type").GetString() == "ticket.called");
        await using var db = _app.Db();
        var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticketId);
        var data = called.Json.GetProperty("data");
        Assert.That((data.GetProperty("ticketNumber").GetString(), data.GetProperty("windowNumber").GetInt32(), data.GetProperty("serviceCode").GetString(), data.GetProperty("state").GetString()),
            Is.EqualTo((ticket.Number, 6, "huzheng", "Called")));
        Assert.That(called.Headers["X-Hall-Event"], Is.EqualTo("ticket.called"));
        Assert.That(called.Headers["X-Hall-Event-Id"], Is.EqualTo(called.Json.GetProperty("id").GetString()));
        var rated = _receiver.Accepted.Single(p => p.Json.GetProperty("type").GetString() == "ticket.rated");
        Assert.That(rated.Json.GetProperty("data").GetProperty("level").GetInt32(), Is.EqualTo(4));
        var cipher = await db.WebhookEndpoints.Where(w => w.Id == _endpointId).Select(w => w.SecretCipher).SingleAsync();
        Assert.That(cipher, Does.Not.Contain(Encoding.UTF8.GetString(_receiver.Secret)), "the secret is not kept in clear");
    }

    [Test, Order(2)]
    public async Task A_receiver_down_for_an_hour_gets_everything_afterwards_in_order_per_ticket()
    {
        await _receiver.StopAsync();
        var before = _receiver.Accepted.Count;
        var first = await LifeAsync();
        var second = await LifeAsync();
        await _kit.SettleAsync();
        for (var minute = 0; minute < 60; minute += 5)
        {
            _app.Clock.Advance(TimeSpan.FromMinutes(5));
            await _kit.SettleAsync();
        }
        await using (var db = _app.Db())
        {
            var waiting = await db.Outbox.AsNoTracking().Where(m => m.Channel == OutboxChannels.Webhook && m.State == OutboxChannels.Pending).ToListAsync();
            Assert.That(waiting, Has.Count.EqualTo(8), "nothing lost, nothing given up");
            Assert.That(waiting.Where(m => m.Attempts > 0).Select(m => m.Type), Is.EquivalentTo(new[] { "ticket.issued", "ticket.issued" }), "only each ticket's first event was tried");
        }

        await _receiver.StartAsync();
        _app.Clock.Advance(TimeSpan.FromMinutes(30));
        await _kit.SettleAsync();

        Assert.That(_receiver.Accepted.Count - before, Is.EqualTo(8));
        Assert.That(AcceptedFor(first), Is.EqualTo(Lifecycle));
        Assert.That(AcceptedFor(second), Is.EqualTo(Lifecycle));
        AssertEachEventAcceptedOnce();
    }

    [Test, Order(3)]
    public async Task An_answer_500_is_retried_and_holds_back_the_tickets_later_events()
    {
        _receiver.NextStatuses.Enqueue(500);
        var ticketId = await LifeAsync();
        await _kit.SettleAsync();
        Assert.That(AcceptedFor(ticketId), Is.Empty, "the issued event failed, so nothing later went before it");
        await using (var db = _app.Db())
        {
            var issued = await db.Outbox.AsNoTracking().SingleAsync(m => m.SubjectKey == $"ticket:{ticketId}" && m.Type == "ticket.issued");
            Assert.That((issued.State, issued.Attempts, issued.LastStatus), Is.EqualTo(("pending", 1, (int?)500)));
        }
        _app.Clock.Advance(TimeSpan.FromSeconds(10));
        await _kit.SettleAsync();
        Assert.That(AcceptedFor(ticketId), Is.EqualTo(Lifecycle));
        AssertEachEventAcceptedOnce();
    }

    [Test, Order(4)]
    public async Task A_complaints_steps_reach_an_endpoint_that_asked_for_complaint_events_in_order_and_nothing_personal()
    {
        await using var hotline = new StandInReceiver("/hotline/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await hotline.StartAsync();
        var (secret, refused) = await Admin.RegisterAsync(_admin, hotline.Url, ["complaint.*"], default);
        Assert.That(refused, Is.Null);
        hotline.Secret = Encoding.UTF8.GetBytes(secret!);
        var complaints = _app.Services.GetRequiredService<ComplaintSteps>();
        await using var db = _app.Db();
        var lead = await db.Staff.FirstAsync(s => s.HallId == _hall.HallId && s.Role == StaffRole.Supervisor);
        var supervisor = new Actor(ActorKind.Staff, lead.Id, _hall.HallId, lead.Name, StaffRole.Supervisor, null, null);
        var department = (await ComplaintSteps.DepartmentsAsync(db, _hall.HallId, default))[0];

        var (complaint, notRegistered) = await complaints.RegisterAsync(supervisor,
            new ComplaintForm(ComplaintChannel.Phone, "王五", "13812345678", ComplaintCategory.Waiting, "上午等候一个多小时", department), default);
        Assert.That(notRegistered, Is.Null);
        Assert.That(await complaints.AssignAsync(supervisor, complaint!.Id, department, null, default), Is.Null);
        Assert.That(await complaints.AnswerAsync(supervisor, complaint.Id, "已增开窗口", default), Is.Null);
        Assert.That(await complaints.CallBackAsync(supervisor, complaint.Id, CallBackVerdict.Satisfied, null, default), Is.Null);
        Assert.That(await complaints.CloseAsync(supervisor, complaint.Id, default), Is.Null);
        await _kit.SettleAsync();

        var events = hotline.Accepted.Select(p => p.Json).ToList();
        Assert.That(events.Select(e => e.GetProperty("type").GetString()),
            Is.EqualTo(new[] { "complaint.registered", "complaint.assigned", "complaint.answered", "complaint.called_back", "complaint.closed" }));
        Assert.That(events.Select(e => e.GetProperty("data").GetProperty("number").GetString()).Distinct(), Is.EqualTo(new[] { complaint.Number }));
        Assert.That((events[1].GetProperty("data").GetProperty("department").GetString(), events[^1].GetProperty("data").GetProperty("verdict").GetString()),
            Is.EqualTo((department, "Satisfied")));
        Assert.That(hotline.Posts.All(p => p.SignatureValid), Is.True);
        var bodies = string.Join("\n", hotline.Posts.Select(p => p.Body));
        Assert.That(bodies, Does.Not.Contain("13812345678").And.Not.Contain("138****5678").And.Not.Contain("王五").And.Not.Contain("王*").And.Not.Contain("上午等候"), "no name, contact or text leaves the hall");
        Assert.That(_receiver.Posts.Count(p => p.Json.GetProperty("type").GetString()!.StartsWith("complaint.", StringComparison.Ordinal)), Is.Zero,
            "the endpoint that asked for ticket events gets none of the complaints");
    }

    [TestCase("ftp://county.example/events")]
    [TestCase("county.example/events")]
    [TestCase("https://user:pw@county.example/events")]
    [TestCase("")]
    public async Task Registering_an_endpoint_with_a_bad_address_is_refused_and_changes_nothing(string url)
    {
        var tables = await TableDump.AllAsync(_app.ConnectionString);
        var (secret, refused) = await Admin.RegisterAsync(_admin, url, Lifecycle, default);
        Assert.That(secret, Is.Null);
        Assert.That((refused?.Code, refused?.MessageZh, refused?.MessageEn), Is.EqualTo(("webhook_url_invalid",
            "接收地址须为完整的 http 或 https 网址（不含用户名密码），未作任何更改", "The address must be a full http or https URL (without user name or password). Nothing was changed.")));
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(tables));
    }
}
