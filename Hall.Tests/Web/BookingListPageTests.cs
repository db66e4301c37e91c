using Hall.Server.Bookings;
using Hall.Tests.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// The supervisor's 预约名单 (/bookings, issue 19) in Chromium: the day's bookings of the hall with their slot, service, code and the
/// person only masked, each where it stands — a checked-in one where its ticket stands — with the counts per state; another day
/// and one service on request; a clerk refused.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class BookingListPageTests
{
    // Booked on Wednesday 25 November for Monday the 30th; the page is read on Monday at 10:00.
    private static readonly DateTimeOffset Wednesday = new(2026, 11, 25, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateOnly Monday = new(2026, 11, 30);

    private HallApp _app = null!;
    private MonthScenario _hall = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly Dictionary<string, string> _codes = [];
    private readonly Dictionary<string, string> _tickets = [];

    private static string IdNumber(int n)
    {
        var body = $"4101021985{n % 100:00}01{n % 1000:000}";
        return IdNumbers.Complete(body);
    }

    private static string Mobile(int n) => $"1390000{n:0000}";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("booking-list", Wednesday);
        var h = _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: false, 1, 2, 3);
        int shebao, yibao, item;
        await using (var db = _app.Db())
        {
            shebao = await db.Services.Where(s => s.HallId == h.HallId && s.Code == "shebao").Select(s => s.Id).SingleAsync();
            yibao = await db.Services.Where(s => s.HallId == h.HallId && s.Code == "yibao").Select(s => s.Id).SingleAsync();
            item = await db.ServiceItems.Where(i => i.HallId == h.HallId && i.ServiceId == shebao).OrderBy(i => i.Id).Select(i => i.Id).FirstAsync();
            db.SlotSchedules.AddRange(
                new SlotSchedule { HallId = h.HallId, ServiceId = shebao, SlotMinutes = 30, Capacity = 5, DaysAhead = 7 },
                new SlotSchedule { HallId = h.HallId, ServiceId = yibao, SlotMinutes = 30, Capacity = 5, DaysAhead = 7 });
            await db.SaveChangesAsync();
        }
        var bookings = _app.Services.GetRequiredService<BookingService>();
        var person = 0;
        async Task Book(string name, int service, int? itemId, DateOnly date, int hour, int minute)
        {
            person++;
            var (booking, refused) = await bookings.BookAsync(h.HallId, new BookRequest(Guid.NewGuid(), service, itemId, date, new TimeOnly(hour, minute), "王小华", IdNumber(person), Mobile(person)), default);
            Assert.That(refused, Is.Null, refused?.MessageEn);
            _codes[name] = booking!.Code;
        }
        await Book("finished", shebao, item, Monday, 9, 0);
        await Book("serving", shebao, null, Monday, 9, 30);
        await Book("called", shebao, null, Monday, 9, 30);
        await Book("waiting", yibao, null, Monday, 10, 0);
        await Book("booked", yibao, null, Monday, 10, 30);
        await Book("missed", yibao, null, Monday, 9, 0);
        await Book("cancelled", shebao, null, Monday, 10, 0);
        await Book("tuesday", shebao, null, Monday.AddDays(1), 9, 0);
        Assert.That(await bookings.CancelAsync(h.HallId, _codes["cancelled"], default), Is.Null);

        // Monday: the kiosk checks four in; window 1 serves two, window 2 calls the third; the 09:00 医保 booking is missed.
        h.At(11, 30, 9, 0);
        var t1 = await CheckInAsync("finished", "shebao");
        await h.OpenAsync(1, 1);
        await h.CallAsync(1, 1, t1);
        await h.StartAsync(1, 1, t1);
        h.At(11, 30, 9, 10);
        await h.FinishAsync(1, 1, t1, "办结");
        h.At(11, 30, 9, 25);
        var t2 = await CheckInAsync("serving", "shebao");
        var t3 = await CheckInAsync("called", "shebao");
        await h.CallAsync(1, 1, t2);
        await h.StartAsync(1, 1, t2);
        await h.OpenAsync(2, 2);
        await h.CallAsync(2, 2, t3);
        h.At(11, 30, 9, 55);
        await CheckInAsync("waiting", "yibao");
        await using (var db = _app.Db())
        {
            var missed = _codes["missed"];
            await db.Bookings.Where(b => b.Code == missed && b.State == BookingState.Booked)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BookingState.Missed).SetProperty(b => b.MissedAt, h.Local(new DateTime(2026, 11, 30, 9, 15, 0))));
        }
        h.At(11, 30, 10, 0);
    }

    /// <summary>签到 as the kiosk records it: a ticket of the service, and the booking checked in with it.</summary>
    private async Task<long> CheckInAsync(string name, string service)
    {
        var ticket = await _hall.IssueAsync(service);
        await using var db = _app.Db();
        var code = _codes[name];
        var booking = await db.Bookings.SingleAsync(b => b.Code == code);
        (booking.State, booking.CheckedInAt, booking.TicketId) = (BookingState.CheckedIn, _app.Clock.GetUtcNow(), ticket);
        await db.SaveChangesAsync();
        _tickets[name] = await db.Tickets.Where(t => t.Id == ticket).Select(t => t.Number).SingleAsync();
        return ticket;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static ILocator By(ILocator scope, string testId) => scope.Locator($"[data-testid=\"{testId}\"]");

    private ILocator Row(IPage page, string name) => page.Locator($"[data-testid=\"booking-{_codes[name]}\"]");

    private async Task ExpectRowAsync(IPage page, string name, string slot, string service, string item, int person, string state, string ticket)
    {
        var cells = Row(page, name).Locator("td");
        await Assertions.Expect(cells).ToHaveTextAsync(
            [slot, service, item, BookingCodes.Display(_codes[name]), "王*华", "4101**********" + IdNumber(person)[^4..], "139****" + Mobile(person)[^4..], state, ticket]);
    }

    [Test, Order(1)]
    public async Task A_supervisor_reads_the_days_bookings_where_each_stands_with_the_person_only_masked()
    {
        var page = await StaffPages.SignInAsync(_browser, _app.BaseAddress, _hall.Credentials, "supervisor", "/bookings");
        var main = page.Locator("main.bookings");
        await Assertions.Expect(By(main, "date")).ToHaveValueAsync("2026-11-30", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator(".staff-bar nav a[href=\"/bookings\"]")).ToHaveTextAsync("预约");
        // The day's seven, by slot: 09:00 社保 then 医保, the two 09:30 in the order they were made, then 10:00 and 10:30.
        await Assertions.Expect(main.Locator("tbody tr")).ToHaveCountAsync(7);
        await ExpectRowAsync(page, "finished", "09:00–09:30", "社保业务", await ItemNameAsync(), 1, "已办结", _tickets["finished"]);
        await ExpectRowAsync(page, "missed", "09:00–09:30", "医保业务", "—", 6, "爽约", "—");
        await ExpectRowAsync(page, "serving", "09:30–10:00", "社保业务", "—", 2, "办理中", _tickets["serving"]);
        await ExpectRowAsync(page, "called", "09:30–10:00", "社保业务", "—", 3, "已叫号", _tickets["called"]);
        await ExpectRowAsync(page, "cancelled", "10:00–10:30", "社保业务", "—", 7, "已取消", "—");
        await ExpectRowAsync(page, "waiting", "10:00–10:30", "医保业务", "—", 4, "已签到", _tickets["waiting"]);
        await ExpectRowAsync(page, "booked", "10:30–11:00", "医保业务", "—", 5, "已预约", "—");
        await Assertions.Expect(By(main, "count-all")).ToHaveTextAsync("7");
        foreach (var (state, count) in new[] { ("Booked", "已预约 1"), ("CheckedIn", "已签到 1"), ("Called", "已叫号 1"), ("Serving", "办理中 1"), ("Finished", "已办结 1"), ("Missed", "爽约 1"), ("Cancelled", "已取消 1"), ("NoShow", "过号 0") })
        {
            await Assertions.Expect(By(main, $"count-{state}")).ToHaveTextAsync(count);
        }
        // Never the numbers in clear.
        var shown = await page.Locator("body").InnerTextAsync() + await page.ContentAsync();
        foreach (var n in Enumerable.Range(1, 8))
        {
            Assert.That(shown, Does.Not.Contain(IdNumber(n)).And.Not.Contain(Mobile(n)));
        }
        await Browser.Screenshot(page, "bookings-1-today");

        // The ticket is finished while the page is open: its row follows.
        await _hall.FinishAsync(1, 1, (await TicketIdAsync("serving")), "办结");
        await Assertions.Expect(By(Row(page, "serving"), "state")).ToHaveTextAsync("已办结");
        await Assertions.Expect(By(main, "count-Finished")).ToHaveTextAsync("已办结 2");

        // One service only, then another day.
        await By(main, "service").SelectOptionAsync(new SelectOptionValue { Label = "医保业务" });
        await Assertions.Expect(main.Locator("tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(By(main, "count-all")).ToHaveTextAsync("3");
        await By(main, "date").FillAsync("2026-12-01");
        await Assertions.Expect(By(main, "empty")).ToHaveTextAsync("该业务当日无预约");
        await By(main, "service").SelectOptionAsync(new SelectOptionValue { Label = "全部业务" });
        await Assertions.Expect(main.Locator("tbody tr")).ToHaveCountAsync(1);
        await ExpectRowAsync(page, "tuesday", "09:00–09:30", "社保业务", "—", 8, "已预约", "—");
        await Browser.Screenshot(page, "bookings-2-tuesday");
        await page.Context.CloseAsync();
    }

    [Test, Order(2)]
    public async Task A_clerk_cannot_open_the_bookings_list()
    {
        var page = await StaffPages.SignInAsync(_browser, _app.BaseAddress, _hall.Credentials, "clerk03", "/bookings", expectArrival: false);
        await Assertions.Expect(page.Locator("[data-testid=\"not-allowed\"]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator(".staff-bar nav a[href=\"/bookings\"]")).ToHaveCountAsync(0);
        Assert.That(await page.Locator("main.bookings").CountAsync(), Is.Zero);
        await page.Context.CloseAsync();
    }

    [Test, Order(3)]
    public async Task The_list_reads_in_English_on_request()
    {
        var page = await StaffPages.SignInAsync(_browser, _app.BaseAddress, _hall.Credentials, "supervisor", "/bookings");
        await page.GotoAsync(new Uri(_app.BaseAddress, "/lang/en?back=/bookings").ToString());
        var main = page.Locator("main.bookings");
        await Assertions.Expect(main.Locator("h1")).ToHaveTextAsync("Bookings", new() { Timeout = 20_000 });
        await Assertions.Expect(By(Row(page, "missed"), "state")).ToHaveTextAsync("Missed");
        await Assertions.Expect(Row(page, "missed").Locator("td").Nth(1)).ToHaveTextAsync("Medical insurance");
        await Assertions.Expect(By(Row(page, "booked"), "state")).ToHaveTextAsync("Booked");
        await Assertions.Expect(By(main, "count-Finished")).ToHaveTextAsync("Finished 2");
        await page.Context.CloseAsync();
    }

    private async Task<string> ItemNameAsync()
    {
        await using var db = _app.Db();
        var code = _codes["finished"];
        return await (from b in db.Bookings join i in db.ServiceItems on b.ServiceItemId equals i.Id where b.Code == code select i.Name).SingleAsync();
    }

    private async Task<long> TicketIdAsync(string name)
    {
        await using var db = _app.Db();
        var code = _codes[name];
        return await db.Bookings.Where(b => b.Code == code).Select(b => b.TicketId!.Value).SingleAsync();
    }
}
