using System.Net;
using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Server.Devices;
using Hall.Server.Tickets;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>What the server does for kiosks and citizens' phones: mobile numbers, the notice, voided tickets, device status, the tracking page.</summary>
[TestFixture]
public sealed class KioskServerTests() : HallFixture("kiosk-server")
{
    private const string Mobile = "13812345678";

    [Test]
    public async Task A_mobile_number_is_stored_encrypted_and_masked_and_appears_nowhere_in_clear()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var service = await App.ServiceIdAsync(Seeded.HallId, "yibao");

        var issued = (await kiosk.IssueWithMobileAsync(service, Mobile)).Ok();

        Assert.That(issued.MobileMasked, Is.EqualTo("138****5678"));
        Assert.That(issued.TrackingCode, Has.Length.EqualTo(16));
        Assert.That(issued.TrackingUrl, Is.EqualTo($"{HallApp.PublicBaseUrl}/t/{issued.TrackingCode}"));
        await using var db = App.Db();
        var ticket = await db.Tickets.SingleAsync(t => t.Id == issued.Ticket.TicketId);
        Assert.That(ticket.MobileCipher, Is.Not.Null.And.Not.Contains(Mobile));
        Assert.That(ticket.MobileHmac, Has.Length.EqualTo(32));
        var dump = await TableDump.AllAsync(App.ConnectionString);
        var clear = dump.SelectMany(t => t.Value.Select(row => (t.Key, row))).Where(r => r.row.Contains(Mobile, StringComparison.Ordinal) || r.row.Contains("12345678", StringComparison.Ordinal)).ToList();
        Assert.That(clear, Is.Empty, "the number in clear (or its last 8 digits) in a table");

