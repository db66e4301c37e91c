using Hall.Server.Notices;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>A number on a ticket nobody closed is forgotten when its business day is over.</summary>
[TestFixture]
public sealed class MobileRetentionTests() : HallFixture("mobile-retention")
{
    [Test]
    public async Task Numbers_on_tickets_left_open_are_forgotten_after_local_midnight_and_todays_are_kept()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var service = await App.ServiceIdAsync(Seeded.HallId, "minzheng");
        var yesterday = (await kiosk.IssueWithMobileAsync(service, "13812345678")).Ok();
        var retention = App.Services.GetRequiredService<MobileRetention>();
        Assert.That(await retention.ForgetPastDaysAsync(CancellationToken.None), Is.Zero, "nothing from a past day yet");

        // Monday 10:00 in Shanghai → Tuesday 09:30: a new business day. The hourly sweep runs on the same clock.
        App.Clock.Advance(TimeSpan.FromHours(23.5));
        var today = (await kiosk.IssueWithMobileAsync(service, "13912345678")).Ok();
        await retention.ForgetPastDaysAsync(CancellationToken.None);

        await using var db = App.Db();
        var old = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == yesterday.Ticket.TicketId);
        var fresh = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == today.Ticket.TicketId);
        Assert.That((old.MobileCipher, old.MobileHmac, old.MobileMasked), Is.EqualTo(((string?)null, (byte[]?)null, (string?)null)));
        Assert.That(fresh.MobileCipher, Is.Not.Null);
    }
}
