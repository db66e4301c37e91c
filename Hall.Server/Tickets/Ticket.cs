using Hall.Server.Contracts;
using Hall.Server.Queue;

namespace Hall.Server.Tickets;

/// <summary>A numbered ticket. Its state changes only through the methods below, each applying a decision of the queue rules.</summary>
public sealed class Ticket
{
    public long Id { get; private set; }
    public int HallId { get; private set; }
    public int ServiceId { get; private set; }
    public DateOnly BusinessDate { get; private set; }
    public int Sequence { get; private set; }
    public string Number { get; private set; } = "";
    public PriorityClass Priority { get; private set; }
    public TicketState State { get; private set; }
    public DateTimeOffset IssuedAt { get; private set; }
    /// <summary>The ticket's place in line: its arrival, or the place a requeue gave it.</summary>
    public DateTimeOffset QueuedAt { get; private set; }
    public bool Transferred { get; private set; }
    public int? TargetWindowId { get; private set; }
    public int? WindowId { get; private set; }
    public int? StaffId { get; private set; }
    public int CallCount { get; private set; }
    public DateTimeOffset? CalledAt { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public string? Outcome { get; private set; }
    /// <summary>How the case was accepted (受理方式), recorded at finish; null before.</summary>
    public AcceptanceMode? Acceptance { get; private set; }
    /// <summary>容缺受理: the materials still to come.</summary>
    public string? MissingMaterials { get; private set; }
    /// <summary>容缺受理: the 补正 deadline; 告知承诺: the 承诺 deadline (the hall's calendar).</summary>
    public DateOnly? AcceptanceDeadline { get; private set; }
    /// <summary>The clerk's note on a 容缺受理 or 告知承诺 finish.</summary>
    public string? FinishNote { get; private set; }
    /// <summary>The note of the last transfer, for the window that calls the ticket next.</summary>
    public string? TransferNote { get; private set; }
    /// <summary>The window the last transfer came from (null: transferred by a supervisor from the wall).</summary>
    public int? TransferredFromWindowId { get; private set; }
    public int? ServiceItemId { get; private set; }
    public List<int> HandledItemIds { get; private set; } = [];
    public int? IssuedByDeviceId { get; private set; }
    /// <summary>The unguessable code of the citizen's phone tracking page (the QR on the ticket).</summary>
    public string TrackingCode { get; private set; } = "";
    /// <summary>The mobile number for the "almost your turn" notice, encrypted; cleared (by a trigger) when the ticket closes.</summary>
    public string? MobileCipher { get; private set; }
    /// <summary>
    /// The mobile number kept for a 回访 (a supervisor's call-back after a bad rating), encrypted under its own purpose: it outlives
    /// the ticket (unlike <see cref="MobileCipher"/>) and is erased with the other personal fields after the retention days.
    /// </summary>
    public string? ContactCipher { get; private set; }
    /// <summary>HMAC of the mobile number with a server-held key: matches a number without keeping it in clear.</summary>
    public byte[]? MobileHmac { get; private set; }
    /// <summary>The mobile number as shown: 138****5678.</summary>
    public string? MobileMasked { get; private set; }
    /// <summary>HMAC of the resident ID number the ticket was taken with, with a server-held key; erased with the other personal fields.</summary>
    public byte[]? IdHmac { get; private set; }
    /// <summary>The ID number as shown: 4101**********1234.</summary>
    public string? IdMasked { get; private set; }
    /// <summary>When the notice was sent (or found not needed, when the ticket was already near the front at issue).</summary>
    public DateTimeOffset? NoticeSentAt { get; private set; }
    /// <summary>The booking this ticket was issued for at check-in (预约签到); null for a walk-in.</summary>
    public long? BookingId { get; private set; }
    /// <summary>
    /// The booked slot's start, for a booking checked in on time: from then on the ticket takes the priority turn of the call
    /// order (<see cref="TicketFacts.IsPreferred"/>). Null for a walk-in, a late check-in taken as a walk-in, and once the ticket
    /// has been put back in line after a no-show (it had its turn).
    /// </summary>
    public DateTimeOffset? BookedFor { get; private set; }
    /// <summary>办件编号: the case's number in the province's 一窗受理 system, recorded at finish or attached afterwards by that system.</summary>
    public string? CaseNumber { get; private set; }
    public uint Version { get; private set; }

    private Ticket()
    {
    }

    /// <summary>A new ticket, waiting from now. <paramref name="id"/> is given when the row is written by hand (the id drawn beforehand), else EF draws it.</summary>
    public static Ticket Issue(int hallId, int serviceId, NewTicket decision, PriorityClass priority, int? serviceItemId, int? deviceId, DateTimeOffset now, long id = 0, TicketContact? contact = null, TicketBooking? booking = null) => new()
    {
        BookingId = booking?.BookingId,
        BookedFor = booking?.BookedFor,
        Id = id,
        HallId = hallId,
        ServiceId = serviceId,
        BusinessDate = decision.BusinessDate,
        Sequence = decision.Sequence,
        Number = decision.Number,
        Priority = priority,
        State = TicketState.Waiting,
        IssuedAt = now,
        QueuedAt = now,
        ServiceItemId = serviceItemId,
        IssuedByDeviceId = deviceId,
        TrackingCode = Tracking.TrackingCodes.New(),
        MobileCipher = contact?.MobileCipher,
        MobileHmac = contact?.MobileHmac,
        MobileMasked = contact?.MobileMasked,
        ContactCipher = contact?.ContactCipher,
        NoticeSentAt = contact?.NoticeSentAt,
        IdHmac = contact?.IdHmac,
        IdMasked = contact?.IdMasked,
    };

    public TicketFacts ToFacts() => new(Id, ServiceId, State, BusinessDate, QueuedAt, Priority, Transferred, TargetWindowId, WindowId, CallCount, BookedFor);

    // Each transition is defined once, as a change (see TicketChange): below, what it sets; the methods apply it to the entity,
    // the raw command paths write the same change.

    public static TicketChange Calling(int windowId, int? staffId, DateTimeOffset now) => new TicketChange(TicketEventKind.Called)
        .Set(t => t.State, TicketState.Called)
        .Set(t => t.WindowId, windowId)
        .Set(t => t.StaffId, staffId)
        .Set(t => t.CallCount, 1)
        .Set(t => t.CalledAt, now)
        .Set(t => t.Transferred, false)
        .Set(t => t.TargetWindowId, null);

    public TicketChange Call(int windowId, int? staffId, DateTimeOffset now) => Apply(Calling(windowId, staffId, now));

    public TicketChange Recall(DateTimeOffset now) => Apply(new TicketChange(TicketEventKind.Recalled)
        .Set(t => t.CallCount, CallCount + 1)
        .Set(t => t.CalledAt, now));

    public static TicketChange NoShowing() => new TicketChange(TicketEventKind.NoShow).Set(t => t.State, TicketState.NoShow);

    public TicketChange MarkNoShow() => Apply(NoShowing());

    public TicketChange Requeue(DateTimeOffset queuedAt) => Apply(new TicketChange(TicketEventKind.Requeued)
        .Set(t => t.State, TicketState.Waiting)
        .Set(t => t.QueuedAt, queuedAt)
        .Set(t => t.WindowId, null)
        .Set(t => t.CallCount, 0)
        .Set(t => t.BookedFor, null));

    public TicketChange Start(DateTimeOffset now) => Apply(new TicketChange(TicketEventKind.Started)
        .Set(t => t.State, TicketState.Serving)
        .Set(t => t.StartedAt, now));

    public TicketChange Finish(string outcome, IReadOnlyList<int> handledItems, DateTimeOffset now, FinishDetails? details = null, AcceptanceMode acceptance = AcceptanceMode.Normal,
        string? caseNumber = null)
    {
        var change = new TicketChange(TicketEventKind.Finished)
            .Set(t => t.State, TicketState.Finished)
            .Set(t => t.Outcome, outcome)
            .Set(t => t.Acceptance, acceptance);
        if (TicketRules.CaseNumberOf(caseNumber) is { } number)
        {
            change.Set(t => t.CaseNumber, number);
        }
        if (details is not null && TicketRules.NeedsDetails(acceptance))
        {
            change
                .Set(t => t.MissingMaterials, string.IsNullOrWhiteSpace(details.MissingMaterials) ? null : details.MissingMaterials.Trim())
                .Set(t => t.AcceptanceDeadline, details.Deadline)
                .Set(t => t.FinishNote, string.IsNullOrWhiteSpace(details.Note) ? null : details.Note.Trim());
        }
        return Apply(change
            .Set(t => t.HandledItemIds, [.. handledItems])
            .Set(t => t.FinishedAt, now));
    }

    /// <summary>The case-handling system attaches the 办件编号 to a finished ticket (<see cref="TicketRules.AttachCaseNumber"/> decided it may).</summary>
    public void AttachCaseNumber(string caseNumber)
    {
        if (State != TicketState.Finished || TicketRules.CaseNumber(caseNumber, required: true) is not null || (CaseNumber is not null && CaseNumber != caseNumber.Trim()))
        {
            throw new InvalidOperationException("A case number is attached once, to a finished ticket, as the rules allow.");
        }
        CaseNumber = caseNumber.Trim();
    }

    /// <summary>Back to waiting in the target, keeping its arrival, marked to go first there.</summary>
    public TicketChange TransferTo(int serviceId, int? windowId, int? fromWindowId = null, string? note = null) => Apply(new TicketChange(TicketEventKind.Transferred)
        .Set(t => t.TransferredFromWindowId, fromWindowId)
        .Set(t => t.TransferNote, string.IsNullOrWhiteSpace(note) ? null : note.Trim())
        .Set(t => t.State, TicketState.Waiting)
        .Set(t => t.ServiceId, serviceId)
        .Set(t => t.TargetWindowId, windowId)
        .Set(t => t.Transferred, true)
        .Set(t => t.WindowId, null)
        .Set(t => t.CallCount, 0)
        .Set(t => t.StartedAt, null));

    public TicketChange Cancel() => Apply(new TicketChange(TicketEventKind.Cancelled).Set(t => t.State, TicketState.Cancelled));

    /// <summary>Issued but never handed over (the kiosk could not print it).</summary>
    public TicketChange Void() => Apply(new TicketChange(TicketEventKind.Voided).Set(t => t.State, TicketState.Voided));

    /// <summary>Applies a change to this entity and returns it, for a raw path to write the same change.</summary>
    private TicketChange Apply(TicketChange change)
    {
        change.ApplyTo(this);
        return change;
    }
}

/// <summary>How the citizen is reached and recognised, as a ticket keeps it: never a number in clear (see <see cref="Ticket"/>'s fields).</summary>
/// <summary>The booking a ticket is issued for: its id, and its slot's start when checked in on time (null when late, taken as a walk-in).</summary>
public sealed record TicketBooking(long BookingId, DateTimeOffset? BookedFor);

public sealed record TicketContact(string? MobileCipher, byte[]? MobileHmac, string? MobileMasked, string? ContactCipher, DateTimeOffset? NoticeSentAt, byte[]? IdHmac, string? IdMasked);

public enum TicketEventKind
{
    Issued,
    Called,
    Recalled,
    NoShow,
    Requeued,
    Started,
    Finished,
    Transferred,
    Cancelled,
    Rated,
    Voided,
    /// <summary>邀评: the clerk asked the window's evaluator to offer the rating screen again; no change of state.</summary>
    RatingInvited,
}

/// <summary>The append-only ticket event log: one row per transition. Its id is the version of the change.</summary>
public sealed class TicketEvent
{
    public long Id { get; set; }
    public int HallId { get; set; }
    public long TicketId { get; set; }
    public int ServiceId { get; set; }
    public TicketEventKind Kind { get; set; }
    public TicketState? FromState { get; set; }
    public TicketState ToState { get; set; }
    public int? WindowId { get; set; }
    public int? StaffId { get; set; }
    public int? DeviceId { get; set; }
    public string? Outcome { get; set; }
    public string? Detail { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? CommandId { get; set; }

    /// <summary>The entry for a transition the ticket just made: the one way events are written (commands and bulk loads alike).</summary>
    public static TicketEvent Of(Ticket ticket, TicketEventKind kind, TicketState? from, int? windowId, Actor actor, string? detail, DateTimeOffset now, Guid? commandId) =>
        Entry(ticket.HallId, ticket.Id, ticket.ServiceId, kind, from, ticket.State, windowId ?? ticket.WindowId, kind == TicketEventKind.Finished ? ticket.Outcome : null, actor, detail, now, commandId);

    /// <summary>The entry for a change written without loading the ticket (a raw command path, which changes no service): the row the entity would give.</summary>
    public static TicketEvent Of(TicketFacts ticket, int hallId, TicketChange change, int? windowId, Actor actor, string? detail, DateTimeOffset now, Guid? commandId) =>
        Entry(hallId, ticket.Id, ticket.ServiceId, change.Kind, ticket.State, change.To ?? ticket.State, windowId ?? ticket.WindowId, null, actor, detail, now, commandId);

    private static TicketEvent Entry(int hallId, long ticketId, int serviceId, TicketEventKind kind, TicketState? from, TicketState to, int? windowId, string? outcome, Actor actor, string? detail, DateTimeOffset now, Guid? commandId) => new()
    {
        HallId = hallId,
        TicketId = ticketId,
        ServiceId = serviceId,
        Kind = kind,
        FromState = from,
        ToState = to,
        WindowId = windowId,
        StaffId = actor.StaffId,
        DeviceId = actor.DeviceId,
        Outcome = outcome,
        Detail = detail,
        At = now,
        CommandId = commandId,
    };
}

/// <summary>A 好差评 rating: at most one per ticket.</summary>
public sealed class Rating
{
    public long Id { get; set; }
    public int HallId { get; set; }
    public long TicketId { get; set; }
    public int? WindowId { get; set; }
    public int? StaffId { get; set; }
    public RatingLevel Level { get; set; }
    public List<string> Reasons { get; set; } = [];
    public int? DeviceId { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>Where the citizen rated: the window's evaluator or their own phone (the ticket's tracking page).</summary>
    public RatingChannel Channel { get; set; } = RatingChannel.Evaluator;
    /// <summary>
    /// When the supervisor upheld the window's appeal (申诉复核) against this rating as mistaken or malicious: from then it no longer
    /// counts in the window's and clerk's figures, but it is kept, marked, in the exports and the upload.
    /// </summary>
    public DateTimeOffset? AppealUpheldAt { get; set; }
}

/// <summary>The per (service, business date) number counter, taken under the service's lock.</summary>
public sealed class NumberCounter
{
    public int ServiceId { get; set; }
    public DateOnly BusinessDate { get; set; }
    public int HallId { get; set; }
    public int LastNumber { get; set; }
}

/// <summary>A command that was applied: a retry with the same id gets this result back and changes nothing.</summary>
public sealed class CommandRecord
{
    public Guid CommandId { get; set; }
    public int HallId { get; set; }
    public required string Kind { get; set; }
    public required string Actor { get; set; }
    /// <summary>SHA-256 of the command's arguments: the same id with other arguments is a different command.</summary>
    public byte[]? PayloadHash { get; set; }
    public string? Result { get; set; }
    public DateTimeOffset At { get; set; }
}
