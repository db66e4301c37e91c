using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// What a waiting citizen is told — at the kiosk, on the phone page and by the notice — is where the real call order puts
/// the ticket, and no minutes are guessed while no window can take it. Each test uses services no other test here opens.
/// </summary>
[TestFixture]
public sealed class PeopleAheadTests() : HallFixture("people-ahead")
{
    private const string Mobile = "13812345678";

    [Test]
    public async Task A_priority_ticket_is_told_the_number_of_calls_that_really_come_before_it()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk = await Seeded.ClerkAsync(12);
        var window = await App.WindowIdAsync(Seeded.HallId, 12);
        var minzheng = await App.ServiceIdAsync(Seeded.HallId, "minzheng");
        (await clerk.OpenAsync(window)).Ok();
        // The window has just served a priority citizen: two normal tickets come before the next priority one (1 : 2).
        var first = (await kiosk.IssueAsync(minzheng, PriorityClass.Elderly)).Ok();
        Assert.That((await clerk.CallNextAsync(window)).Ok().Ticket.TicketId, Is.EqualTo(first.Ticket.TicketId));
        await ServeAsync(clerk, window, first.Ticket.TicketId);
        for (var i = 0; i < 5; i++)
        {
            (await kiosk.IssueAsync(minzheng)).Ok();
        }

        var elderly = (await kiosk.IssueAsync(minzheng, PriorityClass.Elderly)).Ok();

        Assert.That(elderly.PeopleAhead, Is.EqualTo(2), "called third, not after the five who came before");
        var handling = await App.Db().Services.Where(s => s.Id == minzheng).Select(s => s.DefaultHandlingMinutes).SingleAsync();
        Assert.That(elderly.EstimatedWaitMinutes, Is.EqualTo(2 * handling), "two citizens at one window, at the default handling time");
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        Assert.That(await PollAsync(http, elderly.TrackingCode), Is.EqualTo(((int?)2, (int?)(2 * handling))), "the phone page says the same");
        var before = 0;
        while (true)
        {
            var called = (await clerk.CallNextAsync(window)).Ok();
            if (called.Ticket.TicketId == elderly.Ticket.TicketId)
            {
                Assert.That(called.Reason, Is.EqualTo(CallReason.Priority));
                break;
            }
            before++;
            await ServeAsync(clerk, window, called.Ticket.TicketId);
        }
        Assert.That(before, Is.EqualTo(elderly.PeopleAhead));
    }

    [Test]
    public async Task With_no_window_open_the_kiosk_the_phone_page_and_the_boards_say_no_window_is_serving_and_give_no_minutes()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var jiaotong = await App.ServiceIdAsync(Seeded.HallId, "jiaotong");
        (await kiosk.IssueAsync(jiaotong)).Ok();

        var mine = (await kiosk.IssueAsync(jiaotong)).Ok();

        Assert.That((mine.PeopleAhead, mine.EstimatedWaitMinutes), Is.EqualTo((1, (int?)null)), "still one in line before it, but no wait to tell");
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        var html = await http.GetStringAsync(new Uri($"/t/{mine.TrackingCode}", UriKind.Relative));
        Assert.That(html, Does.Contain("前面还有 1 人").And.Contain("暂无窗口办理").And.Not.Contain("分钟"));
        Assert.That(await PollAsync(http, mine.TrackingCode), Is.EqualTo(((int?)1, (int?)null)));
        await kiosk.WaitForAsync(k => k.ServiceMessages.Any(s => s.ServiceId == jiaotong && s.Version >= mine.Ticket.Version), "the service's new state");
        var state = kiosk.ServiceMessages.Last(s => s.ServiceId == jiaotong);
        Assert.That((state.Waiting, state.EstimatedWaitMinutes), Is.EqualTo((2, (int?)null)), "the boards and the kiosk's home say 暂无窗口办理, not 约 20 分钟");
    }

    [Test]
    public async Task The_notice_and_the_phone_page_count_the_tickets_a_window_serving_two_services_calls_first()
    {
        // Window 2 serves 社保 first, then 人社就业: a 就业 ticket waits for every 社保 ticket there.
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk = await Seeded.ClerkAsync(2);
        var window = await App.WindowIdAsync(Seeded.HallId, 2);
        var (shebao, jiuye) = (await App.ServiceIdAsync(Seeded.HallId, "shebao"), await App.ServiceIdAsync(Seeded.HallId, "jiuye"));
        (await clerk.OpenAsync(window)).Ok();
        for (var i = 0; i < 5; i++)
        {
            (await kiosk.IssueAsync(shebao)).Ok();
        }

        var mine = (await kiosk.IssueWithMobileAsync(jiuye, Mobile)).Ok();

        Assert.That(mine.PeopleAhead, Is.EqualTo(5), "nobody waits for 就业, but window 2 calls the five 社保 tickets first");
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        Assert.That((await PollAsync(http, mine.TrackingCode)).Ahead, Is.EqualTo(5));
        await ServeAsync(clerk, window, (await clerk.CallNextAsync(window)).Ok().Ticket.TicketId);
        await Task.Delay(300);
        Assert.That(App.Notices.Sent.Where(n => n.TicketId == mine.Ticket.TicketId), Is.Empty, "4 ahead: not yet");

        var second = (await clerk.CallNextAsync(window)).Ok();

        Assert.That(second.Ticket.ServiceId, Is.EqualTo(shebao));
        await WaitForAsync(() => App.Notices.Sent.Any(n => n.TicketId == mine.Ticket.TicketId), "the notice at 3 ahead");
        Assert.That(App.Notices.Sent.Single(n => n.TicketId == mine.Ticket.TicketId).Text, Does.Contain("前面还有3人"));
        Assert.That((await PollAsync(http, mine.TrackingCode)).Ahead, Is.EqualTo(3), "what the phone page says");
    }

    private static async Task ServeAsync(HubClient clerk, int window, long ticketId)
    {
        (await clerk.StartAsync(window, ticketId)).Ok();
        (await clerk.FinishAsync(window, ticketId)).Ok();
    }

    /// <summary>The phone page's people ahead and estimated wait.</summary>
    private static async Task<(int? Ahead, int? Wait)> PollAsync(HttpClient http, string code)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/t/{code}/state", UriKind.Relative)));
        var root = json.RootElement;
        Assert.That(root.GetProperty("state").GetString(), Is.EqualTo("Waiting"));
        int? Number(string name) => root.GetProperty(name) is { ValueKind: JsonValueKind.Number } n ? n.GetInt32() : null;
        return (Number("peopleAhead"), Number("estimatedWaitMinutes"));
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
