using System.Text;
using Hall.Server.Contracts;
using Hall.Server.Outbox;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Outbox;

/// <summary>
/// A receiver that takes the request and never answers holds up only its own message: the other endpoint's copy of the
/// same event, claimed in the same round, is delivered while the hung request is still open. Stand-in receivers on Kestrel.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class HungReceiverTests
{
    [Test]
    public async Task A_hung_receiver_does_not_hold_up_another_endpoints_delivery()
    {
        await using var hung = new StandInReceiver("/hung/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await using var healthy = new StandInReceiver("/county/events", "X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature");
        await hung.StartAsync();
        await healthy.StartAsync();
        // Far longer than the test waits for the healthy endpoint: only posting side by side can deliver it meanwhile.
        await using var app = await HallApp.StartAsync("hung-receiver", settings: new Dictionary<string, string?> { ["Hall:Webhooks:TimeoutSeconds"] = "120" });
        await using var hall = await SeededHall.CreateAsync(app, openAllDay: true);
        await using var kit = await OutboxTestKit.StartAsync(app, hall);
        await using (var db = app.Db())
        {
            var admin = await db.Staff.FirstAsync(s => s.HallId == hall.HallId && s.Role == StaffRole.Admin);
            var actor = new Actor(ActorKind.Staff, admin.Id, hall.HallId, admin.Name, admin.Role, null, null);
            var outbox = app.Services.GetRequiredService<OutboxAdmin>();
            // The hung one first: its message has the lower id and was the one sent first when a claim went out one by one.
            hung.Secret = Encoding.UTF8.GetBytes((await outbox.RegisterAsync(actor, hung.Url, ["ticket.issued"], default)).Secret!);
            healthy.Secret = Encoding.UTF8.GetBytes((await outbox.RegisterAsync(actor, healthy.Url, ["ticket.issued"], default)).Secret!);
        }
        var held = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        hung.HoldNext = held;
        var issued = (await kit.Kiosk.IssueAsync(kit.ServiceId)).Ok().Ticket;

        var round = app.Services.GetRequiredService<OutboxSender>().SendDueAsync(default);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 300 && healthy.Accepted.Count == 0; i++)
        {
            await Task.Delay(100);
        }
        Assert.That(round.IsCompleted, Is.False, "the hung request is still open");
        Assert.That(healthy.Accepted.Select(p => p.Json.GetProperty("data").GetProperty("ticketNumber").GetString()), Is.EqualTo(new[] { issued.Number }),
            "delivered while the other receiver holds its copy");
        Assert.That(healthy.Accepted.Single().SignatureValid, Is.True);

        // The hung receiver goes away: its request fails, the round ends, and its message waits for a retry; the other's is sent.
        await hung.StopAsync();
        await round.WaitAsync(TimeSpan.FromSeconds(60));
        await using var check = app.Db();
        var rows = await check.Outbox.AsNoTracking().Where(m => m.Channel == OutboxChannels.Webhook).OrderBy(m => m.Id).Select(m => new { m.State, m.Attempts }).ToListAsync();
        Assert.That(rows.Select(r => (r.State, r.Attempts)), Is.EqualTo(new[] { ("pending", 1), ("sent", 1) }));
    }
}
