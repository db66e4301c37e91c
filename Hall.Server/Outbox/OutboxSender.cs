using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Outbox;

/// <summary>A claimed message, as the channel turns it into a request.</summary>
public sealed record OutboxClaim(long Id, int HallId, int? EndpointId, long? RatingId, string EventId, string Type, string SubjectKey, string? Payload, DateTimeOffset OccurredAt, int Revision, int Attempts);

/// <summary>The names of the headers that carry the signature.</summary>
public sealed record OutboxHeaders(string Timestamp, string Nonce, string Signature);

/// <summary>
/// One POST: where, the JSON body, the secret it is signed with, how long to wait, and headers of the channel's own. During
/// a webhook secret's rotation <paramref name="PreviousSecret"/> signs it too: the signature header then carries both
/// signatures, the current secret's first, separated by a comma.
/// </summary>
public sealed record OutboxRequest(Uri Url, string Body, byte[] Secret, TimeSpan Timeout, OutboxHeaders Headers, bool Base64Signature, IReadOnlyList<KeyValuePair<string, string>> Extra,
    byte[]? PreviousSecret = null);

/// <summary>A kind of outgoing message (the province upload, webhooks): how its claimed rows become requests.</summary>
public interface IOutboxChannel
{
    /// <summary>The <see cref="OutboxMessage.Channel"/> it sends.</summary>
    string Name { get; }

    /// <summary>Whether this server sends the channel now (the province's upload is switched on in configuration).</summary>
    bool Enabled { get; }

    /// <summary>The requests for the claimed rows, by row id; a row missing from the answer is tried again later.</summary>
    Task<IReadOnlyDictionary<long, OutboxRequest>> PrepareAsync(HallDb db, IReadOnlyList<OutboxClaim> claimed, CancellationToken ct);
}

