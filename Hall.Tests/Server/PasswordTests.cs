using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Admin;
using Hall.Server.Staff;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// 等保 2.0 password rules. Admins never type a password (new accounts and resets get a generated one); a person who
/// changes their own must choose a strong one, or is refused with <c>weak_password</c> and nothing changes.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class PasswordTests() : HallFixture("passwords")
{
    [Test]
    public void Generated_passwords_are_12_characters_of_three_kinds_and_pass_the_rules()
    {
        for (var i = 0; i < 2000; i++)
        {
            var p = AdminStore.NewPassword();
            Assert.That(p, Has.Length.EqualTo(12));
            Assert.That(new[] { p.Any(char.IsLower), p.Any(char.IsUpper), p.Any(char.IsDigit) }, Has.All.True, p);
            Assert.That(PasswordRules.IsStrong(p, "xinxian-clerk01"), Is.True, p);
        }
    }

    [TestCase("Ab1!", false, TestName = "Too short")]
    [TestCase("Abcdefghi1", true, TestName = "Ten characters of three kinds")]
    [TestCase("abcdefghij1", false, TestName = "Two kinds only (lower case and digits)")]
    [TestCase("ABCDEFGH!!", false, TestName = "Two kinds only (upper case and symbols)")]
    [TestCase("xx-XINXIAN-CLERK01-9", false, TestName = "Contains the login (any case)")]
    [TestCase("市民之家Hall2026", true, TestName = "Chinese characters with upper, lower and digits")]
    [TestCase("county hall 2026!", true, TestName = "Lower case, digits and symbols")]
    public void Chosen_passwords_follow_the_rules(string password, bool strong) =>
        Assert.That(PasswordRules.IsStrong(password, "xinxian-clerk01"), Is.EqualTo(strong));

    [Test]
    public void Demo_passwords_are_generated_strong() =>
        Assert.That(Seeded.Credentials.Passwords, Has.All.Matches<KeyValuePair<string, string>>(p => PasswordRules.IsStrong(p.Value, p.Key)));

    private static async Task<(HttpStatusCode Status, string? Code, string Body)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body.Length > 0 ? JsonDocument.Parse(body).RootElement.GetProperty("code").GetString() : null, body);
    }

    private async Task<HttpStatusCode> LoginStatusAsync(string login, string password)
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { login, password });
        return response.StatusCode;
    }

    [Test]
    public async Task A_clerk_changes_their_own_password_only_to_a_strong_one()
    {
        var login = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-clerk05", StringComparison.Ordinal));
        var old = Seeded.Credentials.Passwords[login];
        var token = await App.LoginAsync(login, old);
        var other = await App.LoginAsync(login, old);
        string Hash()
        {
            using var db = App.Db();
            return db.Staff.AsNoTracking().Single(s => s.Login == login).PasswordHash;
        }
        var before = Hash();

        foreach (var weak in new[] { "short1A", "alllowercase123", login + "Ab1!" })
        {
            var (status, code, body) = await ChangeAsync(token, old, weak);
            Assert.That((status, code), Is.EqualTo((HttpStatusCode.BadRequest, "weak_password")), weak);
            Assert.That(body, Does.Contain("密码强度不足").And.Contain("too weak"));
        }
        Assert.That((await ChangeAsync(token, "not-my-password", "Strong-Pass-2026")).Code, Is.EqualTo("wrong_password"));
        Assert.That(Hash(), Is.EqualTo(before), "a refused change changes nothing");

        Assert.That((await ChangeAsync(token, old, "Strong-Pass-2026")).Status, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await LoginStatusAsync(login, old), Is.EqualTo(HttpStatusCode.Unauthorized), "the old password no longer works");
        Assert.That(await LoginStatusAsync(login, "Strong-Pass-2026"), Is.EqualTo(HttpStatusCode.OK));
        // The other session ends; the one that made the change goes on.
        Assert.That((await ChangeAsync(other, "Strong-Pass-2026", "Another-Pass-2027")).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await ChangeAsync(token, "Strong-Pass-2026", "Another-Pass-2027")).Status, Is.EqualTo(HttpStatusCode.NoContent));
        await using var check = App.Db();
        var staffId = await check.Staff.Where(s => s.Login == login).Select(s => s.Id).SingleAsync();
        var audits = await check.AuditEntries.AsNoTracking().Where(a => a.Action == StaffLogin.ChangedAction && a.StaffId == staffId).ToListAsync();
        Assert.That(audits, Has.Count.EqualTo(2));
        Assert.That(audits.Select(a => a.After), Has.None.Contains("Pass-20"), "the audit never holds a password");
    }

    [Test]
    public async Task Wrong_current_passwords_are_audited_and_lock_the_account_together_with_failed_logins()
    {
        var login = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-clerk06", StringComparison.Ordinal));
        var right = Seeded.Credentials.Passwords[login];
        var guessing = await App.LoginAsync(login, right);
        var other = await App.LoginAsync(login, right);
        // Failures count after the last sign-in (the test clock stands still unless moved).
        App.Clock.Advance(TimeSpan.FromSeconds(5));

        Assert.That(await LoginStatusAsync(login, "wrong-1"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await LoginStatusAsync(login, "wrong-2"), Is.EqualTo(HttpStatusCode.Unauthorized));
        for (var i = 3; i <= 4; i++)
        {
            var (status, code, _) = await ChangeAsync(guessing, "wrong-" + i, "Strong-Pass-2026");
            Assert.That((status, code), Is.EqualTo((HttpStatusCode.Forbidden, "wrong_password")), $"attempt {i}");
        }
        var fifth = await ChangeAsync(guessing, "wrong-5", "Strong-Pass-2026");
        Assert.That((fifth.Status, fifth.Code), Is.EqualTo((HttpStatusCode.Locked, "account_locked")), "the fifth failure, of either kind, locks");
        Assert.That(fifth.Body, Does.Contain("账号已锁定").And.Contain("account is locked").And.Contain("\"signedOut\":true"));

        Assert.That(await LoginStatusAsync(login, right), Is.EqualTo(HttpStatusCode.Locked), "sign-in refused even with the right password");
        Assert.That((await ChangeAsync(other, right, "Strong-Pass-2026")).Code, Is.EqualTo("account_locked"), "a change refused even with the right password");
        Assert.That((await ChangeAsync(guessing, right, "Strong-Pass-2026")).Status, Is.EqualTo(HttpStatusCode.Unauthorized), "the session that guessed has ended");

        await using var db = App.Db();
        var staffId = await db.Staff.Where(s => s.Login == login).Select(s => s.Id).SingleAsync();
        var audits = await db.AuditEntries.AsNoTracking().Where(a => a.StaffId == staffId && a.Action != "staff.password.change").OrderBy(a => a.Id).ToListAsync();
        Assert.That(audits.Select(a => a.Action), Is.EqualTo(new[]
        {
            StaffLogin.FailedAction, StaffLogin.FailedAction, StaffLogin.WrongPasswordAction, StaffLogin.WrongPasswordAction, StaffLogin.WrongPasswordAction,
            StaffLogin.LockedAction, StaffLogin.LockedAction,
        }));
        Assert.That(audits.Select(a => a.After), Has.None.Contains("wrong-").And.None.Contains(right), "the audit never holds a password");

        App.Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.That((await ChangeAsync(other, right, "Strong-Pass-2026")).Status, Is.EqualTo(HttpStatusCode.NoContent), "open again after the lock");
    }

    [Test]
    public async Task A_right_password_change_starts_the_count_again()
    {
        var login = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-clerk07", StringComparison.Ordinal));
        var token = await App.LoginAsync(login, Seeded.Credentials.Passwords[login]);
        App.Clock.Advance(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 4; i++)
        {
            Assert.That((await ChangeAsync(token, "wrong", "Strong-Pass-2026")).Code, Is.EqualTo("wrong_password"));
        }
        Assert.That((await ChangeAsync(token, Seeded.Credentials.Passwords[login], "Strong-Pass-2026")).Status, Is.EqualTo(HttpStatusCode.NoContent));
        App.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.That((await ChangeAsync(token, "wrong", "Another-Pass-2027")).Code, Is.EqualTo("wrong_password"), "the count started again after the change");
        Assert.That(await LoginStatusAsync(login, "Strong-Pass-2026"), Is.EqualTo(HttpStatusCode.OK));
    }

    private async Task<(HttpStatusCode Status, string? Code, string Body)> ChangeAsync(string token, string current, string next)
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/auth/password", UriKind.Relative)) { Content = JsonContent.Create(new { current, @new = next }) };
        request.Headers.Authorization = new("Bearer", token);
        return await SendAsync(http, request);
    }
}
