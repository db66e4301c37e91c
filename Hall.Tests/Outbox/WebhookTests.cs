using System.Text;
using Hall.Server.Contracts;
using Hall.Server.Outbox;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

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
