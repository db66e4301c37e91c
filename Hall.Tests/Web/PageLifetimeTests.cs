using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Devices;
using Hall.Server.Queue;
using Hall.Server.Tickets;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// An open page lives no longer than the sign-in or device key it was opened with (issue 15): when the right ends — on
/// this server or another — the page says so within seconds without anyone touching it, and nothing pressed in it
/// afterwards changes anything.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class PageLifetimeTests
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => (_playwright, _browser) = await Browser.LaunchAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    private static async Task<Actor> AdminAsync(HallApp app, int hallId)
    {
        await using var db = app.Db();
        var admin = await db.Staff.AsNoTracking().FirstAsync(s => s.HallId == hallId && s.Role == StaffRole.Admin);
        return new Actor(ActorKind.Staff, admin.Id, hallId, admin.Name, StaffRole.Admin, null, null);
    }

    [Test]
    public async Task A_console_open_on_another_server_gives_way_when_the_account_is_deactivated_and_calls_nobody()
    {
        await using var app = await HallApp.StartAsync("page-lifetime-console");
        await using var second = HallApp.StartAlongside(app);
        await using var hall = await SeededHall.CreateAsync(app);
        var window = await app.WindowIdAsync(hall.HallId, 7);
        var page = await StaffPages.SignInAsync(_browser, second.BaseAddress, hall.Credentials, "clerk07", $"/console/{window}");
        await Assertions.Expect(By(page, "console")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await page.Keyboard.PressAsync("o");
        await Assertions.Expect(By(page, "window-status")).ToHaveTextAsync("服务中", new() { Timeout = 10_000 });
        await using var kiosk = await hall.DeviceAsync("kiosk");
        var ticket = (await kiosk.IssueAsync(await app.ServiceIdAsync(hall.HallId, "huzheng"))).Ok().Ticket;

        var login = hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-clerk07", StringComparison.Ordinal));
        int staffId;
        await using (var db = app.Db())
        {
            staffId = await db.Staff.Where(s => s.Login == login).Select(s => s.Id).SingleAsync();
        }
        Assert.That(await app.Services.GetRequiredService<AdminStore>().UpdateStaffAsync(await AdminAsync(app, hall.HallId), staffId, StaffRole.Clerk, active: false, CancellationToken.None), Is.Null);

        // Nobody touches the page: within seconds it says the sign-in is over, and the console with its keys is gone.
        await Assertions.Expect(By(page, "sign-in-ended")).ToHaveAttributeAsync("data-code", "session_ended", new() { Timeout = 10_000 });
        await Assertions.Expect(By(page, "sign-in-ended")).ToContainTextAsync("本次登录已结束");
        await Assertions.Expect(By(page, "console")).ToHaveCountAsync(0);
        await Browser.Screenshot(page, "page-sign-in-ended");
        await page.Keyboard.PressAsync("n");
        await page.WaitForTimeoutAsync(500);
        await using (var db = app.Db())
        {
            var state = await db.Tickets.Where(t => t.Id == ticket.TicketId).Select(t => new { t.State, t.CallCount }).SingleAsync();
            Assert.That((state.State, state.CallCount), Is.EqualTo((TicketState.Waiting, 0)), "the number is still waiting, called by nobody");
        }
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task An_evaluator_whose_key_is_revoked_says_it_is_out_of_service()
    {
        await using var app = await HallApp.StartAsync("page-lifetime-evaluator");
        await using var hall = await SeededHall.CreateAsync(app);
        var window = await app.WindowIdAsync(hall.HallId, 3);
        var key = await app.CreateDeviceAsync(hall.HallId, "3号窗口评价器", DeviceRole.Evaluator, window);
        var tablet = await Browser.OpenAsync(_browser, new Uri(app.BaseAddress, "/evaluator").ToString(), new ViewportSize { Width = 1280, Height = 800 });
        await tablet.WaitForURLAsync("**/evaluator/pair");
        await tablet.FillAsync("input[name=key]", key);
        await tablet.ClickAsync("button[type=submit]");
        await Assertions.Expect(By(tablet, "idle")).ToBeVisibleAsync(new() { Timeout = 20_000 });

        var deviceId = int.Parse(key.Split('_')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(await app.Services.GetRequiredService<AdminStore>().RevokeDeviceAsync(await AdminAsync(app, hall.HallId), deviceId, CancellationToken.None), Is.Null);

        await Assertions.Expect(By(tablet, "sign-in-ended")).ToContainTextAsync("本设备暂停服务", new() { Timeout = 10_000 });
        await Assertions.Expect(By(tablet, "idle")).ToHaveCountAsync(0);
        await tablet.Context.CloseAsync();
    }
}
