using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Tickets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hall.Server.Outbox;

/// <summary>
/// Webhooks: the hall's events for other systems of the county, posted to each registered endpoint that wants them (see
/// Hub/WEBHOOKS.md). An event is written to the outbox — one row per endpoint — in the transaction of the change itself,
/// so an event is never lost and never sent for a change that was rolled back.
/// <para>
/// Ticket events come from the ticket event log: every queue command logs its ticket transitions through
/// <c>CommandContext.Log</c> (issue writes its own batch), and that is where the fan-out statement is added, in the same
/// transaction. A separate reader following <c>ticket_events</c> by id would have to deal with ids drawn from the sequence
/// before commit — a row with a smaller id can commit after a larger one was read, and "id &gt; cursor" would skip it —
/// while writing in the command's transaction gives "at least once" with nothing to reconcile. Per ticket the rows are
/// written in order (a ticket's transitions are serialised by its row lock), and the sender sends a ticket's next event to
/// an endpoint only once the earlier one was delivered.
/// </para>
/// </summary>
public sealed class HallEvents(IDataProtectionProvider protection, IConfiguration config, TimeProvider clock) : IOutboxChannel
{
    /// <summary>The event types an endpoint may ask for; <c>complaint.*</c> stands for every complaint event.</summary>
    public static readonly IReadOnlyList<string> Types = ["ticket.issued", "ticket.called", "ticket.finished", "ticket.rated", CaseNumberAttached, "complaint.*"];

    /// <summary>The 一窗受理 system attached the 办件编号 to a finished ticket afterwards (see CaseNumberEndpoints).</summary>
    public const string CaseNumberAttached = "ticket.case_number";

    private readonly IDataProtector _secrets = protection.CreateProtector("Hall.Webhook.Secret.v1");

    public string Name => OutboxChannels.Webhook;

    public bool Enabled => true;

    internal string ProtectSecret(string secret) => _secrets.Protect(secret);

    /// <summary>How long a rotated-out secret still signs the requests (<c>Hall:Webhooks:RotationOverlapHours</c>, default 24).</summary>
    public TimeSpan RotationOverlap => TimeSpan.FromHours(Math.Max(0, config.GetValue("Hall:Webhooks:RotationOverlapHours", 24.0)));

