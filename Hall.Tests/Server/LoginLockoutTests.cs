using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Staff;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>等保 2.0: repeated failed logins lock the account for a while, one address is throttled, and every failure is audited.</summary>
[TestFixture]
public sealed class LoginLockoutTests() : HallFixture("lockout")
{
    private string Login(string role) => Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));

    private async Task<(HttpStatusCode Status, string Code, JsonElement Body)> TryAsync(string login, string password)
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var response = await http.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { login, password });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, body.TryGetProperty("code", out var code) ? code.GetString()! : "ok", body);
    }

    [SetUp]
    public void ForgetTheAddressFailures() => App.Clock.Advance(TimeSpan.FromMinutes(2));

    [Test]
    public async Task Five_wrong_passwords_lock_the_account_for_fifteen_minutes_and_are_audited()
    {
        var login = Login("clerk01");
        for (var i = 1; i <= 4; i++)
        {
            Assert.That((await TryAsync(login, "wrong" + i)).Code, Is.EqualTo("login_failed"), $"attempt {i}");
        }
        var fifth = await TryAsync(login, "wrong5");
        Assert.That((fifth.Status, fifth.Code), Is.EqualTo((HttpStatusCode.Locked, "account_locked")));
        Assert.That(fifth.Body.GetProperty("messageZh").GetString(), Does.Contain("15 分钟"));
        Assert.That(fifth.Body.GetProperty("messageEn").GetString(), Does.Contain("15 minutes"));

        var right = await TryAsync(login, Seeded.Credentials.Passwords[login]);
        Assert.That((right.Status, right.Code), Is.EqualTo((HttpStatusCode.Locked, "account_locked")), "even the right password while locked");

        await using (var db = App.Db())
        {
            var staffId = await db.Staff.Where(s => s.Login == login).Select(s => s.Id).SingleAsync();
            var actions = await db.AuditEntries.Where(a => a.StaffId == staffId && a.Action.StartsWith("login.")).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
            Assert.That(actions, Is.EqualTo(Enumerable.Repeat(StaffLogin.FailedAction, 5).Append(StaffLogin.LockedAction)));
        }

        App.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.That((await TryAsync(login, Seeded.Credentials.Passwords[login])).Code, Is.EqualTo("account_locked"), "still locked after 14 minutes");
        App.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.That((await TryAsync(login, Seeded.Credentials.Passwords[login])).Code, Is.EqualTo("ok"), "open again after 15 minutes");
    }

    [Test]
    public async Task A_success_starts_the_count_again()
    {
        var login = Login("clerk02");
        for (var i = 0; i < 4; i++)
        {
            Assert.That((await TryAsync(login, "wrong")).Code, Is.EqualTo("login_failed"));
        }
        Assert.That((await TryAsync(login, Seeded.Credentials.Passwords[login])).Code, Is.EqualTo("ok"));
        App.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.That((await TryAsync(login, "wrong")).Code, Is.EqualTo("login_failed"), "the count started again after the success");
    }

    [Test]
    public async Task One_address_is_throttled_after_ten_failures_a_minute()
    {
        for (var i = 0; i < 10; i++)
        {
            Assert.That((await TryAsync($"nobody{i}", "x")).Code, Is.EqualTo("login_failed"));
        }
        var login = Login("clerk03");
        var throttled = await TryAsync(login, Seeded.Credentials.Passwords[login]);
        Assert.That((throttled.Status, throttled.Code), Is.EqualTo((HttpStatusCode.TooManyRequests, "too_many_attempts")));
        Assert.That(throttled.Body.GetProperty("retryAfterSeconds").GetInt32(), Is.InRange(1, 60));
        App.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.That((await TryAsync(login, Seeded.Credentials.Passwords[login])).Code, Is.EqualTo("ok"));
    }

    [Test]
    public async Task The_login_form_says_the_account_is_locked()
    {
        var login = Login("clerk04");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = App.BaseAddress };
        HttpResponseMessage? last = null;
        for (var i = 0; i < 5; i++)
        {
            last?.Dispose();
            using var request = await FormPost.RequestAsync(http, "/login", "/login", new Dictionary<string, string> { ["login"] = login, ["password"] = "wrong", ["back"] = "/console" });
            last = await http.SendAsync(request);
        }
        Assert.That(last!.Headers.Location?.ToString(), Does.StartWith("/login?error=account_locked"));
        var page = await http.GetStringAsync(last.Headers.Location);
        last.Dispose();
        Assert.That(page, Does.Contain("账号已锁定"));
    }
}
