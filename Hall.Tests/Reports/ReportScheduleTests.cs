using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Reports;

/// <summary>The reports made by themselves, in the hall's time, once, whatever number of servers run the schedule.</summary>
[TestFixture, NonParallelizable]
public sealed class ReportScheduleTests
{
    /// <summary>Friday 2026-11-27, 16:00 in Shanghai: the county hall closes at 17:30.</summary>
    private static readonly DateTimeOffset FridayAfternoon = new(2026, 11, 27, 16, 0, 0, TimeSpan.FromHours(8));

    private static readonly DateOnly Friday = new(2026, 11, 27);

    private static ReportSchedule Schedule(HallApp app) => app.Services.GetRequiredService<ReportSchedule>();

    private static async Task<List<(long Id, int? By, DateOnly To, byte[] Pdf, byte[] Xlsx)>> StoredAsync(HallApp app, int hallId, ReportKind kind, DateOnly from)
    {
        await using var db = app.Db();
        var rows = await db.Reports.AsNoTracking().Where(r => r.HallId == hallId && r.Kind == kind && r.PeriodFrom == from)
            .Select(r => new { r.Id, r.GeneratedByStaffId, r.PeriodTo, r.Pdf, r.Xlsx }).ToListAsync();
        return [.. rows.Select(r => (r.Id, r.GeneratedByStaffId, r.PeriodTo, r.Pdf, r.Xlsx))];
    }

    /// <summary>Waits (in real time) until the schedule's timer has stored the report.</summary>
    private static async Task WaitForAsync(HallApp app, int hallId, ReportKind kind, DateOnly from)
    {
        for (var tries = 0; tries < 200 && (await StoredAsync(app, hallId, kind, from)).Count == 0; tries++)
        {
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task No_daily_patrol_sheet_is_made_before_the_day_is_over()
    {
        await using var app = await HallApp.StartAsync("reportsbefore", FridayAfternoon, reportSchedule: true);
        await using var hall = await SeededHall.CreateAsync(app);
        app.Clock.Advance(TimeSpan.FromMinutes(89));
        await Schedule(app).PatrolAsync(catchUp: false, CancellationToken.None);
        Assert.That(await StoredAsync(app, hall.HallId, ReportKind.DailyPatrol, Friday), Is.Empty, "17:29 is still inside the afternoon's hours");

        // Closed at 17:30, but a case finished or rated in the evening still belongs to Friday's sheet.
        app.Clock.Advance(TimeSpan.FromMinutes(390));
        await Schedule(app).PatrolAsync(catchUp: false, CancellationToken.None);
        Assert.That(await StoredAsync(app, hall.HallId, ReportKind.DailyPatrol, Friday), Is.Empty, "23:59 is still Friday");
    }

    [Test]
    public async Task After_closing_the_day_has_exactly_one_patrol_sheet_made_by_the_schedule()
    {
        await using var app = await HallApp.StartAsync("reportsafter", FridayAfternoon, reportSchedule: true);
        await using var hall = await SeededHall.CreateAsync(app);
        // The server's own timer notices the time (00:01 on Saturday): no direct call.
        app.Clock.Advance(TimeSpan.FromMinutes(481));
        await WaitForAsync(app, hall.HallId, ReportKind.DailyPatrol, Friday);
        await Schedule(app).PatrolAsync(catchUp: false, CancellationToken.None);
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        await Schedule(app).PatrolAsync(catchUp: true, CancellationToken.None);

        var stored = await StoredAsync(app, hall.HallId, ReportKind.DailyPatrol, Friday);
        Assert.That(stored, Has.Count.EqualTo(1));
        Assert.That(stored[0].By, Is.Null, "made by the schedule, not by a person");
        Assert.That(stored[0].To, Is.EqualTo(Friday));
        Assert.That(stored[0].Pdf.AsSpan(0, 4).SequenceEqual("%PDF"u8), Is.True);
        Assert.That(stored[0].Xlsx.AsSpan(0, 2).SequenceEqual("PK"u8), Is.True, "an xlsx is a zip");
    }

    [Test]
    public async Task Two_servers_running_the_schedule_on_one_database_store_the_day_once()
    {
        await using var first = await HallApp.StartAsync("reportstwo", FridayAfternoon, reportSchedule: true);
        await using var hall = await SeededHall.CreateAsync(first);
        await using var second = HallApp.StartAlongside(first);
        first.Clock.Advance(TimeSpan.FromMinutes(481));
        second.Clock.Advance(TimeSpan.FromMinutes(481));
        // Both timers fire, and both servers are also asked directly, several times at once.
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => Schedule(i % 2 == 0 ? first : second).PatrolAsync(catchUp: i < 2, CancellationToken.None))));
        await WaitForAsync(first, hall.HallId, ReportKind.DailyPatrol, Friday);
        await Task.Delay(500);

