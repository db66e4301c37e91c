using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Hall.Server.Data;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Security;

/// <summary>What a connection signed in with: a staff session, or a device key (its id and a tag of its hash, so a rotated key is a different one).</summary>
public readonly record struct Credential(ActorKind Kind, long Id, string? KeyTag)
{
    public static Credential? Of(ClaimsPrincipal user)
    {
        if (user.FindFirstValue(HallAuth.SessionClaim) is { } session)
        {
            return new(ActorKind.Staff, long.Parse(session, CultureInfo.InvariantCulture), null);
        }
        if (user.FindFirstValue(HallAuth.KeyClaim) is { } tag && user.FindFirstValue(ClaimTypes.NameIdentifier) is { } device)
        {
            return new(ActorKind.Device, long.Parse(device, CultureInfo.InvariantCulture), tag);
        }
        return null;
    }
}

/// <summary>
/// An open connection lives no longer than the right it was opened with. Signing out, an ended or idle session, a
/// deactivated account, a revoked or rotated device key: within seconds every server closes the connections (hub and
/// pages) that rest on it, and every hub command re-checks its credential first against what the last sweep found.
/// The server where it happened closes them at once and tells the others through the change feed (PostgreSQL
/// NOTIFY); every server also sweeps its own connections every <see cref="SweepEvery"/>, which covers a session ended
/// by a statement of its own (idle timeout, a password change ending the other sessions) and a lost notification.
/// </summary>
public sealed class ConnectionGuard(IDbContextFactory<HallDb> dbFactory, TimeProvider clock, ChangeFeed feed, ILogger<ConnectionGuard> log) : BackgroundService
{
    public static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, (Credential Credential, Action Close)> _connections = new();
    private readonly ConcurrentDictionary<Credential, (bool Valid, long At)> _cache = new();
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>A connection (hub or staff page) to close when its credential ends.</summary>
    public void Watch(string connectionId, Credential credential, Action close) => _connections[connectionId] = (credential, close);

    public void Forget(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>
    /// Whether the credential still holds, from what the last sweep found (no database round trip per command). A
    /// credential not swept yet (a connection just opened, so checked at its negotiate) holds until the next sweep.
    /// </summary>
    public ValueTask<bool> ValidAsync(Credential credential, CancellationToken ct)
    {
        if (_cache.TryGetValue(credential, out var known))
        {
            return ValueTask.FromResult(known.Valid);
        }
        _wake.Release();
        return ValueTask.FromResult(true);
    }

    /// <summary>A credential was ended on this server: its connections here are closed before this returns, and the other servers are told.</summary>
    public async Task EndedAsync()
    {
        feed.PublishCredentialsEnded();
        try
        {
            await SweepAsync(CancellationToken.None);
        }
        catch (Exception ex) when (Queue.CommandRunner.IsUnavailable(ex))
        {
            // The next sweep closes them.
            _wake.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        feed.CredentialsEnded += OnEndedElsewhere;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await ((Task)_wake.WaitAsync(SweepEvery, stoppingToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The database away: nothing can be checked, and nothing can be done either (every command needs it).
                    log.LogDebug(ex, "Connections not checked this round");
                }
            }
        }
        finally
        {
            feed.CredentialsEnded -= OnEndedElsewhere;
        }
    }

    private void OnEndedElsewhere() => _wake.Release();

    private async Task SweepAsync(CancellationToken ct)
    {
        var open = _connections.ToArray();
        if (open.Length == 0)
        {
            _cache.Clear();
            return;
        }
        var valid = await CheckAsync([.. open.Select(c => c.Value.Credential).Distinct()], ct);
        foreach (var (connectionId, (credential, close)) in open)
        {
            _cache[credential] = (valid.Contains(credential), Environment.TickCount64);
            if (!valid.Contains(credential) && _connections.TryRemove(connectionId, out _))
            {
                log.LogInformation("Closed connection {ConnectionId}: its {Kind} credential {Id} has ended", connectionId, credential.Kind, credential.Id);
                close();
            }
        }
    }

    /// <summary>The credentials among these that still hold, in one round trip.</summary>
    private async Task<HashSet<Credential>> CheckAsync(IReadOnlyCollection<Credential> credentials, CancellationToken ct)
    {
        var sessions = credentials.Where(c => c.Kind == ActorKind.Staff).Select(c => c.Id).ToArray();
        var devices = credentials.Where(c => c.Kind == ActorKind.Device).Select(c => (int)c.Id).ToArray();
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = new HashSet<Credential>();
        if (sessions.Length > 0)
        {
            var live = await (
                from s in db.StaffSessions.AsNoTracking()
                join m in db.Staff on s.StaffId equals m.Id
                where sessions.Contains(s.Id) && s.RevokedAt == null && s.ExpiresAt > now && m.Active
                select s.Id).ToListAsync(ct);
            valid.UnionWith(live.Select(id => new Credential(ActorKind.Staff, id, null)));
        }
        if (devices.Length > 0)
        {
            var live = await db.Devices.AsNoTracking().Where(d => devices.Contains(d.Id) && d.RevokedAt == null).Select(d => new { d.Id, d.KeyHash }).ToListAsync(ct);
            valid.UnionWith(live.Select(d => new Credential(ActorKind.Device, d.Id, HallAuth.KeyTagOf(d.KeyHash))));
        }
        return valid;
    }
}

/// <summary>Every hub command first re-checks the caller's credential: a connection opened before a sign-out or a revocation does nothing after it.</summary>
public sealed class CredentialFilter(ConnectionGuard guard) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (invocationContext.Hub is HallHub && Credential.Of(invocationContext.Context.User!) is { } credential
            && !await ValidAsync(credential, invocationContext.Context.ConnectionAborted))
        {
            invocationContext.Context.Abort();
            return ArgumentFilter.Refuse(invocationContext, Refusal.CredentialEnded);
        }
        return await next(invocationContext);
    }

    /// <summary>With the database away nothing can be checked — and nothing done: the command itself answers <c>unavailable</c>.</summary>
    private async ValueTask<bool> ValidAsync(Credential credential, CancellationToken ct)
    {
        try
        {
            return await guard.ValidAsync(credential, ct);
        }
        catch (Exception ex) when (CommandRunner.IsUnavailable(ex) && !ct.IsCancellationRequested)
        {
            return true;
        }
    }
}
