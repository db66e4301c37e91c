using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Media;
using Hall.Server.Queue;
using Hall.Server.Ratings;
using Hall.Server.Reports;
using Hall.Server.Staff;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Reports;

/// <summary>
/// Drives a hall through the queue core (the server's own QueueService) at chosen local times, so a report's figures
/// can be worked out by hand from the story the test tells.
/// </summary>
public sealed class MonthScenario
{
    private readonly HallApp _app;
    private readonly QueueService _queue;
    private readonly Actor _kiosk;
    private readonly Actor _supervisor;
    private readonly Actor _evaluator;
    private readonly Dictionary<int, Actor> _clerks = [];
    private readonly Dictionary<int, int> _windows = [];
    private readonly Dictionary<string, int> _services = [];
    private readonly Dictionary<string, int> _items = [];

    public int HallId { get; }

    /// <summary>The demo hall's logins, for signing in to its pages.</summary>
    public Hall.Server.Halls.DemoCredentials Credentials { get; private set; } = null!;

    /// <summary>The hall's supervisor (马主任 of the demo hall), for what a supervisor does on a page.</summary>
    public Actor Supervisor => _supervisor;

    public TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private MonthScenario(HallApp app, int hallId, Actor kiosk, Actor supervisor, Actor evaluator)
    {
        _evaluator = evaluator;
        _app = app;
        _queue = app.Services.GetRequiredService<QueueService>();
        HallId = hallId;
        _kiosk = kiosk;
        _supervisor = supervisor;
    }

    /// <summary>A demo hall with the county's hours; windows other than <paramref name="windows"/> are taken out of service.</summary>
    public static async Task<MonthScenario> CreateAsync(HallApp app, string code, bool openAllDay, params int[] windows)
    {
        var credentials = await app.SeedHallAsync(code, openAllDay);
        await using var db = app.Db();
        var hallId = credentials.HallId;
        await db.Windows.Where(w => w.HallId == hallId && !windows.Contains(w.Number)).ExecuteUpdateAsync(s => s.SetProperty(w => w.Active, false));
        var kiosk = await db.Devices.Where(d => d.HallId == hallId && d.Role == DeviceRole.Kiosk).OrderBy(d => d.Id).FirstAsync();
        var supervisor = await db.Staff.SingleAsync(s => s.HallId == hallId && s.Login == code + "-supervisor");
        // Ratings are the citizens', given on an evaluator; the scenario's one rates at every window.
        var evaluator = await db.Devices.Where(d => d.HallId == hallId && d.Role == DeviceRole.Evaluator).OrderBy(d => d.Id).FirstAsync();
        var scenario = new MonthScenario(app, hallId,
            new Actor(ActorKind.Device, kiosk.Id, hallId, kiosk.Name, null, DeviceRole.Kiosk, null),
            new Actor(ActorKind.Staff, supervisor.Id, hallId, supervisor.Name, StaffRole.Supervisor, null, null),
            new Actor(ActorKind.Device, evaluator.Id, hallId, evaluator.Name, null, DeviceRole.Evaluator, null));
        scenario.Credentials = credentials;
        foreach (var w in await db.Windows.Where(w => w.HallId == hallId).ToListAsync())
        {
            scenario._windows[w.Number] = w.Id;
        }
        foreach (var s in await db.Services.Where(s => s.HallId == hallId).ToListAsync())
        {
            scenario._services[s.Code] = s.Id;
        }
        foreach (var i in await db.ServiceItems.Where(i => i.HallId == hallId).ToListAsync())
        {
            scenario._items[i.Code] = i.Id;
        }
        foreach (var s in await db.Staff.Where(s => s.HallId == hallId && s.Login.StartsWith(code + "-clerk")).ToListAsync())
        {
            scenario._clerks[int.Parse(s.Login[^2..], System.Globalization.CultureInfo.InvariantCulture)] = new Actor(ActorKind.Staff, s.Id, hallId, s.Name, StaffRole.Clerk, null, null);
        }
        return scenario;
    }

    public string ClerkName(int number) => _clerks[number].Name;

    public int WindowId(int number) => _windows[number];

    /// <summary>Moves the server's clock to a local time of the hall (never back).</summary>
    public void At(int month, int day, int hour, int minute) => _app.Clock.SetUtcNow(Local(new DateTime(2026, month, day, hour, minute, 0)));

    public DateTimeOffset Local(DateTime local) => new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();

    private static Guid Id() => Guid.NewGuid();

    private static T Ok<T>(Reply<T> reply, string what) =>
        reply.Ok ? reply.Value! : throw new AssertionException($"{what}: refused {reply.Error?.Code} {reply.Error?.MessageEn}");

    public async Task<long> IssueAsync(string service, string? item = null) =>
        Ok(await _queue.IssueAsync(_kiosk, new IssueTicketCommand(Id(), _services[service], null, item is null ? null : _items[item], PriorityClass.Normal), default), "issue").Ticket.TicketId;

