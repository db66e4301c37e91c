using System.Security.Cryptography;
using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Outbox;

/// <summary>How many of a channel's messages are waiting, delivered and given up.</summary>
public sealed record OutboxCounts(int Pending, int Sent, int Failed);

/// <summary>One message as the admin reads it: what it is, its state, its attempts and the last answer.</summary>
public sealed record OutboxRow(long Id, string EventId, string Type, string Subject, string State, int Attempts, int? LastStatus, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset NextAttemptAt, DateTimeOffset? SentAt);

/// <summary>A registered webhook endpoint as listed (never its secret).</summary>
public sealed record WebhookEndpointRow(int Id, string Url, List<string> Events, bool Active, DateTimeOffset CreatedAt, OutboxCounts Counts, DateTimeOffset? PreviousSecretUntil);

/// <summary>The admin's view of the outbox: the province upload's figures and list, the webhook endpoints and their delivery log, sending again.</summary>
public sealed class OutboxAdmin(IDbContextFactory<HallDb> dbFactory, HallEvents events, AdminStore store, TimeProvider clock)
{
    public const int MaxUrlLength = 500;

    public static readonly Refusal NotFailed = new("outbox_not_failed", "该条未处于失败状态，未作任何更改", "This message has not failed. Nothing was changed.");
    public static readonly Refusal InvalidUrl = new("webhook_url_invalid", "接收地址须为完整的 http 或 https 网址（不含用户名密码），未作任何更改",
        "The address must be a full http or https URL (without user name or password). Nothing was changed.");
    public static readonly Refusal NoEvents = new("webhook_no_events", "请至少选择一种事件，未作任何更改", "Choose at least one event. Nothing was changed.");
    public static readonly Refusal UnknownEndpoint = new("webhook_unknown", "没有这个接收地址，未作任何更改", "No such webhook endpoint in this hall. Nothing was changed.");

    public async Task<OutboxCounts> CountsAsync(int hallId, string channel, int? endpointId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var counts = await db.Outbox.AsNoTracking().Where(m => m.HallId == hallId && m.Channel == channel && (endpointId == null || m.EndpointId == endpointId))
            .GroupBy(m => m.State).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return new(counts.GetValueOrDefault(OutboxChannels.Pending), counts.GetValueOrDefault(OutboxChannels.Sent), counts.GetValueOrDefault(OutboxChannels.Failed));
    }

    /// <summary>The newest <paramref name="take"/> messages of the channel (and endpoint), of one state or all; a rating's shows its ticket number and level.</summary>
    public async Task<List<OutboxRow>> RowsAsync(int hallId, string channel, int? endpointId, string? state, int take, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await (
            from m in db.Outbox.AsNoTracking()
            where m.HallId == hallId && m.Channel == channel && (endpointId == null || m.EndpointId == endpointId) && (state == null || m.State == state)
            from r in db.Ratings.Where(r => r.Id == m.RatingId).DefaultIfEmpty()
            from t in db.Tickets.Where(t => r != null && t.Id == r.TicketId).DefaultIfEmpty()
            orderby m.Id descending
            select new { m, Number = t == null ? null : t.Number, Level = r == null ? (RatingLevel?)null : r.Level }).Take(take).ToListAsync(ct);
        var subjects = await SubjectNamesAsync(db, hallId, rows.Select(x => x.m.SubjectKey), ct);
        return [.. rows.Select(x => new OutboxRow(x.m.Id, x.m.EventId, x.m.Type,
            x.Number is { } number ? $"{number} · {Reports.ReportFormat.Level(x.Level!.Value)}" : subjects.GetValueOrDefault(x.m.SubjectKey, x.m.SubjectKey),
            x.m.State, x.m.Attempts, x.m.LastStatus, x.m.LastError, x.m.CreatedAt, x.m.LastAttemptAt, x.m.NextAttemptAt, x.m.SentAt))];
    }