        // The same number gives the same HMAC: a number can be matched without being kept.
        var again = (await kiosk.IssueWithMobileAsync(service, Mobile)).Ok();
        var other = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == again.Ticket.TicketId);
        Assert.That(other.MobileHmac, Is.EqualTo(ticket.MobileHmac));
        Assert.That(other.MobileCipher, Is.Not.EqualTo(ticket.MobileCipher));
    }

    [TestCase("1381234567", TestName = "Ten digits are refused")]
    [TestCase("23812345678", TestName = "A number not starting with 1 is refused")]
    [TestCase("1381234567８", TestName = "A full-width digit is refused")]
    [TestCase("138-1234-567", TestName = "Dashes are refused")]
    [TestCase("12012345678", TestName = "12x is no mobile prefix and is refused")]
    public async Task A_bad_mobile_number_is_refused_and_changes_nothing(string mobile)
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var service = await App.ServiceIdAsync(Seeded.HallId, "yibao");
        var before = await TableDump.AllAsync(App.ConnectionString);

        var reply = await kiosk.IssueWithMobileAsync(service, mobile);

        Assert.That(reply.Error?.Code, Is.EqualTo("invalid_mobile"));
        Assert.That(reply.Error!.MessageZh, Is.EqualTo("手机号码格式不正确"));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
    }

    [Test]
    public async Task The_notice_fires_once_when_three_people_are_ahead_and_the_number_is_forgotten_when_the_ticket_closes()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk = await Seeded.ClerkAsync(6);
        var service = await App.ServiceIdAsync(Seeded.HallId, "huzheng");
        var window = await App.WindowIdAsync(Seeded.HallId, 6);
        Assert.That(await App.Db().WindowServices.AnyAsync(ws => ws.WindowId == window && ws.ServiceId == service), "window 6 serves 公安户政");
        for (var i = 0; i < 4; i++)
        {
            (await kiosk.IssueAsync(service)).Ok();
        }
        var mine = (await kiosk.IssueWithMobileAsync(service, Mobile)).Ok();
        Assert.That(mine.PeopleAhead, Is.EqualTo(4));
        // Already near the front when taken (nobody ahead in 交通): no notice for this one, ever.
        var near = (await kiosk.IssueWithMobileAsync(await App.ServiceIdAsync(Seeded.HallId, "jiaotong"), "13900001111")).Ok();
        Assert.That(near.PeopleAhead, Is.Zero);
        (await clerk.OpenAsync(window)).Ok();
        await Task.Delay(300);
        Assert.That(App.Notices.Sent.Where(n => n.TicketId == mine.Ticket.TicketId), Is.Empty, "4 ahead: not yet");

        var first = (await clerk.CallNextAsync(window)).Ok();
        await WaitForAsync(() => App.Notices.Sent.Any(n => n.TicketId == mine.Ticket.TicketId), "the notice at 3 ahead");
        var notice = App.Notices.Sent.Single(n => n.TicketId == mine.Ticket.TicketId);
        Assert.That(notice.Mobile, Is.EqualTo(Mobile));
        Assert.That(notice.Text, Does.Contain(mine.Ticket.Number).And.Contain("前面还有3人"));

        (await clerk.NoShowAsync(window, first.Ticket.TicketId)).Ok();
        for (var i = 0; i < 3; i++)
        {
            var current = (await clerk.CallNextAsync(window)).Ok();
            Assert.That(current.Ticket.TicketId, Is.Not.EqualTo(mine.Ticket.TicketId));
            (await clerk.NoShowAsync(window, current.Ticket.TicketId)).Ok();
        }
        var called = (await clerk.CallNextAsync(window)).Ok();
        Assert.That(called.Ticket.TicketId, Is.EqualTo(mine.Ticket.TicketId));
        (await clerk.StartAsync(window, called.Ticket.TicketId)).Ok();
        (await clerk.FinishAsync(window, called.Ticket.TicketId)).Ok();
        await Task.Delay(300);
        Assert.That(App.Notices.Sent.Count(n => n.TicketId == mine.Ticket.TicketId), Is.EqualTo(1), "sent once");
        Assert.That(App.Notices.Sent.Where(n => n.TicketId == near.Ticket.TicketId), Is.Empty, "never for a ticket taken near the front");

        await using var db = App.Db();
        var closed = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == mine.Ticket.TicketId);
        Assert.That((closed.MobileCipher, closed.MobileHmac, closed.MobileMasked), Is.EqualTo(((string?)null, (byte[]?)null, (string?)null)), "kept only until the ticket closes");
        Assert.That(closed.NoticeSentAt, Is.Not.Null);
    }

    [Test]
    public async Task A_kiosk_voids_a_ticket_it_could_not_print_and_only_its_own_and_only_before_a_call()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var otherKey = await App.CreateDeviceAsync(Seeded.HallId, "二号取号机", DeviceRole.Kiosk);
        await using var otherKiosk = await App.ConnectAsync(otherKey);
        var clerk = await Seeded.ClerkAsync(7);
        var service = await App.ServiceIdAsync(Seeded.HallId, "shuiwu");
        var window = await App.WindowIdAsync(Seeded.HallId, 7);

        var unprinted = (await kiosk.IssueAsync(service)).Ok();
        Assert.That((await otherKiosk.VoidAsync(unprinted.Ticket.TicketId, "打印失败")).Error?.Code, Is.EqualTo("not_issued_here"));
        Assert.That((await clerk.VoidAsync(unprinted.Ticket.TicketId, "打印失败")).Error?.Code, Is.EqualTo("forbidden"));
        Assert.That((await kiosk.VoidAsync(unprinted.Ticket.TicketId, "")).Error?.Code, Is.EqualTo("reason_required"));

        var voided = (await kiosk.VoidAsync(unprinted.Ticket.TicketId, "print_failed: PaperOut")).Ok();

        Assert.That(voided.State, Is.EqualTo(TicketState.Voided));
        await using (var db = App.Db())
        {
            var e = await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == unprinted.Ticket.TicketId).OrderBy(e => e.Id).LastAsync();
            Assert.That((e.Kind, e.FromState, e.ToState, e.Detail), Is.EqualTo((TicketEventKind.Voided, (TicketState?)TicketState.Waiting, TicketState.Voided, "print_failed: PaperOut")));
        }
        await kiosk.WaitForAsync(k => k.ServiceMessages.Any(s => s.ServiceId == service && s.Version >= voided.Version && s.Waiting == 0), "the service's count back to 0");

        var printed = (await kiosk.IssueAsync(service)).Ok();
        (await clerk.OpenAsync(window)).Ok();
        (await clerk.CallNextAsync(window)).Ok();
        Assert.That((await kiosk.VoidAsync(printed.Ticket.TicketId, "打印失败")).Error?.Code, Is.EqualTo("ticket_already_called"));
    }

    [Test]
    public async Task A_device_is_seen_online_with_its_reported_status_and_offline_after_it_leaves()
    {
        var key = await App.CreateDeviceAsync(Seeded.HallId, "三号取号机", DeviceRole.Kiosk);
        int deviceId;
        await using (var kiosk = await App.ConnectAsync(key))
        {
            await using var db = App.Db();
            var device = await db.Devices.AsNoTracking().SingleAsync(d => d.Name == "三号取号机");
            deviceId = device.Id;
            Assert.That(device.Online, Is.True);

            await kiosk.Connection.InvokeAsync(nameof(IHallHub.ReportStatus), new DeviceStatusReport("PaperOut", "纸将用尽"));
            var reported = await db.Devices.AsNoTracking().SingleAsync(d => d.Id == deviceId);
            Assert.That((reported.Status, reported.StatusDetail), Is.EqualTo(("PaperOut", "纸将用尽")));

            var bad = Assert.ThrowsAsync<HubException>(() => kiosk.Connection.InvokeAsync(nameof(IHallHub.ReportStatus), new DeviceStatusReport("Paper Out'; DROP TABLE devices;--", null)));
            Assert.That(bad!.Message, Does.Contain("invalid_command"));
            Assert.That((await db.Devices.AsNoTracking().SingleAsync(d => d.Id == deviceId)).Status, Is.EqualTo("PaperOut"));
        }
        await WaitForAsync(() => !App.Db().Devices.AsNoTracking().Single(d => d.Id == deviceId).Online, "offline after disconnect");
    }

    [Test]
    public async Task A_kiosk_gets_the_item_catalogue_and_a_display_does_not()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var display = await Seeded.DeviceAsync("display");

        var items = await kiosk.Connection.InvokeAsync<List<ServiceItemView>>(nameof(IHallHub.GetServiceItems));

        Assert.That(items, Has.Count.GreaterThan(20));
        Assert.That(items, Has.All.Matches<ServiceItemView>(i => i.Name.Length > 0 && i.Department.Length > 0 && i.ServiceName.Length > 0));
        Assert.That(items.Where(i => i.Materials.Count > 0), Is.Not.Empty);
        Assert.That(items, Has.All.Matches<ServiceItemView>(i => i.Initials.Length > 0), "initials computed at seeding");
        var budongchan = items.Where(i => i.Name.StartsWith("不动产", StringComparison.Ordinal)).ToList();
        Assert.That(budongchan, Is.Not.Empty);
        Assert.That(budongchan.Select(i => i.Initials[..3]), Has.All.EqualTo("bdc"));
        var ex = Assert.ThrowsAsync<HubException>(() => display.Connection.InvokeAsync<List<ServiceItemView>>(nameof(IHallHub.GetServiceItems)));
        Assert.That(ex!.Message, Does.Contain("forbidden"));
    }

    [Test]
    public async Task The_admin_corrects_an_items_initials_and_nobody_else_may()
    {
        await using var db = App.Db();
        var item = await db.ServiceItems.AsNoTracking().FirstAsync(i => i.HallId == Seeded.HallId);
        var admin = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-admin", StringComparison.Ordinal));
        var supervisor = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-supervisor", StringComparison.Ordinal));
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        async Task<HttpResponseMessage> PutAsync(string? token, object body, int id)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, new Uri($"/api/admin/items/{id}/initials", UriKind.Relative)) { Content = System.Net.Http.Json.JsonContent.Create(body) };
            if (token is not null)
            {
                request.Headers.Authorization = new("Bearer", token);
            }
            return await http.SendAsync(request);
        }
        var adminToken = await App.LoginAsync(admin, Seeded.Credentials.Passwords[admin]);
        var supervisorToken = await App.LoginAsync(supervisor, Seeded.Credentials.Passwords[supervisor]);

        Assert.That((await PutAsync(null, new { initials = "abc" }, item.Id)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await PutAsync(supervisorToken, new { initials = "abc" }, item.Id)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var bad = await PutAsync(adminToken, new { initials = "ab'; DROP TABLE service_items;--" }, item.Id);
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("invalid_initials"));
        Assert.That((await PutAsync(adminToken, new { initials = "abc" }, 999_999)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await db.ServiceItems.AsNoTracking().SingleAsync(i => i.Id == item.Id)).Initials, Is.EqualTo(item.Initials), "unchanged by refused edits");

        Assert.That((await PutAsync(adminToken, new { initials = "cxsl" }, item.Id)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await db.ServiceItems.AsNoTracking().SingleAsync(i => i.Id == item.Id)).Initials, Is.EqualTo("cxsl"));
    }

    [Test]
    public async Task The_phone_page_follows_the_ticket_and_a_guessed_code_finds_nothing()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk = await Seeded.ClerkAsync(10);
        var service = await App.ServiceIdAsync(Seeded.HallId, "gongjijin");
        var window = await App.WindowIdAsync(Seeded.HallId, 10);
        Assert.That(await App.Db().WindowServices.AnyAsync(ws => ws.WindowId == window && ws.ServiceId == service), "window 10 serves 公积金");
        var first = (await kiosk.IssueAsync(service)).Ok();
        var mine = (await kiosk.IssueWithMobileAsync(service, Mobile)).Ok();
        using var http = new HttpClient { BaseAddress = App.BaseAddress };

        var page = await http.GetAsync(new Uri($"/t/{mine.TrackingCode}", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(html, Does.Contain(mine.Ticket.Number).And.Contain("等候中").And.Contain("前面还有 1 人"));
        Assert.That(html, Does.Not.Contain("138").And.Not.Contain("5678"), "nothing personal");
        Assert.That(page.Headers.CacheControl?.NoStore, Is.True);

        (await clerk.OpenAsync(window)).Ok();
        var firstCalled = (await clerk.CallNextAsync(window)).Ok();
        Assert.That(await StateAsync(http, mine.TrackingCode), Is.EqualTo(("Waiting", "等候中", (int?)0)));
        (await clerk.StartAsync(window, firstCalled.Ticket.TicketId)).Ok();
        (await clerk.FinishAsync(window, firstCalled.Ticket.TicketId)).Ok();
        var called = (await clerk.CallNextAsync(window)).Ok();
        Assert.That(called.Ticket.TicketId, Is.EqualTo(mine.Ticket.TicketId));
        Assert.That(await StateAsync(http, mine.TrackingCode), Is.EqualTo(("Called", "请到10号窗口", (int?)null)));
        (await clerk.NoShowAsync(window, mine.Ticket.TicketId)).Ok();
        Assert.That((await StateAsync(http, mine.TrackingCode)).Status, Does.StartWith("已过号"));
        Assert.That((await StateAsync(http, first.TrackingCode)).Status, Is.EqualTo("已办结"), "another code, another ticket");

        var guessed = mine.TrackingCode[..15] + (mine.TrackingCode[15] == 'a' ? 'b' : 'a');
        Assert.That((await http.GetAsync(new Uri($"/t/{guessed}", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await http.GetAsync(new Uri($"/t/{guessed}/state", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await http.GetAsync(new Uri("/t/1' OR '1'='1", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await http.GetAsync(new Uri($"/t/{first.Ticket.TicketId}", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a ticket id is no code");
    }

    [Test]
    public async Task The_phone_page_shows_a_call_and_the_people_ahead_on_the_next_poll_and_a_new_wait_estimate_within_a_second()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var (clerk4, clerk5) = (await Seeded.ClerkAsync(4), await Seeded.ClerkAsync(5));
        var (window4, window5) = (await App.WindowIdAsync(Seeded.HallId, 4), await App.WindowIdAsync(Seeded.HallId, 5));
        var service = await App.ServiceIdAsync(Seeded.HallId, "budongchan");
        var first = (await kiosk.IssueAsync(service)).Ok();
        (await kiosk.IssueAsync(service)).Ok();
        var mine = (await kiosk.IssueAsync(service)).Ok();
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        (await clerk4.OpenAsync(window4)).Ok();
        // Nobody served this last hour: 10 minutes a citizen spread over the open windows of 不动产登记 (4 and 5).
        Assert.That(await PollAsync(http, mine.TrackingCode), Is.EqualTo(("Waiting", "等候中", (int?)2, (int?)20)));

        (await clerk5.OpenAsync(window5)).Ok();
        App.Clock.Advance(Hall.Server.Tracking.QueuePositions.Lifetime);
        Assert.That(await PollAsync(http, mine.TrackingCode), Is.EqualTo(("Waiting", "等候中", (int?)2, (int?)10)), "the second window within a second");

        // The server's clock stands still from here, so every poll below falls within the same second.
        (await clerk4.CallNextAsync(window4)).Ok();
        Assert.That(await PollAsync(http, mine.TrackingCode), Is.EqualTo(("Waiting", "等候中", (int?)1, (int?)5)), "one fewer ahead on the next poll");
        (await clerk5.CallNextAsync(window5)).Ok();
        Assert.That(await PollAsync(http, mine.TrackingCode), Is.EqualTo(("Waiting", "等候中", (int?)0, (int?)0)));
        (await clerk4.StartAsync(window4, first.Ticket.TicketId)).Ok();
        (await clerk4.FinishAsync(window4, first.Ticket.TicketId)).Ok();
        Assert.That((await clerk4.CallNextAsync(window4)).Ok().Ticket.TicketId, Is.EqualTo(mine.Ticket.TicketId));
        Assert.That(await PollAsync(http, mine.TrackingCode), Is.EqualTo(("Called", "请到4号窗口", (int?)null, (int?)null)), "the call on the next poll");
    }

    private static async Task<(string State, string Status, int? Ahead)> StateAsync(HttpClient http, string code)
    {
        var (state, status, ahead, _) = await PollAsync(http, code);
        return (state, status, ahead);
    }

    /// <summary>What the phone page shows: state, status, people ahead, estimated wait in minutes.</summary>
    private static async Task<(string State, string Status, int? Ahead, int? Wait)> PollAsync(HttpClient http, string code)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/t/{code}/state", UriKind.Relative)));
        var root = json.RootElement;
        int? Number(string name) => root.GetProperty(name) is { ValueKind: JsonValueKind.Number } n ? n.GetInt32() : null;
        return (root.GetProperty("state").GetString()!, root.GetProperty("statusZh").GetString()!, Number("peopleAhead"), Number("estimatedWaitMinutes"));
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(100);
        }
        Assert.That(condition(), Is.True, what);
    }
}