    public async Task OpenAsync(int window, int clerk) =>
        Ok(await _queue.OpenWindowAsync(_clerks[clerk], new WindowCommand(Id(), _windows[window]), default), "open");

    public async Task TakeOverAsync(int window, int clerk) =>
        Ok(await _queue.TakeOverWindowAsync(_clerks[clerk], new WindowCommand(Id(), _windows[window]), default), "take over");

    public async Task PauseAsync(int window, int clerk, string reason) =>
        Ok(await _queue.PauseWindowAsync(_clerks[clerk], new PauseWindowCommand(Id(), _windows[window], reason), default), "pause");

    public async Task ResumeAsync(int window, int clerk) =>
        Ok(await _queue.ResumeWindowAsync(_clerks[clerk], new WindowCommand(Id(), _windows[window]), default), "resume");

    public async Task CloseAsync(int window, int clerk) =>
        Ok(await _queue.CloseWindowAsync(_clerks[clerk], new WindowCommand(Id(), _windows[window]), default), "close");

    /// <summary>Calls the next ticket and checks it is the one the story expects.</summary>
    public async Task CallAsync(int window, int clerk, long expected)
    {
        var called = Ok(await _queue.CallNextAsync(_clerks[clerk], new WindowCommand(Id(), _windows[window]), default), "call");
        Assert.That(called.Ticket.TicketId, Is.EqualTo(expected), "the ticket called next");
    }

    public async Task StartAsync(int window, int clerk, long ticket) =>
        Ok(await _queue.StartServiceAsync(_clerks[clerk], new TicketCommand(Id(), _windows[window], ticket), default), "start");

    public async Task NoShowAsync(int window, int clerk, long ticket) =>
        Ok(await _queue.NoShowAsync(_clerks[clerk], new TicketCommand(Id(), _windows[window], ticket), default), "no-show");

    public async Task FinishAsync(int window, int clerk, long ticket, string outcome, params string[] items) =>
        Ok(await _queue.FinishAsync(_clerks[clerk], new FinishCommand(Id(), _windows[window], ticket, outcome, [.. items.Select(i => _items[i])]), default), "finish");

    /// <summary>Finishes a case accepted by 容缺受理 or 告知承诺, with what it still owes.</summary>
    public async Task FinishAsync(int window, int clerk, long ticket, string outcome, AcceptanceMode acceptance, FinishDetails details, params string[] items) =>
        Ok(await _queue.FinishAsync(_clerks[clerk], new FinishCommand(Id(), _windows[window], ticket, outcome, [.. items.Select(i => _items[i])], details, acceptance), default), "finish");

    public async Task TransferAsync(int window, int clerk, long ticket, string toService) =>
        Ok(await _queue.TransferAsync(_clerks[clerk], new TransferCommand(Id(), _windows[window], ticket, _services[toService], null), default), "transfer");

    public async Task RateAsync(long ticket, RatingLevel level, params string[] reasons) =>
        Ok(await _queue.RateAsync(_evaluator, new RateCommand(Id(), ticket, level, reasons), default), "rate");

    /// <summary>A ticket of <paramref name="service"/> served at the window from issue to 办结 and rated by the citizen; its id.</summary>
    public async Task<long> ServeAndRateAsync(int window, int clerk, string service, RatingLevel level, params string[] reasons)
    {
        var ticket = await IssueAsync(service);
        await CallAsync(window, clerk, ticket);
        await StartAsync(window, clerk, ticket);
        await FinishAsync(window, clerk, ticket, "办结");
        await RateAsync(ticket, level, reasons);
        return ticket;
    }

    /// <summary>A complaint (有诉即办) the supervisor registers from a phone call; its id.</summary>
    public async Task<long> ReceiveComplaintAsync(Hall.Server.Complaints.ComplaintCategory category)
    {
        var (c, refused) = await Complaints.RegisterAsync(_supervisor,
            new Hall.Server.Complaints.ComplaintForm(Hall.Server.Complaints.ComplaintChannel.Phone, "王五", "13700001111", category, "群众反映的问题"), default);
        Assert.That(refused, Is.Null, refused?.MessageEn);
        return c!.Id;
    }

    /// <summary>The supervisor takes a complaint through 交办 (to the hall's first department), 答复, 回访 with the citizen's verdict, and 办结.</summary>
    public async Task CloseComplaintAsync(long id, Hall.Server.Complaints.CallBackVerdict verdict)
    {
        string department;
        await using (var db = _app.Db())
        {
            department = (await Hall.Server.Complaints.Complaints.DepartmentsAsync(db, HallId, default))[0];
        }
        foreach (var step in new[]
        {
            () => Complaints.AssignAsync(_supervisor, id, department, null, default),
            () => Complaints.AnswerAsync(_supervisor, id, "已处理", default),
            () => Complaints.CallBackAsync(_supervisor, id, verdict, null, default),
            () => Complaints.CloseAsync(_supervisor, id, default),
        })
        {
            var refused = await step();
            Assert.That(refused, Is.Null, refused?.MessageEn);
        }
    }

