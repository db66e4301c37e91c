using Hall.Server.Contracts;
using Hall.Server.Halls;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hall.Tests.Faults;

/// <summary>
/// Hall.Server as a process whose own clock is UTC (TZ=UTC, as on most servers) or local (TZ=Asia/Shanghai), for a hall
/// on UTC+8, started just before and just after local midnight and at hours where the two readings of "now" disagree
/// about the county's opening hours. The process's clock stands at the given instant (<c>Hall:Testing:Now</c>).
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ServerClockTests
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private sealed record Seen(Reply<TicketIssued> AllDay, Reply<TicketIssued> County, HallSnapshot Snapshot);

    [TestCase("UTC")]
    [TestCase("Asia/Shanghai")]
    public async Task Whatever_the_process_time_zone_the_business_date_numbers_and_opening_hours_follow_the_halls_local_time(string processZone)
    {
        var cs = await PostgresCluster.NewDatabaseAsync("clock" + processZone);
        var beforeMidnight = new DateTimeOffset(2026, 11, 30, 23, 59, 30, Shanghai);
        DemoCredentials allDay, county;
        await using (var db = PostgresCluster.Context(cs))
        {
            allDay = await DemoHall.SeedAsync(db, beforeMidnight.ToUniversalTime(), openAllDay: true, CancellationToken.None);
            // The county's real hours: 9:00–12:00 and 13:30–17:30 on weekdays.
            county = await DemoHall.SeedAsync(db, beforeMidnight.ToUniversalTime(), openAllDay: false, CancellationToken.None, "clockcounty");
        }

        async Task<Seen> StartedAtAsync(DateTimeOffset now)
        {
            var server = await ServerProcess.StartAsync(cs, environment: new Dictionary<string, string>
            {
                ["TZ"] = processZone,
                ["Hall__Testing__Now"] = now.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            });
            try
            {
                return new Seen(await IssueAsync(server, allDay), await IssueAsync(server, county), await SnapshotAsync(server, allDay));
            }
            finally
            {
                await server.StopAsync();
                await server.DisposeAsync();
            }
        }

        // Started at 23:59:30 on Monday (15:59:30 UTC): still Monday's numbers; the county hall is shut for the night.
        var monday = await StartedAtAsync(beforeMidnight);
        Assert.That(Ticket(monday.AllDay), Is.EqualTo((new DateOnly(2026, 11, 30), "A001")));
        Assert.That(monday.Snapshot.BusinessDate, Is.EqualTo(new DateOnly(2026, 11, 30)));
        Assert.That(monday.County.Error?.Code, Is.EqualTo("outside_opening_hours"));

        // Started at 00:00:30 on Tuesday (16:00:30 UTC, still Monday in UTC): a new day, numbers from 001, Monday's ticket not waiting today.
        var tuesday = await StartedAtAsync(new DateTimeOffset(2026, 12, 1, 0, 0, 30, Shanghai));
        Assert.That(Ticket(tuesday.AllDay), Is.EqualTo((new DateOnly(2026, 12, 1), "A001")));
        Assert.That(tuesday.Snapshot.BusinessDate, Is.EqualTo(new DateOnly(2026, 12, 1)));
        Assert.That(tuesday.Snapshot.Services.Single(s => s.Code == "shebao").Waiting, Is.EqualTo(1));
        Assert.That(tuesday.County.Error?.Code, Is.EqualTo("outside_opening_hours"));

        // 10:00 in the hall is 02:00 UTC: open (a server reading its own clock would say closed).
        var morning = await StartedAtAsync(new DateTimeOffset(2026, 12, 1, 10, 0, 0, Shanghai));
        Assert.That(Ticket(morning.AllDay), Is.EqualTo((new DateOnly(2026, 12, 1), "A002")));
        Assert.That(Ticket(morning.County), Is.EqualTo((new DateOnly(2026, 12, 1), "A001")));
        Assert.That(morning.Snapshot.Services.Single(s => s.Code == "shebao").OpenNow, Is.True);

        // 19:00 in the hall is 11:00 UTC: closed (a server reading its own clock would say open).
        var evening = await StartedAtAsync(new DateTimeOffset(2026, 12, 1, 19, 0, 0, Shanghai));
        Assert.That(evening.County.Error?.Code, Is.EqualTo("outside_opening_hours"));
        Assert.That(Ticket(evening.AllDay), Is.EqualTo((new DateOnly(2026, 12, 1), "A003")));
    }

    private static (DateOnly, string) Ticket(Reply<TicketIssued> reply)
    {
        Assert.That(reply.Ok, Is.True, () => reply.Error?.MessageEn ?? "");
        return (reply.Value!.Ticket.BusinessDate, reply.Value.Ticket.Number);
    }

    private static async Task<Reply<TicketIssued>> IssueAsync(ServerProcess server, DemoCredentials hall)
    {
        await using var kiosk = await HubConnections.ConnectAsync(server.BaseAddress, hall.DeviceKeys["kiosk"]);
        return await kiosk.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), null, "shebao", null, PriorityClass.Normal));
    }

    private static async Task<HallSnapshot> SnapshotAsync(ServerProcess server, DemoCredentials hall)
    {
        await using var display = await HubConnections.ConnectAsync(server.BaseAddress, hall.DeviceKeys["display"]);
        return await display.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot));
    }
}
