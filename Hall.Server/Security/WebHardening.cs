using System.Net;
using Hall.Server.Contracts;
using Microsoft.AspNetCore.HttpOverrides;

namespace Hall.Server.Security;

/// <summary>
/// Behind the county's reverse proxy: the client address and scheme come from <c>X-Forwarded-For</c> /
/// <c>X-Forwarded-Proto</c>, trusted only from the proxies in <c>Hall:ReverseProxy:KnownProxies</c> (loopback by
/// default). Every response carries <see cref="PageSecurity"/>'s headers (Content-Security-Policy, no frames, no sniffing).
/// </summary>
public static class WebHardening
{
    public static WebApplicationBuilder AddWebHardening(this WebApplicationBuilder builder)
    {
        var proxies = builder.Configuration.GetSection("Hall:ReverseProxy:KnownProxies").Get<string[]>()
            ?? (builder.Configuration["Hall:ReverseProxy:KnownProxies"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults already trust 127.0.0.1 and ::1; configured proxies are added to them.
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });
        return builder;
    }

    public static WebApplication UseWebHardening(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UsePageSecurity();
        return app;
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
