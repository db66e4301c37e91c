using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Bookings;
using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// 线上取号 over HTTP on the real server: a number in today's queue from the phone, for the services the hall allows it,
/// with its live page; the same request once; the kiosk's limits per person; called at a window like any other ticket.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class RemoteTicketTests
{
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private HttpClient _http = null!;
    private int _remote;
    private int _bookedOnly;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // Monday 30 November 2026, 10:00: the hall is open.
        _app = await HallApp.StartAsync("remote-tickets");
        _hall = await SeededHall.CreateAsync(_app);
        _remote = await _app.ServiceIdAsync(_hall.HallId, "huzheng");
        _bookedOnly = await _app.ServiceIdAsync(_hall.HallId, "yibao");
        await using var db = _app.Db();
        db.SlotSchedules.Add(new SlotSchedule { HallId = _hall.HallId, ServiceId = _remote, RemoteTickets = true });
        db.SlotSchedules.Add(new SlotSchedule { HallId = _hall.HallId, ServiceId = _bookedOnly, RemoteTickets = false });
        await db.SaveChangesAsync();
        _http = new HttpClient { BaseAddress = _app.BaseAddress };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
    }

    private Task<HttpResponseMessage> TakeAsync(int serviceId, string idNumber, string mobile, Guid? requestId = null) =>
        _http.PostAsJsonAsync("/api/booking/xinxian/tickets", new { requestId = requestId ?? Guid.NewGuid(), serviceId, idNumber, mobile });

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    [Test, Order(1)]
    public async Task A_number_taken_on_the_phone_is_in_todays_queue_with_its_live_page_and_a_resend_gives_the_same_one()
    {
        var request = Guid.NewGuid();
        var taken = await TakeAsync(_remote, "410102196001010019", "13912345678", request);

        Assert.That(taken.StatusCode, Is.EqualTo(HttpStatusCode.Created), await taken.Content.ReadAsStringAsync());
        var ticket = await JsonAsync(taken);
        Assert.That((ticket.GetProperty("number").GetString(), ticket.GetProperty("serviceName").GetString(), ticket.GetProperty("peopleAhead").GetInt32()),
            Is.EqualTo(("D001", "公安户政", 0)));
        Assert.That((ticket.GetProperty("mobileMasked").GetString(), ticket.GetProperty("idMasked").GetString()), Is.EqualTo(("139****5678", "4101**********0019")));
        var page = await _http.GetStringAsync(ticket.GetProperty("tracking").GetString());
        Assert.That(page, Does.Contain("D001"), "the live page shows the number");

        var again = await JsonAsync(await TakeAsync(_remote, "410102196001010019", "13912345678", request));
        Assert.That(again.GetProperty("number").GetString(), Is.EqualTo("D001"));
        await using var db = _app.Db();
        var rows = await db.Tickets.AsNoTracking().Where(t => t.ServiceId == _remote).ToListAsync();
        Assert.That(rows.Select(t => (t.Number, t.State, t.IssuedByDeviceId, t.IdMasked)), Is.EqualTo(new[] { ("D001", TicketState.Waiting, (int?)null, (string?)"4101**********0019") }));
        Assert.That(rows[0].MobileCipher, Is.Not.Null.And.Not.Contain("13912345678"));
    }

    [Test, Order(2)]
    public async Task A_service_without_it_and_a_third_open_number_of_one_person_are_refused_and_change_nothing()
    {
        var before = await TableDump.AllAsync(_app.ConnectionString);
        var notOffered = await TakeAsync(_bookedOnly, "410102196001010027", "13912340000");
        Assert.That(notOffered.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await JsonAsync(notOffered)).GetProperty("code").GetString(), Is.EqualTo("remote_tickets_not_offered"));
        var badId = await TakeAsync(_remote, "410102196001010010", "13912340000");
        Assert.That((badId.StatusCode, (await JsonAsync(badId)).GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_id_number")));
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before));

        // The kiosk's limit: one person holds at most two open numbers of a service a day.
        Assert.That((await TakeAsync(_remote, "410102196001010019", "13912345678")).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var third = await TakeAsync(_remote, "410102196001010019", "13912345678");
        Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        var refusal = await JsonAsync(third);
        Assert.That((refusal.GetProperty("code").GetString(), refusal.GetProperty("messageZh").GetString()), Is.EqualTo(("too_many_open_tickets", "您今日在该业务已有未办结的号码")));
    }

    [Test, Order(3)]
    public async Task The_phones_number_is_called_at_the_window_like_any_other()
    {
        var clerk = await _hall.ClerkAsync(6);
        var window = await _app.WindowIdAsync(_hall.HallId, 6);
        (await clerk.OpenAsync(window)).Ok();

        var called = (await clerk.CallNextAsync(window)).Ok();

        Assert.That((called.Ticket.Number, called.Reason), Is.EqualTo(("D001", CallReason.InOrder)));
    }

    [Test, Order(4)]
    public async Task After_hours_the_phone_is_told_the_hall_is_not_open()
    {
        _app.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 30, 18, 0, 0, TimeSpan.FromHours(8)).ToUniversalTime());

        var late = await TakeAsync(_remote, "410102196001010027", "13912340000");

        Assert.That((late.StatusCode, (await JsonAsync(late)).GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.BadRequest, "outside_opening_hours")));
    }
}
