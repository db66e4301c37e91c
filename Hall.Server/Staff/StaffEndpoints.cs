using Hall.Server.Security;

namespace Hall.Server.Staff;

public static class StaffEndpoints
{
    public static void MapStaffEndpoints(this WebApplication app)
    {
        // Programs (consoles, tests) log in here and use the token as a bearer token or hub access_token.
        app.MapPost("/api/auth/login", async (LoginRequest request, StaffLogin login, CancellationToken ct) =>
            await login.LoginAsync(request, ct) is { } ok
                ? Results.Ok(ok)
                : Results.Json(new { code = "login_failed", messageZh = "用户名或密码错误", messageEn = "Wrong login or password." }, statusCode: 401));
        app.MapPost("/api/auth/logout", async (HttpContext http, StaffLogin login, CancellationToken ct) =>
        {
            var header = http.Request.Headers.Authorization.ToString();
            await login.LogoutAsync(header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : http.Request.Cookies[HallAuth.Cookie], ct);
            http.Response.Cookies.Delete(HallAuth.Cookie);
            return Results.NoContent();
        });
    }
}
