using System.Net;
using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// Behind an HTTPS reverse proxy the session cookie is Secure; on the plain-HTTP LAN staff still sign in; the plain
/// forms refuse a post that does not carry their anti-forgery token; every response carries the security headers.
/// </summary>
[TestFixture]
public sealed class WebHardeningTests() : HallFixture("hardening")
{
    private async Task<HttpResponseMessage> SignInAsync(string? forwardedProto)
    {
        var login = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-clerk01", StringComparison.Ordinal));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = App.BaseAddress };
        using var request = await FormPost.RequestAsync(http, "/login", "/login", new Dictionary<string, string> { ["login"] = login, ["password"] = Seeded.Credentials.Passwords[login], ["back"] = "/console" });
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
            Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self';").And.Contain("frame-ancestors 'none'"), path);
        }
    }

    private string Login(string role) => Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));

    private async Task<(int Sessions, int Audits, int Revoked)> CountsAsync()
    {
        await using var db = App.Db();
        return (await db.StaffSessions.CountAsync(), await db.AuditEntries.CountAsync(), await db.StaffSessions.CountAsync(s => s.RevokedAt != null));
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(body, Does.Contain("form_forged").And.Contain("表单已失效").And.Contain("did not come from this site"));
        Assert.That(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("hall_session=", StringComparison.Ordinal)), Is.False, "no session cookie");
    }

    [Test]
    public async Task A_sign_in_posted_without_the_form_token_is_refused_and_signs_no_one_in()
    {
        var before = await CountsAsync();
        var login = Login("clerk02");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = App.BaseAddress };
        // As a page on another site would post it: the right password, but no token (and no antiforgery cookie).
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["login"] = login, ["password"] = Seeded.Credentials.Passwords[login], ["back"] = "/console" });
        using var response = await http.PostAsync(new Uri("/login", UriKind.Relative), form);
        await AssertRefusedAsync(response);
        // A token from another browser (its cookie not sent) is refused the same way.
        using var stolen = await FormPost.RequestAsync(http, "/login", "/login", new Dictionary<string, string> { ["login"] = login, ["password"] = Seeded.Credentials.Passwords[login] });
        stolen.Headers.Remove("Cookie");
        using var second = await http.SendAsync(stolen);
        await AssertRefusedAsync(second);
        Assert.That(await CountsAsync(), Is.EqualTo(before), "no session made, nothing audited");
    }

    [Test]
    public async Task Signing_out_without_the_form_token_keeps_the_session()
    {
        using var signedIn = await SignInAsync(null);
        var session = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("hall_session=", StringComparison.Ordinal)).Split(';')[0];
        var before = await CountsAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = App.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/logout", UriKind.Relative)) { Content = new FormUrlEncodedContent([]) };
        request.Headers.Add("Cookie", session);
        using var response = await http.SendAsync(request);
        await AssertRefusedAsync(response);
        Assert.That(await CountsAsync(), Is.EqualTo(before), "the session is not revoked");
    }

    [Test]
    public async Task Pairing_an_evaluator_without_the_form_token_is_refused()
    {
        var key = await App.CreateDeviceAsync(Seeded.HallId, "1号窗口评价器", DeviceRole.Evaluator, await App.WindowIdAsync(Seeded.HallId, 1));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = App.BaseAddress };
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = key });
        using var response = await http.PostAsync(new Uri("/evaluator/pair", UriKind.Relative), form);
        await AssertRefusedAsync(response);
        // With the form's token the same key pairs the tablet.
        using var request = await FormPost.RequestAsync(http, "/evaluator/pair", "/evaluator/pair", new Dictionary<string, string> { ["key"] = key });
        using var paired = await http.SendAsync(request);
        Assert.That(paired.Headers.Location?.ToString(), Is.EqualTo("/evaluator"));
        Assert.That(paired.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("hall_session=", StringComparison.Ordinal)), Is.True);
    }
}
