using Hall.Server.Alerts;
using Hall.Server.Contracts;
using Hall.Server.Ratings;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// The supervisor's live wall in Chromium on the real server, under the server's fake clock: each kind of alert
/// is raised when its condition starts and cleared when it ends; acknowledged alerts are marked; the supervisor
/// transfers and cancels waiting tickets from the wall.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class WallTests
{
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _wall = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        // Monday 10:00 in the hall, open since 09:00: every window still closed and no device ever seen.
        // The clock jumps of up to 31 minutes below are about alerts, not about the supervisor's idle session.
        _app = await HallApp.StartAsync("wall", settings: new Dictionary<string, string?> { ["Hall:Login:IdleMinutes"] = "600" });
        _hall = await SeededHall.CreateAsync(_app);
        await _app.Services.GetRequiredService<AlertMonitor>().EvaluateAsync(_hall.HallId, default);
        _wall = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/wall");
        await Assertions.Expect(_wall.Locator("[data-testid=\"wall\"]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private ILocator Alert(AlertKind kind, string subject) => _wall.Locator($"[data-testid=\"alert-{kind}-{subject}\"]");

    /// <summary>
    /// Moves the server's fake clock, which lets its periodic evaluation run, then opens the wall afresh: SignalR on
    /// the server follows the same fake clock, so a jump of minutes times out the page's live connection (a test
    /// artefact — real clocks do not jump). What changes without a jump is checked on the live page.
    /// </summary>
    private async Task TickAsync(TimeSpan? by = null)
    {
        _app.Clock.Advance(by ?? AlertMonitor.Every);
        await Task.Delay(1000);
        await _wall.ReloadAsync();
        try
        {
            await Assertions.Expect(_wall.Locator("[data-testid=\"wall\"]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        }
        catch (PlaywrightException)
        {
            // A jump of the fake clock can time out the circuit the reload had just opened (the server's SignalR follows that clock); open it again.
            await _wall.ReloadAsync();
            await Assertions.Expect(_wall.Locator("[data-testid=\"wall\"]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        }
    }

    private async Task RaisedAsync(AlertKind kind, string subject, string? text = null)
    {
        await Assertions.Expect(Alert(kind, subject)).ToBeVisibleAsync(new() { Timeout = 15_000 });
        if (text is not null)
        {
            await Assertions.Expect(Alert(kind, subject)).ToContainTextAsync(text);
        }
    }

    private async Task ClearedAsync(AlertKind kind, string subject)
    {
        await Assertions.Expect(Alert(kind, subject)).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await using var db = _app.Db();
        var kept = await db.Alerts.AsNoTracking().Where(a => a.Kind == kind && a.Subject == subject).Select(a => a.ClearedAt != null).ToListAsync();
        Assert.That(kept, Is.Not.Empty.And.All.True, "kept in the list, cleared");
    }

    [Test, Order(1)]
    public async Task An_unstaffed_window_is_an_alert_until_a_clerk_opens_it()
    {
        var window = await _app.WindowIdAsync(_hall.HallId, 1);
        await RaisedAsync(AlertKind.WindowUnstaffed, $"window:{window}", "1号窗口");
        await Browser.Screenshot(_wall, "wall-1-morning");
        // Windows 1–13 are due all day; 14 and 15 (办不成事反映, 企业家会客厅) open on demand and raise nothing.
        await Assertions.Expect(_wall.Locator($"[data-testid=\"alert-group-{AlertKind.WindowUnstaffed}\"] [data-testid=\"group-count\"]")).ToHaveTextAsync("13");
        await Assertions.Expect(Alert(AlertKind.WindowUnstaffed, $"window:{await _app.WindowIdAsync(_hall.HallId, 14)}")).ToHaveCountAsync(0);

        (await (await _hall.ClerkAsync(1)).OpenAsync(window)).Ok();

        await ClearedAsync(AlertKind.WindowUnstaffed, $"window:{window}");
        await Assertions.Expect(_wall.Locator("[data-testid=\"tile-1\"] [data-testid=\"tile-status\"]")).ToHaveTextAsync("空闲");
    }

    [Test, Order(2)]
    public async Task A_device_offline_or_out_of_paper_is_an_alert_until_it_is_back()
    {
        // The key is hd_{device id}_{secret}.
        var kioskId = int.Parse(_hall.Credentials.DeviceKeys["kiosk"].Split('_')[1], System.Globalization.CultureInfo.InvariantCulture);
        // Registered but never connected: not installed yet, which is no alert (the demo hall had 15 such evaluators).
        await Assertions.Expect(_wall.Locator($"[data-testid=\"device-{kioskId}\"] [data-testid=\"device-online\"]")).ToHaveTextAsync("未安装");
        await Assertions.Expect(_wall.Locator($"[data-testid^=\"alert-{AlertKind.DeviceOffline}-\"]")).ToHaveCountAsync(0);

        var kiosk = await _hall.DeviceAsync("kiosk");
        await _wall.ReloadAsync();
        await Assertions.Expect(_wall.Locator($"[data-testid=\"device-{kioskId}\"] [data-testid=\"device-online\"]")).ToHaveTextAsync("在线");

        await kiosk.Connection.InvokeAsync(nameof(IHallHub.ReportStatus), new DeviceStatusReport("PaperOut", "缺纸"));
        await RaisedAsync(AlertKind.DeviceFault, $"device:{kioskId}:PaperOut", "打印机缺纸");
        // In the supervisor's words, not the agent's code.
        await Assertions.Expect(_wall.Locator($"[data-testid=\"device-{kioskId}\"] [data-testid=\"device-status\"]")).ToHaveTextAsync("打印机缺纸 缺纸");

        await kiosk.Connection.InvokeAsync(nameof(IHallHub.ReportStatus), new DeviceStatusReport("Ready", null));
        await ClearedAsync(AlertKind.DeviceFault, $"device:{kioskId}:PaperOut");
        await Assertions.Expect(_wall.Locator($"[data-testid=\"device-{kioskId}\"] [data-testid=\"device-status\"]")).ToHaveTextAsync("正常");

        // Gone again: offline once it has been away longer than the hall's limit (3 minutes).
        await kiosk.DisposeAsync();
        // The server notices the goodbye on its own time: tick only once it has.
        await using (var db = _app.Db())
        {
            for (var until = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < until && await db.Devices.AsNoTracking().AnyAsync(d => d.Id == kioskId && d.Online); await Task.Delay(100))
            {
            }
        }
        await TickAsync(TimeSpan.FromMinutes(2));
        await Assertions.Expect(Alert(AlertKind.DeviceOffline, $"device:{kioskId}")).ToHaveCountAsync(0);
        await TickAsync(TimeSpan.FromMinutes(2));
        await RaisedAsync(AlertKind.DeviceOffline, $"device:{kioskId}");
        await Assertions.Expect(_wall.Locator($"[data-testid=\"device-{kioskId}\"] [data-testid=\"device-online\"]")).ToHaveTextAsync("离线");
    }

    [Test, Order(3)]
    public async Task A_wait_beyond_the_target_is_an_alert_until_the_ticket_is_called()
    {
        var kiosk = await _hall.DeviceAsync("kiosk");
        var shebao = await _app.ServiceIdAsync(_hall.HallId, "shebao");
        (await kiosk.IssueAsync(shebao)).Ok();
        await TickAsync(TimeSpan.FromMinutes(29));
        await Assertions.Expect(Alert(AlertKind.LongWait, $"service:{shebao}")).ToHaveCountAsync(0);

        await TickAsync(TimeSpan.FromMinutes(2));
        await RaisedAsync(AlertKind.LongWait, $"service:{shebao}", "最长已等候 31 分钟");

        (await (await _hall.ClerkAsync(1)).CallNextAsync(await _app.WindowIdAsync(_hall.HallId, 1))).Ok();
        await ClearedAsync(AlertKind.LongWait, $"service:{shebao}");
    }

    [Test, Order(4)]
    public async Task A_queue_over_its_threshold_is_an_alert_and_the_supervisor_transfers_and_cancels_from_the_wall()
    {
        var kiosk = await _hall.DeviceAsync("kiosk");
        var yibao = await _app.ServiceIdAsync(_hall.HallId, "yibao");
        var shebao = await _app.ServiceIdAsync(_hall.HallId, "shebao");
        char prefix;
        await using (var db = _app.Db())
        {
            await db.Services.Where(s => s.Id == yibao).ExecuteUpdateAsync(s => s.SetProperty(x => x.AlertWaitingCount, 2));
            prefix = await db.Services.Where(s => s.Id == yibao).Select(s => s.Prefix).SingleAsync();
        }
        var tickets = new List<TicketView>();
        for (var i = 0; i < 3; i++)
        {
            tickets.Add((await kiosk.IssueAsync(yibao)).Ok().Ticket);
        }
        await RaisedAsync(AlertKind.QueueLong, $"service:{yibao}", "3 人等候（上限 2）");
        await Browser.Screenshot(_wall, "wall-2-alerts");
        // No window serving 医保 is open yet: the wall does not invent a wait in minutes.
        await Assertions.Expect(_wall.Locator($"tr[data-testid=\"service-{prefix}\"] [data-testid=\"estimate\"]")).ToHaveTextAsync("暂无窗口办理");

        await _wall.ClickAsync($"[data-testid=\"open-{prefix}\"]");
        var row = _wall.Locator($"[data-testid=\"ticket-{tickets[0].Number}\"]");
        // Each row has its own reason: one typed on the next row does not cancel this one.
        await _wall.Locator($"[data-testid=\"ticket-{tickets[1].Number}\"] [data-testid=\"reason\"]").FillAsync("另一行的原因");
        await row.Locator("[data-testid=\"cancel\"]").ClickAsync();
        await Assertions.Expect(_wall.Locator("[data-testid=\"message\"]")).ToHaveTextAsync("请填写作废原因");
        await using (var db = _app.Db())
        {
            Assert.That(await db.Tickets.Where(t => t.Id == tickets[0].TicketId).Select(t => t.State).SingleAsync(), Is.EqualTo(TicketState.Waiting));
        }
        await row.Locator("[data-testid=\"reason\"]").FillAsync("群众已离开");
        await row.Locator("[data-testid=\"cancel\"]").ClickAsync();
        await Assertions.Expect(_wall.Locator("[data-testid=\"message\"]")).ToHaveTextAsync("已作废");
        await ClearedAsync(AlertKind.QueueLong, $"service:{yibao}");

        row = _wall.Locator($"[data-testid=\"ticket-{tickets[1].Number}\"]");
        await row.Locator("[data-testid=\"to-service\"]").SelectOptionAsync(new SelectOptionValue { Label = "社保业务" });
        await row.Locator("[data-testid=\"transfer\"]").ClickAsync();
        await Assertions.Expect(_wall.Locator("[data-testid=\"message\"]")).ToHaveTextAsync("已转办");

        // The last one is called from the wall to window 3, which has just opened and is idle.
        var window3 = await _app.WindowIdAsync(_hall.HallId, 3);
        (await (await _hall.ClerkAsync(3)).OpenAsync(window3)).Ok();
        row = _wall.Locator($"[data-testid=\"ticket-{tickets[2].Number}\"]");
        await Assertions.Expect(row.Locator("[data-testid=\"to-window\"] option", new() { HasTextString = "3 号" })).ToHaveCountAsync(1);
        await row.Locator("[data-testid=\"to-window\"]").SelectOptionAsync(new SelectOptionValue { Value = window3.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await row.Locator("[data-testid=\"call\"]").ClickAsync();
        await Assertions.Expect(_wall.Locator("[data-testid=\"message\"]")).ToHaveTextAsync("已呼叫");
        await Assertions.Expect(_wall.Locator("[data-testid=\"tile-3\"]")).ToContainTextAsync(tickets[2].Number);

        await using var check = _app.Db();
        var cancelled = await check.Tickets.AsNoTracking().SingleAsync(t => t.Id == tickets[0].TicketId);
        Assert.That(cancelled.State, Is.EqualTo(TicketState.Cancelled));
        Assert.That(await check.TicketEvents.AsNoTracking().Where(e => e.TicketId == tickets[0].TicketId && e.Kind == Hall.Server.Tickets.TicketEventKind.Cancelled).Select(e => e.Detail).SingleAsync(),
            Does.Contain("群众已离开"), "the reason is in the event log");
        var moved = await check.Tickets.AsNoTracking().SingleAsync(t => t.Id == tickets[1].TicketId);
        Assert.That((moved.ServiceId, moved.State), Is.EqualTo((shebao, TicketState.Waiting)));
        var called = await check.Tickets.AsNoTracking().SingleAsync(t => t.Id == tickets[2].TicketId);
        Assert.That((called.State, called.WindowId), Is.EqualTo((TicketState.Called, (int?)window3)));
    }

    [Test, Order(5)]
    public async Task A_long_pause_is_an_alert_the_supervisor_acknowledges_and_it_clears_on_resume()
    {
        var clerk = await _hall.ClerkAsync(1);
        var window = await _app.WindowIdAsync(_hall.HallId, 1);
        await using (var db = _app.Db())
        {
            var current = await db.Tickets.AsNoTracking().SingleAsync(t => t.WindowId == window && t.State == TicketState.Called);
            (await clerk.StartAsync(window, current.Id)).Ok();
            (await clerk.FinishAsync(window, current.Id)).Ok();
        }
        (await clerk.PauseAsync(window, "会议")).Ok();
        await TickAsync(TimeSpan.FromMinutes(31));
        await RaisedAsync(AlertKind.LongPause, $"window:{window}", "暂停（会议）");

        await Alert(AlertKind.LongPause, $"window:{window}").Locator("[data-testid=\"ack\"]").ClickAsync();
        await Assertions.Expect(Alert(AlertKind.LongPause, $"window:{window}").Locator("[data-testid=\"acked\"]")).ToContainTextAsync("已确认");
        await Browser.Screenshot(_wall, "wall-3-acknowledged");

        await clerk.Connection.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.ResumeWindow), new WindowCommand(Guid.NewGuid(), window));
        await ClearedAsync(AlertKind.LongPause, $"window:{window}");
    }

    [Test, Order(6)]
    public async Task A_bad_rating_is_an_alert_until_its_follow_up_case_is_closed()
    {
        var clerk = await _hall.ClerkAsync(1);
        var kiosk = await _hall.DeviceAsync("kiosk");
        var window = await _app.WindowIdAsync(_hall.HallId, 1);
        await using var db = _app.Db();
        var ticket = (await clerk.CallNextAsync(window)).Ok().Ticket;
        (await clerk.StartAsync(window, ticket.TicketId)).Ok();
        (await clerk.FinishAsync(window, ticket.TicketId)).Ok();
        (await (await _hall.EvaluatorAsync(1)).RateAsync(ticket.TicketId, RatingLevel.VeryDissatisfied)).Ok();
        await TickAsync();
        await RaisedAsync(AlertKind.BadRating, $"ticket:{ticket.TicketId}", $"差评：{ticket.Number}");

        var caseId = await db.FollowUpCases.Where(f => f.TicketId == ticket.TicketId).Select(f => f.Id).SingleAsync();
        var supervisor = new Hall.Server.Queue.Actor(Hall.Server.Queue.ActorKind.Staff, await db.Staff.Where(s => s.HallId == _hall.HallId && s.Role == StaffRole.Supervisor).Select(s => s.Id).FirstAsync(),
            _hall.HallId, "值班长", StaffRole.Supervisor, null, null);
        var cases = _app.Services.GetRequiredService<FollowUps>();
        Assert.That(await cases.VerifyAsync(supervisor, caseId, "调取录像，群众等候较久", false, default), Is.Null);
        Assert.That(await cases.CallBackAsync(supervisor, caseId, CallBackVerdict.Basic, "已回访致歉", default), Is.Null);
        Assert.That(await cases.CloseAsync(supervisor, caseId, "已回访致歉", default), Is.Null);
        await TickAsync();
        await ClearedAsync(AlertKind.BadRating, $"ticket:{ticket.TicketId}");
        _ = kiosk;
    }
    [Test, Order(7)]
    public async Task A_windows_satisfaction_counts_basic_and_better_and_not_a_bad_rating()
    {
        // Window 12 (民政婚姻): four citizens rate on both sides of the line between 不满意 and 基本满意.
        var clerk = await _hall.ClerkAsync(12);
        var kiosk = await _hall.DeviceAsync("kiosk");
        var window = await _app.WindowIdAsync(_hall.HallId, 12);
        var minzheng = await _app.ServiceIdAsync(_hall.HallId, "minzheng");
        var evaluator = await _hall.EvaluatorAsync(12);
        (await clerk.OpenAsync(window)).Ok();
        foreach (var level in new[] { RatingLevel.VeryDissatisfied, RatingLevel.Dissatisfied, RatingLevel.Basic, RatingLevel.VerySatisfied })
        {
            (await kiosk.IssueAsync(minzheng)).Ok();
            var ticket = (await clerk.CallNextAsync(window)).Ok().Ticket;
            (await clerk.StartAsync(window, ticket.TicketId)).Ok();
            (await clerk.FinishAsync(window, ticket.TicketId)).Ok();
            (await evaluator.RateAsync(ticket.TicketId, level)).Ok();
        }
        await _wall.ReloadAsync();
        var tile = _wall.Locator("[data-testid=\"tile-12\"]");
        // 基本满意 and 非常满意 are satisfied, 不满意 and 非常不满意 are not: 2 of 4.
        await Assertions.Expect(tile.Locator(".today")).ToHaveTextAsync("办结 4 · 评价 4 · 50%", new() { Timeout = 20_000 });
    }
    [Test, Order(8)]
    public async Task Devices_are_listed_kiosks_first_and_by_number()
    {
        await _wall.ReloadAsync();
        var rows = _wall.Locator("[data-testid=\"devices\"] tbody tr");
        await Assertions.Expect(rows).Not.ToHaveCountAsync(0, new() { Timeout = 20_000 });
        var names = (await rows.Locator("td:first-child").AllTextContentsAsync()).Select(n => n.Trim()).ToList();
        var roles = (await rows.Locator("td:nth-child(2)").AllTextContentsAsync()).Select(r => r.Trim()).ToList();
        // The roles in the enum's order (取号机, 综合屏, 评价器), not alphabetically by their stored names.
        var firstOf = new[] { "取号机", "大屏", "评价器" }.Select(role => roles.FindIndex(r => r.StartsWith(role, StringComparison.Ordinal))).ToList();
        Assert.That(firstOf, Is.Ordered.And.All.GreaterThanOrEqualTo(0), string.Join(" | ", roles));
        // 2号 before 10号.
        var evaluators = names.Select(n => System.Text.RegularExpressions.Regex.Match(n, @"^(\d+)号窗口评价器$")).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.That(evaluators, Has.Count.GreaterThanOrEqualTo(15));
        Assert.That(evaluators, Is.Ordered, string.Join(" | ", names));
    }

    [Test, Order(9)]
    public async Task With_many_alerts_the_queues_stay_in_view_and_a_group_is_acknowledged_at_once()
    {
        await _wall.SetViewportSizeAsync(1366, 768);
        await _wall.ReloadAsync();
        var group = _wall.Locator($"[data-testid=\"alert-group-{AlertKind.WindowUnstaffed}\"]");
        await Assertions.Expect(group).ToBeVisibleAsync(new() { Timeout = 20_000 });
        int unseen, otherUnseen;
        await using (var db = _app.Db())
        {
            unseen = await db.Alerts.CountAsync(a => a.HallId == _hall.HallId && a.Kind == AlertKind.WindowUnstaffed && a.ClearedAt == null && a.AcknowledgedAt == null);
            otherUnseen = await db.Alerts.CountAsync(a => a.HallId == _hall.HallId && a.Kind != AlertKind.WindowUnstaffed && a.ClearedAt == null && a.AcknowledgedAt == null);
        }
        Assert.That(unseen, Is.GreaterThan(5), "several windows are still unstaffed");

        // The queue table starts on the first screen, however many alerts there are (it began ~1,000 px down).
        var queues = await _wall.Locator("[data-testid=\"services\"] table").BoundingBoxAsync();
        Assert.That(queues!.Y, Is.LessThan(768 - 100), "the queue table's first rows are on the first screen");
        await Browser.Screenshot(_wall, "wall-4-1366x768");

        await Assertions.Expect(group.Locator("[data-testid=\"ack-all\"]")).ToHaveTextAsync($"全部确认（{unseen}）");
        await group.Locator("[data-testid=\"ack-all\"]").ClickAsync();
        await Assertions.Expect(group.Locator("[data-testid=\"acked\"]")).ToHaveCountAsync(unseen);
        await Assertions.Expect(group.Locator("[data-testid=\"ack-all\"]")).ToHaveCountAsync(0);
        await using (var db = _app.Db())
        {
            var acked = await db.Alerts.AsNoTracking().Where(a => a.HallId == _hall.HallId && a.Kind == AlertKind.WindowUnstaffed && a.ClearedAt == null).ToListAsync();
            Assert.That(acked.Select(a => a.AcknowledgedByName), Has.All.EqualTo("马主任"));
            // Only that group: the other kinds are left for the supervisor to see.
            Assert.That(await db.Alerts.CountAsync(a => a.HallId == _hall.HallId && a.Kind != AlertKind.WindowUnstaffed && a.ClearedAt == null && a.AcknowledgedAt == null), Is.EqualTo(otherUnseen));
        }
    }
}
