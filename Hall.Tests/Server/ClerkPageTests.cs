using System.Net;
using System.Text.RegularExpressions;
using Hall.Tests.Support;

namespace Hall.Tests.Server;

/// <summary>The first clerk page, driven as a browser would: log in, pick a window, open it and run a ticket through.</summary>
[TestFixture]
public sealed partial class ClerkPageTests
{
    [GeneratedRegex("<form method=post action=(?<action>/clerk/\\d+/[a-z-]+)><input type=hidden name=commandId value=(?<id>[0-9a-f-]+)>(?:<input type=hidden name=ticketId value=(?<ticket>\\d+)>)?")]
    private static partial Regex FormPattern();

    private static async Task<string> PostFormAsync(HttpClient http, string page, string action, params (string, string)[] extra)
    {
        var form = FormPattern().Matches(page).First(m => m.Groups["action"].Value.EndsWith("/" + action, StringComparison.Ordinal));
        var fields = new List<KeyValuePair<string, string>> { new("commandId", form.Groups["id"].Value) };
        if (form.Groups["ticket"].Success)
        {
            fields.Add(new("ticketId", form.Groups["ticket"].Value));
        }
        fields.AddRange(extra.Select(e => new KeyValuePair<string, string>(e.Item1, e.Item2)));
        var response = await http.PostAsync(form.Groups["action"].Value, new FormUrlEncodedContent(fields));
        return await response.Content.ReadAsStringAsync();
    }

    [Test]
    public async Task A_clerk_logs_in_opens_a_window_calls_serves_and_finishes_from_the_page()
    {
        await using var app = await HallApp.StartAsync("clerkpage");
        await using var hall = await SeededHall.CreateAsync(app);
        var kiosk = await hall.DeviceAsync("kiosk");
        var issued = (await kiosk.IssueAsync(await app.ServiceIdAsync(hall.HallId, "shebao"))).Ok();
        var window1 = await app.WindowIdAsync(hall.HallId, 1);
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = app.BaseAddress };

        Assert.That(await http.GetStringAsync("/clerk"), Does.Contain("窗口工作人员登录"), "not logged in: the login page");
        var wrong = await http.PostAsync("/login", new FormUrlEncodedContent([new("login", "xinxian-clerk01"), new("password", "nope")]));
        Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("用户名或密码错误"));
        var list = await (await http.PostAsync("/login", new FormUrlEncodedContent([new("login", "xinxian-clerk01"), new("password", hall.Credentials.Passwords["xinxian-clerk01"])]))).Content.ReadAsStringAsync();
        Assert.That(list, Does.Contain("请选择窗口").And.Contain("1 号 社保窗口"));

        var page = await http.GetStringAsync($"/clerk/{window1}");
        Assert.That(page, Does.Contain("未开启").And.Contain("开启窗口（签到）"));
        page = await PostFormAsync(http, page, "open");
        Assert.That(page, Does.Contain("已开启").And.Contain("社保业务：等候 <b>1</b> 人").And.Contain("叫下一位"));
        var beforeCall = page;
        page = await PostFormAsync(http, page, "call-next");
        Assert.That(page, Does.Contain($"<p class=number>{issued.Ticket.Number}</p>").And.Contain("已呼叫"));
        page = await PostFormAsync(http, page, "start");
        Assert.That(page, Does.Contain("办理中").And.Contain("办结"));
        page = await PostFormAsync(http, page, "finish", ("outcome", "告知承诺"));
        Assert.That(page, Does.Contain("<p class=number>—</p>").And.Contain("已完成"));

        // A form sent twice (a double click, a browser resend) is applied once: the call is answered with its first result,
        // even though a second citizen is now waiting who a new call would reach.
        (await kiosk.IssueAsync(await app.ServiceIdAsync(hall.HallId, "shebao"))).Ok();
        page = await PostFormAsync(http, beforeCall, "call-next");
        Assert.That(page, Does.Contain("<p class=number>—</p>").And.Contain("已完成"), "the repeated call did not call anyone new");
        await using var db = app.Db();
        Assert.That(db.TicketEvents.Count(e => e.Kind == Hall.Server.Tickets.TicketEventKind.Called), Is.EqualTo(1));
        Assert.That(db.Tickets.Single(t => t.Id == issued.Ticket.TicketId).Outcome, Is.EqualTo("告知承诺"));

        page = await http.GetStringAsync($"/clerk/{window1}");
        page = await PostFormAsync(http, page, "pause", ("reason", "会议"));
        Assert.That(page, Does.Contain("暂停：会议").And.Contain("恢复"));
    }
}
