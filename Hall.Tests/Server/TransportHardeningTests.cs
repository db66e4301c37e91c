using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hall.Tests.Operations;
using Hall.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hall.Tests.Server;

/// <summary>
/// HSTS over HTTPS (directly or behind the proxy), the antiforgery cookie Secure under HTTPS, no <c>Server</c> header,
/// and in Development a body the API cannot read answers <c>invalid_request</c>, not the exception's text.
/// </summary>
[TestFixture]
public sealed class TransportHardeningTests() : HallFixture("transport")
{
    private async Task<HttpResponseMessage> GetAsync(string path, bool https)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = App.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (https)
        {
            request.Headers.Add("X-Forwarded-Proto", "https");
        }
        return await http.SendAsync(request);
    }

    [Test]
    public async Task Over_https_every_answer_carries_hsts()
    {
        foreach (var path in new[] { "/login", "/health", "/staff.css", "/api/reports" })
        {
            using var response = await GetAsync(path, https: true);
            Assert.That(response.Headers.TryGetValues("Strict-Transport-Security", out var hsts) ? hsts.Single() : null, Is.EqualTo("max-age=31536000"), path);
        }
    }

    [Test]
    public async Task Plain_http_on_the_lan_gets_no_hsts()
    {
        using var response = await GetAsync("/login", https: false);
        Assert.That(response.Headers.Contains("Strict-Transport-Security"), Is.False);
    }

    [Test]
    public async Task Over_https_the_antiforgery_cookie_is_secure()
    {
        using var https = await GetAsync("/login", https: true);
        var cookie = https.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.That(cookie, Does.Contain("; secure").And.Contain("; httponly"));
        using var plain = await GetAsync("/login", https: false);
        Assert.That(plain.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal)).ToLowerInvariant(), Does.Not.Contain("; secure"), "the plain-HTTP LAN still signs in");
    }

    [Test]
    public async Task No_answer_names_the_server_software()
    {
        foreach (var path in new[] { "/login", "/health", "/staff.css", "/no-such-page", "/api/reports" })
        {
            using var response = await GetAsync(path, https: false);
            Assert.That(response.Headers.Contains("Server"), Is.False, path);
        }
    }

    [Test]
    public async Task The_proxy_sample_sends_hsts_once_and_no_version()
    {
        var sample = await File.ReadAllTextAsync(Path.Combine(Tools.DeployFolder, "nginx-hall.conf"));
        Assert.That(sample, Does.Contain("add_header Strict-Transport-Security \"max-age=31536000\" always;"));
        Assert.That(sample, Does.Contain("proxy_hide_header Strict-Transport-Security;"), "Hall's own header is not sent twice");
        Assert.That(sample, Does.Contain("server_tokens off;"));
    }

    [Test]
    public async Task In_development_broken_json_answers_invalid_request_without_the_exception()
    {
        await using var app = await HallApp.StartAsync("transport-dev", settings: new Dictionary<string, string?> { ["environment"] = "Development" });
        Assert.That(app.Services.GetRequiredService<IHostEnvironment>().IsDevelopment(), Is.True, "the server runs as in Development");
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        foreach (var body in new[] { "{\"login\":", "{\"login\": 5, \"password\": []}" })
        {
            using var response = await http.PostAsync(new Uri("/api/auth/login", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
            Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("code").GetString(), Is.EqualTo("invalid_request"), text);
            Assert.That(text, Does.Not.Contain("Exception").And.Not.Contain("at Microsoft."));
        }
    }
}
