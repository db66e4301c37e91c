using Hall.Server.Contracts;
using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Ratings;

/// <summary>The ticket the citizen at a window may rate now.</summary>
public sealed record RatableTicket(long TicketId, string Number, string ServiceName, string? ClerkName, DateTimeOffset FinishedAt);

/// <summary>What the evaluator facing the citizen offers: the ticket just finished at its window, while nobody has rated it.</summary>
public sealed class EvaluatorData(IDbContextFactory<HallDb> dbFactory, TimeProvider clock)
{
    /// <summary>How long after finishing the rating is offered.</summary>
    public static readonly TimeSpan Offered = TimeSpan.FromMinutes(3);

    public async Task<RatableTicket?> PendingAsync(int hallId, int windowId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var since = clock.GetUtcNow() - Offered;
        return await (
            from t in db.Tickets.AsNoTracking()
            join s in db.Services on t.ServiceId equals s.Id
            where t.HallId == hallId && t.WindowId == windowId && t.State == TicketState.Finished && t.FinishedAt >= since
                && !db.Ratings.Any(r => r.TicketId == t.Id)
            orderby t.FinishedAt descending
            select new RatableTicket(t.Id, t.Number, s.Name, db.Staff.Where(m => m.Id == t.StaffId).Select(m => m.Name).FirstOrDefault(), t.FinishedAt!.Value)).FirstOrDefaultAsync(ct);
    }
}
