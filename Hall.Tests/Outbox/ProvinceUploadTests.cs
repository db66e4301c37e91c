using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hall.Server.Contracts;
using Hall.Server.Outbox;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Outbox;

/// <summary>
/// 好差评 upload against a stand-in for the province's system on real Kestrel: every rating arrives once by its rating id,
/// signed, under the field and header names the configuration gives — also while the receiver is down, answers 500,
/// answers too slowly, and after the hall gives up on one and the admin sends it again. Counted at the receiver, by id.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ProvinceUploadTests
{
    private const string Secret = "province-secret-2026";
    private StandInReceiver _province = null!;
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private OutboxTestKit _kit = null!;
    private readonly List<long> _rated = [];

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _province = new StandInReceiver("/hcp/api/evaluation", "X-Hcp-Timestamp", "X-Hcp-Nonce", "X-Hcp-Sign") { Secret = Encoding.UTF8.GetBytes(Secret) };
        await _province.StartAsync();
        _app = await HallApp.StartAsync("province-upload", settings: Settings(_province));
        _hall = await SeededHall.CreateAsync(_app, openAllDay: true);
        _kit = await OutboxTestKit.StartAsync(_app, _hall);
    }

    /// <summary>A province's variant, all configuration: its address, its app id and secret, its header names, two renamed fields.</summary>
    public static Dictionary<string, string?> Settings(StandInReceiver province) => new()
    {
        ["Hall:Province:Enabled"] = "true",
        ["Hall:Province:Endpoint"] = province.Url,
        ["Hall:Province:AppId"] = "xinxian-hall-01",
        ["Hall:Province:Secret"] = Secret,
        ["Hall:Province:TimeoutSeconds"] = "5",
        ["Hall:Province:Headers:AppId"] = "X-Hcp-AppId",
        ["Hall:Province:Headers:Timestamp"] = "X-Hcp-Timestamp",
        ["Hall:Province:Headers:Nonce"] = "X-Hcp-Nonce",
        ["Hall:Province:Headers:Signature"] = "X-Hcp-Sign",
        ["Hall:Province:Fields:ratingId"] = "pjId",
        ["Hall:Province:Fields:level"] = "pjLevel",
        ["Hall:Outbox:MaxAttempts"] = "5",
    };

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _kit.DisposeAsync();
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _province.DisposeAsync();
    }

    /// <summary>The rating ids the province accepted, each counted once however often it was posted.</summary>
    private HashSet<string> AcceptedIds => [.. _province.Accepted.Select(p => p.Json.GetProperty("pjId").GetString()!)];

    private async Task<long> RateAsync(RatingLevel level, IReadOnlyList<string>? reasons = null, string? mobile = null)
    {
        var (ratingId, _, _) = await _kit.RateAsync(level, reasons, mobile);
        _rated.Add(ratingId);
        return ratingId;
    }

    private async Task<OutboxMessage> RowAsync(long ratingId)
    {
        await using var db = _app.Db();
        return await db.Outbox.AsNoTracking().SingleAsync(m => m.RatingId == ratingId);
    }

    private void AssertEveryRatingArrivedOnce()
    {
        Assert.That(AcceptedIds, Is.EquivalentTo(_rated.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture))), "every rating, by id, none lost");
        Assert.That(_province.Posts.All(p => p.SignatureValid), Is.True, "every request signed with the shared secret");
    }

    [Test, Order(1)]
    public async Task Each_rating_arrives_once_signed_with_the_configured_names_and_no_personal_number()
    {
        var good = await RateAsync(RatingLevel.VerySatisfied);
        var bad = await RateAsync(RatingLevel.Dissatisfied, ["服务态度差", "等候时间长"], mobile: "13812345678");
        await _kit.SettleAsync();
        await _kit.SettleAsync();

        AssertEveryRatingArrivedOnce();
        Assert.That(_province.Posts, Has.Count.EqualTo(2), "one POST each: nothing sent twice on a healthy line");
        var post = _province.Accepted.Single(p => p.Json.GetProperty("pjId").GetString() == bad.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(post.Headers["X-Hcp-AppId"], Is.EqualTo("xinxian-hall-01"));
        await using var db = _app.Db();
        var rating = await db.Ratings.AsNoTracking().SingleAsync(r => r.Id == bad);
        var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == rating.TicketId);
        var staffCode = await db.Staff.Where(s => s.Id == rating.StaffId).Select(s => s.StaffCode).SingleAsync();
        var hallCode = await db.Halls.Where(h => h.Id == _hall.HallId).Select(h => h.Code).SingleAsync();
        var ratedAt = TimeZoneInfo.ConvertTime(rating.At, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
        var expected = JsonSerializer.SerializeToNode(new Dictionary<string, object?>
        {
            ["pjId"] = bad.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["hallCode"] = hallCode,
            ["ticketNumber"] = ticket.Number,
            ["businessDate"] = ticket.BusinessDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["serviceCode"] = "huzheng",
            ["serviceName"] = "公安户政",
            ["itemCode"] = null,
            ["windowNumber"] = 6,
            ["staffCode"] = staffCode,
            ["pjLevel"] = 2,
            ["levelName"] = "不满意",
            ["reasons"] = new[] { "服务态度差", "等候时间长" },
            ["channel"] = "evaluator",
            ["ratedAt"] = ratedAt,
            ["caseNumber"] = null,
            ["appealUpheld"] = false,
            ["appealUpheldAt"] = null,
        });
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(post.Body), expected), Is.True, post.Body);
        Assert.That(post.Body, Does.Contain("\"levelName\":\"不满意\""), "Chinese as it reads");
        Assert.That(staffCode, Is.Not.Null.And.Not.Empty);
        Assert.That(post.Body, Does.Not.Contain("13812345678").And.Not.Contain("5678"), "no mobile number, not even masked");
        var rows = await db.Outbox.AsNoTracking().Where(m => m.Channel == OutboxChannels.Province).OrderBy(m => m.Id).ToListAsync();
        Assert.That(rows.Select(r => (r.RatingId, r.State, r.Attempts, r.LastStatus)),
            Is.EqualTo(new[] { ((long?)good, "sent", 1, (int?)200), (bad, "sent", 1, 200) }));
    }

    [Test, Order(2)]
    public async Task Ratings_made_while_the_province_is_down_for_a_minute_arrive_once_it_listens_again()
    {
        await _province.StopAsync();
        var first = await RateAsync(RatingLevel.Satisfied);
        var second = await RateAsync(RatingLevel.Basic);
        await _kit.SettleAsync();
        var down = await RowAsync(first);
        Assert.That((down.State, down.Attempts, down.LastStatus), Is.EqualTo(("pending", 1, (int?)null)));
        Assert.That(down.LastError, Does.StartWith("无法连接 / Could not connect: ConnectionRefused"));
        Assert.That(down.NextAttemptAt, Is.EqualTo(_app.Clock.GetUtcNow() + TimeSpan.FromSeconds(10)), "first retry after 10 s");

        // Still down at 10 s and 30 s: the waits double.
        _app.Clock.Advance(TimeSpan.FromSeconds(10));
        await _kit.SettleAsync();
        _app.Clock.Advance(TimeSpan.FromSeconds(20));
        await _kit.SettleAsync();
        down = await RowAsync(second);
        Assert.That((down.State, down.Attempts), Is.EqualTo(("pending", 3)));
        Assert.That(down.NextAttemptAt, Is.EqualTo(_app.Clock.GetUtcNow() + TimeSpan.FromSeconds(40)));

        await _province.StartAsync();
        _app.Clock.Advance(TimeSpan.FromSeconds(30));
        await _kit.SettleAsync();
        Assert.That(AcceptedIds, Does.Not.Contain(first.ToString(System.Globalization.CultureInfo.InvariantCulture)), "not before its time");
        _app.Clock.Advance(TimeSpan.FromSeconds(10));
        await _kit.SettleAsync();

        AssertEveryRatingArrivedOnce();
        var sent = await RowAsync(first);
        Assert.That((sent.State, sent.Attempts, sent.LastError, sent.SentAt), Is.EqualTo(("sent", 4, (string?)null, (DateTimeOffset?)_app.Clock.GetUtcNow())));
    }

    [Test, Order(3)]
    public async Task An_answer_500_is_recorded_and_tried_again_until_accepted()
    {
        _province.NextStatuses.Enqueue(500);
        _province.NextStatuses.Enqueue(503);
        var rating = await RateAsync(RatingLevel.VerySatisfied);
        await _kit.SettleAsync();
        var row = await RowAsync(rating);
        Assert.That((row.State, row.Attempts, row.LastStatus), Is.EqualTo(("pending", 1, (int?)500)));
        Assert.That(row.LastError, Does.StartWith("HTTP 500"));
        _app.Clock.Advance(TimeSpan.FromSeconds(10));
        await _kit.SettleAsync();
        Assert.That((await RowAsync(rating)).LastStatus, Is.EqualTo(503));
        _app.Clock.Advance(TimeSpan.FromSeconds(20));
        await _kit.SettleAsync();

        AssertEveryRatingArrivedOnce();
        row = await RowAsync(rating);
        Assert.That((row.State, row.Attempts, row.LastStatus), Is.EqualTo(("sent", 3, (int?)200)));
        Assert.That(_province.Posts.Count(p => p.Json.GetProperty("pjId").GetString() == rating.ToString(System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(3));
    }

    [Test, Order(4)]
    public async Task A_province_slower_than_the_timeout_is_tried_again_and_the_rating_counted_once()
    {
        _province.DelayNext = TimeSpan.FromSeconds(30);
        var rating = await RateAsync(RatingLevel.Satisfied);
        await _kit.SettleAsync();
        var row = await RowAsync(rating);
        Assert.That((row.State, row.Attempts, row.LastError), Is.EqualTo(("pending", 1, "超时：5 秒内无应答 / No answer within 5 s")));

        _app.Clock.Advance(TimeSpan.FromSeconds(10));
        await _kit.SettleAsync();
        AssertEveryRatingArrivedOnce();
        Assert.That((await RowAsync(rating)).State, Is.EqualTo("sent"));
    }

    [Test, Order(5)]
    public async Task An_upheld_appeal_uploads_the_rating_again_under_the_same_id_with_the_mark()
    {
        // The 不满意 of the first test: the window appeals it as mistaken (the supervisor files it on the window's behalf) and the
        // supervisor upholds it, through the follow-up cases as on the /followups page.
        var rating = _rated[1];
        var before = _province.Accepted.Count;
        var upheldAt = _app.Clock.GetUtcNow();
        await using (var db = _app.Db())
        {
            var caseId = await db.FollowUpCases.Where(f => f.TicketId == db.Ratings.Where(r => r.Id == rating).Select(r => r.TicketId).Single()).Select(f => f.Id).SingleAsync();
            var lead = await db.Staff.FirstAsync(m => m.HallId == _hall.HallId && m.Role == StaffRole.Supervisor);
            var supervisor = new Actor(ActorKind.Staff, lead.Id, _hall.HallId, lead.Name, StaffRole.Supervisor, null, null);
            var cases = _app.Services.GetRequiredService<Hall.Server.Ratings.FollowUps>();
            Assert.That(await cases.FileAppealAsync(supervisor, caseId, Hall.Server.Ratings.AppealKind.Mistaken, "群众误评：所评窗口与办理窗口不符", default), Is.Null);
            Assert.That(await cases.DecideAppealAsync(supervisor, caseId, upheld: true, "核对叫号记录属实，采纳", default), Is.Null);
        }
        await _kit.SettleAsync();

        var again = _province.Accepted.Skip(before).Single();
        Assert.That(again.Json.GetProperty("pjId").GetString(), Is.EqualTo(rating.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(again.Json.GetProperty("appealUpheld").GetBoolean(), Is.True);
        Assert.That(again.Json.GetProperty("appealUpheldAt").GetString(),
            Is.EqualTo(TimeZoneInfo.ConvertTime(upheldAt, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture)));
        AssertEveryRatingArrivedOnce();
        await using var check = _app.Db();
        Assert.That(await check.Outbox.CountAsync(m => m.RatingId == rating), Is.EqualTo(1), "one row per rating");
    }

    [Test, Order(6)]
    public async Task A_rating_given_up_after_five_attempts_is_failed_and_an_admin_sends_it_again()
    {
        _province.Status = 500;
        var rating = await RateAsync(RatingLevel.VeryDissatisfied, ["办理时间长"]);
        await _kit.SettleAsync();
        foreach (var wait in new[] { 10, 20, 40, 80 })
        {
            _app.Clock.Advance(TimeSpan.FromSeconds(wait));
            await _kit.SettleAsync();
        }
        var row = await RowAsync(rating);
        Assert.That((row.State, row.Attempts, row.LastStatus), Is.EqualTo(("failed", 5, (int?)500)));
        _app.Clock.Advance(TimeSpan.FromHours(1));
        await _kit.SettleAsync();
        Assert.That((await RowAsync(rating)).Attempts, Is.EqualTo(5), "given up: not tried again by itself");

        // Sending again what has not failed is refused and changes nothing.
        var admin = await AdminAsync();
        var outbox = _app.Services.GetRequiredService<OutboxAdmin>();
        var tables = await TableDump.AllAsync(_app.ConnectionString);
        var refused = await outbox.RetryAsync(admin, (await RowAsync(_rated[0])).Id, default);
        Assert.That((refused?.Code, refused?.MessageZh, refused?.MessageEn),
            Is.EqualTo(("outbox_not_failed", "该条未处于失败状态，未作任何更改", "This message has not failed. Nothing was changed.")));
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(tables));

        _province.Status = 200;
        Assert.That(await outbox.RetryAsync(admin, row.Id, default), Is.Null);
        await _kit.SettleAsync();
        AssertEveryRatingArrivedOnce();
        row = await RowAsync(rating);
        Assert.That((row.State, row.Attempts), Is.EqualTo(("sent", 1)));
        await using var db = _app.Db();
        var audit = await db.AuditEntries.AsNoTracking().SingleAsync(a => a.Action == "outbox.retry");
        Assert.That((audit.Subject, audit.StaffId), Is.EqualTo(($"rating:{rating}", admin.Id)));
    }

    private async Task<Actor> AdminAsync()
    {
        await using var db = _app.Db();
        var admin = await db.Staff.FirstAsync(s => s.HallId == _hall.HallId && s.Role == StaffRole.Admin);
        return new Actor(ActorKind.Staff, admin.Id, _hall.HallId, admin.Name, admin.Role, null, null);
    }
}
