using System.Net;
using Hall.Server.Contracts;
using Microsoft.AspNetCore.HttpOverrides;

namespace Hall.Server.Security;

/// <summary>
/// Behind the county's reverse proxy: the client address and scheme come from <c>X-Forwarded-For</c> /
/// <c>X-Forwarded-Proto</c>, trusted only from the proxies in <c>Hall:ReverseProxy:KnownProxies</c> (loopback by
/// default; <see cref="KnownProxies"/>). Every response carries <see cref="PageSecurity"/>'s headers (Content-Security-Policy,
/// no frames, no sniffing), HSTS when it went over HTTPS, and no <c>Server</c> header; request text is held to
/// <see cref="FreeText"/> (<see cref="TextGuard"/>).
/// </summary>
public static class WebHardening
{
    public static WebApplicationBuilder AddWebHardening(this WebApplicationBuilder builder)
    {
        var proxies = KnownProxies(builder.Configuration);
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the configured proxies (loopback when none is configured): a caller anywhere else who sends
            // X-Forwarded-For is taken at its own address, so it cannot pass for another to the login throttle.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(proxy);
            }
        });
        // No "Server: Kestrel" on responses: nothing to tell a scanner which server and version to try.
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);
        // The antiforgery cookie, like the session cookie, is Secure whenever the request came over HTTPS.
        builder.Services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        // A body an endpoint cannot read answers 400 invalid_request in Development too, never the exception's text.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        return builder;
    }

    /// <summary>
    /// <c>Hall:ReverseProxy:KnownProxies</c>: the addresses whose <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> are
    /// believed (a list or comma-separated; <c>none</c> for no proxy at all). Unset: 127.0.0.1 and ::1, the nginx of the
    /// sample on the same machine.
    /// </summary>
    public static IReadOnlyList<IPAddress> KnownProxies(IConfiguration config)
    {
        var section = config.GetSection("Hall:ReverseProxy:KnownProxies");
        var listed = section.Get<string[]>() ?? (section.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (listed.Length == 0)
        {
            return [IPAddress.Loopback, IPAddress.IPv6Loopback];
        }
        return [.. listed.Where(p => !p.Equals("none", StringComparison.OrdinalIgnoreCase)).Select(IPAddress.Parse)];
    }

    public static WebApplication UseWebHardening(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UsePageSecurity();
        // HTTPS (directly or behind the proxy): browsers keep to HTTPS for a year. Plain HTTP on the LAN gets no such header.
        app.Use((context, next) =>
        {
            if (context.Request.IsHttps)
            {
                context.Response.Headers.StrictTransportSecurity = "max-age=31536000";
            }
            return next(context);
        });
        app.UseTextGuard();
        return app;
    }

    /// <summary>
    /// A local address as a <c>Location</c> header may carry it: every character outside printable ASCII percent-encoded
    /// (a raw Chinese path or a control character in a header would fail the response with a 500).
    /// </summary>
    public static string HeaderSafe(string path)
    {
        var safe = new System.Text.StringBuilder(path.Length);
        foreach (var rune in path.EnumerateRunes())
        {
            safe.Append(rune.Value is > 0x20 and < 0x7F ? rune.ToString() : Uri.EscapeDataString(rune.ToString()));
        }
        return safe.ToString();
    }

    /// <summary>
    /// The staff session cookie: never readable by scripts, Secure whenever the request came over HTTPS. Its lifetime is a
    /// Max-Age, counted by the browser on its own clock: a PC whose clock is days off the server's still keeps the cookie
    /// (an absolute Expires from the server's clock would be in the past there, and the sign-in would silently not hold).
    /// </summary>
    public static CookieOptions SessionCookie(HttpRequest request, TimeSpan lifetime) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        MaxAge = lifetime,
        Secure = request.IsHttps,
        Path = "/",
    };
}
