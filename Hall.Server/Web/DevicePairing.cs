using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Web;

/// <summary>
/// Puts a citizen-facing device (the 好差评 evaluator tablet) in service: the installer types the device key once,
/// it is checked and kept in the tablet browser's HttpOnly cookie; the page then works as that device.
/// </summary>
public static class DevicePairing
{
    public static void MapDevicePairing(this WebApplication app)
    {
        app.MapGet("/evaluator/pair", (string? error, HttpContext http) => Results.Content($$"""
            <!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>评价器设置 · Evaluator set-up</title><link rel="stylesheet" href="/staff.css"></head>
            <body class="login-page"><main class="login">
              <h1>评价器设置 · Evaluator set-up</h1>
              {{(error is null ? "" : """<p class="error" data-testid="pair-error">设备密钥无效或不是评价器 · Not a valid evaluator key</p>""")}}
              <form method="post" action="/evaluator/pair">
                {{FormGuard.Field(http)}}
                <label>设备密钥 · Device key <input name="key" autocomplete="off" required></label>
                <button type="submit" class="primary">保存 · Save</button>
              </form>
            </main></body></html>
            """, "text/html; charset=utf-8"));
        app.MapPost("/evaluator/pair", async (HttpContext http, IDbContextFactory<HallDb> dbFactory, CancellationToken ct) =>
        {
            if (!await FormGuard.IsValidAsync(http))
            {
                return FormGuard.Refused();
            }
            var key = (await http.Request.ReadFormAsync(ct))["key"].ToString().Trim();
            if (!Secrets.TryParse(key, HallAuth.DevicePrefix, out var id, out var secret))
            {
                return Results.Redirect("/evaluator/pair?error=1");
            }
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var device = await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
            if (device is not { RevokedAt: null, Role: DeviceRole.Evaluator, WindowId: not null } || !Secrets.Matches(secret, device.KeyHash))
            {
                return Results.Redirect("/evaluator/pair?error=1");
            }
            http.Response.Cookies.Append(HallAuth.Cookie, key, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = http.Request.IsHttps,
                MaxAge = TimeSpan.FromDays(3650),
            });
            return Results.Redirect("/evaluator");
        });
    }
}
