using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Staff;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>
/// A sign-in does not tell which logins exist by how long it takes: an unknown or deactivated account costs one password
/// hash like a wrong password for a real one.
/// </summary>
[TestFixture]
public sealed class LoginTimingTests() : HallFixture("logintiming")
{
    [SetUp]
    public void ForgetTheAddressFailures() => App.Clock.Advance(TimeSpan.FromMinutes(2));

    private async Task<(string Code, long HashesChecked)> TryAsync(string login, string password)
    {
        var staff = App.Services.GetRequiredService<StaffLogin>();
        var before = staff.Verifications;
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var response = await http.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { login, password });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (body.TryGetProperty("code", out var code) ? code.GetString()! : "ok", staff.Verifications - before);
    }

    private string Login(string role) => Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));

    [Test]
    public async Task An_unknown_login_checks_a_password_hash_like_a_known_one()
    {
        var known = await TryAsync(Login("clerk05"), "wrong-password");
        var unknown = await TryAsync("nobody-here", "wrong-password");
        Assert.That(known, Is.EqualTo(("login_failed", 1L)));
        Assert.That(unknown, Is.EqualTo(("login_failed", 1L)), "the same answer, after the same work");
    }

    [Test]
    public async Task A_deactivated_account_checks_a_password_hash_too()
    {
        var login = Login("clerk06");
        await using (var db = App.Db())
        {
            await db.Staff.Where(s => s.Login == login).ExecuteUpdateAsync(u => u.SetProperty(s => s.Active, false));
        }
        Assert.That(await TryAsync(login, Seeded.Credentials.Passwords[login]), Is.EqualTo(("login_failed", 1L)));
    }

    [Test]
    public async Task Unknown_and_known_logins_take_about_as_long()
    {
        // The deterministic check is above; this one is what an outsider with a stopwatch would see (medians, generous bounds).
        var known = Login("clerk07");
        var (knownTimes, unknownTimes) = (new List<double>(), new List<double>());
        // Four tries: a fifth wrong password would lock the account.
        for (var i = 0; i < 4; i++)
        {
            App.Clock.Advance(TimeSpan.FromMinutes(2));
            knownTimes.Add(await TimeAsync(known));
            unknownTimes.Add(await TimeAsync("nobody" + i));
        }
        var (k, u) = (Median(knownTimes), Median(unknownTimes));
        Assert.That(u, Is.GreaterThan(k / 3), $"known {k:0} ms, unknown {u:0} ms");
    }

    private async Task<double> TimeAsync(string login)
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var response = await http.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { login, password = "wrong-password" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        return System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}

/// <summary>
/// The per-address login throttle believes <c>X-Forwarded-For</c> only from the configured proxies: a caller who is no
/// proxy is throttled by its own address however it rotates the header.
/// </summary>
[TestFixture]
public sealed class ForwardedAddressTests
{
    private static async Task<string> TryAsync(HallApp app, string forwardedFor)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/auth/login", UriKind.Relative)) { Content = JsonContent.Create(new { login = "nobody", password = "x" }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await http.SendAsync(request);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString()!;
    }

    [Test]
    public async Task A_direct_caller_rotating_x_forwarded_for_is_still_throttled()
    {
        // The proxy is another machine: this test's own connection (127.0.0.1) is a direct caller.
        await using var app = await HallApp.StartAsync("forwarded-direct", settings: new Dictionary<string, string?> { ["Hall:ReverseProxy:KnownProxies"] = "192.0.2.10" });
        for (var i = 0; i < 10; i++)
        {
            Assert.That(await TryAsync(app, $"198.51.100.{i}"), Is.EqualTo("login_failed"), $"attempt {i}");
        }
        Assert.That(await TryAsync(app, "198.51.100.99"), Is.EqualTo("too_many_attempts"), "a new made-up address changes nothing");
    }

    [Test]
    public async Task Behind_the_proxy_each_client_is_throttled_by_the_address_the_proxy_saw()
    {
        // Unset, the proxy is the nginx on this machine (loopback). It appends the address it saw to what the client sent.
        await using var app = await HallApp.StartAsync("forwarded-proxy");
        for (var i = 0; i < 10; i++)
        {
            Assert.That(await TryAsync(app, $"198.51.100.{i}, 203.0.113.5"), Is.EqualTo("login_failed"), $"attempt {i}");
        }
        Assert.That(await TryAsync(app, "198.51.100.99, 203.0.113.5"), Is.EqualTo("too_many_attempts"), "the client's own forged part is not believed");
        Assert.That(await TryAsync(app, "203.0.113.6"), Is.EqualTo("login_failed"), "another client behind the proxy is not held back");
    }
}
