using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Halls;
using Hall.Server.Tickets;

namespace Hall.Server.Queue;

/// <summary>好差评: the rating of a finished ticket, and the follow-up case a bad rating opens.</summary>
public sealed partial class QueueService
{
    public Task<Reply<TicketView>> RateAsync(Actor actor, RateCommand cmd, CancellationToken ct) =>
        runner.RunAsync<TicketView>(actor, cmd.CommandId, cmd, "rate", ct, async c =>
        {
            Ticket? ticket = null;
            Service? service = null;
            int? holder = null;
            var rated = false;
            await c.ReadAsync(
                versions: 1,
                [
                    CommandContext.TicketStatement(cmd.TicketId),
                    CommandContext.Statement("SELECT * FROM services WHERE id = (SELECT service_id FROM tickets WHERE id = $1)", cmd.TicketId),
                    CommandContext.Statement(
                        """
                        SELECT (SELECT staff_id FROM window_sessions WHERE window_id = (SELECT window_id FROM tickets WHERE id = $1) AND closed_at IS NULL),
                               EXISTS (SELECT 1 FROM ratings WHERE ticket_id = $1)
                        """,
                        cmd.TicketId),
                ],
                async reader =>
                {
                    ticket = await c.NextAsync(reader, c.Read<Ticket>);
                    service = await c.NextAsync(reader, c.Read<Service>);
                    (holder, rated) = await c.NextAsync(reader, r => (r.IsDBNull(0) ? (int?)null : r.GetInt32(0), r.GetBoolean(1)));
                });
            if (c.CheckTicket(ticket) is { } notFound)
            {
                return notFound;
            }
            // An evaluator rates only what was served at its own window; a clerk only at the window they hold.
            if (actor.DeviceRole == DeviceRole.Evaluator && actor.WindowId is { } evaluatorWindow && ticket!.WindowId != evaluatorWindow)
            {
                return Refusal.Forbidden;
            }
            if (actor.StaffRole == StaffRole.Clerk && holder != actor.Id)
            {
                return Refusal.NotYourWindow;
            }
            if ((TicketRules.Rate(ticket!.ToFacts(), rated, cmd.Level, cmd.Reasons) ?? TicketRules.RatingInTime(ticket.FinishedAt, c.Now, RatingLimit)) is { } refused)
            {
                return refused;
            }
            c.Insert(new Rating
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
            c.Write(Outbox.RatingUploads.EnqueueForTicket(ticket.Id, c.Now));
            if (cmd.Level <= RatingLevel.Dissatisfied)
            {
                c.Insert(new Ratings.FollowUpCase
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
                    DueDate = HallClock.AddWorkingDays(c.Today, c.Hall.FollowUpWorkingDays, c.Hall.Hours, [.. c.Hall.Calendar.Select(d => d.ToCalendarDay())]),
                });
            }
            var version = c.Log(TicketEvent.Of(ticket, TicketEventKind.Rated, TicketState.Finished, ticket.WindowId, actor, cmd.Level.ToString(), c.Now, cmd.CommandId));
            return View(ticket, service!, version);
        });
}
