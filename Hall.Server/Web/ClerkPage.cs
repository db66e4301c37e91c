using System.Net;
using Hall.Server.Security;
using Hall.Server.Staff;

namespace Hall.Server.Web;

/// <summary>
/// Signing in and out of the staff pages: a plain form (it must set the HttpOnly session cookie, which an
/// interactive page cannot), then back to the page that asked, or to the console. Both forms carry the anti-forgery
/// token (<see cref="FormGuard"/>).
/// </summary>
public static class ClerkPage
{
    public static void MapClerkPage(this WebApplication app)
    {
        app.MapGet("/", () => Results.Redirect("/console"));
        app.MapGet("/clerk", () => Results.Redirect("/console"));
        app.MapGet("/login", (string? error, string? back, HttpContext http) =>
        {
            var l = Lang.Of(http.Request.Cookies[Lang.Cookie]);
            var text = error switch
            {
                null => null,
                "account_locked" => l.T("登录失败次数过多，账号已锁定，请稍后再试", "Too many failed sign-ins: the account is locked for a while; try again later"),
                "too_many_attempts" => l.T(StaffLogin.TooManyAttempts.MessageZh, StaffLogin.TooManyAttempts.MessageEn),
                _ => l.T("用户名或密码错误", "Wrong login or password"),
            };
            var message = text is null ? "" : $"""<p class="error" data-testid="login-error">{E(text)}</p>""";
            return Results.Content($$"""
                <!DOCTYPE html>
                <html lang="{{(l.IsEnglish ? "en" : "zh-CN")}}">
                <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{E(l.T("登录", "Sign in"))}} · Hall</title>
                <link rel="stylesheet" href="/staff.css"></head>
                <body class="login-page">
                <main class="login">
                  <h1>{{E(l.T("市民之家 · 工作人员登录", "Hall · staff sign-in"))}}</h1>
                  {{message}}
                  <form method="post" action="/login">
                    {{FormGuard.Field(http)}}
                    <input type="hidden" name="back" value="{{E(back ?? "")}}">
                    <label>{{E(l.T("用户名", "Login"))}} <input name="login" autofocus autocomplete="username" required></label>
                    <label>{{E(l.T("密码", "Password"))}} <input name="password" type="password" autocomplete="current-password" required></label>
                    <button type="submit" class="primary">{{E(l.T("登录", "Sign in"))}}</button>
                  </form>
                  <p class="lang"><a href="/lang/{{(l.IsEnglish ? "zh" : "en")}}?back={{Uri.EscapeDataString("/login")}}">{{(l.IsEnglish ? "中文" : "English")}}</a></p>
                </main>
                </body></html>
                """, "text/html; charset=utf-8");
        });
        app.MapPost("/login", async (HttpContext http, StaffLogin login, CancellationToken ct) =>
        {
            if (!await FormGuard.IsValidAsync(http))
            {
                return FormGuard.Refused();
            }
            var form = await http.Request.ReadFormAsync(ct);
            var back = LocalPath(form["back"].ToString());
            var outcome = await login.LoginAsync(new LoginRequest(form["login"].ToString(), form["password"].ToString()), http.Connection.RemoteIpAddress?.ToString(), ct);
            if (outcome.Result is not { } result)
            {
                var error = outcome.Refusal == StaffLogin.LoginFailed ? "1" : outcome.Refusal!.Code;
                return Results.Redirect($"/login?error={error}&back=" + Uri.EscapeDataString(back));
            }
            http.Response.Cookies.Append(HallAuth.Cookie, result.Token, WebHardening.SessionCookie(http.Request, StaffLogin.SessionLength));
            return Results.LocalRedirect(WebHardening.HeaderSafe(back));
        });
        app.MapPost("/logout", async (HttpContext http, StaffLogin login, CancellationToken ct) =>
        {
            // A session that is already over (expired, revoked) has nothing to forge: its cookie just goes.
            if (!await FormGuard.IsValidAsync(http) && http.User.Identity?.IsAuthenticated == true)
            {
                return FormGuard.Refused();
            }
            await login.LogoutAsync(http.Request.Cookies[HallAuth.Cookie], ct);
            http.Response.Cookies.Delete(HallAuth.Cookie);
            return Results.Redirect("/login");
        });
    }

    /// <summary>A path on this site to go back to after signing in; anything else is the console.</summary>
    private static string LocalPath(string? back) =>
        back is { Length: > 1 } b && b[0] == '/' && b[1] != '/' && !b.Contains('\\', StringComparison.Ordinal) ? b : "/console";

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
