using Hall.Server.Contracts;
using Hall.Server.Outbox;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Outbox;

/// <summary>What the outbox tests share: serving and rating a ticket at window 6, and running the sender until nothing is in flight.</summary>
public sealed class OutboxTestKit(HallApp app) : IAsyncDisposable
{
    private HubClient? _kiosk;
    private HubClient? _clerk;
    private HubClient? _evaluator;

    public int WindowId { get; private set; }

    public int ServiceId { get; private set; }

    public HubClient Kiosk => _kiosk!;

    public HubClient Clerk => _clerk!;

    public static async Task<OutboxTestKit> StartAsync(HallApp app, SeededHall hall)
    {
        var kit = new OutboxTestKit(app);
        kit._kiosk = await hall.DeviceAsync("kiosk");
        kit._clerk = await hall.ClerkAsync(6);
        kit._evaluator = await hall.EvaluatorAsync(6);
        kit.ServiceId = await app.ServiceIdAsync(hall.HallId, "huzheng");
        kit.WindowId = await app.WindowIdAsync(hall.HallId, 6);
        (await kit.Clerk.OpenAsync(kit.WindowId)).Ok();
        return kit;
    }

    /// <summary>Issues, calls, serves and finishes a ticket at window 6; answers its id and number.</summary>
    public async Task<(long TicketId, string Number)> ServeAsync(string? mobile = null)
    {
        var issued = mobile is null ? (await Kiosk.IssueAsync(ServiceId)).Ok() : (await Kiosk.IssueWithMobileAsync(ServiceId, mobile)).Ok();
        var called = (await Clerk.CallNextAsync(WindowId)).Ok();
        Assert.That(called.Ticket.TicketId, Is.EqualTo(issued.Ticket.TicketId));
        (await Clerk.StartAsync(WindowId, called.Ticket.TicketId)).Ok();
        (await Clerk.FinishAsync(WindowId, called.Ticket.TicketId)).Ok();
        return (called.Ticket.TicketId, called.Ticket.Number);
    }

    /// <summary>Serves a ticket and rates it at the window's evaluator; answers the rating's id and the ticket.</summary>
    public async Task<(long RatingId, long TicketId, string Number)> RateAsync(RatingLevel level, IReadOnlyList<string>? reasons = null, string? mobile = null)
    {
        var (ticketId, number) = await ServeAsync(mobile);
        return (await RateAsync(ticketId, level, reasons), ticketId, number);
    }

    /// <summary>Rates a ticket finished at window 6 on the window's evaluator; answers the rating's id.</summary>
    public async Task<long> RateAsync(long ticketId, RatingLevel level, IReadOnlyList<string>? reasons = null)
    {
        (await _evaluator!.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Rate), new RateCommand(Guid.NewGuid(), ticketId, level, reasons))).Ok();
        await using var db = app.Db();
        return await db.Ratings.Where(r => r.TicketId == ticketId).Select(r => r.Id).SingleAsync();
    }

    /// <summary>
    /// Runs the sender of <paramref name="server"/> (the kit's own by default) until no message is held by a send in flight —
    /// its own or a background round the clock started.
    /// </summary>
    public static async Task SettleAsync(HallApp server)
    {
        var sender = server.Services.GetRequiredService<OutboxSender>();
        // Settled: twice in a row a round found nothing to send and no message was held by another sender (the background
        // one included: what it delivers lets the next event of the same subject go, which the next round then sends).
        var quiet = 0;
        for (var i = 0; i < 600; i++)
        {
            var sent = await sender.SendDueAsync(default);
            var now = server.Clock.GetUtcNow();
            await using var db = server.Db();
            quiet = sent == 0 && !await db.Outbox.AnyAsync(m => m.LeaseUntil != null && m.LeaseUntil > now) ? quiet + 1 : 0;
            if (quiet == 2)
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail("a message stayed claimed");
    }

    public Task SettleAsync() => SettleAsync(app);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in new[] { _kiosk, _clerk, _evaluator })
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }
        }
    }
}
