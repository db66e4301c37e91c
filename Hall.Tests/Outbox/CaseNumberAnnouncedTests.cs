using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Hall.Server.Contracts;
using Hall.Server.Outbox;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Outbox;

/// <summary>
/// A 办件编号 the 一窗受理 system attaches after the citizen rated reaches the systems around the hall: the province gets
/// the rating again under the same rating id, now with the number, and a webhook endpoint gets <c>ticket.case_number</c>
/// after the ticket's earlier events. The same number again sends nothing. Stand-in receivers on real Kestrel.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class CaseNumberAnnouncedTests
{
    private static readonly string[] Wanted = ["ticket.issued", "ticket.called", "ticket.finished", "ticket.rated", HallEvents.CaseNumberAttached];
    private StandInReceiver _province = null!;
    private StandInReceiver _receiver = null!;
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private OutboxTestKit _kit = null!;
    private HttpClient _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _province = new StandInReceiver("/hcp/api/evaluation", "X-Hcp-Timestamp", "X-Hcp-Nonce", "X-Hcp-Sign");
        await _province.StartAsync();
        _receiver = new StandInReceiver("/county/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await _receiver.StartAsync();
        var settings = ProvinceUploadTests.Settings(_province);
        _province.Secret = Encoding.UTF8.GetBytes(settings["Hall:Province:Secret"]!);
        _app = await HallApp.StartAsync("case-number-announced", settings: settings);
        _hall = await SeededHall.CreateAsync(_app, openAllDay: true);
        _kit = await OutboxTestKit.StartAsync(_app, _hall);
        await using var db = _app.Db();
        var admin = await db.Staff.FirstAsync(s => s.HallId == _hall.HallId && s.Role == StaffRole.Admin);
        var actor = new Actor(ActorKind.Staff, admin.Id, _hall.HallId, admin.Name, admin.Role, null, null);
        var (secret, refused) = await _app.Services.GetRequiredService<OutboxAdmin>().RegisterAsync(actor, _receiver.Url, Wanted, default);
        Assert.That(refused, Is.Null);
        _receiver.Secret = Encoding.UTF8.GetBytes(secret!);
        _system = new HttpClient { BaseAddress = _app.BaseAddress };
        _system.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await _app.CreateDeviceAsync(_hall.HallId, "一窗受理系统", DeviceRole.CaseSystem));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _system.Dispose();
        await _kit.DisposeAsync();
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
        await _province.DisposeAsync();
    }

    private async Task<HttpResponseMessage> AttachAsync(long ticketId, string caseNumber)
    {
        var answer = await _system.PutAsJsonAsync($"/api/halls/{_hall.HallId}/tickets/{ticketId}/case-number", new { caseNumber });
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), await answer.Content.ReadAsStringAsync());
        return answer;
    }

    /// <summary>What the province received for the rating, post by post: its 办件编号 each time.</summary>
    private List<string?> UploadsOf(long ratingId) =>
        [.. _province.Accepted.Where(p => p.Json.GetProperty("pjId").GetString() == ratingId.ToString(CultureInfo.InvariantCulture))
            .Select(p => p.Json.GetProperty("caseNumber").GetString())];

    private List<ReceivedPost> EventsOf(long ticketId) =>
        [.. _receiver.Accepted.Where(p => p.Json.GetProperty("data").GetProperty("ticketId").GetInt64() == ticketId)];

    [Test, Order(1)]
    public async Task A_number_attached_after_the_rating_reaches_the_province_and_the_receiver_once()
    {
        var (ratingId, ticketId, number) = await _kit.RateAsync(RatingLevel.Dissatisfied, ["办理时间长"]);
        await _kit.SettleAsync();
        Assert.That(UploadsOf(ratingId), Is.EqualTo(new string?[] { null }), "uploaded when rated, before the case had its number");

        var answer = await AttachAsync(ticketId, "YC-2026-000123");
        Assert.That((await answer.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("changed").GetBoolean(), Is.True);
        await _kit.SettleAsync();

        Assert.That(UploadsOf(ratingId), Is.EqualTo(new string?[] { null, "YC-2026-000123" }), "the same rating id again, now with the 办件编号");
        Assert.That(_province.Posts.All(p => p.SignatureValid), Is.True);
        var events = EventsOf(ticketId);
        Assert.That(events.Select(p => p.Json.GetProperty("type").GetString()), Is.EqualTo(Wanted), "the attach comes after the ticket's other events");
        var attached = events[^1];
        var data = attached.Json.GetProperty("data");
        Assert.That((data.GetProperty("ticketNumber").GetString(), data.GetProperty("caseNumber").GetString(), data.GetProperty("state").GetString(), data.GetProperty("windowNumber").GetInt32(),
            data.GetProperty("serviceCode").GetString(), data.GetProperty("outcome").GetString()),
            Is.EqualTo((number, "YC-2026-000123", "Finished", 6, "huzheng", "办结")));
        Assert.That(attached.Headers["X-Hall-Event"], Is.EqualTo(HallEvents.CaseNumberAttached));
        Assert.That(attached.SignatureValid, Is.True);

        // The system retries after a lost answer: the same number is answered as done and nobody hears of it twice.
        var (uploads, posts) = (_province.Posts.Count, _receiver.Posts.Count);
        var again = await AttachAsync(ticketId, "YC-2026-000123");
        Assert.That((await again.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("changed").GetBoolean(), Is.False);
        await _kit.SettleAsync();
        Assert.That((_province.Posts.Count, _receiver.Posts.Count), Is.EqualTo((uploads, posts)));
        await using var db = _app.Db();
        Assert.That(await db.Outbox.CountAsync(m => m.RatingId == ratingId), Is.EqualTo(1), "one upload row per rating, sent again, not a second one");
    }

    [Test, Order(2)]
    public async Task A_number_attached_to_an_unrated_ticket_uploads_nothing_and_the_rating_afterwards_carries_it()
    {
        var (ticketId, _) = await _kit.ServeAsync();
        var before = _province.Posts.Count;
        await AttachAsync(ticketId, "YC-2026-000124");
        await _kit.SettleAsync();
        Assert.That(_province.Posts, Has.Count.EqualTo(before), "no rating, nothing for the province yet");
        Assert.That(EventsOf(ticketId).Select(p => p.Json.GetProperty("type").GetString()),
            Is.EqualTo(new[] { "ticket.issued", "ticket.called", "ticket.finished", HallEvents.CaseNumberAttached }));

        var ratingId = await _kit.RateAsync(ticketId, RatingLevel.VerySatisfied);
        await _kit.SettleAsync();
        Assert.That(UploadsOf(ratingId), Is.EqualTo(new[] { "YC-2026-000124" }), "the first upload already has it");
        var rated = EventsOf(ticketId)[^1];
        Assert.That((rated.Json.GetProperty("type").GetString(), rated.Json.GetProperty("data").GetProperty("caseNumber").GetString()), Is.EqualTo(("ticket.rated", "YC-2026-000124")));
    }
}
