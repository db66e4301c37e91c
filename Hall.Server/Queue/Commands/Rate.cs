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
            var rated = false;
            await c.ReadAsync(
                versions: 1,
                [
                    CommandContext.TicketStatement(cmd.TicketId),
                    CommandContext.Statement("SELECT * FROM services WHERE id = (SELECT service_id FROM tickets WHERE id = $1)", cmd.TicketId),
                    CommandContext.Statement(
                        """
                        SELECT EXISTS (SELECT 1 FROM ratings WHERE ticket_id = $1)
                        """,
                        cmd.TicketId),
                ],
                async reader =>
                {
                    ticket = await c.NextAsync(reader, c.Read<Ticket>);
                    service = await c.NextAsync(reader, c.Read<Service>);
                    rated = await c.NextAsync(reader, r => r.GetBoolean(0));
                });
            if (c.CheckTicket(ticket) is { } notFound)
            {
                return notFound;
            }
            // Only the citizen rates (GB/T 39734: 自愿真实): on the evaluator of the window that served them, or on their own phone
            // through the ticket's tracking code; the role table keeps staff out. An evaluator rates only its own window's tickets.
            if (actor.DeviceRole == DeviceRole.Evaluator && actor.WindowId is { } evaluatorWindow && ticket!.WindowId != evaluatorWindow)
            {
                return Refusal.Forbidden;
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
                Channel = actor.Kind == ActorKind.Phone ? RatingChannel.Phone : RatingChannel.Evaluator,
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

    /// <summary>邀评: the clerk asks the window's evaluator to offer the rating screen again for the ticket just finished there.</summary>
    public Task<Reply<TicketView>> InviteRatingAsync(Actor actor, TicketCommand cmd, CancellationToken ct) =>
        runner.RunAsync<TicketView>(actor, cmd.CommandId, cmd, "invite_rating", ct, async c =>
        {
            var rated = false;
            var (w, ticket, service, refusal) = await WindowAndTicketAsync(c, cmd, versions: 1, lockService: false,
                CommandContext.Statement("SELECT EXISTS (SELECT 1 FROM ratings WHERE ticket_id = $1)", cmd.TicketId),
                async reader => rated = await c.NextAsync(reader, r => r.GetBoolean(0)));
            if (refusal is not null)
            {
                return refusal;
            }
            if (TicketRules.InviteRating(ticket!.ToFacts(), w!.Window.Id, rated, ticket.FinishedAt, c.Now, RatingLimit) is { } refused)
            {
                return refused;
            }
            var version = c.Log(TicketEvent.Of(ticket, TicketEventKind.RatingInvited, TicketState.Finished, w.Window.Id, actor, null, c.Now, cmd.CommandId));
            // The evaluator listens for its window's changes.
            c.TouchWindow(w.Window.Id);
            return View(ticket, service!, version);
        });
}
