using System.Globalization;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Server.Windows;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>The clerk's console in Chromium against the real server: keys, live state, two consoles on one window, handover.</summary>
[TestFixture, NonParallelizable]
public sealed class ConsoleTests
{
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("console");
        _hall = await SeededHall.CreateAsync(_app);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    private async Task CallCountIsAsync(long ticketId, int calls)
    {
        for (var tries = 0; tries < 100; tries++)
        {
            await using var db = _app.Db();
            if (await db.Tickets.Where(t => t.Id == ticketId).Select(t => t.CallCount).SingleAsync() == calls)
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"the ticket was not called {calls} times");
    }

    [Test, Order(1)]
    public async Task A_clerk_runs_a_whole_ticket_life_from_the_keyboard_and_the_lobby_sees_every_step()
    {
        var display = await _hall.DeviceAsync("display");
        var kiosk = await _hall.DeviceAsync("kiosk");
        var shebao = await _app.ServiceIdAsync(_hall.HallId, "shebao");
        var first = (await kiosk.IssueAsync(shebao)).Ok().Ticket;
        var second = (await kiosk.IssueAsync(shebao, PriorityClass.Elderly, idNumber: "410102199001011234")).Ok().Ticket;
        var window = await _app.WindowIdAsync(_hall.HallId, 1);

        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk01");
        await page.ClickAsync("[data-testid=\"window-1\"]");
        await Assertions.Expect(By(page, "console")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(By(page, "window-status")).ToHaveTextAsync("未开窗");
        await Assertions.Expect(page.Locator("button[data-key=o]")).ToContainTextAsync("O");
        await Browser.Screenshot(page, "console-1-closed");

        await page.Keyboard.PressAsync("o");
        await Assertions.Expect(By(page, "window-status")).ToHaveTextAsync("服务中");
        await display.WaitForAsync(d => d.WindowMessages.Any(w => w.WindowId == window && w.Status == WindowStatus.Open), "the lobby sees the window open");
        await Assertions.Expect(By(page, $"waiting-{first.Number}")).ToBeVisibleAsync();
        await Assertions.Expect(By(page, $"waiting-{second.Number}")).ToContainTextAsync("优先");

        await page.Keyboard.PressAsync("n");
        await Assertions.Expect(By(page, "current-number")).ToHaveTextAsync(second.Number, new() { Timeout = 10_000 });
        await display.WaitForAsync(d => d.Calls.Any(c => c.TicketNumber == second.Number && c.WindowNumber == 1 && !c.IsRecall), "the lobby hears the call");
        await Assertions.Expect(By(page, "current-id")).ToHaveTextAsync("身份证 4101**********1234");
        Assert.That(await page.ContentAsync(), Does.Not.Contain("410102199001011234"), "the clerk sees the ID number the citizen registered, masked");
        await Browser.Screenshot(page, "console-2-called");

        await page.Keyboard.PressAsync("r");
        await display.WaitForAsync(d => d.Calls.Count(c => c.TicketNumber == second.Number && c.IsRecall) == 1, "the lobby hears the recall");
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync($"已重呼 {second.Number}");

        await page.Keyboard.PressAsync("s");
        await Assertions.Expect(By(page, "current-state")).ToHaveTextAsync("办理中");
        await Assertions.Expect(By(page, "serving-for")).ToBeVisibleAsync();
        await display.WaitForAsync(d => d.WindowMessages.Any(w => w.WindowId == window && w.CurrentTicketState == TicketState.Serving), "the lobby sees the service start");
        await Browser.Screenshot(page, "console-3-serving");

        await page.Keyboard.PressAsync("f");
        await Assertions.Expect(By(page, "acceptance")).ToContainTextAsync("容缺受理");
        await Browser.Screenshot(page, "console-4-outcome");
        // R: accepted with materials to follow; 5 (咨询) accepts no case, so it is refused at once and nothing changes.
        await page.Keyboard.PressAsync("r");
        await page.Keyboard.PressAsync("5");
        await Assertions.Expect(By(page, "finish-error")).ToHaveTextAsync("咨询、退回补正、不予受理未受理案件，不能选择容缺受理或告知承诺，未作任何更改");
        await StillServingAsync(second.TicketId, "refused: a consultation accepts no case");
        await page.Keyboard.PressAsync("2");
        await FinishWithMaterialsToFollowAsync(page, second.TicketId);
        await Assertions.Expect(By(page, "current")).ToContainTextAsync("当前没有号");
        await Assertions.Expect(By(page, "today-served")).ToHaveTextAsync("1");

        await page.Keyboard.PressAsync("n");
        await Assertions.Expect(By(page, "current-number")).ToHaveTextAsync(first.Number);
        // 过号 right after the call asks first: the citizen may be on the way. Escape leaves the ticket called.
        await page.Keyboard.PressAsync("g");
        await Assertions.Expect(By(page, "no-show-ask")).ToContainTextAsync($"{first.Number} 刚呼叫 1 次");
        await Browser.Screenshot(page, "console-no-show-ask");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(By(page, "dialog")).ToHaveCountAsync(0);
        await using (var db = _app.Db())
        {
            Assert.That(await db.Tickets.Where(t => t.Id == first.TicketId).Select(t => t.State).SingleAsync(), Is.EqualTo(TicketState.Called), "asked, not done");
        }
        // Called as often as the hall allows (two recalls), 过号 needs no second word.
        foreach (var calls in new[] { 2, 3 })
        {
            await Assertions.Expect(page.Locator("button[data-key=r]")).ToBeEnabledAsync();
            await page.Keyboard.PressAsync("r");
            await CallCountIsAsync(first.TicketId, calls);
            // The clerk decides on what the screen shows: wait until it shows the recall, as a person would.
            await Assertions.Expect(By(page, "current-calls")).ToHaveTextAsync(calls.ToString());
        }
        await Assertions.Expect(page.Locator("button[data-key=g]")).ToBeEnabledAsync();
        await page.Keyboard.PressAsync("g");
        await Assertions.Expect(By(page, $"noshow-{first.Number}")).ToBeVisibleAsync();
        await Assertions.Expect(By(page, "today-noshows")).ToHaveTextAsync("1");
        await By(page, $"noshow-{first.Number}").Locator("button").ClickAsync();
        await Assertions.Expect(By(page, $"waiting-{first.Number}")).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("n");
        await Assertions.Expect(By(page, "current-number")).ToHaveTextAsync(first.Number);
        await page.Keyboard.PressAsync("t");
        await Assertions.Expect(By(page, "dialog")).ToBeVisibleAsync();
        await page.SelectOptionAsync("[data-testid=\"transfer-service\"]", new SelectOptionValue { Label = "医保业务" });
        await Assertions.Expect(page.Locator(".dialog button[data-key=Enter]")).ToBeEnabledAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync($"{first.Number} 已转办");
        await Assertions.Expect(By(page, "current")).ToContainTextAsync("当前没有号");
        await Assertions.Expect(By(page, "today-transferred")).ToHaveTextAsync("1");

        await page.Keyboard.PressAsync("p");
        await Assertions.Expect(By(page, "dialog")).ToContainTextAsync("休息");
        await page.Keyboard.PressAsync("1");
        await Assertions.Expect(By(page, "window-status")).ToHaveTextAsync("暂停（休息）");
        // The clerk sees how long the window has been paused (a short step of the test clock: SignalR follows it too).
        _app.Clock.Advance(TimeSpan.FromSeconds(20));
        await Assertions.Expect(By(page, "paused-for")).ToHaveTextAsync("已暂停 0:20");
        await display.WaitForAsync(d => d.WindowMessages.Any(w => w.WindowId == window && w.Status == WindowStatus.Paused && w.PauseReason == "休息"), "the lobby sees the pause");
        await page.Keyboard.PressAsync("u");
        await Assertions.Expect(By(page, "window-status")).ToHaveTextAsync("服务中");
        await page.Keyboard.PressAsync("q");
        await Assertions.Expect(By(page, "window-status")).ToHaveTextAsync("未开窗");
        await display.WaitForAsync(d => d.WindowMessages.Any(w => w.WindowId == window && w.Status == WindowStatus.Closed), "the lobby sees the window closed");

        await using var check = _app.Db();
        var kinds = await check.WindowEvents.AsNoTracking().Where(e => e.WindowId == window).OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync();
        Assert.That(kinds, Is.EqualTo(new[] { WindowEventKind.Opened, WindowEventKind.Paused, WindowEventKind.Resumed, WindowEventKind.Closed }));
        var transferred = await check.Tickets.AsNoTracking().SingleAsync(t => t.Id == first.TicketId);
        Assert.That((transferred.State, transferred.ServiceId), Is.EqualTo((TicketState.Waiting, await _app.ServiceIdAsync(_hall.HallId, "yibao"))));
    }

    private DateOnly HallToday => HallClock.BusinessDate(_app.Clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));