    /// <summary>
    /// Enqueues an event for every active endpoint of <paramref name="hallId"/> that wants <paramref name="type"/>, in the
    /// caller's transaction on <paramref name="db"/>. <paramref name="subjectKey"/> names what the event is about (e.g.
    /// <c>complaint:17</c>): an endpoint receives one subject's events in the order they were enqueued. Returns the event id.
    /// </summary>
    public static async Task<string> EnqueueAsync(HallDb db, int hallId, string type, string subjectKey, object payload, DateTimeOffset now, CancellationToken ct)
    {
        var eventId = Guid.NewGuid().ToString("N");
        var json = JsonSerializer.Serialize(payload, JsonOptions);
        var at = now.ToUniversalTime();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO outbox (hall_id, channel, endpoint_id, event_id, type, subject_key, payload, occurred_at, state, revision, attempts, created_at, next_attempt_at)
            SELECT w.hall_id, 'webhook', w.id, {eventId}, {type}, {subjectKey}, {json}::jsonb, {at}, 'pending', 0, 0, {at}, {at}
            FROM webhook_endpoints w WHERE w.hall_id = {hallId} AND w.active AND ({type} = ANY (w.events) OR split_part({type}, '.', 1) || '.*' = ANY (w.events))
            """, ct);
        return eventId;
    }

    /// <summary>The type of webhook event a ticket transition is, or null when it is none.</summary>
    public static string? TypeOf(TicketEventKind kind) => kind switch
    {
        TicketEventKind.Issued => "ticket.issued",
        TicketEventKind.Called or TicketEventKind.Recalled => "ticket.called",
        TicketEventKind.Finished => "ticket.finished",
        TicketEventKind.Rated => "ticket.rated",
        TicketEventKind.NoShow or TicketEventKind.Requeued or TicketEventKind.Started or TicketEventKind.Transferred or TicketEventKind.Cancelled or TicketEventKind.Voided or TicketEventKind.RatingInvited => null,
    };

    /// <summary>
    /// The statement that enqueues a logged ticket transition for the endpoints that want it, after the event's INSERT in
    /// the same batch; null when the transition is no webhook event. The data is read from the ticket as the command left it.
    /// </summary>
    internal static NpgsqlBatchCommand? TicketStatement(TicketEvent e)
    {
        if (TypeOf(e.Kind) is not { } type)
        {
            return null;
        }
        int? level = e.Kind == TicketEventKind.Rated && Enum.TryParse<RatingLevel>(e.Detail, out var rated) ? (int)rated : null;
        return Queue.CommandContext.Statement("""
            INSERT INTO outbox (hall_id, channel, endpoint_id, event_id, type, subject_key, payload, occurred_at, state, revision, attempts, created_at, next_attempt_at)
            SELECT w.hall_id, 'webhook', w.id, $2, $3::text, $4, d.data, $5, 'pending', 0, 0, $5, $5
            FROM webhook_endpoints w,
                 (SELECT jsonb_build_object('ticketId', t.id, 'ticketNumber', t.number, 'businessDate', t.business_date, 'serviceCode', s.code, 'serviceName', s.name,
                                            'windowNumber', win.number, 'state', $10::text, 'recall', $7::boolean, 'outcome', t.outcome, 'level', $8::int,
                                            'caseNumber', t.case_number) AS data
                  FROM tickets t JOIN services s ON s.id = t.service_id LEFT JOIN windows win ON win.id = $6::int WHERE t.id = $9) d
            WHERE w.hall_id = $1 AND w.active AND $3::text = ANY (w.events)
            """,
            e.HallId, $"ticket-event-{e.Id}", type, $"ticket:{e.TicketId}", e.At.ToUniversalTime(), e.WindowId, e.Kind == TicketEventKind.Recalled, level, e.TicketId, e.ToState.ToString());
    }

    public async Task<IReadOnlyDictionary<long, OutboxRequest>> PrepareAsync(HallDb db, IReadOnlyList<OutboxClaim> claimed, CancellationToken ct)
    {
        int[] endpointIds = [.. claimed.Where(c => c.EndpointId is not null).Select(c => c.EndpointId!.Value).Distinct()];
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(w => endpointIds.Contains(w.Id)).ToDictionaryAsync(w => w.Id, ct);
        int[] hallIds = [.. claimed.Select(c => c.HallId).Distinct()];
        var halls = await db.Halls.AsNoTracking().Where(h => hallIds.Contains(h.Id)).ToDictionaryAsync(h => h.Id, h => h.Code, ct);
        var timeout = TimeSpan.FromSeconds(config.GetValue("Hall:Webhooks:TimeoutSeconds", 10.0));
        var now = clock.GetUtcNow();
        var requests = new Dictionary<long, OutboxRequest>();
        foreach (var row in claimed)
        {
            if (row.EndpointId is not { } endpointId || !endpoints.TryGetValue(endpointId, out var endpoint) || !Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var url))
            {
                continue;
            }
            var body = new JsonObject
            {
                ["id"] = row.EventId,
                ["type"] = row.Type,
                ["hall"] = halls.GetValueOrDefault(row.HallId, ""),
                ["occurredAt"] = row.OccurredAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                ["data"] = row.Payload is null ? null : JsonNode.Parse(row.Payload),
            };
            var previous = endpoint.PreviousSecretCipher is { } cipher && endpoint.PreviousSecretUntil > now ? Encoding.UTF8.GetBytes(_secrets.Unprotect(cipher)) : null;
            requests[row.Id] = new OutboxRequest(url, body.ToJsonString(JsonOptions), Encoding.UTF8.GetBytes(_secrets.Unprotect(endpoint.SecretCipher)), timeout,
                new OutboxHeaders("X-Hall-Timestamp", "X-Hall-Nonce", "X-Hall-Signature"), false,
                [new("X-Hall-Event", row.Type), new("X-Hall-Event-Id", row.EventId)], previous);
        }
        return requests;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