    private Hall.Server.Complaints.Complaints Complaints => _app.Services.GetRequiredService<Hall.Server.Complaints.Complaints>();

    public async Task CloseFollowUpAsync(long ticket, string result)
    {
        await using var db = _app.Db();
        var id = await db.FollowUpCases.Where(c => c.TicketId == ticket).Select(c => c.Id).SingleAsync();
        // The loop before the closing: 核实 (not founded: no 整改), then 回访.
        var cases = _app.Services.GetRequiredService<FollowUps>();
        foreach (var step in new[]
        {
            () => cases.VerifyAsync(_supervisor, id, "调取录像核实", false, default),
            () => cases.CallBackAsync(_supervisor, id, CallBackVerdict.Basic, null, default),
            () => cases.CloseAsync(_supervisor, id, result, default),
        })
        {
            var refused = await step();
            Assert.That(refused, Is.Null, refused?.MessageEn);
        }
    }

    /// <summary>A media item of the hall and its plays as a lobby screen reported them (proof of play).</summary>
    public async Task PlayedAsync(string title, bool legal, params (DateTime LocalStart, int Seconds, bool Completed)[] plays)
    {
        await using var db = _app.Db();
        var item = new MediaItem
        {
            HallId = HallId,
            Title = title,
            Kind = MediaKind.Video,
            ContentType = "video/mp4",
            Size = 1000,
            Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(title))),
            Legal = legal,
            UploadedAt = _app.Clock.GetUtcNow(),
        };
        db.MediaItems.Add(item);
        await db.SaveChangesAsync();
        var display = await db.Devices.Where(d => d.HallId == HallId && d.Role == DeviceRole.Display).Select(d => d.Id).FirstAsync();
        foreach (var (start, seconds, completed) in plays)
        {
            var at = Local(start);
            db.MediaPlays.Add(new MediaPlay { PlayId = Guid.NewGuid(), HallId = HallId, DeviceId = display, MediaId = item.Id, StartedAt = at, EndedAt = at.AddSeconds(seconds), Completed = completed, ReceivedAt = at.AddSeconds(seconds) });
        }
        await db.SaveChangesAsync();
    }

    /// <summary>The hall's weekly hours set by its admin on the admin page's form, as of the server's current time.</summary>
    public async Task SetHoursAsync(string hoursText)
    {
        var form = AdminStore.FormOf(await Admin.HallAsync(HallId, default));
        var refused = await Admin.SaveHallAsync(await AdminAsync(), form with { HoursText = hoursText }, default);
        Assert.That(refused, Is.Null, refused?.MessageEn);
    }

    private AdminStore Admin => _app.Services.GetRequiredService<AdminStore>();

    private async Task<Actor> AdminAsync()
    {
        await using var db = _app.Db();
        var a = await db.Staff.SingleAsync(s => s.HallId == HallId && s.Role == StaffRole.Admin);
        return new Actor(ActorKind.Staff, a.Id, HallId, a.Name, a.Role, null, null);
    }

    public int ClerkId(int number) => _clerks[number].Id;

    /// <summary>排班 by the admin: the clerk due at the window (null: none fixed) on those weekdays of the dates; returns the days rostered.</summary>
    public async Task<int> RosterAsync(int clerk, int? window, DateOnly from, DateOnly to, params DayOfWeek[] weekdays)
    {
        var (days, refused) = await Admin.RosterAsync(await AdminAsync(), new RosterForm(_clerks[clerk].Id, window is { } w ? _windows[w] : null, from, to, weekdays), default);
        Assert.That(refused, Is.Null, refused?.MessageEn);
        return days;
    }

    public async Task LeaveAsync(int clerk, DateOnly from, DateOnly to, LeaveKind kind, string? note = null)
    {
        var refused = await Admin.AddLeaveAsync(await AdminAsync(), new LeaveForm(_clerks[clerk].Id, from, to, kind, note), default);
        Assert.That(refused, Is.Null, refused?.MessageEn);
    }

    /// <summary>The report of the period the schedule (or a person) stored, read back from its own files.</summary>
    public async Task<ReportReadBack> StoredAsync(ReportKind kind, DateOnly from, string artifactName)
    {
        await using var db = _app.Db();
        var stored = await db.Reports.AsNoTracking().SingleAsync(r => r.HallId == HallId && r.Kind == kind && r.PeriodFrom == from);
        return ReportReadBack.OfStored($"{kind} {from:yyyy-MM-dd}", stored.Pdf, stored.Xlsx, artifactName);
    }

    /// <summary>The report as the server builds it, at the server's current time.</summary>
    public Task<ReportDocument> ReportAsync(ReportKind kind, DateOnly day) =>
        _app.Services.GetRequiredService<ReportBuilder>().BuildAsync(HallId, kind, day, null, default);
}
