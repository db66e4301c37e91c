using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Tickets;

/// <summary>
/// The province's 一窗受理 system attaches the 办件编号 to a finished ticket afterwards, addressed as the webhook events name it
/// (hall and numeric ticket id), with a key the admin made for it (a device of role 对接系统). The attach, its audit entry,
/// the upload of the ticket's rating enqueued again (the province then has the rating with its 办件编号, under the same
/// rating id) and the <c>ticket.case_number</c> webhook event commit together; every refusal changes nothing; the same
/// number again is answered as done and sends nothing.
/// </summary>
public static class CaseNumberEndpoints
{
    public sealed record CaseNumberRequest(string? CaseNumber);

    /// <summary>What the system gets back: the ticket as the hall knows it, with its 办件编号.</summary>
    public sealed record CaseNumberAttached(long TicketId, string Number, DateOnly BusinessDate, string CaseNumber, bool Changed);

    public static void MapCaseNumberEndpoints(this WebApplication app)
    {
        var keyed = new AuthorizeAttribute { AuthenticationSchemes = HallAuth.SchemeName };
        app.MapPut("/api/halls/{hall:int}/tickets/{ticketId:long}/case-number",
            async (int hall, long ticketId, CaseNumberRequest? request, HttpContext http, IDbContextFactory<HallDb> dbFactory, Admin.AdminStore admin, TimeProvider clock, CancellationToken ct) =>
            {
                var actor = HallAuth.ActorOf(http.User);
                if (actor.DeviceRole != DeviceRole.CaseSystem)
                {
                    return Error(403, Refusal.Forbidden);
                }
                if (hall != actor.HallId)
                {
                    return Error(403, Refusal.WrongHall);
                }
                if (TicketRules.CaseNumber(request?.CaseNumber, required: true) is not null)
                {
                    return Error(400, Refusal.InvalidCaseNumber);
                }
                var caseNumber = TicketRules.CaseNumberOf(request!.CaseNumber)!;
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var ticket = await db.Tickets.FromSql($"SELECT *, xmin FROM tickets WHERE id = {ticketId} FOR UPDATE").SingleOrDefaultAsync(ct);
                // Another hall's ticket is answered as unknown: its existence is not this system's business.
                if (ticket is null || ticket.HallId != actor.HallId)
                {
                    return Error(404, Refusal.UnknownTicket);
                }
                if (TicketRules.AttachCaseNumber(ticket.ToFacts(), ticket.CaseNumber, caseNumber) is { } refused)
                {
                    return Error(refused == Refusal.InvalidCaseNumber ? 400 : 409, refused);
                }
                var changed = ticket.CaseNumber is null;
                if (changed)
                {
                    ticket.AttachCaseNumber(caseNumber);
                    db.AuditEntries.Add(admin.EntryFor(actor, "ticket.case_number", $"ticket:{ticket.Id}", null,
                        new { TicketNumber = ticket.Number, BusinessDate = ticket.BusinessDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), CaseNumber = caseNumber }));
                    await db.SaveChangesAsync(ct);
                    await AnnounceAsync(db, ticket, clock.GetUtcNow(), ct);
                    await tx.CommitAsync(ct);
                }
                return Results.Json(new CaseNumberAttached(ticket.Id, ticket.Number, ticket.BusinessDate, caseNumber, changed));
            }).RequireAuthorization(keyed);
    }

    /// <summary>
    /// Tells the systems around the hall, in the attach's transaction: the rating (if the citizen rated) goes to the province
    /// again with its 办件编号, and the endpoints that want it get <c>ticket.case_number</c>, in order with the ticket's other events.
    /// </summary>
    private static async Task AnnounceAsync(HallDb db, Ticket ticket, DateTimeOffset now, CancellationToken ct)
    {
        if (await db.Ratings.Where(r => r.TicketId == ticket.Id).Select(r => (long?)r.Id).SingleOrDefaultAsync(ct) is { } ratingId)
        {
            await Outbox.RatingUploads.EnqueueAsync(db, ratingId, now, ct);
        }
        var service = await db.Services.Where(s => s.Id == ticket.ServiceId).Select(s => new { s.Code, s.Name }).SingleAsync(ct);
        var window = await db.Windows.Where(w => w.Id == ticket.WindowId).Select(w => (int?)w.Number).SingleOrDefaultAsync(ct);
        await Outbox.HallEvents.EnqueueAsync(db, ticket.HallId, Outbox.HallEvents.CaseNumberAttached, $"ticket:{ticket.Id}", new
        {
            TicketId = ticket.Id,
            TicketNumber = ticket.Number,
            BusinessDate = ticket.BusinessDate,
            ServiceCode = service.Code,
            ServiceName = service.Name,
            WindowNumber = window,
            State = ticket.State.ToString(),
            Recall = false,
            ticket.Outcome,
            Level = (int?)null,
            ticket.CaseNumber,
        }, now, ct);
    }

    private static IResult Error(int status, Refusal refusal) =>
        Results.Json(new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn }, statusCode: status);
}
