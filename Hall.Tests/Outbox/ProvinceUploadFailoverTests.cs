using System.Globalization;
using System.Text;
using Hall.Server.Contracts;
using Hall.Server.Outbox;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Outbox;

/// <summary>
/// Two servers on one database: one is killed (kill -9) while the province holds its upload; the other sends it once the
/// killed one's lease has run out. The receiver sees the rating twice, under the same rating id, so counted by id it is
/// exactly one.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ProvinceUploadFailoverTests
{
    [Test]
    public async Task A_server_killed_mid_upload_leaves_the_rating_to_the_other_once_its_lease_runs_out()
    {
        await using var province = new StandInReceiver("/hcp/api/evaluation", "X-Hcp-Timestamp", "X-Hcp-Nonce", "X-Hcp-Sign") { Secret = Encoding.UTF8.GetBytes("province-secret-2026") };
        await province.StartAsync();
        var settings = ProvinceUploadTests.Settings(province);
        // Long enough that the held request is still waiting when the server is killed (under the 2-minute lease).
        settings["Hall:Province:TimeoutSeconds"] = "90";
        // The in-process server's clock starts at the real time: the server process runs on the real clock, and rows it must find due are stamped with this one.
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        await using var survivor = await HallApp.StartAsync("province-failover", start, settings: settings);
        await using var hall = await SeededHall.CreateAsync(survivor, openAllDay: true);
        await using var kit = await OutboxTestKit.StartAsync(survivor, hall);
        var (ratingId, _, _) = await kit.RateAsync(RatingLevel.Satisfied);
        var id = ratingId.ToString(CultureInfo.InvariantCulture);

        var held = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        province.HoldNext = held;
        var environment = settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        await using var doomed = await ServerProcess.StartAsync(survivor.ConnectionString, environment: environment);
        var body = await held.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(body, Does.Contain($"\"pjId\":\"{id}\""), "the server process claimed the upload and the province holds it");
        await doomed.KillAsync();

        // The lease outlives the killed server: until it runs out, the survivor leaves the rating alone.
        survivor.Clock.SetUtcNow(DateTimeOffset.UtcNow);
        Assert.That(await survivor.Services.GetRequiredService<OutboxSender>().SendDueAsync(default), Is.Zero);
        Assert.That(province.Accepted, Is.Empty);
        await using (var db = survivor.Db())
        {
            var row = await db.Outbox.AsNoTracking().SingleAsync(m => m.RatingId == ratingId);
            Assert.That((row.State, row.Attempts, row.LeaseUntil > survivor.Clock.GetUtcNow()), Is.EqualTo(("pending", 0, true)), "claimed by the killed server, nothing recorded");
        }

        survivor.Clock.Advance(OutboxSender.Lease + TimeSpan.FromMinutes(1));
        await OutboxTestKit.SettleAsync(survivor);

        Assert.That(province.Posts.Select(p => p.Json.GetProperty("pjId").GetString()), Is.EqualTo(new[] { id, id }), "posted twice, under the same id");
        Assert.That(province.Accepted.Select(p => p.Json.GetProperty("pjId").GetString()).Distinct(), Is.EqualTo(new[] { id }), "counted by id: once");
        Assert.That(province.Posts.All(p => p.SignatureValid), Is.True);
        Assert.That(province.Accepted.Single().Body, Is.EqualTo(body), "the same upload");
        await using (var db = survivor.Db())
        {
            var row = await db.Outbox.AsNoTracking().SingleAsync(m => m.RatingId == ratingId);
            Assert.That((row.State, row.Attempts, row.LeaseUntil), Is.EqualTo(("sent", 1, (DateTimeOffset?)null)));
        }
    }
}
