using Hall.Server.Contracts;
using Hall.Server.Tickets;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// Each ticket transition is defined once (<see cref="Ticket"/>'s changes): whether a command writes it through the entity or
/// as raw SQL (issue, call-next), the ticket row and its event row come out the same. Each test reads the rows back.
/// </summary>
[TestFixture]
public sealed class TransitionRowTests() : HallFixture("transitions")
{
    private int _halls;

    /// <summary>A hall of the test's own, a window serving 社保 opened by its clerk, and the kiosk.</summary>
    private async Task<(SeededHall Hall, HubClient Clerk, HubClient Kiosk, int Window, int Service)> HallAsync()
    {
        var hall = await SeededHall.CreateAsync(App, $"tr{Interlocked.Increment(ref _halls)}");
        var service = await App.ServiceIdAsync(hall.HallId, "shebao");
        await using var db = App.Db();
        var window = await db.WindowServices.Where(w => w.ServiceId == service).Join(db.Windows, ws => ws.WindowId, w => w.Id, (ws, w) => w).OrderBy(w => w.Number).FirstAsync();
        var clerk = await hall.ClerkAsync(window.Number);
        (await clerk.OpenAsync(window.Id)).Ok();
        return (hall, clerk, await hall.DeviceAsync("kiosk"), window.Id, service);
    }