        Assert.That(await StoredAsync(first, hall.HallId, ReportKind.DailyPatrol, Friday), Has.Count.EqualTo(1));
        await using var db = first.Db();
        var perPeriod = await db.Reports.GroupBy(r => new { r.HallId, r.Kind, r.PeriodFrom }).Select(g => g.Count()).ToListAsync();
        Assert.That(perPeriod, Is.Not.Empty.And.All.EqualTo(1), "no report of any period twice");
    }

    [Test]
    public async Task On_the_first_of_the_month_the_bulletin_of_the_month_before_is_made()
    {
        await using var app = await HallApp.StartAsync("reportsmonth", new DateTimeOffset(2026, 12, 1, 0, 30, 0, TimeSpan.FromHours(8)), reportSchedule: true);
        await using var hall = await SeededHall.CreateAsync(app);
        await Schedule(app).PatrolAsync(catchUp: false, CancellationToken.None);

        var november = await StoredAsync(app, hall.HallId, ReportKind.MonthlyBulletin, new DateOnly(2026, 11, 1));
        Assert.That(november.Select(r => (r.By, r.To)), Is.EqualTo(new[] { ((int?)null, new DateOnly(2026, 11, 30)) }));
        Assert.That(await StoredAsync(app, hall.HallId, ReportKind.MonthlyBulletin, new DateOnly(2026, 12, 1)), Is.Empty, "December is not over");
        Assert.That(await StoredAsync(app, hall.HallId, ReportKind.DailyPatrol, new DateOnly(2026, 12, 1)), Is.Empty, "the hall has not even opened");
    }

    [Test]
    public async Task A_day_the_hall_is_closed_has_no_patrol_sheet()
    {
        await using var app = await HallApp.StartAsync("reportsclosed", FridayAfternoon, reportSchedule: true);
        await using var hall = await SeededHall.CreateAsync(app);
        await using (var db = app.Db())
        {
            db.CalendarDays.Add(new HallCalendarDay { HallId = hall.HallId, Date = Friday, Open = false, Note = "临时闭厅" });
            await db.SaveChangesAsync();
        }
        app.Clock.Advance(TimeSpan.FromHours(9));
        await Schedule(app).PatrolAsync(catchUp: false, CancellationToken.None);

        Assert.That(await StoredAsync(app, hall.HallId, ReportKind.DailyPatrol, Friday), Is.Empty);
    }

    [Test]
    public async Task The_schedule_never_replaces_a_report_a_supervisor_generated()
    {
        await using var app = await HallApp.StartAsync("reportskeep", FridayAfternoon, reportSchedule: true);
        await using var hall = await SeededHall.CreateAsync(app);
        int supervisor;
        await using (var db = app.Db())
        {
            supervisor = await db.Staff.Where(m => m.Login == "xinxian-supervisor").Select(m => m.Id).SingleAsync();
        }
        var id = await app.Services.GetRequiredService<ReportStore>().ReplaceAsync(hall.HallId, ReportKind.DailyPatrol, Friday, supervisor, null, CancellationToken.None);
        app.Clock.Advance(TimeSpan.FromHours(9));
        await Schedule(app).PatrolAsync(catchUp: false, CancellationToken.None);

        var stored = await StoredAsync(app, hall.HallId, ReportKind.DailyPatrol, Friday);
        Assert.That(stored.Select(r => (r.Id, r.By)), Is.EqualTo(new[] { (id, (int?)supervisor) }));
    }

    [Test]
    public async Task A_server_started_after_a_downtime_catches_up_the_days_it_missed()
    {
        var app = await HallApp.StartAsync("reportsdowntime", FridayAfternoon, reportSchedule: true);
        SeededHall hall;
        await using (app)
        {
            hall = await SeededHall.CreateAsync(app);
            await hall.DisposeAsync();
        }
        // Down from Friday 16:00 to Monday 16:00: Friday's sheet and last week's figures were never made.
        app.Clock.Advance(TimeSpan.FromDays(3));
        await using var restarted = HallApp.Restart(app);
        await WaitForAsync(restarted, hall.HallId, ReportKind.DailyPatrol, Friday);
        await WaitForAsync(restarted, hall.HallId, ReportKind.Weekly, new DateOnly(2026, 11, 23));

        Assert.That(await StoredAsync(restarted, hall.HallId, ReportKind.DailyPatrol, Friday), Has.Count.EqualTo(1));
        Assert.That(await StoredAsync(restarted, hall.HallId, ReportKind.Weekly, new DateOnly(2026, 11, 23)), Has.Count.EqualTo(1));
        Assert.That(await StoredAsync(restarted, hall.HallId, ReportKind.DailyPatrol, new DateOnly(2026, 11, 28)), Is.Empty, "Saturday the hall was closed");
        Assert.That(await StoredAsync(restarted, hall.HallId, ReportKind.DailyPatrol, new DateOnly(2026, 11, 30)), Is.Empty, "Monday is not over");
    }

    [Test]
    public void On_1_January_the_year_before_is_due_with_December_and_the_week_before_a_Monday()
    {
        var due = ReportSchedule.Due(new DateTime(2029, 1, 1, 8, 0, 0, DateTimeKind.Unspecified), WeeklyHours.CountyDefault, [], catchUp: false).ToList();

        Assert.That(due, Is.EquivalentTo(new[]
        {
            (ReportKind.Weekly, new DateOnly(2028, 12, 25)),
            (ReportKind.MonthlyBulletin, new DateOnly(2028, 12, 1)),
            (ReportKind.Year, new DateOnly(2028, 1, 1)),
        }), "1 January 2029 is a Monday, before opening");
    }

    [Test]
    public void After_a_downtime_the_first_pass_catches_up_the_last_days_last_week_and_last_month()
    {
        var due = ReportSchedule.Due(new DateTime(2026, 11, 27, 8, 0, 0, DateTimeKind.Unspecified), WeeklyHours.CountyDefault, [], catchUp: true).ToList();

        Assert.That(due, Is.EquivalentTo(new[]
        {
            (ReportKind.DailyPatrol, new DateOnly(2026, 11, 24)),
            (ReportKind.DailyPatrol, new DateOnly(2026, 11, 25)),
            (ReportKind.DailyPatrol, new DateOnly(2026, 11, 26)),
            (ReportKind.Weekly, new DateOnly(2026, 11, 20)),
            (ReportKind.MonthlyBulletin, new DateOnly(2026, 10, 27)),
        }));
    }
}
