using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Hall.Server.Outbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hall.Tests.Support;

/// <summary>One POST as the stand-in received it: its headers, body, whether its signature held, and what it was answered.</summary>
public sealed record ReceivedPost(IReadOnlyDictionary<string, string> Headers, string Body, bool SignatureValid, int Status)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A stand-in for an outside system (the province's 好差评 system, a webhook receiver) on real Kestrel at a fixed loopback
/// port, so it can be stopped (nothing listening) and started again where the hall expects it. It checks each request's
/// HMAC signature with the shared secret (any of the comma-separated signatures, as during a webhook secret's rotation)
/// and answers what the test sets: a status, after a delay, or holding the request.
/// </summary>
public sealed class StandInReceiver(string path, string timestampHeader, string nonceHeader, string signatureHeader) : IAsyncDisposable
{
    private WebApplication? _app;
    private readonly ConcurrentQueue<ReceivedPost> _posts = new();

    public int Port { get; } = ServerProcess.FreePort();

    public string Url => $"http://127.0.0.1:{Port}{path}";

    /// <summary>The secret signatures are checked with (a webhook's is known only once registered).</summary>
    public byte[] Secret { get; set; } = [];

    /// <summary>What the next requests are answered: the status of each, in order, then <see cref="Status"/>.</summary>
    public ConcurrentQueue<int> NextStatuses { get; } = new();

    public int Status { get; set; } = StatusCodes.Status200OK;

    /// <summary>How long the next request (only) waits before it is answered; the wait ends early when the caller gives up.</summary>
    public TimeSpan DelayNext { get; set; }

    /// <summary>When set, the next request is held (never answered) and this is completed with its body as it arrives.</summary>
    public TaskCompletionSource<string>? HoldNext { get; set; }

    public IReadOnlyList<ReceivedPost> Posts => [.. _posts];

    /// <summary>The posts answered with a success, i.e. accepted.</summary>
    public IReadOnlyList<ReceivedPost> Accepted => [.. _posts.Where(p => p.Status is >= 200 and < 300)];

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost(path, async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var valid = headers.TryGetValue(timestampHeader, out var timestamp) && headers.TryGetValue(nonceHeader, out var nonce)
                && headers.TryGetValue(signatureHeader, out var signature) && signature.Split(',').Any(s => OutboxSigning.Verify(Secret, timestamp, nonce, body, s));
            if (HoldNext is { } hold)
            {
                HoldNext = null;
                hold.TrySetResult(body);
                _posts.Enqueue(new ReceivedPost(headers, body, valid, 0));
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
            if (DelayNext > TimeSpan.Zero)
            {
                var delay = DelayNext;
                DelayNext = TimeSpan.Zero;
                try
                {
                    await Task.Delay(delay, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The caller gave up waiting: it reads no answer, so this one is not accepted.
                    _posts.Enqueue(new ReceivedPost(headers, body, valid, 0));
                    throw;
                }
            }
            var status = NextStatuses.TryDequeue(out var next) ? next : Status;
            _posts.Enqueue(new ReceivedPost(headers, body, valid, status));
            return Results.StatusCode(status);
        });
        await _app.StartAsync();
    }

    /// <summary>Stops listening: a connection to the port is refused until <see cref="StartAsync"/> again.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
