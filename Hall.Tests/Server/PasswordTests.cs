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
        var audits = await check.AuditEntries.AsNoTracking().Where(a => a.Action == "staff.password.change").ToListAsync();
        Assert.That(audits, Has.Count.EqualTo(2));
        Assert.That(audits.Select(a => a.After), Has.None.Contains("Pass-20"), "the audit never holds a password");
    }

    private async Task<(HttpStatusCode Status, string? Code, string Body)> ChangeAsync(string token, string current, string next)
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/auth/password", UriKind.Relative)) { Content = JsonContent.Create(new { current, @new = next }) };
        request.Headers.Authorization = new("Bearer", token);
        return await SendAsync(http, request);
    }
}
