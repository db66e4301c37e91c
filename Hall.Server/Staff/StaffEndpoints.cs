using Hall.Server.Security;

namespace Hall.Server.Staff;

public static class StaffEndpoints
{
    public static void MapStaffEndpoints(this WebApplication app)
    {
        // Programs (consoles, tests) log in here and use the token as a bearer token or hub access_token.
        app.MapPost("/api/auth/login", async (LoginRequest request, HttpContext http, StaffLogin login, CancellationToken ct) =>
        {
            var outcome = await login.LoginAsync(request, http.Connection.RemoteIpAddress?.ToString(), ct);
            if (outcome.Result is { } ok)
            {
                return Results.Ok(ok);
            }
            var refusal = outcome.Refusal!;
            if (outcome.RetryAfter is { } wait)
            {
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            return Results.Json(
                new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn, retryAfterSeconds = outcome.RetryAfter is { } w ? (int?)Math.Ceiling(w.TotalSeconds) : null },
                statusCode: refusal == StaffLogin.TooManyAttempts ? 429 : refusal == StaffLogin.LoginFailed ? 401 : 423);
        });
        // A person changes their own password (staff only; admins reset others' to a generated one).
        app.MapPost("/api/auth/password", async (PasswordChange change, HttpContext http, StaffLogin login, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.Kind != Queue.ActorKind.Staff)
            {
                return Results.Json(new { code = Queue.Refusal.Forbidden.Code, messageZh = Queue.Refusal.Forbidden.MessageZh, messageEn = Queue.Refusal.Forbidden.MessageEn }, statusCode: 403);
            }
            var session = long.TryParse(http.User.FindFirst(HallAuth.SessionClaim)?.Value, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : (long?)null;
            var outcome = await login.ChangePasswordAsync(actor.Id, session, change, http.Connection.RemoteIpAddress?.ToString(), ct);
            if (outcome.Refusal is not { } refusal)
            {
                return Results.NoContent();
            }
            if (outcome.SessionEnded)
            {
                http.Response.Cookies.Delete(HallAuth.Cookie);
            }
            var status = refusal == StaffLogin.WrongPassword ? 403 : refusal == PasswordRules.Weak ? 400 : refusal == StaffLogin.SessionOver ? 401 : 423;
            return Results.Json(new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn, signedOut = outcome.SessionEnded }, statusCode: status);
        }).RequireAuthorization();
        app.MapPost("/api/auth/logout", async (HttpContext http, StaffLogin login, CancellationToken ct) =>
        {
            var header = http.Request.Headers.Authorization.ToString();
            await login.LogoutAsync(header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : http.Request.Cookies[HallAuth.Cookie], ct);
            http.Response.Cookies.Delete(HallAuth.Cookie);
            return Results.NoContent();
        });
    }
}
