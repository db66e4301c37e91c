using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Queue;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hall.Server.Security;

/// <summary>
/// One scheme for devices and staff. The token comes as <c>Authorization: Bearer</c>, as <c>access_token</c> on hub
/// requests (WebSockets cannot send headers from a browser), or in the <c>hall_session</c> cookie of the staff pages.
/// Device keys are <c>hd_{id}_{secret}</c>, staff logins <c>hs_{id}_{secret}</c>; both are checked against hashes in
/// the database, so every server instance accepts them and a revocation takes effect at once.
/// </summary>
public sealed class HallAuth(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IDbContextFactory<HallDb> dbFactory, TimeProvider clock, Staff.IdleSessions idle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "hall";
    public const string Cookie = "hall_session";
    public const string DevicePrefix = "hd";
    public const string StaffPrefix = "hs";
    private const string HallClaim = "hall:hall";
    private const string KindClaim = "hall:kind";
    private const string WindowClaim = "hall:window";
    public const string SessionClaim = "hall:session";

    /// <summary>A device's key, as a tag of its stored hash: a rotated key makes connections opened with the old one end.</summary>
    public const string KeyClaim = "hall:key";

    public static string KeyTagOf(byte[] keyHash) => Convert.ToHexString(keyHash, 0, 8);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = TokenOf(Request);
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }
        await using var db = await dbFactory.CreateDbContextAsync(Context.RequestAborted);
        var now = clock.GetUtcNow();
        Actor? actor = null;
        long? staffSession = null;
        string? keyTag = null;
        if (Secrets.TryParse(token, DevicePrefix, out var deviceId, out var deviceSecret))
        {
            var device = await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deviceId, Context.RequestAborted);
            if (device is not null && device.RevokedAt is null && Secrets.Matches(deviceSecret, device.KeyHash))
            {
                actor = new Actor(ActorKind.Device, device.Id, device.HallId, device.Name, null, device.Role, device.WindowId);
                keyTag = KeyTagOf(device.KeyHash);
            }
        }
        else if (Secrets.TryParse(token, StaffPrefix, out var sessionId, out var staffSecret))
        {
            var row = await (
                from s in db.StaffSessions.AsNoTracking()
                join m in db.Staff on s.StaffId equals m.Id
                where s.Id == sessionId && s.RevokedAt == null && s.ExpiresAt > now && m.Active
                select new { s.SecretHash, s.LastSeenAt, Member = m }).FirstOrDefaultAsync(Context.RequestAborted);
            if (row is not null && Secrets.Matches(staffSecret, row.SecretHash) && await idle.UseAsync(db, sessionId, row.LastSeenAt, row.Member, Context.RequestAborted))
            {
                actor = new Actor(ActorKind.Staff, row.Member.Id, row.Member.HallId, row.Member.Name, row.Member.Role, null, null);
                staffSession = sessionId;
            }
        }
        return actor is null
            ? AuthenticateResult.Fail("invalid or revoked credentials")
            : AuthenticateResult.Success(new AuthenticationTicket(PrincipalOf(actor, staffSession, keyTag), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // Staff pages send a person to the login page (and back afterwards); programs get a 401.
        if (IsPage(Request))
        {
            Response.Redirect(Request.Path.StartsWithSegments("/evaluator") ? "/evaluator/pair" : "/login?back=" + Uri.EscapeDataString(Request.Path + Request.QueryString));
            return Task.CompletedTask;
        }
        return base.HandleChallengeAsync(properties);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (!IsPage(Request))
        {
            await base.HandleForbiddenAsync(properties);
            return;
        }
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Response.ContentType = "text/html; charset=utf-8";
        await Response.WriteAsync("""
            <!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>无权访问</title><link rel="stylesheet" href="/staff.css">
            <main class="not-allowed" data-testid="not-allowed"><h1>无权访问此页面 · You may not open this page</h1>
            <p><a href="/console">返回工作台 · Back to the console</a> · <a href="/login">重新登录 · Sign in again</a></p></main>
            """);
    }

    /// <summary>A person's browser asking for a staff page (not a program calling the API or the hub).</summary>
    private static bool IsPage(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && !request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/hubs") && !request.Path.StartsWithSegments("/_blazor");

    private static string? TokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        if (request.Path.StartsWithSegments("/hubs") && request.Query["access_token"].ToString() is { Length: > 0 } query)
        {
            return query;
        }
        return request.Cookies.TryGetValue(Cookie, out var cookie) ? cookie : null;
    }

    private static ClaimsPrincipal PrincipalOf(Actor a, long? staffSession, string? keyTag)
    {
        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, a.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, a.Name),
            new(KindClaim, a.Kind.ToString()),
            new(HallClaim, a.HallId.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Role, a.StaffRole?.ToString() ?? a.DeviceRole!.Value.ToString()),
        ];
        if (a.WindowId is { } w)
        {
            claims.Add(new(WindowClaim, w.ToString(CultureInfo.InvariantCulture)));
        }
        if (staffSession is { } session)
        {
            claims.Add(new(SessionClaim, session.ToString(CultureInfo.InvariantCulture)));
        }
        if (keyTag is not null)
        {
            claims.Add(new(KeyClaim, keyTag));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }

    public static Actor ActorOf(ClaimsPrincipal user)
    {
        var kind = Enum.Parse<ActorKind>(user.FindFirstValue(KindClaim)!);
        var role = user.FindFirstValue(ClaimTypes.Role)!;
        var window = user.FindFirstValue(WindowClaim);
        return new Actor(
            kind,
            int.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!, CultureInfo.InvariantCulture),
            int.Parse(user.FindFirstValue(HallClaim)!, CultureInfo.InvariantCulture),
            user.FindFirstValue(ClaimTypes.Name) ?? "",
            kind == ActorKind.Staff ? Enum.Parse<StaffRole>(role) : null,
            kind == ActorKind.Device ? Enum.Parse<DeviceRole>(role) : null,
            window is null ? null : int.Parse(window, CultureInfo.InvariantCulture));
    }
}
