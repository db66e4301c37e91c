using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Halls;
using Hall.Server.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Queue;

/// <summary>好差评: the rating of a finished ticket, and the follow-up case a bad rating opens.</summary>
public sealed partial class QueueService
{
    public Task<Reply<TicketView>> RateAsync(Actor actor, RateCommand cmd, CancellationToken ct) =>
        runner.RunAsync<TicketView>(actor, cmd.CommandId, cmd, "rate", ct, async c =>
        {
            var (ticket, notFound) = await c.LockTicketAsync(cmd.TicketId);
            if (ticket is null)
            {
                return notFound!;
            }
            // An evaluator rates only what was served at its own window; a clerk only at the window they hold.
            if (actor.DeviceRole == DeviceRole.Evaluator && actor.WindowId is { } evaluatorWindow && ticket.WindowId != evaluatorWindow)
            {
                return Refusal.Forbidden;
            }
            if (actor.StaffRole == StaffRole.Clerk)
            {
                var holder = await c.Db.WindowSessions.Where(s => s.WindowId == ticket.WindowId && s.ClosedAt == null).Select(s => (int?)s.StaffId).FirstOrDefaultAsync(ct);
                if (holder != actor.Id)
                {
                    return Refusal.NotYourWindow;
                }
            }
            var rated = await c.Db.Ratings.AnyAsync(r => r.TicketId == ticket.Id, ct);
            if ((TicketRules.Rate(ticket.ToFacts(), rated, cmd.Level, cmd.Reasons) ?? TicketRules.RatingInTime(ticket.FinishedAt, c.Now, RatingLimit)) is { } refused)
            {
                return refused;
            }
            c.Db.Ratings.Add(new Rating
            {
                HallId = actor.HallId,
                TicketId = ticket.Id,
                WindowId = ticket.WindowId,
                StaffId = ticket.StaffId,
                Level = cmd.Level,
                Reasons = [.. cmd.Reasons ?? []],
                DeviceId = actor.DeviceId,
                At = c.Now,
            });
            if (cmd.Level <= RatingLevel.Dissatisfied)
            {
                var today = HallClock.BusinessDate(c.Now, c.Hall.Zone);
                c.Db.FollowUpCases.Add(new Ratings.FollowUpCase
                {
                    HallId = actor.HallId,
                    TicketId = ticket.Id,
                    TicketNumber = ticket.Number,
                    WindowId = ticket.WindowId,
                    StaffId = ticket.StaffId,
                    Level = cmd.Level,
                    Reasons = [.. cmd.Reasons ?? []],
                    OpenedAt = c.Now,
                    // The number the citizen left at the kiosk, masked, for the 回访: it stays when the retention erases the full one.
                    ContactMasked = ticket.ContactCipher is { } contact && mobiles.UnprotectContact(contact) is { } mobile ? TicketRules.MaskMobile(mobile) : null,
                    DueDate = HallClock.AddWorkingDays(today, c.Hall.FollowUpWorkingDays, c.Hall.Hours, [.. c.Hall.Calendar.Select(d => d.ToCalendarDay())]),
                });
            }
            var version = await c.LogAsync(ticket, TicketEventKind.Rated, TicketState.Finished, ticket.WindowId, cmd.Level.ToString(), ct);
            var service = await c.Db.Services.AsNoTracking().FirstAsync(s => s.Id == ticket.ServiceId, ct);
            return View(ticket, service, version);
        });
}
