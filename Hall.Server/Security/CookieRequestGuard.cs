using Hall.Server.Queue;
using Hall.Server.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace Hall.Server.Security;

/// <summary>
/// The session cookie goes with every request the browser makes to this host — also from a page on another port of
/// the same machine (same-site, so SameSite does not stop it) or another site's page. So a request that signs in with
/// the cookie (no bearer token, no hub access token) must come from Hall's own pages:
/// <list type="bullet">
/// <item>a hub or page connection (<c>/hubs</c>, <c>/_blazor</c>) and any request that changes something must carry an
/// <c>Origin</c> that is the server's own (as the browser reached it), <c>Hall:PublicBaseUrl</c>'s, or one listed in
/// <c>Hall:AllowedOrigins</c>; without an <c>Origin</c>, a browser's <c>Sec-Fetch-Site</c> must not say another site
/// or another origin of this site;</item>
/// <item>an API call that changes something (<c>/api/…</c>: the uploads, the imports, sign-out …) must also carry the
/// antiforgery token (header <c>RequestVerificationToken</c> or form field). Programs use the bearer token instead.</item>
/// </list>
/// Refused requests answer 403 with the reason in Chinese and English and change nothing.
/// </summary>
public static class CookieRequestGuard
{
    public static readonly Refusal ForeignOrigin = new("origin_refused", "请求不是来自本系统的页面，已拒绝", "The request did not come from this site's own pages; refused. Nothing was changed.");

    public static IApplicationBuilder UseCookieRequestGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!SignsInByCookie(request))
        {
            await next(context);
            return;
        }
        var changes = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        var connection = request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments("/_blazor");
        if ((changes || connection) && !FromOwnPages(context))
        {
            await RefuseAsync(context, ForeignOrigin);
            return;
        }
        if (changes && request.Path.StartsWithSegments("/api") && !await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
        {
            await RefuseAsync(context, FormGuard.Forged);
            return;
        }
        await next(context);
    });

    private static bool SignsInByCookie(HttpRequest request) =>
        request.Cookies.ContainsKey(HallAuth.Cookie)
        && request.Headers.Authorization.Count == 0
        && !(request.Path.StartsWithSegments("/hubs") && request.Query.ContainsKey("access_token"));

    private static bool FromOwnPages(HttpContext context)
    {
        var request = context.Request;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            // An old browser or a program: no Origin. A browser that says where the request came from is believed.
            var site = request.Headers["Sec-Fetch-Site"].ToString();
            return site is "" or "same-origin" or "none";
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var from))
        {
            return false;
        }
        return Same(from, $"{request.Scheme}://{request.Host}") || Allowed(context.RequestServices.GetRequiredService<IConfiguration>()).Any(o => Same(from, o));
    }

    private static IEnumerable<string> Allowed(IConfiguration config)
    {
        if (config["Hall:PublicBaseUrl"] is { Length: > 0 } publicBase)
        {
            yield return publicBase;
        }
        var section = config.GetSection("Hall:AllowedOrigins");
        foreach (var origin in section.Get<string[]>() ?? (section.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return origin;
        }
    }

    private static bool Same(Uri from, string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var own)
        && string.Equals(from.Scheme, own.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(from.IdnHost, own.IdnHost, StringComparison.OrdinalIgnoreCase)
        && from.Port == own.Port;

    private static async Task RefuseAsync(HttpContext context, Refusal refusal)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.Response.WriteAsJsonAsync(new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn });
    }
}