    /// <summary>
    /// What an admin recognises for a webhook subject: a ticket's number and business day (<c>A012 · 12-05</c>), a
    /// complaint's number (<c>TS-20261205-001</c>). A key of nothing found in the hall stays as it is.
    /// </summary>
    private static async Task<Dictionary<string, string>> SubjectNamesAsync(HallDb db, int hallId, IEnumerable<string> keys, CancellationToken ct)
    {
        static long? IdOf(string key, string prefix) =>
            key.StartsWith(prefix, StringComparison.Ordinal) && long.TryParse(key.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;
        var distinct = keys.Distinct().ToList();
        long[] ticketIds = [.. distinct.Select(k => IdOf(k, "ticket:")).OfType<long>()];
        long[] complaintIds = [.. distinct.Select(k => IdOf(k, "complaint:")).OfType<long>()];
        var names = new Dictionary<string, string>();
        foreach (var t in await db.Tickets.AsNoTracking().Where(t => t.HallId == hallId && ticketIds.Contains(t.Id)).Select(t => new { t.Id, t.Number, t.BusinessDate }).ToListAsync(ct))
        {
            names[$"ticket:{t.Id}"] = $"{t.Number} · {t.BusinessDate.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture)}";
        }
        foreach (var c in await db.Complaints.AsNoTracking().Where(c => c.HallId == hallId && complaintIds.Contains(c.Id)).Select(c => new { c.Id, c.Number }).ToListAsync(ct))
        {
            names[$"complaint:{c.Id}"] = c.Number;
        }
        return names;
    }

    /// <summary>Sends a failed message again (due now, its attempts counted afresh); audited. Only the admin, only a failed message of their hall.</summary>
    public async Task<Refusal?> RetryAsync(Actor actor, long id, CancellationToken ct)
    {
        if (actor.StaffRole != StaffRole.Admin)
        {
            return Refusal.Forbidden;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var message = await db.Outbox.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id && m.HallId == actor.HallId, ct);
        if (message is null || message.State != OutboxChannels.Failed)
        {
            return NotFailed;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow().ToUniversalTime();
        var changed = await db.Database.ExecuteSqlAsync(
            $"UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = {now}, lease_until = NULL WHERE id = {id} AND state = 'failed'", ct);
        if (changed == 0)
        {
            return NotFailed;
        }
        db.AuditEntries.Add(store.EntryFor(actor, "outbox.retry", Subject(message), new { message.State, message.Attempts, message.LastError }, new { State = OutboxChannels.Pending }));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return null;
    }

    /// <summary>Sends every failed message of the channel (and endpoint) again; audited as one entry. Answers how many.</summary>
    public async Task<(int Count, Refusal? Refusal)> RetryAllAsync(Actor actor, string channel, int? endpointId, CancellationToken ct)
    {
        if (actor.StaffRole != StaffRole.Admin)
        {
            return (0, Refusal.Forbidden);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow().ToUniversalTime();
        var changed = await db.Database.ExecuteSqlAsync($"""
            UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = {now}, lease_until = NULL
            WHERE hall_id = {actor.HallId} AND channel = {channel} AND state = 'failed' AND ({endpointId}::int IS NULL OR endpoint_id = {endpointId})
            """, ct);
        if (changed == 0)
        {
            return (0, NotFailed);
        }
        db.AuditEntries.Add(store.EntryFor(actor, "outbox.retry_all", endpointId is { } e ? $"webhook:{e}" : channel, null, new { Count = changed }));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (changed, null);
    }

    private static string Subject(OutboxMessage m) => m.RatingId is { } rating ? $"rating:{rating}" : $"webhook:{m.EndpointId}:{m.EventId}";

    public async Task<List<WebhookEndpointRow>> EndpointsAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(w => w.HallId == hallId).OrderBy(w => w.Id).ToListAsync(ct);
        var counts = await db.Outbox.AsNoTracking().Where(m => m.HallId == hallId && m.Channel == OutboxChannels.Webhook)
            .GroupBy(m => new { m.EndpointId, m.State }).Select(g => new { g.Key.EndpointId, g.Key.State, Count = g.Count() }).ToListAsync(ct);
        int Count(int id, string state) => counts.Where(c => c.EndpointId == id && c.State == state).Sum(c => c.Count);
        var now = clock.GetUtcNow();
        return [.. endpoints.Select(w => new WebhookEndpointRow(w.Id, w.Url, w.Events, w.Active, w.CreatedAt,
            new OutboxCounts(Count(w.Id, OutboxChannels.Pending), Count(w.Id, OutboxChannels.Sent), Count(w.Id, OutboxChannels.Failed)),
            w.PreviousSecretCipher is not null && w.PreviousSecretUntil > now ? w.PreviousSecretUntil : null))];
    }

    /// <summary>Whether <paramref name="url"/> is an address the hall may post to: absolute http(s), no credentials in it.</summary>
    public static bool ValidUrl(string? url) =>
        url is { Length: > 0 and <= MaxUrlLength } && url.Trim() == url && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.UserInfo.Length == 0 && uri.Host.Length > 0;

    /// <summary>The known event types of <paramref name="types"/> in the page's order, or null when none was chosen or one is unknown.</summary>
    private static List<string>? Wanted(IReadOnlyCollection<string> types)
    {
        List<string> wanted = [.. HallEvents.Types.Where(types.Contains)];
        return wanted.Count == 0 || types.Any(t => !HallEvents.Types.Contains(t)) ? null : wanted;
    }

    /// <summary>Registers an endpoint; answers its signing secret, shown this once (stored encrypted). Audited without the secret.</summary>
    public async Task<(string? Secret, Refusal? Refusal)> RegisterAsync(Actor actor, string? url, IReadOnlyCollection<string> types, CancellationToken ct)
    {
        if (actor.StaffRole != StaffRole.Admin)
        {
            return (null, Refusal.Forbidden);
        }
        url = url?.Trim();
        if (!ValidUrl(url))
        {
            return (null, InvalidUrl);
        }
        if (Wanted(types) is not { } wanted)
        {
            return (null, NoEvents);
        }
        var secret = NewSecret();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var endpoint = new WebhookEndpoint { HallId = actor.HallId, Url = url!, SecretCipher = events.ProtectSecret(secret), Events = wanted, CreatedAt = clock.GetUtcNow() };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        db.AuditEntries.Add(store.EntryFor(actor, "webhook.create", $"webhook:{endpoint.Id}", null, new { endpoint.Url, Events = string.Join(", ", wanted) }));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (secret, null);
    }

    /// <summary>
    /// Pauses (or resumes) an endpoint: its log stays; events that happen while it is paused are not written for it (it
    /// never gets them), and those queued before wait and go out, in order, once it is resumed. Audited.
    /// </summary>
    public async Task<Refusal?> SetActiveAsync(Actor actor, int endpointId, bool active, CancellationToken ct)
    {
        if (actor.StaffRole != StaffRole.Admin)
        {
            return Refusal.Forbidden;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(w => w.Id == endpointId && w.HallId == actor.HallId, ct);
        if (endpoint is null)
        {
            return UnknownEndpoint;
        }
        if (endpoint.Active == active)
        {
            return null;
        }
        endpoint.Active = active;
        db.AuditEntries.Add(store.EntryFor(actor, active ? "webhook.resume" : "webhook.stop", $"webhook:{endpoint.Id}", new { Active = !active }, new { Active = active }));
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>
    /// Changes an endpoint's address and events; audited with both. Events already queued go to the new address as they
    /// come round; the new events list applies to events from now on.
    /// </summary>
    public async Task<Refusal?> UpdateAsync(Actor actor, int endpointId, string? url, IReadOnlyCollection<string> types, CancellationToken ct)
    {
        if (actor.StaffRole != StaffRole.Admin)
        {
            return Refusal.Forbidden;
        }
        url = url?.Trim();
        if (!ValidUrl(url))
        {
            return InvalidUrl;
        }
        if (Wanted(types) is not { } wanted)
        {
            return NoEvents;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(w => w.Id == endpointId && w.HallId == actor.HallId, ct);
        if (endpoint is null)
        {
            return UnknownEndpoint;
        }
        if (endpoint.Url == url && endpoint.Events.SequenceEqual(wanted))
        {
            return null;
        }
        var before = new { endpoint.Url, Events = string.Join(", ", endpoint.Events) };
        endpoint.Url = url!;
        endpoint.Events = wanted;
        db.AuditEntries.Add(store.EntryFor(actor, "webhook.update", $"webhook:{endpoint.Id}", before, new { endpoint.Url, Events = string.Join(", ", wanted) }));
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>
    /// Gives an endpoint a new signing secret, answered this once (stored encrypted). Until the answered time
    /// (<see cref="HallEvents.RotationOverlap"/> from now) requests carry the old secret's signature too, so the receiver
    /// can switch without refusing an event; rotating again within it drops the oldest. Audited without either secret.
    /// </summary>
    public async Task<(string? Secret, DateTimeOffset OldValidUntil, Refusal? Refusal)> RotateSecretAsync(Actor actor, int endpointId, CancellationToken ct)
    {
        if (actor.StaffRole != StaffRole.Admin)
        {
            return (null, default, Refusal.Forbidden);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(w => w.Id == endpointId && w.HallId == actor.HallId, ct);
        if (endpoint is null)
        {
            return (null, default, UnknownEndpoint);
        }
        var secret = NewSecret();
        var until = clock.GetUtcNow().ToUniversalTime() + events.RotationOverlap;
        var before = new { PreviousSecretUntil = endpoint.PreviousSecretUntil };
        endpoint.PreviousSecretCipher = endpoint.SecretCipher;
        endpoint.PreviousSecretUntil = until;
        endpoint.SecretCipher = events.ProtectSecret(secret);
        db.AuditEntries.Add(store.EntryFor(actor, "webhook.rotate_secret", $"webhook:{endpoint.Id}", before, new { PreviousSecretUntil = until }));
        await db.SaveChangesAsync(ct);
        return (secret, until, null);
    }

    private static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
