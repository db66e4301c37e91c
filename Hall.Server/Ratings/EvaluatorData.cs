using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Ratings;

/// <summary>The ticket the citizen at a window may rate now.</summary>
/// <param name="OfferKey">0 for the offer after finishing, else the event id of the clerk's invitation (邀评).</param>
public sealed record RatableTicket(long TicketId, string Number, string ServiceName, string? ClerkName, DateTimeOffset FinishedAt, long OfferKey = 0);

/// <summary>Who serves at the window, as its evaluator shows between ratings: the window, and while it is open the clerk's name, 工号 and photo.</summary>
public sealed record WindowClerk(int WindowNumber, string WindowName, string? ClerkName, string? StaffCode, byte[]? Photo);

/// <summary>What the evaluator facing the citizen offers: the ticket just finished at its window, while nobody has rated it.</summary>
public sealed class EvaluatorData(IDbContextFactory<HallDb> dbFactory, TimeProvider clock)
{
    /// <summary>How long after finishing the rating is offered.</summary>
    public static readonly TimeSpan Offered = TimeSpan.FromMinutes(3);

    /// <summary>The window and the clerk holding it now (null clerk while nobody has it open).</summary>
    public async Task<WindowClerk?> WindowClerkAsync(int hallId, int windowId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var window = await db.Windows.AsNoTracking().Where(w => w.Id == windowId && w.HallId == hallId).Select(w => new { w.Number, w.Name }).FirstOrDefaultAsync(ct);
        if (window is null)
        {
            return null;
        }
        var clerk = await (
            from ss in db.WindowSessions.AsNoTracking()
            join m in db.Staff on ss.StaffId equals m.Id
            where ss.WindowId == windowId && ss.ClosedAt == null
            orderby ss.Id descending
            select new { m.Id, m.Name, m.StaffCode }).FirstOrDefaultAsync(ct);
        var photo = clerk is null ? null : await db.StaffPhotos.AsNoTracking().Where(p => p.StaffId == clerk.Id).Select(p => p.Jpeg).FirstOrDefaultAsync(ct);
        return new WindowClerk(window.Number, window.Name, clerk?.Name, clerk?.StaffCode, photo);
    }

    /// <summary>
    /// The ticket to offer: the latest finished at the window in the last <see cref="Offered"/> minutes, or the latest the clerk
    /// invited a rating for (邀评) in that time, while nobody has rated it. <see cref="RatableTicket.OfferKey"/> tells an
    /// invitation from the first offer, so a ticket left unrated is offered again only when the clerk invites.
    /// </summary>
    public async Task<RatableTicket?> PendingAsync(int hallId, int windowId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var since = clock.GetUtcNow() - Offered;
        return await (
            from t in db.Tickets.AsNoTracking()
            join s in db.Services on t.ServiceId equals s.Id
            let invited = db.TicketEvents.Where(e => e.TicketId == t.Id && e.Kind == TicketEventKind.RatingInvited && e.WindowId == windowId && e.At >= since)
                .OrderByDescending(e => e.Id).Select(e => (long?)e.Id).FirstOrDefault()
            where t.HallId == hallId && t.WindowId == windowId && t.State == TicketState.Finished && (t.FinishedAt >= since || invited != null)
                && !db.Ratings.Any(r => r.TicketId == t.Id)
            orderby invited ?? 0 descending, t.FinishedAt descending
            select new RatableTicket(t.Id, t.Number, s.Name, db.Staff.Where(m => m.Id == t.StaffId).Select(m => m.Name).FirstOrDefault(), t.FinishedAt!.Value, invited ?? 0))
            .FirstOrDefaultAsync(ct);
    }
}