    private async Task StillServingAsync(long ticketId, string because)
    {
        await using var db = _app.Db();
        var t = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticketId);
        Assert.That((t.State, t.Outcome, t.MissingMaterials, t.AcceptanceDeadline), Is.EqualTo((TicketState.Serving, (string?)null, (string?)null, (DateOnly?)null)), because);
    }

    /// <summary>容缺受理 (key R) with 已受理 (key 2) opens its form: refused while a required field is missing or the deadline is past, then finished with the details stored.</summary>
    private async Task FinishWithMaterialsToFollowAsync(IPage page, long ticketId)
    {
        await Assertions.Expect(By(page, "finish-details-title")).ToHaveTextAsync("容缺受理 · 已受理");
        await Assertions.Expect(By(page, "missing-materials")).ToBeFocusedAsync();
        await Browser.Screenshot(page, "console-4b-materials-to-follow");

        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "finish-details-error")).ToHaveTextAsync("容缺受理须填写缺少的材料，未作任何更改");
        await StillServingAsync(ticketId, "refused without the missing materials");

        await By(page, "missing-materials").FillAsync("户口簿复印件");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "finish-details-error")).ToHaveTextAsync("请填写补正期限，未作任何更改");
        await StillServingAsync(ticketId, "refused without the deadline");

        await By(page, "deadline").FillAsync(HallToday.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await By(page, "deadline").PressAsync("Enter");
        await Assertions.Expect(By(page, "finish-details-error")).ToHaveTextAsync("期限不能早于今天，未作任何更改");
        await StillServingAsync(ticketId, "refused with a deadline in the past");

        var due = HallToday.AddDays(7);
        await By(page, "deadline").FillAsync(due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await By(page, "finish-note").FillAsync("申请人承诺三个工作日内补交");
        await By(page, "finish-note").PressAsync("Enter");
        await Assertions.Expect(By(page, "dialog")).ToHaveCountAsync(0);
        await using var db = _app.Db();
        var done = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticketId);
        Assert.That((done.State, done.Outcome, done.Acceptance, done.MissingMaterials, done.AcceptanceDeadline, done.FinishNote),
            Is.EqualTo((TicketState.Finished, "已受理", (AcceptanceMode?)AcceptanceMode.MaterialsToFollow, "户口簿复印件", (DateOnly?)due, "申请人承诺三个工作日内补交")),
            "accepted with key R, the outcome chosen with key 2, with its details");
    }

    [Test, Order(2)]
    public async Task Two_consoles_on_one_window_show_the_same_state_and_a_double_press_calls_once()
    {
        var kiosk = await _hall.DeviceAsync("kiosk");
        var gongjijin = await _app.ServiceIdAsync(_hall.HallId, "gongjijin");
        var tickets = new List<TicketView>();
        for (var i = 0; i < 3; i++)
        {
            tickets.Add((await kiosk.IssueAsync(gongjijin)).Ok().Ticket);
        }
        var window = await _app.WindowIdAsync(_hall.HallId, 10);
        var a = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk10", $"/console/{window}");
        var b = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk10", $"/console/{window}");
        await Assertions.Expect(By(a, "console")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(By(b, "console")).ToBeVisibleAsync(new() { Timeout = 20_000 });

        await a.Keyboard.PressAsync("o");
        await Assertions.Expect(By(b, "window-status")).ToHaveTextAsync("服务中", new() { Timeout = 10_000 });
        // Both consoles press call-next at once: one call, the other is told the window is busy.
        await Task.WhenAll(a.Keyboard.PressAsync("n"), b.Keyboard.PressAsync("n"));
        await Assertions.Expect(By(a, "current-number")).ToHaveTextAsync(tickets[0].Number, new() { Timeout = 10_000 });
        await Assertions.Expect(By(b, "current-number")).ToHaveTextAsync(tickets[0].Number, new() { Timeout = 10_000 });
        // B's own press was answered (window busy): its keys work again.
        await Assertions.Expect(b.Locator("button[data-key=s]")).ToBeEnabledAsync();
        await b.Keyboard.PressAsync("s");
        await Assertions.Expect(By(a, "current-state")).ToHaveTextAsync("办理中", new() { Timeout = 10_000 });

        await b.ReloadAsync();
        await Assertions.Expect(By(b, "current-number")).ToHaveTextAsync(tickets[0].Number, new() { Timeout = 20_000 });
        await Assertions.Expect(By(b, "current-state")).ToHaveTextAsync("办理中");
        await Browser.Screenshot(b, "console-5-second-console");

        await using var db = _app.Db();
        Assert.That(await db.Tickets.CountAsync(t => t.WindowId == window && t.CallCount > 0), Is.EqualTo(1), "called once");
        Assert.That(await db.TicketEvents.CountAsync(e => e.WindowId == window && e.Kind == Hall.Server.Tickets.TicketEventKind.Called), Is.EqualTo(1));
    }

    [Test, Order(3)]
    public async Task Another_clerk_takes_over_a_window_left_open_and_the_handover_is_recorded()
    {
        var window = await _app.WindowIdAsync(_hall.HallId, 10);
        var other = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk09", $"/console/{window}");
        await Assertions.Expect(By(other, "actions")).ToContainTextAsync("接管窗口", new() { Timeout = 20_000 });
        await Assertions.Expect(other.Locator("button[data-key=n]")).ToHaveCountAsync(0);

        var before = await By(other, "holder").TextContentAsync();

        // While the colleague is still signed in, only a supervisor (or the colleague closing the window) may hand it over.
        await other.Keyboard.PressAsync("h");
        await Assertions.Expect(By(other, "message")).ToHaveTextAsync("该窗口的工作人员仍在登录状态，请其关闭窗口后再接管，或由值班长接管");
        await using (var sessions = _app.Db())
        {
            // The colleague's sign-ins end (gone home without closing the window; the idle timeout does the same).
            var holder = await sessions.Staff.Where(s => s.Login.EndsWith("-clerk10")).Select(s => s.Id).SingleAsync();
            await sessions.StaffSessions.Where(s => s.StaffId == holder).ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, _app.Clock.GetUtcNow()));
        }

        await other.Keyboard.PressAsync("h");

        await Assertions.Expect(By(other, "message")).ToHaveTextAsync("已接管窗口");
        await Assertions.Expect(By(other, "holder")).Not.ToHaveTextAsync(before!);
        await Assertions.Expect(By(other, "current-state")).ToHaveTextAsync("办理中");
        await other.Keyboard.PressAsync("f");
        await Assertions.Expect(By(other, "dialog")).ToContainTextAsync("办结");
        await other.Keyboard.PressAsync("1");
        await Assertions.Expect(By(other, "current")).ToContainTextAsync("当前没有号");
        await using var db = _app.Db();
        var events = await db.WindowEvents.AsNoTracking().Where(e => e.WindowId == window).OrderBy(e => e.Id).Select(e => new { e.Kind, e.StaffId, e.SessionId }).ToListAsync();
        Assert.That(events.Select(e => e.Kind), Is.EqualTo(new[] { WindowEventKind.Opened, WindowEventKind.HandedOver, WindowEventKind.Opened }));
        Assert.That(events[2].StaffId, Is.Not.EqualTo(events[1].StaffId), "the new session is the other clerk's");
        Assert.That(events[2].SessionId, Is.Not.EqualTo(events[1].SessionId));
    }

    [Test, Order(4)]
    public async Task After_a_lost_network_the_console_shows_what_happened_meanwhile_and_a_number_is_called_by_hand()
    {
        var kiosk = await _hall.DeviceAsync("kiosk");
        var huzheng = await _app.ServiceIdAsync(_hall.HallId, "huzheng");
        var first = (await kiosk.IssueAsync(huzheng)).Ok().Ticket;
        var second = (await kiosk.IssueAsync(huzheng)).Ok().Ticket;
        var window = await _app.WindowIdAsync(_hall.HallId, 6);
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk06", $"/console/{window}");
        await Assertions.Expect(By(page, "console")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await page.Keyboard.PressAsync("o");
        await Assertions.Expect(By(page, "window-status")).ToHaveTextAsync("服务中");

        // The number asked for by hand (K), not the next in line.
        await page.Keyboard.PressAsync("k");
        await By(page, "call-number").FillAsync(second.Number);
        await Assertions.Expect(page.Locator(".dialog button[data-key=Enter]")).ToBeEnabledAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync($"已呼叫 {second.Number}");
        await Assertions.Expect(By(page, "current-number")).ToHaveTextAsync(second.Number);

        // The network goes; meanwhile the supervisor marks the no-show and calls the other ticket to this window.
        await page.Context.SetOfflineAsync(true);
        var supervisor = await _hall.StaffAsync("supervisor");
        (await supervisor.NoShowAsync(window, second.TicketId)).Ok();
        (await supervisor.CallNextAsync(window)).Ok();
        await page.Context.SetOfflineAsync(false);

        await Assertions.Expect(By(page, "current-number")).ToHaveTextAsync(first.Number, new() { Timeout = 30_000 });
        await Assertions.Expect(By(page, $"noshow-{second.Number}")).ToBeVisibleAsync();
        await Browser.Screenshot(page, "console-6-after-network");
    }

    [Test, Order(5)]
    public async Task A_transfer_note_is_read_at_the_window_that_calls_the_ticket_next()
    {
        var kiosk = await _hall.DeviceAsync("kiosk");
        var budongchan = await _app.ServiceIdAsync(_hall.HallId, "budongchan");
        var ticket = (await kiosk.IssueAsync(budongchan)).Ok().Ticket;
        var from = await _app.WindowIdAsync(_hall.HallId, 4);
        var to = await _app.WindowIdAsync(_hall.HallId, 5);
        var sender = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk04", $"/console/{from}");
        var receiver = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk05", $"/console/{to}");
        await Assertions.Expect(By(sender, "console")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(By(receiver, "console")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await sender.Keyboard.PressAsync("o");
        await receiver.Keyboard.PressAsync("o");
        await Assertions.Expect(By(receiver, "window-status")).ToHaveTextAsync("服务中");
        await Assertions.Expect(By(sender, "window-status")).ToHaveTextAsync("服务中");

        await sender.Keyboard.PressAsync("n");
        await Assertions.Expect(By(sender, "current-number")).ToHaveTextAsync(ticket.Number);
        await sender.Keyboard.PressAsync("t");
        await sender.SelectOptionAsync("[data-testid=\"transfer-window\"]", new SelectOptionValue { Label = "5号 不动产登记窗口" });
        await By(sender, "transfer-note-input").FillAsync("已核验身份证，缺婚姻状况证明");
        await Browser.Screenshot(sender, "console-transfer-note");
        await By(sender, "transfer-note-input").PressAsync("Enter");
        await Assertions.Expect(By(sender, "message")).ToHaveTextAsync($"{ticket.Number} 已转办");

        await Assertions.Expect(By(receiver, $"waiting-{ticket.Number}")).ToContainTextAsync("转本窗口");
        await receiver.Keyboard.PressAsync("n");
        await Assertions.Expect(By(receiver, "current-number")).ToHaveTextAsync(ticket.Number);
        await Assertions.Expect(By(receiver, "transfer-note")).ToHaveTextAsync("转办说明（来自 4号窗口）: 已核验身份证，缺婚姻状况证明");
        await Browser.Screenshot(receiver, "console-transfer-note-received");
    }

    [Test, Order(6)]
    public async Task The_waiting_list_is_in_the_order_call_next_calls()
    {
        var kiosk = await _hall.DeviceAsync("kiosk");
        var shuiwu = await _app.ServiceIdAsync(_hall.HallId, "shuiwu");
        var tickets = new List<TicketView>();
        foreach (var priority in new[] { PriorityClass.Normal, PriorityClass.Normal, PriorityClass.Normal, PriorityClass.Normal, PriorityClass.Elderly, PriorityClass.Normal, PriorityClass.Disabled })
        {
            tickets.Add((await kiosk.IssueAsync(shuiwu, priority)).Ok().Ticket);
        }
        var window = await _app.WindowIdAsync(_hall.HallId, 7);
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk07", $"/console/{window}");
        await Assertions.Expect(By(page, "console")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await page.Keyboard.PressAsync("o");
        await Assertions.Expect(By(page, "window-status")).ToHaveTextAsync("服务中");
        await Assertions.Expect(By(page, "waiting-count")).ToHaveTextAsync(tickets.Count.ToString(CultureInfo.InvariantCulture));
        var listed = await page.Locator("[data-testid=\"waiting\"] ol").First.Locator("li .number").AllTextContentsAsync();
        await Browser.Screenshot(page, "console-waiting-call-order");

        var clerk = await _hall.ClerkAsync(7);
        var called = new List<string>();
        foreach (var _ in tickets)
        {
            var next = (await clerk.CallNextAsync(window)).Ok().Ticket;
            called.Add(next.Number);
            (await clerk.StartAsync(window, next.TicketId)).Ok();
            (await clerk.FinishAsync(window, next.TicketId)).Ok();
        }
        Assert.That(called[0], Is.EqualTo(tickets[4].Number), "a fresh window starts with a priority ticket");
        Assert.That(listed, Is.EqualTo(called), "the list shows the next one first, then as call-next goes on");
    }

    [Test]
    public async Task A_clerk_cannot_open_a_window_of_another_hall()
    {
        int foreign;
        await using (var db = _app.Db())
        {
            // Another hall on the same server: a window of the township centre.
            var township = await db.Halls.Where(h => h.ParentId == _hall.HallId).Select(h => h.Id).FirstAsync();
            var window = new Hall.Server.Windows.Window { HallId = township, Number = 1, Name = "新集镇综合窗口" };
            db.Windows.Add(window);
            await db.SaveChangesAsync();
            foreign = window.Id;
        }
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk05", $"/console/{foreign}");
        await Assertions.Expect(page.Locator("main.console")).ToContainTextAsync("没有这个窗口", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("button[data-key]")).ToHaveCountAsync(0);
        await using var check = _app.Db();
        Assert.That(await check.WindowSessions.AnyAsync(s => s.WindowId == foreign), Is.False);
    }

    [TestCase("/_framework/blazor.web.js")]
    [TestCase("/staff.css")]
    [TestCase("/staff.js")]
    public async Task The_staff_pages_scripts_and_styles_are_served(string path)
    {
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };
        var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), path);
    }

    [Test]
    public async Task Anonymous_people_are_sent_to_sign_in_and_come_back_after()
    {
        var page = await Browser.OpenAsync(_browser, new Uri(_app.BaseAddress, "/console").ToString(), StaffPages.Desk);
        await page.WaitForURLAsync("**/login?back=%2Fconsole");
        await page.FillAsync("input[name=login]", "nobody");
        await page.FillAsync("input[name=password]", "wrong");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("[data-testid=\"login-error\"]")).ToHaveTextAsync("用户名或密码错误");
        await Browser.Screenshot(page, "login-error");
    }
}
