using Hall.Server.Contracts;
using Hall.Server.Tickets;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>The issue limits: per kiosk and minute, per person, service and day — counted in the database, so they hold across servers.</summary>
[TestFixture]
[NonParallelizable]
public sealed class LimitsTests
{
    private const string Mobile = "13712340001";
    private const string IdNumber = "410102198505125679";
    private HallApp _app = null!;
    private SeededHall _hall = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // The shipped defaults, which HallApp raises for the other fixtures.
        _app = await HallApp.StartAsync("limits", settings: new Dictionary<string, string?> { ["Hall:Limits:KioskTicketsPerMinute"] = "30" });
        _hall = await SeededHall.CreateAsync(_app, openAllDay: true);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
    }

    private async Task<HubClient> NewKioskAsync(HallApp app, string name) =>
        await app.ConnectAsync(await app.CreateDeviceAsync(_hall.HallId, name, DeviceRole.Kiosk));

    /// <summary>The tables once a newly connected device's own row (seen, status) has settled: what a refusal must leave as it is.</summary>
    private async Task<SortedDictionary<string, List<string>>> SettledDumpAsync()
    {
        var dump = await TableDump.AllAsync(_app.ConnectionString);
        while (true)
        {
            await Task.Delay(100);
            var again = await TableDump.AllAsync(_app.ConnectionString);
            if (again.SequenceEqual(dump, new DumpComparer()))
            {
                return again;
            }
            dump = again;
        }
    }

    private sealed class DumpComparer : IEqualityComparer<KeyValuePair<string, List<string>>>
    {
        public bool Equals(KeyValuePair<string, List<string>> x, KeyValuePair<string, List<string>> y) => x.Key == y.Key && x.Value.SequenceEqual(y.Value);

        public int GetHashCode(KeyValuePair<string, List<string>> obj) => obj.Key.GetHashCode(StringComparison.Ordinal);
    }

    private static Task<Reply<TicketIssued>> IssueAsync(HubClient kiosk, int serviceId, string? mobile = null, string? idNumber = null) =>
        kiosk.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(Guid.NewGuid(), serviceId, null, null, PriorityClass.Normal, mobile, idNumber));

    [Test]
    public async Task A_kiosk_is_refused_its_31st_ticket_in_a_minute_with_nothing_changed_and_may_issue_again_a_minute_later()
    {
        await using var kiosk = await NewKioskAsync(_app, "限速取号机");
        var shebao = await _app.ServiceIdAsync(_hall.HallId, "shebao");
        var yibao = await _app.ServiceIdAsync(_hall.HallId, "yibao");
        for (var i = 0; i < 30; i++)
        {
            // Several services: the limit is the kiosk's, not a service's.
            (await IssueAsync(kiosk, i % 2 == 0 ? shebao : yibao)).Ok();
        }
        var before = await SettledDumpAsync();

        var refused = await IssueAsync(kiosk, shebao);

        Assert.That(refused.Ok, Is.False);
        Assert.That(refused.Error!.Code, Is.EqualTo("kiosk_rate_limited"));
        Assert.That(refused.Error.MessageZh, Is.Not.Empty);
        Assert.That(refused.Error.MessageEn, Is.Not.Empty);
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before), "a refusal changes nothing, the number counter included");
        await using (var other = await NewKioskAsync(_app, "另一台取号机"))
        {
            Assert.That((await IssueAsync(other, shebao)).Ok, Is.True, "another kiosk is not limited by this one");
        }

        _app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.That((await IssueAsync(kiosk, shebao)).Ok, Is.True, "a minute later the kiosk issues again");
    }

    [Test]
    public async Task A_person_holds_two_open_tickets_per_service_and_day_the_third_is_refused_another_service_and_the_next_day_are_fine()
    {
        await using var kiosk = await NewKioskAsync(_app, "个人限额取号机");
        var minzheng = await _app.ServiceIdAsync(_hall.HallId, "minzheng");
        var jiaotong = await _app.ServiceIdAsync(_hall.HallId, "jiaotong");
        (await IssueAsync(kiosk, minzheng, Mobile)).Ok();
        (await IssueAsync(kiosk, minzheng, Mobile, IdNumber)).Ok();
        var before = await SettledDumpAsync();

        var byMobile = await IssueAsync(kiosk, minzheng, Mobile);

        Assert.That(byMobile.Error?.Code, Is.EqualTo("too_many_open_tickets"));
        Assert.That(byMobile.Error?.MessageZh, Is.Not.Empty);
        Assert.That(byMobile.Error?.MessageEn, Is.Not.Empty);
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before), "a refusal changes nothing");
        var byId = await IssueAsync(kiosk, minzheng, "13999990000", IdNumber);
        Assert.That(byId.Ok, Is.True, "the ID holds one open ticket so far, the other mobile none");
        Assert.That((await IssueAsync(kiosk, minzheng, idNumber: IdNumber)).Error?.Code, Is.EqualTo("too_many_open_tickets"), "the ID now holds two");
        Assert.That((await IssueAsync(kiosk, jiaotong, Mobile, IdNumber)).Ok, Is.True, "another service is fine");

        _app.Clock.Advance(TimeSpan.FromDays(1));
        Assert.That((await IssueAsync(kiosk, minzheng, Mobile, IdNumber)).Ok, Is.True, "the next day is fine");
    }

    [Test]
    public async Task An_invalid_id_number_is_refused_with_nothing_changed()
    {
        await using var kiosk = await NewKioskAsync(_app, "身份证取号机");
        var shebao = await _app.ServiceIdAsync(_hall.HallId, "shebao");
        var before = await SettledDumpAsync();
        foreach (var bad in new[] { "410102198505125678", "41010219850512567", "4101021985051256X9", "41010219850512567Y" })
        {
            var reply = await IssueAsync(kiosk, shebao, idNumber: bad);
            Assert.That(reply.Error?.Code, Is.EqualTo("invalid_id_number"), bad);
        }
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before));
        Assert.That((await IssueAsync(kiosk, shebao, idNumber: " 11010519491231002x ")).Ok().Ticket.State, Is.EqualTo(TicketState.Waiting), "a lower-case x and spaces are fine");
    }

    [Test]
    public async Task Two_servers_racing_for_a_persons_last_slot_let_exactly_one_through()
    {
        await using var second = HallApp.StartAlongside(_app);
        await using var kioskA = await NewKioskAsync(_app, "甲服务器取号机");
        await using var kioskB = await NewKioskAsync(second, "乙服务器取号机");
        var yibao = await _app.ServiceIdAsync(_hall.HallId, "yibao");
        const string racer = "13512349999";
        (await IssueAsync(kioskA, yibao, racer)).Ok();

        for (var round = 0; round < 5; round++)
        {
            var replies = await Task.WhenAll(IssueAsync(kioskA, yibao, racer), IssueAsync(kioskB, yibao, racer));
            Assert.That(replies.Count(r => r.Ok), Is.EqualTo(round == 0 ? 1 : 0), $"round {round}");
            Assert.That(replies.Where(r => !r.Ok).Select(r => r.Error!.Code), Is.All.EqualTo("too_many_open_tickets"));
        }
        await using var db = _app.Db();
        var open = await db.Tickets.CountAsync(t => t.ServiceId == yibao && t.MobileMasked == "135****9999" && t.State == TicketState.Waiting);
        Assert.That(open, Is.EqualTo(2));
    }
}
