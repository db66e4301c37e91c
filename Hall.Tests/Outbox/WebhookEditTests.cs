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
/// Changing a webhook endpoint against stand-in receivers: after a secret's rotation every request carries both
/// signatures for 24 hours, so the receiver verifies with either secret, and then the new one's only; after an address
/// change the next events go to the new address (and the delivery log names the complaint by its number); a paused
/// endpoint gets nothing of what happens while paused and its queued events on resume; each change is audited; bad
/// input is refused in both languages and changes nothing.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class WebhookEditTests
{
    private StandInReceiver _receiver = null!;
    private StandInReceiver _moved = null!;
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private SeededHall _otherHall = null!;
    private Actor _admin = null!;
    private Actor _supervisor = null!;
    private string _department = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _receiver = new StandInReceiver("/county/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await _receiver.StartAsync();
        _moved = new StandInReceiver("/county/v2/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await _moved.StartAsync();
        _app = await HallApp.StartAsync("webhook-edit");
        _hall = await SeededHall.CreateAsync(_app, openAllDay: true);
        _otherHall = await SeededHall.CreateAsync(_app, "beixian");
        await using var db = _app.Db();
        var admin = await db.Staff.FirstAsync(s => s.HallId == _hall.HallId && s.Role == StaffRole.Admin);
        _admin = new Actor(ActorKind.Staff, admin.Id, _hall.HallId, admin.Name, admin.Role, null, null);
        var lead = await db.Staff.FirstAsync(s => s.HallId == _hall.HallId && s.Role == StaffRole.Supervisor);
        _supervisor = new Actor(ActorKind.Staff, lead.Id, _hall.HallId, lead.Name, StaffRole.Supervisor, null, null);
        _department = (await ComplaintSteps.DepartmentsAsync(db, _hall.HallId, default))[0];
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _otherHall.DisposeAsync();
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
        await _moved.DisposeAsync();
    }

    private OutboxAdmin Admin => _app.Services.GetRequiredService<OutboxAdmin>();

    private async Task<(int Id, byte[] Secret)> RegisterAsync(string url, string[] types)
    {
        var (secret, refused) = await Admin.RegisterAsync(_admin, url, types, default);
        Assert.That(refused, Is.Null);
        await using var db = _app.Db();
        return (await db.WebhookEndpoints.Where(w => w.HallId == _hall.HallId).MaxAsync(w => w.Id), Encoding.UTF8.GetBytes(secret!));
    }

    /// <summary>A complaint registered by the supervisor (an event for <c>complaint.*</c> endpoints); answers its number.</summary>
    private async Task<string> ComplaintAsync()
    {
        var (complaint, refused) = await _app.Services.GetRequiredService<ComplaintSteps>().RegisterAsync(_supervisor,
            new ComplaintForm(ComplaintChannel.Phone, "王五", "13812345678", ComplaintCategory.Waiting, "等候太久", _department), default);
        Assert.That(refused, Is.Null);
        await OutboxTestKit.SettleAsync(_app);
        return complaint!.Number;
    }

    /// <summary>Whether one of the post's signatures (the header's comma-separated values) verifies with <paramref name="secret"/>.</summary>
    private static bool VerifiesWith(ReceivedPost post, byte[] secret) =>
        post.Headers["X-Hall-Signature"].Split(',').Any(s => OutboxSigning.Verify(secret, post.Headers["X-Hall-Timestamp"], post.Headers["X-Hall-Nonce"], post.Body, s));

    private static string NumberOf(ReceivedPost post) => post.Json.GetProperty("data").GetProperty("number").GetString()!;

    [Test, Order(1)]
    public async Task After_a_rotation_the_receiver_verifies_with_either_secret_for_24_hours_then_with_the_new_one_only()
    {
        var (id, old) = await RegisterAsync(_receiver.Url, ["complaint.*"]);
        _receiver.Secret = old;
        var before = await ComplaintAsync();

        var (secret, until, refused) = await Admin.RotateSecretAsync(_admin, id, default);
        Assert.That(refused, Is.Null);
        var fresh = Encoding.UTF8.GetBytes(secret!);
        Assert.That(until, Is.EqualTo(_app.Clock.GetUtcNow() + TimeSpan.FromHours(24)));
        Assert.That((await Admin.EndpointsAsync(_hall.HallId, default)).Single(e => e.Id == id).PreviousSecretUntil, Is.EqualTo(until));
        var during = await ComplaintAsync();
        _app.Clock.Advance(TimeSpan.FromHours(23));
        var late = await ComplaintAsync();
        _app.Clock.Advance(TimeSpan.FromHours(1));
        var after = await ComplaintAsync();

        var posts = _receiver.Accepted.ToDictionary(NumberOf);
        Assert.That(posts.Keys, Is.EqualTo(new[] { before, during, late, after }));
        Assert.That(posts[before].Headers["X-Hall-Signature"], Does.Match("^[0-9a-f]{64}$"), "one signature before the rotation");
        foreach (var number in new[] { during, late })
        {
            Assert.That(posts[number].Headers["X-Hall-Signature"], Does.Match("^[0-9a-f]{64},[0-9a-f]{64}$"), "the new secret's signature, a comma, the old one's");
            Assert.That((VerifiesWith(posts[number], old), VerifiesWith(posts[number], fresh)), Is.EqualTo((true, true)), "either secret verifies during the overlap");
        }
        Assert.That(posts[after].Headers["X-Hall-Signature"], Does.Match("^[0-9a-f]{64}$"));
        Assert.That((VerifiesWith(posts[after], old), VerifiesWith(posts[after], fresh)), Is.EqualTo((false, true)), "24 hours on, the new secret only");
        Assert.That((await Admin.EndpointsAsync(_hall.HallId, default)).Single(e => e.Id == id).PreviousSecretUntil, Is.Null);
        await using var db = _app.Db();
        var audit = await db.AuditEntries.AsNoTracking().Where(a => a.Subject == $"webhook:{id}").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.That(audit, Is.EqualTo(new[] { "webhook.create", "webhook.rotate_secret" }));
        var endpoint = await db.WebhookEndpoints.AsNoTracking().SingleAsync(w => w.Id == id);
        var rows = string.Join("\n", (await db.AuditEntries.AsNoTracking().Select(a => new { a.Before, a.After }).ToListAsync()).Select(a => a.Before + a.After));
        Assert.That((endpoint.SecretCipher + endpoint.PreviousSecretCipher + rows).Contains(secret!, StringComparison.Ordinal), Is.False, "the secret is in clear nowhere");
        Assert.That(await Admin.SetActiveAsync(_admin, id, false, default), Is.Null);
    }

    [Test, Order(2)]
    public async Task After_an_address_change_the_next_events_go_to_the_new_address()
    {
        var (id, secret) = await RegisterAsync(_receiver.Url, ["ticket.issued"]);
        _moved.Secret = secret;
        var posted = _receiver.Posts.Count;
        Assert.That(await Admin.UpdateAsync(_admin, id, " " + _moved.Url + " ", ["complaint.*", "ticket.called"], default), Is.Null);
        var row = (await Admin.EndpointsAsync(_hall.HallId, default)).Single(e => e.Id == id);
        Assert.That((row.Url, string.Join("，", row.Events)), Is.EqualTo((_moved.Url, "ticket.called，complaint.*")));

        var number = await ComplaintAsync();
        Assert.That(_moved.Accepted.Select(p => (NumberOf(p), p.SignatureValid)), Is.EqualTo(new[] { (number, true) }));
        Assert.That(_receiver.Posts.Count, Is.EqualTo(posted), "nothing more to the old address");
        Assert.That((await Admin.RowsAsync(_hall.HallId, OutboxChannels.Webhook, id, null, 10, default)).Select(r => (r.Type, r.Subject)),
            Is.EqualTo(new[] { ("complaint.registered", number) }), "the delivery log names the complaint by its number");
        await using var db = _app.Db();
        var update = await db.AuditEntries.AsNoTracking().SingleAsync(a => a.Subject == $"webhook:{id}" && a.Action == "webhook.update");
        Assert.That((update.Before, update.After), Is.EqualTo(($"{{\"Url\": \"{_receiver.Url}\", \"Events\": \"ticket.issued\"}}", $"{{\"Url\": \"{_moved.Url}\", \"Events\": \"ticket.called, complaint.*\"}}")));
        Assert.That(await Admin.SetActiveAsync(_admin, id, false, default), Is.Null);
    }

    [Test, Order(3)]
    public async Task A_paused_endpoint_gets_nothing_of_what_happens_while_paused_and_everything_after_it_is_resumed()
    {
        await using var receiver = new StandInReceiver("/paused/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await receiver.StartAsync();
        var (id, secret) = await RegisterAsync(receiver.Url, ["complaint.*"]);
        receiver.Secret = secret;
        Assert.That(await Admin.SetActiveAsync(_admin, id, false, default), Is.Null);
        Assert.That((await Admin.EndpointsAsync(_hall.HallId, default)).Single(e => e.Id == id).Active, Is.False);
        await ComplaintAsync();
        Assert.That(await Admin.SetActiveAsync(_admin, id, true, default), Is.Null);
        var number = await ComplaintAsync();
        Assert.That(receiver.Accepted.Select(NumberOf), Is.EqualTo(new[] { number }));
        await using var db = _app.Db();
        Assert.That(await db.AuditEntries.AsNoTracking().Where(a => a.Subject == $"webhook:{id}").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(),
            Is.EqualTo(new[] { "webhook.create", "webhook.stop", "webhook.resume" }));
        Assert.That(await Admin.SetActiveAsync(_admin, id, false, default), Is.Null);
    }

    private static readonly (string Code, string Zh, string En) BadUrl = ("webhook_url_invalid",
        "接收地址须为完整的 http 或 https 网址（不含用户名密码），未作任何更改", "The address must be a full http or https URL (without user name or password). Nothing was changed.");
    private static readonly (string Code, string Zh, string En) NoEvents = ("webhook_no_events", "请至少选择一种事件，未作任何更改", "Choose at least one event. Nothing was changed.");
    private static readonly (string Code, string Zh, string En) Unknown = ("webhook_unknown", "没有这个接收地址，未作任何更改", "No such webhook endpoint in this hall. Nothing was changed.");

    [Test, Order(4)]
    public async Task Bad_changes_are_refused_in_both_languages_and_change_nothing()
    {
        var (id, _) = await RegisterAsync(_receiver.Url, ["ticket.issued"]);
        var (otherId, _) = await RegisterAsync(_receiver.Url, ["ticket.called"]);
        await using (var db = _app.Db())
        {
            // The other endpoint belongs to the other hall.
            await db.WebhookEndpoints.Where(w => w.Id == otherId).ExecuteUpdateAsync(u => u.SetProperty(w => w.HallId, _otherHall.HallId));
        }
        var tables = await TableDump.AllAsync(_app.ConnectionString);
        var cases = new (string What, Func<Task<Refusal?>> Change, (string, string, string) Expected)[]
        {
            ("ftp address", () => Admin.UpdateAsync(_admin, id, "ftp://county.example/events", ["ticket.issued"], default), BadUrl),
            ("no scheme", () => Admin.UpdateAsync(_admin, id, "county.example/events", ["ticket.issued"], default), BadUrl),
            ("credentials", () => Admin.UpdateAsync(_admin, id, "https://user:pw@county.example/events", ["ticket.issued"], default), BadUrl),
            ("no events", () => Admin.UpdateAsync(_admin, id, _receiver.Url, [], default), NoEvents),
            ("unknown event", () => Admin.UpdateAsync(_admin, id, _receiver.Url, ["ticket.issued", "ticket.deleted"], default), NoEvents),
            ("unknown endpoint", () => Admin.UpdateAsync(_admin, 999_999, _receiver.Url, ["ticket.issued"], default), Unknown),
            ("another hall's", () => Admin.UpdateAsync(_admin, otherId, _receiver.Url, ["ticket.issued"], default), Unknown),
            ("rotate unknown", async () => (await Admin.RotateSecretAsync(_admin, 999_999, default)).Refusal, Unknown),
            ("rotate another hall's", async () => (await Admin.RotateSecretAsync(_admin, otherId, default)).Refusal, Unknown),
            ("pause another hall's", () => Admin.SetActiveAsync(_admin, otherId, false, default), Unknown),
        };
        foreach (var (what, change, expected) in cases)
        {
            var refusal = await change();
            Assert.That((refusal?.Code, refusal?.MessageZh, refusal?.MessageEn), Is.EqualTo(((string?)expected.Item1, (string?)expected.Item2, (string?)expected.Item3)), what);
            Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(tables), what);
        }
    }
}