/// <summary>
/// The one sender of the outbox, every <see cref="Interval"/>: per hall and channel it claims the due rows by setting their
/// <c>lease_until</c> in one statement that skips rows another server holds, so two servers never send one message at
/// once; a webhook row is claimed only when every earlier row of its subject for that endpoint was delivered (in order per
/// ticket), and only while its endpoint is active (a paused endpoint's rows wait for it to be resumed). A delivered row is marked sent; a failed one waits (10 s, 20 s, 40 s … capped at <c>Hall:Outbox:RetryCapMinutes</c>)
/// with its error and attempts recorded, and after <c>Hall:Outbox:MaxAttempts</c> is left failed for an admin to send again.
/// A server that stops mid-send writes nothing: its lease runs out and another server sends — the receiver may get that
/// message twice, under the same id.
/// </summary>
public sealed class OutboxSender(IDbContextFactory<HallDb> dbFactory, IEnumerable<IOutboxChannel> channels, IHttpClientFactory httpFactory, TimeProvider clock,
    IConfiguration config, ILogger<OutboxSender> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    /// <summary>How long a claimed row is held for the server sending it: longer than any request's timeout.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(10);
    public const string HttpClientName = "outbox";

    private const int Batch = 50;
    private const int MaxErrorLength = 500;

    private int MaxAttempts => config.GetValue("Hall:Outbox:MaxAttempts", 60);

    private TimeSpan RetryCap => TimeSpan.FromMinutes(config.GetValue("Hall:Outbox:RetryCapMinutes", 30.0));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Operations.Periodic.RunAsync(Interval, clock, log, "Outbox not sent this round", async ct => await SendDueAsync(ct), stoppingToken);

    /// <summary>The wait after the <paramref name="attempts"/>th failed attempt: doubling from <see cref="FirstRetry"/>, capped.</summary>
    public static TimeSpan Backoff(int attempts, TimeSpan cap) =>
        TimeSpan.FromTicks(Math.Min(cap.Ticks, FirstRetry.Ticks << Math.Clamp(attempts - 1, 0, 20)));

    /// <summary>Sends every due message of every hall, again while a round delivered something (the next of a ticket's events); returns how many were delivered.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var delivered = 0;
        for (var round = 0; round < 20; round++)
        {
            var now = clock.GetUtcNow().ToUniversalTime();
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var halls = await db.Outbox.AsNoTracking().Where(m => m.State == OutboxChannels.Pending && m.NextAttemptAt <= now).Select(m => m.HallId).Distinct().ToListAsync(ct);
            var sent = 0;
            foreach (var hallId in halls)
            {
                foreach (var channel in channels.Where(c => c.Enabled))
                {
                    sent += await SendAsync(db, hallId, channel, ct);
                }
            }
            delivered += sent;
            if (sent == 0)
            {
                break;
            }
        }
        return delivered;
    }

    private async Task<int> SendAsync(HallDb db, int hallId, IOutboxChannel channel, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToUniversalTime();
        var until = now + Lease;
        var name = channel.Name;
        var claimed = await db.Database.SqlQuery<OutboxClaim>($"""
            UPDATE outbox SET lease_until = {until}
            WHERE id IN (SELECT o.id FROM outbox o
                         WHERE o.hall_id = {hallId} AND o.channel = {name} AND o.state = 'pending' AND o.next_attempt_at <= {now}
                           AND (o.lease_until IS NULL OR o.lease_until <= {now})
                           AND (o.endpoint_id IS NULL OR EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.id = o.endpoint_id AND w.active))
                           AND NOT EXISTS (SELECT 1 FROM outbox e
                                           WHERE e.endpoint_id = o.endpoint_id AND e.subject_key = o.subject_key AND e.id < o.id AND e.state <> 'sent')
                         ORDER BY o.id LIMIT {Batch} FOR UPDATE SKIP LOCKED)
              AND state = 'pending' AND (lease_until IS NULL OR lease_until <= {now})
            RETURNING id, hall_id, endpoint_id, rating_id, event_id, type, subject_key, payload::text AS payload, occurred_at, revision, attempts
            """).ToListAsync(ct);
        if (claimed.Count == 0)
        {
            return 0;
        }
        var requests = await channel.PrepareAsync(db, claimed, ct);
        var http = httpFactory.CreateClient(HttpClientName);
        // A claim holds at most one message per endpoint and subject (a later one waits until its earlier one is delivered),
        // so the claimed messages go out side by side, a few at a time: a slow or dead receiver holds up its own messages,
        // not every other endpoint's and the province's behind them for a whole claim of timeouts.
        using var gate = new SemaphoreSlim(ParallelPosts);
        var posts = await Task.WhenAll(claimed.OrderBy(r => r.Id).Select(async row =>
        {
            if (!requests.TryGetValue(row.Id, out var request))
            {
                return new Post(row, null, "无法生成请求：数据缺失 / The message could not be built", null);
            }
            try
            {
                await gate.WaitAsync(ct);
                try
                {
                    var (status, error) = await PostAsync(http, request, ct);
                    return new Post(row, status, error, clock.GetUtcNow().ToUniversalTime());
                }
                finally
                {
                    gate.Release();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The server is stopping: not sent, nothing written; the lease hands it to the next server.
                return null;
            }
        }));
        var sent = 0;
        // The delivered first: their marks are written even when a failure's record is cut short by the server stopping.
        foreach (var post in posts.OfType<Post>().OrderBy(p => p.Error is null ? 0 : 1))
        {
            if (post.Error is null)
            {
                // CancellationToken.None: the message is out, so its mark must be written even as the server stops.
                await db.Database.ExecuteSqlAsync($"""
                    UPDATE outbox SET state = CASE WHEN revision = {post.Row.Revision} THEN 'sent' ELSE 'pending' END, sent_at = {post.At}, last_attempt_at = {post.At},
                        attempts = attempts + 1, last_status = {post.Status}, last_error = NULL, lease_until = NULL
                    WHERE id = {post.Row.Id}
                    """, CancellationToken.None);
                sent++;
            }
            else
            {
                await FailedAsync(db, post.Row, post.Status, post.Error, ct);
            }
        }
        ct.ThrowIfCancellationRequested();
        return sent;
    }

    /// <summary>How many of a claim's messages are posted at once.</summary>
    private const int ParallelPosts = 8;

    /// <summary>One claimed message's attempt: its answer's status, the error (null when delivered) and when it ended.</summary>
    private sealed record Post(OutboxClaim Row, int? Status, string? Error, DateTimeOffset? At);

    private async Task FailedAsync(HallDb db, OutboxClaim row, int? status, string error, CancellationToken ct)
    {
        var at = clock.GetUtcNow().ToUniversalTime();
        var attempts = row.Attempts + 1;
        var retryAt = at + Backoff(attempts, RetryCap);
        var max = MaxAttempts;
        var text = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
        log.LogWarning("Outbox message {Id} ({Type}) not delivered, attempt {Attempts}: {Error}", row.Id, row.Type, attempts, text);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE outbox SET attempts = attempts + 1, last_attempt_at = {at}, last_status = {status}, last_error = {text}, lease_until = NULL, next_attempt_at = {retryAt},
                state = CASE WHEN attempts + 1 >= {max} AND revision = {row.Revision} THEN 'failed' ELSE state END
            WHERE id = {row.Id}
            """, ct);
    }

    /// <summary>Posts the signed request; answers the status and, unless it was a success (2xx), what went wrong.</summary>
    private async Task<(int? Status, string? Error)> PostAsync(HttpClient http, OutboxRequest request, CancellationToken ct)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Url) { Content = new StringContent(request.Body, Encoding.UTF8, "application/json") };
        message.Headers.TryAddWithoutValidation(request.Headers.Timestamp, timestamp);
        message.Headers.TryAddWithoutValidation(request.Headers.Nonce, nonce);
        var signature = OutboxSigning.Encode(OutboxSigning.Sign(request.Secret, timestamp, nonce, request.Body), request.Base64Signature);
        if (request.PreviousSecret is { } previous)
        {
            signature += "," + OutboxSigning.Encode(OutboxSigning.Sign(previous, timestamp, nonce, request.Body), request.Base64Signature);
        }
        message.Headers.TryAddWithoutValidation(request.Headers.Signature, signature);
        foreach (var (header, value) in request.Extra)
        {
            message.Headers.TryAddWithoutValidation(header, value);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(request.Timeout);
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return (status, null);
            }
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return (status, $"HTTP {status} {response.ReasonPhrase}{(body.Length > 0 ? ": " + body[..Math.Min(body.Length, 200)] : "")}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"超时：{request.Timeout.TotalSeconds:0.#} 秒内无应答 / No answer within {request.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            var reason = ex.InnerException is SocketException socket ? socket.SocketErrorCode.ToString() : ex.Message;
            return (null, $"无法连接 / Could not connect: {reason}");
        }
    }
}
