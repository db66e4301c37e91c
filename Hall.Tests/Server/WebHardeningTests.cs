using System.Net;
using Hall.Tests.Support;

namespace Hall.Tests.Server;

/// <summary>Behind an HTTPS reverse proxy the session cookie is Secure; on the plain-HTTP LAN staff still sign in.</summary>
[TestFixture]
public sealed class WebHardeningTests() : HallFixture("hardening")
{
    private async Task<HttpResponseMessage> SignInAsync(string? forwardedProto)
    {
        var login = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-clerk01", StringComparison.Ordinal));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = App.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["login"] = login, ["password"] = Seeded.Credentials.Passwords[login], ["back"] = "/console" }),
        };
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
            request.Headers.Add("X-Forwarded-For", "10.1.2.3");
        }
        return await http.SendAsync(request);
    }

    private static string SessionCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("hall_session=", StringComparison.Ordinal)).ToLowerInvariant();

    [Test]
    public async Task Behind_an_https_proxy_the_session_cookie_is_secure()
    {
        using var response = await SignInAsync("https");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var cookie = SessionCookie(response);
        Assert.That(cookie, Does.Contain("; secure"));
        Assert.That(cookie, Does.Contain("; httponly"));
        Assert.That(cookie, Does.Contain("; samesite=lax"));
    }

    [Test]
    public async Task On_the_plain_http_lan_staff_still_sign_in()
    {
        using var response = await SignInAsync(null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo("/console"));
        var cookie = SessionCookie(response);
        Assert.That(cookie, Does.Not.Contain("; secure"));
        Assert.That(cookie, Does.Contain("; httponly"));
    }

    [Test]
    public async Task Every_response_forbids_framing_and_sniffing()
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        foreach (var path in new[] { "/login", "/health", "/staff.css" })
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.That(response.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"), path);
            Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"), path);
            Assert.That(response.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("same-origin"), path);
        }
    }
}
