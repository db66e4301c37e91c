using Hall.Server.Contracts;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>Every invalid command is refused with a code and a Chinese and English message, and leaves every table as it was.</summary>
[TestFixture]
public sealed class RefusedCommandTests() : HallFixture("refused")
{
    private HubClient _kiosk = null!;
    private HubClient _clerk1 = null!;
    private HubClient _clerk6 = null!;
    private HubClient _evaluator = null!;
    private int _window1;
    private int _window6;
    private int _shebao;
    private TicketIssued _waiting = null!;
    private TicketIssued _rated = null!;

    [OneTimeSetUp]
    public async Task PrepareAsync()
    {
        _kiosk = await Seeded.DeviceAsync("kiosk");
        _clerk1 = await Seeded.ClerkAsync(1);
        _clerk6 = await Seeded.ClerkAsync(6);
        _evaluator = await Seeded.EvaluatorAsync(1);
        _window1 = await App.WindowIdAsync(Seeded.HallId, 1);
        _window6 = await App.WindowIdAsync(Seeded.HallId, 6);
        _shebao = await App.ServiceIdAsync(Seeded.HallId, "shebao");
        // One ticket served, finished and rated at window 1; one waiting; window 6 paused.
        _rated = (await _kiosk.IssueAsync(_shebao)).Ok();
        (await _clerk1.OpenAsync(_window1)).Ok();
        (await _clerk1.CallNextAsync(_window1)).Ok();
        (await _clerk1.StartAsync(_window1, _rated.Ticket.TicketId)).Ok();
        (await _clerk1.FinishAsync(_window1, _rated.Ticket.TicketId)).Ok();
        (await _evaluator.RateAsync(_rated.Ticket.TicketId, RatingLevel.Satisfied)).Ok();
        _waiting = (await _kiosk.IssueAsync(_shebao)).Ok();
        (await _clerk6.OpenAsync(_window6)).Ok();
        (await _clerk6.PauseAsync(_window6, "会议")).Ok();
    }


    private async Task AssertRefusedAndNothingChangedAsync<T>(Func<Task<Reply<T>>> command, string code)
    {
        var before = await TableDump.AllAsync(App.ConnectionString);
        var reply = await command();
        var after = await TableDump.AllAsync(App.ConnectionString);
        Assert.That(reply.Ok, Is.False);
        Assert.That(reply.Error!.Code, Is.EqualTo(code));
        Assert.That(reply.Error.MessageZh, Does.Match(@"\p{IsCJKUnifiedIdeographs}"), "a Chinese message");
        Assert.That(reply.Error.MessageEn, Does.Match("[A-Za-z]{3,}"), "an English message");
        Assert.That(after.Keys, Is.EqualTo(before.Keys));
        foreach (var table in before.Keys)
        {
            Assert.That(after[table], Is.EqualTo(before[table]), $"table {table} changed");
        }
    }

    [Test]
    public Task Finishing_a_waiting_ticket_is_refused() =>
        AssertRefusedAndNothingChangedAsync(() => _clerk1.FinishAsync(_window1, _waiting.Ticket.TicketId), "ticket_not_serving");

    [Test]
    public Task Calling_from_a_paused_window_is_refused() =>
        AssertRefusedAndNothingChangedAsync(() => _clerk6.CallNextAsync(_window6), "window_paused");

    [Test]
    public Task Rating_twice_is_refused() =>
        AssertRefusedAndNothingChangedAsync(() => _evaluator.RateAsync(_rated.Ticket.TicketId, RatingLevel.VeryDissatisfied), "already_rated");

    [Test]
    public Task Rating_a_ticket_that_is_not_finished_is_refused() =>
        AssertRefusedAndNothingChangedAsync(() => App.Services.GetRequiredService<QueueService>()
            .RateAsync(Actor.CitizenPhone(Seeded.HallId), new RateCommand(Guid.NewGuid(), _waiting.Ticket.TicketId, RatingLevel.Satisfied, null), default), "ticket_not_finished");

    [Test]
    public Task A_clerk_may_not_rate_even_a_ticket_served_at_their_own_window() =>
        AssertRefusedAndNothingChangedAsync(() => _clerk1.RateAsync(_rated.Ticket.TicketId, RatingLevel.VerySatisfied), "forbidden");

    [Test]
    public Task Issuing_for_an_unknown_service_is_refused() =>
        AssertRefusedAndNothingChangedAsync(() => _kiosk.IssueAsync(987654), "unknown_service");

    [Test]
    public Task Issuing_with_an_empty_command_id_is_refused() =>
        AssertRefusedAndNothingChangedAsync(() => _kiosk.IssueAsync(_shebao, id: Guid.Empty), "invalid_command");

