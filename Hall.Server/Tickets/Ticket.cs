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
    public uint Version { get; private set; }

    private Ticket()
    {
    }

    public static Ticket Issue(int hallId, int serviceId, NewTicket decision, PriorityClass priority, int? serviceItemId, int? deviceId, DateTimeOffset now) => new()
    {
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
    };

    public TicketFacts ToFacts() => new(Id, ServiceId, State, BusinessDate, QueuedAt, Priority, Transferred, TargetWindowId, WindowId, CallCount);

    public void Call(int windowId, int? staffId, DateTimeOffset now)
    {
        State = TicketState.Called;
        WindowId = windowId;
        StaffId = staffId;
        CallCount = 1;
        CalledAt = now;
        Transferred = false;
        TargetWindowId = null;
    }

    public void Recall(DateTimeOffset now)
    {
        CallCount++;
        CalledAt = now;
    }

    public void MarkNoShow() => State = TicketState.NoShow;

    public void Requeue(DateTimeOffset queuedAt)
    {
        State = TicketState.Waiting;
        QueuedAt = queuedAt;
        WindowId = null;
        CallCount = 0;
    }

    public void Start(DateTimeOffset now)
    {
        State = TicketState.Serving;
        StartedAt = now;
    }

    public void Finish(string outcome, IReadOnlyList<int> handledItems, DateTimeOffset now, FinishDetails? details = null)
    {
        State = TicketState.Finished;
        Outcome = outcome;
        if (details is not null && TicketRules.NeedsDetails(outcome))
        {
            MissingMaterials = string.IsNullOrWhiteSpace(details.MissingMaterials) ? null : details.MissingMaterials.Trim();
            AcceptanceDeadline = details.Deadline;
            FinishNote = string.IsNullOrWhiteSpace(details.Note) ? null : details.Note.Trim();
        }
        HandledItemIds = [.. handledItems];
        FinishedAt = now;
    }

    /// <summary>Back to waiting in the target, keeping its arrival, marked to go first there.</summary>
    public void TransferTo(int serviceId, int? windowId, int? fromWindowId = null, string? note = null)
    {
        TransferredFromWindowId = fromWindowId;
        TransferNote = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        State = TicketState.Waiting;
        ServiceId = serviceId;
        TargetWindowId = windowId;
        Transferred = true;
        WindowId = null;
        CallCount = 0;
        StartedAt = null;
    }

    public void Cancel() => State = TicketState.Cancelled;

    /// <summary>Issued but never handed over (the kiosk could not print it).</summary>
    public void Void() => State = TicketState.Voided;
}

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
    public static TicketEvent Of(Ticket ticket, TicketEventKind kind, TicketState? from, int? windowId, Actor actor, string? detail, DateTimeOffset now, Guid? commandId) => new()
    {
        HallId = ticket.HallId,
        TicketId = ticket.Id,
        ServiceId = ticket.ServiceId,
        Kind = kind,
        FromState = from,
        ToState = ticket.State,
        WindowId = windowId ?? ticket.WindowId,
        StaffId = actor.StaffId,
        DeviceId = actor.DeviceId,
        Outcome = kind == TicketEventKind.Finished ? ticket.Outcome : null,
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
