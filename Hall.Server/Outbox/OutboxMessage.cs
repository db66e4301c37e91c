namespace Hall.Server.Outbox;

/// <summary>
/// One message owed to a system outside the hall: a rating's upload to the province's 好差评 system (<see cref="Channel"/>
/// <c>province</c>, one row per rating) or an event for a registered webhook endpoint (<c>webhook</c>, one row per event
/// and endpoint). Written in the transaction of the change it reports, so nothing committed is left unsent; sent by
/// <see cref="OutboxSender"/> under a lease, retried with backoff until delivered or given up (<c>failed</c>).
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public int HallId { get; set; }
    /// <summary><see cref="OutboxChannels.Province"/> or <see cref="OutboxChannels.Webhook"/>.</summary>
    public required string Channel { get; set; }
    /// <summary>The webhook endpoint (webhook rows only).</summary>
    public int? EndpointId { get; set; }
    /// <summary>The rating uploaded (province rows only).</summary>
    public long? RatingId { get; set; }
    /// <summary>The receiver's idempotency key: the rating id, or the event id; the same on every retry.</summary>
    public required string EventId { get; set; }
    /// <summary><c>rating</c>, or the event type (<c>ticket.called</c> …).</summary>
    public required string Type { get; set; }
    /// <summary>What the message is about (<c>ticket:42</c>): an endpoint gets a subject's messages in order.</summary>
    public required string SubjectKey { get; set; }
    /// <summary>The event's data (JSON), as it was when the event happened; a rating's upload is read at send time instead.</summary>
    public string? Payload { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary><c>pending</c>, <c>sent</c> or <c>failed</c> (given up after the configured attempts; an admin sends it again).</summary>
    public required string State { get; set; }
    /// <summary>Raised when the message is enqueued again while on its way: a send of the older revision does not mark it sent.</summary>
    public int Revision { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    /// <summary>Held by the server sending it until then; a server that dies mid-send leaves it to run out.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    /// <summary>The HTTP status of the last answer (none when the receiver could not be reached).</summary>
    public int? LastStatus { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

/// <summary>The outbox's channels and states as stored.</summary>
public static class OutboxChannels
{
    public const string Province = "province";
    public const string Webhook = "webhook";

    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";
}

/// <summary>A system of the county's that receives the hall's events: its address, its secret (encrypted) and the events it wants.</summary>
public sealed class WebhookEndpoint
{
    public int Id { get; set; }
    public int HallId { get; set; }
    public required string Url { get; set; }
    /// <summary>The signing secret, encrypted with the Data Protection key ring (wrapped by the privacy key): never in clear in the database.</summary>
    public required string SecretCipher { get; set; }
    /// <summary>Event types (<c>ticket.called</c>) or a family (<c>complaint.*</c>).</summary>
    public List<string> Events { get; set; } = [];
    /// <summary>Paused (false): no new events are written for it, and those already queued wait until it is resumed.</summary>
    public bool Active { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The secret before the last rotation (encrypted like <see cref="SecretCipher"/>): requests carry its signature too until <see cref="PreviousSecretUntil"/>.</summary>
    public string? PreviousSecretCipher { get; set; }
    /// <summary>The end of the rotation's overlap: after it, requests are signed with the current secret only.</summary>
    public DateTimeOffset? PreviousSecretUntil { get; set; }
}
