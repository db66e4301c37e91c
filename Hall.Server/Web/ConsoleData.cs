using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Web;

/// <summary>
/// The ticket at the window, with the times its timers run from and, when it was taken with one, the citizen's ID number masked;
/// for a booking's ticket, the booked slot (<see cref="BookedSlot.Late"/>: checked in too late, queued as a walk-in);
/// <see cref="CaseNumberRequired"/>: its service needs the 办件编号 to finish a case.
/// </summary>
public sealed record ConsoleTicket(long Id, string Number, int ServiceId, string ServiceName, string? ItemName, PriorityClass Priority, TicketState State,
    DateTimeOffset IssuedAt, DateTimeOffset? CalledAt, DateTimeOffset? StartedAt, int CallCount, bool Transferred, string? IdMasked = null,
    string? TransferNote = null, string? TransferredFrom = null, BookedSlot? Booking = null, bool CaseNumberRequired = false);

/// <summary>
/// A ticket waiting for one of the window's services (or sent to this window), as the console lists it; <see cref="BookedAt"/>
/// is a checked-in booking's slot start (hall-local), from which it goes ahead of walk-ins.
/// </summary>
public sealed record WaitingTicket(long Id, string Number, string ServiceName, PriorityClass Priority, bool Transferred, bool ForThisWindow, DateTimeOffset IssuedAt, TicketState State, TimeOnly? BookedAt = null);

/// <summary>The window's work today, counted from the event log.</summary>
public sealed record WindowToday(int Called, int Served, int NoShows, int TransferredAway);

public sealed record NamedId(int Id, string Name);

/// <summary>The last ticket finished at the window today, for 邀评: whether the citizen has rated it (not how: that is theirs).</summary>
public sealed record FinishedTicket(long Id, string Number, bool Rated);

/// <summary>Everything the clerk's console shows for one window.</summary>
public sealed record ConsoleView(
    WindowStateMessage Window,
    int? HolderStaffId,
    ConsoleTicket? Current,
    IReadOnlyList<NamedId> WindowServices,
    IReadOnlyList<WaitingTicket> Waiting,
    IReadOnlyList<WaitingTicket> NoShows,
    WindowToday Today,
    IReadOnlyList<string> Outcomes,
    IReadOnlyList<string> PauseReasons,
    IReadOnlyList<NamedId> Services,
    IReadOnlyList<NamedId> Windows,
    int MaxRecalls = 2,
    DateTimeOffset? PausedAt = null,
    DateOnly? BusinessDate = null,
    FinishedTicket? LastFinished = null);

/// <summary>Reads the console's view of a window; the console reads it again after each change of its window or services.</summary>
public sealed class ConsoleData(IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock)
{
    public const int WaitingShown = 60;

