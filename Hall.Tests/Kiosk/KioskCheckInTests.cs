using Hall.Server.Bookings;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Hall.Tests.Kiosk;

/// <summary>
/// 预约签到 at the kiosk, as citizens do it: the code typed on the touch keypad, the booking's QR held to the scanner (which
/// types the link and Enter, as a keyboard), the ID card laid on the reader, and an ID number typed too early. Hall.Kiosk as
/// its own process with a fake reader on a socat pair (no printer: tickets on the screen), Hall.Server on Kestrel, the page in
/// Chromium at 1080×1920.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class KioskCheckInTests
{
    // Monday 30 November 2026, 10:00 in the hall (HallApp's clock): the 10:30 slot's check-in window is open (10:00–10:45).
    private static readonly DateOnly Today = new(2026, 11, 30);
    private static readonly TimeOnly HalfPastTen = new(10, 30);

    private AgentProcess _kiosk = null!;
    private FakeIdCardReader _reader = null!;
    private IPage _page = null!;
    private IBrowser _browser = null!;
    private IPlaywright _playwright = null!;
    private HallApp _server = null!;
    private SeededHall _hall = null!;
    private int _serviceId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await HallApp.StartAsync("kiosk-check-in");
        _hall = await SeededHall.CreateAsync(_server);
        _serviceId = await _server.ServiceIdAsync(_hall.HallId, "huzheng");
        await using (var db = _server.Db())
        {
            db.SlotSchedules.Add(new SlotSchedule { HallId = _hall.HallId, ServiceId = _serviceId, SlotMinutes = 30, Capacity = 5, DaysAhead = 7, ReleaseAt = new TimeOnly(8, 0) });
            await db.SaveChangesAsync();
        }
        _reader = await FakeIdCardReader.StartAsync();
        _kiosk = await AgentProcess.StartKioskAsync(_server, _hall, new Dictionary<string, string>
        {
            ["Kiosk__IdCardReader__PortName"] = _reader.PortPath,
            ["Kiosk__IdCardReader__PollMs"] = "200",
            ["Kiosk__IdleSeconds"] = "600",
            ["Kiosk__ScreenTicketSeconds"] = "600",
        });
        (_playwright, _browser) = await Browser.LaunchAsync();
        _page = await Browser.OpenAsync(_browser, _kiosk.BaseAddress.ToString());
        await Assertions.Expect(TestId("open-checkin")).ToBeVisibleAsync(new() { Timeout = 20_000 });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _kiosk.DisposeAsync();
        await _reader.DisposeAsync();
        await _hall.DisposeAsync();
        await _server.DisposeAsync();
    }

    private ILocator TestId(string id) => _page.Locator($"[data-testid=\"{id}\"]");

    private static string IdNumber(int n)
    {
        var body = $"410102{1950 + n}0303{n:000}";
        return IdNumbers.Complete(body);
    }

    private async Task<BookingView> BookAsync(string idNumber, TimeOnly start, string mobile)
    {
        var (booking, refused) = await _server.Services.GetRequiredService<BookingService>().BookAsync(_hall.HallId,
            new BookRequest(Guid.NewGuid(), _serviceId, null, Today, start, "张桂兰", idNumber, mobile), default);
        Assert.That(refused, Is.Null, () => refused!.MessageEn);
        return booking!;
    }

    private async Task<Booking> RowAsync(string code)
    {
        await using var db = _server.Db();
        return await db.Bookings.AsNoTracking().SingleAsync(b => b.Code == code);
    }

    /// <summary>The result screen for a booking's ticket: the number the server issued for it, and the slot.</summary>
    private async Task ExpectCheckedInAsync(BookingView booking, string screenshot)
    {
        await Assertions.Expect(_page.Locator("[data-screen=\"result\"]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(TestId("result-booking")).ToHaveTextAsync("预约 10:30–11:00 · 已签到");
        var row = await RowAsync(booking.Code);
        Assert.That(row.State, Is.EqualTo(BookingState.CheckedIn));
        await using var db = _server.Db();
        var number = await db.Tickets.Where(t => t.Id == row.TicketId).Select(t => t.Number).SingleAsync();
        await Assertions.Expect(TestId("result-number")).ToHaveTextAsync(number);
        await Browser.Screenshot(_page, screenshot);
        await TestId("result-done").ClickAsync();
        await Assertions.Expect(TestId("open-checkin")).ToBeVisibleAsync();
    }

    [Test, Order(1)]
    public async Task The_code_typed_on_the_keypad_checks_in_and_the_screen_shows_the_number_and_the_slot()
    {
        var booking = await BookAsync(IdNumber(1), HalfPastTen, "13700000001");

        await TestId("open-checkin").ClickAsync();
        await Assertions.Expect(TestId("checkin-display")).ToHaveTextAsync("请输入预约码");
        await Assertions.Expect(TestId("checkin-ok")).ToBeDisabledAsync();
        foreach (var c in booking.Code)
        {
            await _page.Locator($"[data-code-key=\"{c}\"]").ClickAsync();
        }
        await Assertions.Expect(TestId("checkin-display")).ToHaveTextAsync(BookingCodes.Display(booking.Code));
        await Browser.Screenshot(_page, "kiosk-checkin-1-code");
        var keyHeight = (await _page.Locator("[data-code-key=\"A\"]").BoundingBoxAsync())!.Height;
        Assert.That(keyHeight, Is.GreaterThanOrEqualTo(100), "keys an elderly finger can hit");
        await TestId("checkin-ok").ClickAsync();

        await ExpectCheckedInAsync(booking, "kiosk-checkin-2-result");
    }

    [Test, Order(2)]
    public async Task The_booking_QR_held_to_the_scanner_checks_in_from_the_home_screen()
    {
        var booking = await BookAsync(IdNumber(2), HalfPastTen, "13700000002");

        // The scanner reads the booking page's link from the QR and types it, then Enter.
        await _page.Keyboard.TypeAsync($"{HallApp.PublicBaseUrl}/book/xinxian/b/{booking.Code}", new() { Delay = 5 });
        await _page.Keyboard.PressAsync("Enter");

        await ExpectCheckedInAsync(booking, "kiosk-checkin-3-scanned");
    }

    [Test, Order(3)]
    public async Task The_id_card_laid_on_the_reader_checks_in_its_holders_booking()
    {
        var booking = await BookAsync(IdCardReaderTests.Elder.IdNumber, HalfPastTen, "13700000003");

        _reader.Lay(IdCardReaderTests.Elder);

        await ExpectCheckedInAsync(booking, "kiosk-checkin-4-card");
        _reader.Lift();
    }

    [Test, Order(4)]
    public async Task An_id_number_typed_too_early_is_told_when_to_come_back_and_nothing_is_issued()
    {
        var booking = await BookAsync(IdNumber(4), new TimeOnly(11, 30), "13700000004");
        int tickets;
        await using (var db = _server.Db())
        {
            tickets = await db.Tickets.CountAsync();
        }

        await TestId("open-checkin").ClickAsync();
        await TestId("checkin-id").ClickAsync();
        foreach (var c in IdNumber(4))
        {
            await _page.Locator($"[data-id-key=\"{c}\"]").ClickAsync();
        }
        await TestId("idcard-ok").ClickAsync();

        await Assertions.Expect(TestId("dialog-message")).ToHaveTextAsync("您预约的时段是 11:30–12:00，请于 11:00 后再来签到", new() { Timeout = 15_000 });
        await Browser.Screenshot(_page, "kiosk-checkin-5-early");
        await TestId("dialog-ok").ClickAsync();
        Assert.That((await RowAsync(booking.Code)).State, Is.EqualTo(BookingState.Booked));
        await using var after = _server.Db();
        Assert.That(await after.Tickets.CountAsync(), Is.EqualTo(tickets));
    }

    [Test, Order(5)]
    public async Task The_clerk_sees_the_booked_slot_on_the_ticket_called()
    {
        var console = await Hall.Tests.Web.StaffPages.SignInAsync(_browser, _server, _hall, "clerk06");
        await console.ClickAsync("[data-testid=\"window-6\"]");
        await Assertions.Expect(console.Locator("[data-testid=\"console\"]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await console.Keyboard.PressAsync("o");
        await Assertions.Expect(console.Locator("[data-testid=\"window-status\"]")).ToHaveTextAsync("服务中");

        await console.Keyboard.PressAsync("n");

        // The first booking checked in (test 1's) is called first: its slot has not begun, so it is called in arrival order.
        await Assertions.Expect(console.Locator("[data-testid=\"current-number\"]")).ToHaveTextAsync("D001", new() { Timeout = 10_000 });
        await Assertions.Expect(console.Locator("[data-testid=\"current-booking\"]")).ToHaveTextAsync("预约 10:30–11:00");
        // The bookings still waiting say so in the list, with the slot from which they go ahead of walk-ins.
        await Assertions.Expect(console.Locator("[data-testid=\"waiting-booking-D002\"]")).ToHaveTextAsync("预约 10:30");
        await Browser.Screenshot(console, "kiosk-checkin-6-console");
        await console.CloseAsync();
    }
}
