using Hall.Server.Data;
using Hall.Server.Queue;
using Hall.Server.Security;
using Hall.Server.Staff;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Web;

/// <summary>
/// The sign-in behind one open page (a Blazor circuit), as the hub's connections have theirs (<see cref="ConnectionGuard"/>).
/// What a person does in the page is checked first: once the sign-in or device key has ended (signed out, deactivated,
/// password changed, idle, revoked or rotated, on any server) nothing they do reaches the page any more, and within
/// seconds of the end the page itself is replaced by a notice saying so (<see cref="Components.Layout.SignInGate"/>), which also
/// stops its live updates. A clerk working in an open page makes no HTTP requests: their clicks and typing count as use
/// of their session, noted at most once a minute, so the idle timeout ends only sessions nobody is using.
/// </summary>
public sealed class SessionActivity(IdleSessions idle, IDbContextFactory<HallDb> dbFactory, AuthenticationStateProvider auth, ConnectionGuard guard, TimeProvider clock) : CircuitHandler
{
    private DateTimeOffset _noted = DateTimeOffset.MinValue;
    private string? _watchedAs;
    private Credential? _credential;
    private Refusal? _ended;

    /// <summary>Why this page's sign-in ended, once it has; null while it holds.</summary>
    public Refusal? Ended => Volatile.Read(ref _ended);

    /// <summary>Raised once, on whichever thread noticed the end.</summary>
    public event Action? EndedNow;

    /// <summary>The page ended its own sign-in and says why (this reason stands over the guard's general one).</summary>
    public void End(Refusal why) => Close(why, overwrite: true);

    private void Close(Refusal why, bool overwrite)
    {
        var before = overwrite ? Interlocked.Exchange(ref _ended, why) : Interlocked.CompareExchange(ref _ended, why, null);
        if (before is not null && !overwrite)
        {
            return;
        }
        if (_watchedAs is { } id)
        {
            guard.Forget(id);
        }
        EndedNow?.Invoke();
    }

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        _credential = Credential.Of((await auth.GetAuthenticationStateAsync()).User);
        if (_credential is { } credential)
        {
            _watchedAs = "page:" + circuit.Id;
            guard.Watch(_watchedAs, credential, () => Close(EndedElsewhere(credential), overwrite: false));
        }
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (_watchedAs is { } id)
        {
            guard.Forget(id);
        }
        return Task.CompletedTask;
    }

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) => async context =>
    {
        if (!await StillValidAsync())
        {
            // Dropped: a click or a key in a page whose sign-in is over changes nothing.
            return;
        }
        await next(context);
    };

    private async Task<bool> StillValidAsync()
    {
        if (Ended is not null)
        {
            return false;
        }
        if (_credential is not { } credential)
        {
            return true;
        }
        if (!await guard.ValidAsync(credential, CancellationToken.None))
        {
            Close(EndedElsewhere(credential), overwrite: false);
            return false;
        }
        var now = clock.GetUtcNow();
        if (credential.Kind == ActorKind.Staff && now - _noted >= IdleSessions.TouchEvery)
        {
            _noted = now;
            if (!await NoteUseAsync(credential.Id))
            {
                Close(StaffLogin.SessionOver, overwrite: false);
                return false;
            }
        }
        return true;
    }

    private static Refusal EndedElsewhere(Credential credential) => credential.Kind == ActorKind.Staff ? StaffLogin.SessionOver : Refusal.CredentialEnded;

    /// <summary>Notes the use of the staff session; false when it is over (an idle one is ended here, and audited).</summary>
    private async Task<bool> NoteUseAsync(long sessionId)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var row = await (
                from s in db.StaffSessions.AsNoTracking()
                join m in db.Staff on s.StaffId equals m.Id
                where s.Id == sessionId && s.RevokedAt == null
                select new { s.LastSeenAt, Member = m }).FirstOrDefaultAsync();
            return row is not null && await idle.UseAsync(db, sessionId, row.LastSeenAt, row.Member, CancellationToken.None);
        }
        catch (Exception ex) when (CommandRunner.IsUnavailable(ex))
        {
            // The database away: the action itself says the server is unavailable.
            return true;
        }
    }
}