    private async Task<(Ticket Row, List<TicketEvent> Events)> RowsAsync(long ticketId)
    {
        await using var db = App.Db();
        return (await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticketId), await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == ticketId).OrderBy(e => e.Id).ToListAsync());
    }

    private async Task<int> StaffIdAsync(int hallId, int window)
    {
        await using var db = App.Db();
        return await db.Staff.Where(s => s.HallId == hallId && s.Login.EndsWith($"-clerk{window:D2}")).Select(s => s.Id).SingleAsync();
    }

    [Test]
    public async Task Every_ticket_and_event_property_names_the_column_the_model_maps_it_to()
    {
        // The raw paths name columns from the properties (TicketChange.Column); the model is what the database was made from.
        await using var db = App.Db();
        foreach (var type in new[] { typeof(Ticket), typeof(TicketEvent) })
        {
            var entity = db.Model.FindEntityType(type)!;
            var properties = type.GetProperties().Where(p => p.SetMethod is not null && p.Name != nameof(Ticket.Version)).ToList();
            Assert.That(properties, Has.Count.GreaterThan(10));
            Assert.That(properties.Select(TicketChange.Column), Is.EqualTo(properties.Select(p => entity.FindProperty(p.Name)!.GetColumnName())), type.Name);
        }
    }

    [Test]
    public async Task Issue_writes_a_waiting_ticket_with_its_issued_event()
    {
        var (hall, _, kiosk, _, service) = await HallAsync();
        await using var _ = hall;
        var issued = (await kiosk.IssueWithMobileAsync(service, "13812345678")).Ok();
        var (row, events) = await RowsAsync(issued.Ticket.TicketId);
        Assert.That((row.State, row.ServiceId, row.Number, row.CallCount, row.Transferred, row.WindowId), Is.EqualTo((TicketState.Waiting, service, issued.Ticket.Number, 0, false, (int?)null)));
        Assert.That(row.QueuedAt, Is.EqualTo(row.IssuedAt));
        Assert.That(row.TrackingCode, Is.EqualTo(issued.TrackingCode));
        Assert.That(row.MobileMasked, Is.EqualTo("138****5678"));
        Assert.That(row.MobileCipher, Is.Not.Null.And.Not.Contains("13812345678"));
        Assert.That(row.HandledItemIds, Is.Empty);
        Assert.That(events.Select(e => (e.Kind, e.FromState, e.ToState, e.WindowId, e.Id)), Is.EqualTo(new[] { (TicketEventKind.Issued, (TicketState?)null, TicketState.Waiting, (int?)null, issued.Ticket.Version) }));
        Assert.That(events[0].DeviceId, Is.Not.Null);
    }

    [Test]
    public async Task Call_next_and_calling_a_chosen_ticket_write_the_same_called_row_and_event()
    {
        var (hall, clerk, kiosk, window, service) = await HallAsync();
        await using var _ = hall;
        var first = (await kiosk.IssueAsync(service)).Ok().Ticket;
        var second = (await kiosk.IssueAsync(service)).Ok().Ticket;
        var byNext = (await clerk.CallNextAsync(window)).Ok();
        Assert.That(byNext.Ticket.TicketId, Is.EqualTo(first.TicketId));
        var (nextRow, nextEvents) = await RowsAsync(first.TicketId);
        (await clerk.StartAsync(window, first.TicketId)).Ok();
        (await clerk.FinishAsync(window, first.TicketId)).Ok();
        var byChoice = (await clerk.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallTicket), new TicketCommand(Guid.NewGuid(), window, second.TicketId))).Ok();
        var (choiceRow, choiceEvents) = await RowsAsync(second.TicketId);
        var staff = await StaffIdAsync(hall.HallId, await App.Db().Windows.Where(w => w.Id == window).Select(w => w.Number).SingleAsync());
        foreach (var (row, called, events) in new[] { (nextRow, byNext, nextEvents), (choiceRow, byChoice, choiceEvents) })
        {
            Assert.That((row.State, row.WindowId, row.StaffId, row.CallCount, row.Transferred, row.TargetWindowId), Is.EqualTo((TicketState.Called, (int?)window, (int?)staff, 1, false, (int?)null)));
            Assert.That(row.CalledAt, Is.Not.Null);
            var call = events.Last();
            Assert.That((call.Kind, call.FromState, call.ToState, call.WindowId, call.StaffId, call.DeviceId, call.Outcome, call.Id),
                Is.EqualTo((TicketEventKind.Called, (TicketState?)TicketState.Waiting, TicketState.Called, (int?)window, (int?)staff, (int?)null, (string?)null, called.CallId)));
            Assert.That(call.At, Is.EqualTo(row.CalledAt));
        }
        Assert.That(nextEvents.Last().Detail, Is.EqualTo(byNext.Reason.ToString()));
        Assert.That(choiceEvents.Last().Detail, Is.EqualTo(byChoice.Reason.ToString()));
    }

    [Test]
    public async Task A_ticket_called_three_times_is_closed_as_an_automatic_no_show_by_either_way_of_calling()
    {
        var (hall, clerk, kiosk, window, service) = await HallAsync();
        await using var _ = hall;
        var tickets = new List<TicketView>();
        for (var i = 0; i < 4; i++)
        {
            tickets.Add((await kiosk.IssueAsync(service)).Ok().Ticket);
        }
        // Raw path: the ticket called three times is closed by call-next; entity path: by calling a chosen ticket.
        (await clerk.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallTicket), new TicketCommand(Guid.NewGuid(), window, tickets[0].TicketId))).Ok();
        foreach (var (absent, next, byNext) in new[] { (tickets[0], tickets[1], true), (tickets[1], tickets[3], false) })
        {
            (await clerk.RecallAsync(window, absent.TicketId)).Ok();
            (await clerk.RecallAsync(window, absent.TicketId)).Ok();
            var called = byNext
                ? (await clerk.CallNextAsync(window)).Ok()
                : (await clerk.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallTicket), new TicketCommand(Guid.NewGuid(), window, next.TicketId))).Ok();
            Assert.That(called.Ticket.TicketId, Is.EqualTo(next.TicketId));
            var (row, events) = await RowsAsync(absent.TicketId);
            var path = byNext ? "call-next" : "call ticket";
            Assert.That((row.State, row.CallCount, row.WindowId), Is.EqualTo((TicketState.NoShow, 3, (int?)window)), path);
            var noShow = events.Last();
            Assert.That((noShow.Kind, noShow.FromState, noShow.ToState, noShow.WindowId, noShow.Detail), Is.EqualTo((TicketEventKind.NoShow, (TicketState?)TicketState.Called, TicketState.NoShow, (int?)window, "auto")), path);
            Assert.That(noShow.Id, Is.LessThan(called.CallId), "the no-show comes before the new call");
            Assert.That(events.Select(e => e.Kind), Is.EqualTo(new[] { TicketEventKind.Issued, TicketEventKind.Called, TicketEventKind.Recalled, TicketEventKind.Recalled, TicketEventKind.NoShow }), path);
        }
    }

    [Test]
    public async Task Each_later_transition_writes_its_row_and_event()
    {
        var (hall, clerk, kiosk, window, service) = await HallAsync();
        await using var _ = hall;
        var ticket = (await kiosk.IssueAsync(service)).Ok().Ticket;
        (await clerk.CallNextAsync(window)).Ok();
        (await clerk.RecallAsync(window, ticket.TicketId)).Ok();
        var (row, events) = await RowsAsync(ticket.TicketId);
        Assert.That((row.State, row.CallCount, events[^1].Kind, events[^1].Detail), Is.EqualTo((TicketState.Called, 2, TicketEventKind.Recalled, "call 2")));
        Assert.That(row.CalledAt, Is.EqualTo(events[^1].At));

        (await clerk.NoShowAsync(window, ticket.TicketId)).Ok();
        (row, events) = await RowsAsync(ticket.TicketId);
        Assert.That((row.State, events[^1].Kind, events[^1].FromState, events[^1].ToState), Is.EqualTo((TicketState.NoShow, TicketEventKind.NoShow, (TicketState?)TicketState.Called, TicketState.NoShow)));

        (await kiosk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Requeue), new RequeueCommand(Guid.NewGuid(), ticket.TicketId))).Ok();
        (row, events) = await RowsAsync(ticket.TicketId);
        Assert.That((row.State, row.WindowId, row.CallCount, events[^1].Kind, events[^1].FromState), Is.EqualTo((TicketState.Waiting, (int?)null, 0, TicketEventKind.Requeued, (TicketState?)TicketState.NoShow)));
        Assert.That(row.QueuedAt, Is.GreaterThanOrEqualTo(row.IssuedAt));

        (await clerk.CallNextAsync(window)).Ok();
        (await clerk.StartAsync(window, ticket.TicketId)).Ok();
        (row, events) = await RowsAsync(ticket.TicketId);
        Assert.That((row.State, events[^1].Kind), Is.EqualTo((TicketState.Serving, TicketEventKind.Started)));
        Assert.That(row.StartedAt, Is.EqualTo(events[^1].At));

        var other = await App.ServiceIdAsync(hall.HallId, "huzheng");
        (await clerk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Transfer), new TransferCommand(Guid.NewGuid(), window, ticket.TicketId, other, null, "请核对户口簿"))).Ok();
        (row, events) = await RowsAsync(ticket.TicketId);
        Assert.That((row.State, row.ServiceId, row.Transferred, row.WindowId, row.StartedAt, row.TransferredFromWindowId, row.TransferNote),
            Is.EqualTo((TicketState.Waiting, other, true, (int?)null, (DateTimeOffset?)null, (int?)window, "请核对户口簿")));
        Assert.That((events[^1].Kind, events[^1].FromState, events[^1].ServiceId, events[^1].Detail), Is.EqualTo((TicketEventKind.Transferred, (TicketState?)TicketState.Serving, other, $"service:{other}")));

        var supervisor = await hall.StaffAsync("supervisor");
        (await supervisor.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Cancel), new CancelCommand(Guid.NewGuid(), ticket.TicketId, "群众离开"))).Ok();
        (row, events) = await RowsAsync(ticket.TicketId);
        Assert.That((row.State, events[^1].Kind, events[^1].Detail), Is.EqualTo((TicketState.Cancelled, TicketEventKind.Cancelled, "群众离开")));

        var finished = (await kiosk.IssueAsync(service)).Ok().Ticket;
        (await clerk.CallNextAsync(window)).Ok();
        (await clerk.StartAsync(window, finished.TicketId)).Ok();
        (await clerk.FinishAsync(window, finished.TicketId, "已受理", HubCalls.AcceptanceDetails, AcceptanceMode.MaterialsToFollow)).Ok();
        (row, events) = await RowsAsync(finished.TicketId);
        Assert.That((row.State, row.Outcome, row.Acceptance, row.MissingMaterials, events[^1].Kind, events[^1].Outcome),
            Is.EqualTo((TicketState.Finished, "已受理", (AcceptanceMode?)AcceptanceMode.MaterialsToFollow, "户口簿复印件", TicketEventKind.Finished, "已受理")));
        Assert.That(row.FinishedAt, Is.EqualTo(events[^1].At));

        var voided = (await kiosk.IssueAsync(service)).Ok().Ticket;
        (await kiosk.VoidAsync(voided.TicketId, "打印机缺纸")).Ok();
        (row, events) = await RowsAsync(voided.TicketId);
        Assert.That((row.State, events[^1].Kind, events[^1].FromState, events[^1].Detail), Is.EqualTo((TicketState.Voided, TicketEventKind.Voided, (TicketState?)TicketState.Waiting, "打印机缺纸")));
    }

    [Test]
    public async Task Each_window_transition_writes_its_session_and_event()
    {
        var (hall, clerk, _, window, _) = await HallAsync();
        await using var _ = hall;
        async Task<(List<Hall.Server.Windows.WindowSession> Sessions, List<Hall.Server.Windows.WindowEvent> Events)> ReadAsync()
        {
            await using var db = App.Db();
            return (await db.WindowSessions.AsNoTracking().Where(s => s.WindowId == window).OrderBy(s => s.Id).ToListAsync(),
                await db.WindowEvents.AsNoTracking().Where(e => e.WindowId == window).OrderBy(e => e.Id).ToListAsync());
        }
        var (sessions, events) = await ReadAsync();
        Assert.That((sessions.Single().Status, sessions.Single().ClosedAt, events.Single().Kind), Is.EqualTo((WindowStatus.Open, (DateTimeOffset?)null, Hall.Server.Windows.WindowEventKind.Opened)));

        (await clerk.PauseAsync(window, "休息")).Ok();
        (sessions, events) = await ReadAsync();
        Assert.That((sessions[^1].Status, sessions[^1].PauseReason, events[^1].Kind, events[^1].Reason), Is.EqualTo((WindowStatus.Paused, "休息", Hall.Server.Windows.WindowEventKind.Paused, "休息")));
        Assert.That(sessions[^1].PausedAt, Is.EqualTo(events[^1].At));

        (await clerk.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.ResumeWindow), new WindowCommand(Guid.NewGuid(), window))).Ok();
        (sessions, events) = await ReadAsync();
        Assert.That((sessions[^1].Status, sessions[^1].PauseReason, sessions[^1].PausedAt, events[^1].Kind), Is.EqualTo((WindowStatus.Open, (string?)null, (DateTimeOffset?)null, Hall.Server.Windows.WindowEventKind.Resumed)));

        var supervisor = await hall.StaffAsync("supervisor");
        (await supervisor.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.TakeOverWindow), new WindowCommand(Guid.NewGuid(), window))).Ok();
        (sessions, events) = await ReadAsync();
        Assert.That(sessions, Has.Count.EqualTo(2));
        Assert.That((sessions[0].Status, sessions[0].ClosedAt), Is.EqualTo((WindowStatus.Closed, (DateTimeOffset?)events[^2].At)));
        Assert.That((sessions[1].Status, sessions[1].StaffId, sessions[1].ClosedAt), Is.EqualTo((WindowStatus.Open, sessions[1].StaffId, (DateTimeOffset?)null)));
        Assert.That(sessions[1].StaffId, Is.Not.EqualTo(sessions[0].StaffId));
        Assert.That(events.TakeLast(2).Select(e => (e.Kind, e.SessionId)), Is.EqualTo(new[] { (Hall.Server.Windows.WindowEventKind.HandedOver, sessions[0].Id), (Hall.Server.Windows.WindowEventKind.Opened, sessions[1].Id) }));

        (await supervisor.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.CloseWindow), new WindowCommand(Guid.NewGuid(), window))).Ok();
        (sessions, events) = await ReadAsync();
        Assert.That((sessions[^1].Status, sessions[^1].ClosedAt, events[^1].Kind), Is.EqualTo((WindowStatus.Closed, (DateTimeOffset?)events[^1].At, Hall.Server.Windows.WindowEventKind.Closed)));
    }

    [Test]
    public async Task A_window_command_answers_with_the_state_a_fresh_read_of_the_window_gives()
    {
        // A window command states the window from what it read under the lock and what it changed, without reading it again:
        // its answer must be what anyone reading the window afterwards sees, version included.
        var (hall, clerk, kiosk, window, service) = await HallAsync();
        await using var _ = hall;
        var supervisor = await hall.StaffAsync("supervisor");
        async Task SameAsSnapshotAsync(Reply<WindowStateMessage> reply, string what)
        {
            reply.Ok();
            var snapshot = await supervisor.Connection.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot));
            var read = snapshot.Windows.Single(w => w.WindowId == window);
            Assert.That(System.Text.Json.JsonSerializer.Serialize(reply.Value), Is.EqualTo(System.Text.Json.JsonSerializer.Serialize(read)), what);
        }
        WindowCommand At() => new(Guid.NewGuid(), window);
        // A ticket at the window: a take-over keeps it there, and the window's state says so.
        (await kiosk.IssueAsync(service)).Ok();
        var called = (await clerk.CallNextAsync(window)).Ok();
        var taken = await supervisor.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.TakeOverWindow), At());
        Assert.That(taken.Value?.CurrentTicketId, Is.EqualTo(called.Ticket.TicketId));
        await SameAsSnapshotAsync(taken, "taken over with a ticket at the window");
        (await supervisor.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.NoShow), new TicketCommand(Guid.NewGuid(), window, called.Ticket.TicketId))).Ok();
        await SameAsSnapshotAsync(await supervisor.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.PauseWindow), new PauseWindowCommand(Guid.NewGuid(), window, "会议")), "paused");
        await SameAsSnapshotAsync(await supervisor.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.CloseWindow), At()), "closed while paused");
        await SameAsSnapshotAsync(await clerk.OpenAsync(window), "opened by the clerk");
        await SameAsSnapshotAsync(await clerk.PauseAsync(window, "休息"), "paused by the clerk");
        await SameAsSnapshotAsync(await supervisor.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.TakeOverWindow), At()), "taken over while paused");
        await SameAsSnapshotAsync(await supervisor.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.ResumeWindow), At()), "resumed");
        await SameAsSnapshotAsync(await supervisor.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.CloseWindow), At()), "closed");
    }
}
