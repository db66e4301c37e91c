using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Hall.Server.Contracts;

/// <summary>
/// The headers every page of Hall carries — the server's staff and phone pages and the agents' kiosk and board pages
/// (compiled into each): scripts, styles, media and connections only from the page's own origin (no inline script or
/// style anywhere, so an injected one is refused by the browser), no frames, no sniffing, no referrer to other sites.
/// </summary>
public static class PageSecurity
{
    /// <summary>
    /// <c>connect-src 'self'</c> covers the page's own WebSocket (Blazor's circuit) in current browsers;
    /// <c>img-src data:</c> is for images given as a data URI: the kiosk's on-screen QR code (an SVG its agent makes).
    /// </summary>
    public const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static void Apply(IHeaderDictionary headers)
    {
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
    }

    /// <summary>Puts <see cref="Apply"/> on every response of the app.</summary>
    public static IApplicationBuilder UsePageSecurity(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            Apply(context.Response.Headers);
            return next(context);
        });
}