    [Test]
    public Task Issuing_priority_for_a_service_without_priority_is_refused() =>
        AssertRefusedAndNothingChangedAsync(async () => _kiosk.IssueAsync(await App.ServiceIdAsync(Seeded.HallId, "fanying"), PriorityClass.Elderly).Result, "priority_not_accepted");

    [Test]
    public Task Pausing_with_a_reason_not_in_the_list_is_refused() =>
        AssertRefusedAndNothingChangedAsync(() => _clerk1.PauseAsync(_window1, "<script>alert(1)</script>"), "unknown_pause_reason");

    [Test]
    public Task Finishing_with_an_outcome_not_in_the_list_is_refused() =>
        AssertRefusedAndNothingChangedAsync(() => _clerk1.FinishAsync(_window1, _waiting.Ticket.TicketId, "'; DROP TABLE tickets; --"), "ticket_not_serving");

    [Test]
    public Task Starting_a_ticket_that_was_not_called_here_is_refused() =>
        AssertRefusedAndNothingChangedAsync(() => _clerk1.StartAsync(_window1, _waiting.Ticket.TicketId), "ticket_not_called");

    [Test]
    public Task Acting_on_an_unknown_ticket_is_refused() =>
        AssertRefusedAndNothingChangedAsync(() => _clerk1.NoShowAsync(_window1, 99_999_999), "unknown_ticket");

    [Test]
    public Task Reusing_a_command_id_for_another_command_is_refused() =>
        AssertRefusedAndNothingChangedAsync(async () =>
        {
            var used = await App.Db().Commands.Select(c => c.CommandId).FirstAsync();
            return await _clerk1.CallNextAsync(_window1, used);
        }, "command_id_reused");

    [Test]
    public async Task Repeating_a_command_id_with_other_arguments_is_refused()
    {
        var id = Guid.NewGuid();
        (await _kiosk.IssueAsync(_shebao, id: id)).Ok();
        var yibao = await App.ServiceIdAsync(Seeded.HallId, "yibao");
        await AssertRefusedAndNothingChangedAsync(() => _kiosk.IssueAsync(yibao, id: id), "command_id_reused");
    }

    [Test]
    public async Task Cancelling_a_finished_ticket_is_refused()
    {
        var supervisor = await Seeded.StaffAsync("supervisor");
        await AssertRefusedAndNothingChangedAsync(
            () => supervisor.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Cancel), new CancelCommand(Guid.NewGuid(), _rated.Ticket.TicketId, "测试")),
            "ticket_closed");
    }

    [Test]
    public async Task Issuing_outside_the_services_own_hours_is_refused()
    {
        var minzheng = await App.ServiceIdAsync(Seeded.HallId, "minzheng");
        await using (var db = App.Db())
        {
            var service = await db.Services.SingleAsync(s => s.Id == minzheng);
            service.Hours = WeeklyHours.Weekdays(new TimeRange(new TimeOnly(14, 0), new TimeOnly(16, 0)));
            await db.SaveChangesAsync();
        }
        await AssertRefusedAndNothingChangedAsync(() => _kiosk.IssueAsync(minzheng), "outside_opening_hours");
    }

    [Test]
    public async Task Issuing_on_a_holiday_of_the_calendar_is_refused()
    {
        var today = new DateOnly(2026, 11, 30);
        await using var db = App.Db();
        db.CalendarDays.Add(new HallCalendarDay { HallId = Seeded.HallId, Date = today, Open = false, Note = "临时闭厅" });
        await db.SaveChangesAsync();
        // As the admin pages do after a change to the calendar.
        var settings = App.Services.GetRequiredService<HallSettings>();
        settings.Invalidate(Seeded.HallId);
        try
        {
            await AssertRefusedAndNothingChangedAsync(() => _kiosk.IssueAsync(_shebao), "hall_closed_today");
        }
        finally
        {
            await db.CalendarDays.Where(c => c.HallId == Seeded.HallId && c.Date == today).ExecuteDeleteAsync();
            settings.Invalidate(Seeded.HallId);
        }
    }

    [Test]
    public async Task Issuing_beyond_the_daily_cap_is_refused_and_the_counter_stays()
    {
        var jiaotong = await App.ServiceIdAsync(Seeded.HallId, "jiaotong");
        await using (var db = App.Db())
        {
            await db.Services.Where(s => s.Id == jiaotong).ExecuteUpdateAsync(u => u.SetProperty(s => s.DailyCap, 2));
        }
        (await _kiosk.IssueAsync(jiaotong)).Ok();
        Assert.That((await _kiosk.IssueAsync(jiaotong)).Ok().Ticket.Number, Is.EqualTo("K002"));
        await AssertRefusedAndNothingChangedAsync(() => _kiosk.IssueAsync(jiaotong), "daily_cap_reached");
    }
}
