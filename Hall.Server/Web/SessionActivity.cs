using System.Globalization;
using Hall.Server.Data;
using Hall.Server.Security;
using Hall.Server.Staff;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Web;

/// <summary>
/// A clerk working in an open staff page makes no HTTP requests: what they do in the page (clicks, typing) counts as
/// use of their session, noted at most once a minute, so the idle timeout ends only sessions nobody is using. A page
/// left open past the timeout (or whose session was ended elsewhere) goes to the sign-in page at its next use.
/// </summary>
public sealed class SessionActivity(IdleSessions idle, IDbContextFactory<HallDb> dbFactory, AuthenticationStateProvider auth, NavigationManager nav, TimeProvider clock) : CircuitHandler
{
    private DateTimeOffset _noted = DateTimeOffset.MinValue;

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) => async context =>
    {
        var now = clock.GetUtcNow();
        if (now - _noted >= IdleSessions.TouchEvery)
        {
            _noted = now;
            if (!await StillInUseAsync())
            {
                nav.NavigateTo("/login?back=" + Uri.EscapeDataString("/" + nav.ToBaseRelativePath(nav.Uri)), forceLoad: true);
                return;
            }
        }
        await next(context);
    };

    /// <summary>Notes the use; false when the staff session behind the page is over (devices' pages have none).</summary>
    private async Task<bool> StillInUseAsync()
    {
        var user = (await auth.GetAuthenticationStateAsync()).User;
        if (!long.TryParse(user.FindFirst(HallAuth.SessionClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var sessionId))
        {
            return true;
        }
        await using var db = await dbFactory.CreateDbContextAsync();
        var row = await (
            from s in db.StaffSessions.AsNoTracking()
            join m in db.Staff on s.StaffId equals m.Id
            where s.Id == sessionId && s.RevokedAt == null
            select new { s.LastSeenAt, Member = m }).FirstOrDefaultAsync();
        // An idle session is ended here too (and audited).
        return row is not null && await idle.UseAsync(db, sessionId, row.LastSeenAt, row.Member, CancellationToken.None);
    }
}