    public async Task<List<WindowStateMessage>> WindowsAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await HallStateReader.WindowsAsync(db, hallId, null, ct);
    }

    /// <summary>Null when the window is not one of the hall's.</summary>
    public async Task<ConsoleView?> ReadAsync(int hallId, int windowId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, hallId, now, ct);
        var window = (await HallStateReader.WindowsAsync(db, hallId, [windowId], ct)).SingleOrDefault();
        if (window is null)
        {
            return null;
        }
        var today = HallClock.BusinessDate(now, hall.Zone);
        var services = await db.Services.AsNoTracking().Where(s => s.HallId == hallId && s.Active).OrderBy(s => s.SortOrder).ThenBy(s => s.Id)
            .Select(s => new NamedId(s.Id, s.Name)).ToListAsync(ct);
        var ranked = await db.WindowServices.AsNoTracking().Where(ws => ws.WindowId == windowId).OrderBy(ws => ws.Rank).Select(ws => ws.ServiceId).ToListAsync(ct);
        var names = services.ToDictionary(s => s.Id, s => s.Name);
        var session = await db.WindowSessions.AsNoTracking().Where(s => s.WindowId == windowId && s.ClosedAt == null)
            .OrderByDescending(s => s.Id).Select(s => new { s.StaffId, s.PausedAt }).FirstOrDefaultAsync(ct);
        var holder = session?.StaffId;

        ConsoleTicket? current = null;
        if (window.CurrentTicketId is { } currentId)
        {
            var t = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == currentId, ct);
            var item = t.ServiceItemId is { } itemId ? await db.ServiceItems.AsNoTracking().Where(i => i.Id == itemId).Select(i => i.Name).FirstOrDefaultAsync(ct) : null;
            // The note and the window of the last transfer: what the window the ticket came from wants this one to know.
            var from = t.TransferredFromWindowId is { } fromId
                ? await db.Windows.AsNoTracking().Where(x => x.Id == fromId).Select(x => x.Number + "号窗口").FirstOrDefaultAsync(ct)
                : null;
            var booking = t.BookingId is { } bookingId
                ? await db.Bookings.AsNoTracking().Where(b => b.Id == bookingId)
                    .Select(b => new BookedSlot(b.Code, b.Date, b.Start, b.End, b.TicketId != t.Id)).FirstOrDefaultAsync(ct)
                : null;
            current = new(t.Id, t.Number, t.ServiceId, names.GetValueOrDefault(t.ServiceId, ""), item, t.Priority, t.State, t.IssuedAt, t.CalledAt, t.StartedAt, t.CallCount, t.Transferred, t.IdMasked,
                t.TransferNote, from, booking is null ? null : booking with { Code = Bookings.BookingCodes.Display(booking.Code) },
                await db.Services.AsNoTracking().Where(s => s.Id == t.ServiceId).Select(s => s.CaseNumberRequired).FirstOrDefaultAsync(ct));
        }

        var open = await db.Tickets.AsNoTracking()
            .Where(t => t.HallId == hallId && t.BusinessDate == today && (t.State == TicketState.Waiting || t.State == TicketState.NoShow)
                && (ranked.Contains(t.ServiceId) || t.TargetWindowId == windowId) && (t.TargetWindowId == null || t.TargetWindowId == windowId))
            .ToListAsync(ct);
        // The list is the order repeated call-next at this window would call them in: the queue rules play it forward (transferred
        // first, the aged, priority interleaved at the hall's ratio with the window's own counter, its services in its order).
        var streak = await db.Windows.AsNoTracking().Where(x => x.Id == windowId).Select(x => x.NormalsSincePriority).SingleAsync(ct);
        var caller = new WindowFacts(windowId, WindowStatus.Open, holder, ranked, streak, null);
        var order = TicketRules.CallOrder([caller], [.. open.Select(t => t.ToFacts())], hall.Policy, today, now);
        var waiting = open.Where(t => t.State == TicketState.Waiting)
            .OrderBy(t => order.TryGetValue(t.Id, out var p) ? p.CallsBefore : int.MaxValue).ThenBy(t => t.QueuedAt).ThenBy(t => t.Id)
            .Take(WaitingShown)
            .Select(t => new WaitingTicket(t.Id, t.Number, names.GetValueOrDefault(t.ServiceId, ""), t.Priority, t.Transferred, t.TargetWindowId == windowId, t.IssuedAt, t.State,
                t.BookedFor is { } slot ? TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(slot, hall.Zone).DateTime) : null)).ToList();
        var noShows = open.Where(t => t.State == TicketState.NoShow && t.WindowId == windowId).OrderBy(t => t.QueuedAt).ThenBy(t => t.Id)
            .Select(t => new WaitingTicket(t.Id, t.Number, names.GetValueOrDefault(t.ServiceId, ""), t.Priority, t.Transferred, false, t.IssuedAt, t.State)).ToList();

        var since = HallStateReader.StartOfBusinessDay(hall, now);
        var counts = await db.TicketEvents.AsNoTracking().Where(e => e.HallId == hallId && e.WindowId == windowId && e.At >= since)
            .GroupBy(e => e.Kind).Select(g => new { Kind = g.Key, Count = g.Count() }).ToListAsync(ct);
        int Count(TicketEventKind kind) => counts.FirstOrDefault(c => c.Kind == kind)?.Count ?? 0;

        var lastFinished = await db.Tickets.AsNoTracking()
            .Where(t => t.HallId == hallId && t.WindowId == windowId && t.BusinessDate == today && t.State == TicketState.Finished)
            .OrderByDescending(t => t.FinishedAt).ThenByDescending(t => t.Id)
            .Select(t => new FinishedTicket(t.Id, t.Number, db.Ratings.Any(r => r.TicketId == t.Id))).FirstOrDefaultAsync(ct);
        var windows = await db.Windows.AsNoTracking().Where(w => w.HallId == hallId && w.Active).OrderBy(w => w.Number)
            .Select(w => new NamedId(w.Id, w.Number + "号 " + w.Name)).ToListAsync(ct);
        return new ConsoleView(window, holder, current, [.. ranked.Where(names.ContainsKey).Select(id => new NamedId(id, names[id]))], waiting, noShows,
            new WindowToday(Count(TicketEventKind.Called), Count(TicketEventKind.Finished), Count(TicketEventKind.NoShow), Count(TicketEventKind.Transferred)),
            hall.Outcomes, hall.PauseReasons, services, windows, hall.MaxRecalls, session?.PausedAt, today, lastFinished);
    }
}
