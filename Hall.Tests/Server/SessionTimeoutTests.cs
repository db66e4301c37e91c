using System.Net;
using Hall.Server.Staff;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>等保 2.0 session timeout: a staff session nobody used for 30 minutes is over — for the API and the pages alike.</summary>
[TestFixture, NonParallelizable]
public sealed class SessionTimeoutTests() : HallFixture("session-timeout")
{
    private async Task<string> SignInAsync()
    {
        var login = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-admin", StringComparison.Ordinal));
        return await App.LoginAsync(login, Seeded.Credentials.Passwords[login]);
    }

    /// <summary>An admin API call with the session as a bearer token, and a staff page with it as the browser's cookie.</summary>
    private async Task<(HttpStatusCode Api, HttpStatusCode Page, string? PageLocation)> UseAsync(string token)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = App.BaseAddress };
        using var api = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/admin/display-settings", UriKind.Relative));
        api.Headers.Authorization = new("Bearer", token);
        using var apiResponse = await http.SendAsync(api);
        using var page = new HttpRequestMessage(HttpMethod.Get, new Uri("/console", UriKind.Relative));
        page.Headers.Add("Cookie", "hall_session=" + token);
        using var pageResponse = await http.SendAsync(page);
        return (apiResponse.StatusCode, pageResponse.StatusCode, pageResponse.Headers.Location?.ToString());
    }

    private async Task<int> ExpiredAuditsAsync()
    {
        await using var db = App.Db();
        return await db.AuditEntries.CountAsync(a => a.Action == IdleSessions.ExpiredAction);
    }

    [Test]
    public async Task A_session_idle_for_31_minutes_is_over_and_its_end_is_audited_once()
    {
        var token = await SignInAsync();
        Assert.That(await UseAsync(token), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK, (string?)null)));
        var audits = await ExpiredAuditsAsync();

        App.Clock.Advance(TimeSpan.FromMinutes(31));
        var (api, page, location) = await UseAsync(token);
        Assert.That(api, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((page, location), Is.EqualTo((HttpStatusCode.Redirect, "/login?back=%2Fconsole")), "the page sends the person to sign in again");
        Assert.That(await ExpiredAuditsAsync(), Is.EqualTo(audits + 1), "session.expired audited once for the two refused requests");

        // Used again a minute later it is still over: idleness is not undone by knocking.
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That((await UseAsync(token)).Api, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await ExpiredAuditsAsync(), Is.EqualTo(audits + 1));
        Assert.That((await UseAsync(await SignInAsync())).Api, Is.EqualTo(HttpStatusCode.OK), "signing in again works");
    }

    [Test]
    public async Task A_session_used_every_10_minutes_stays_valid_past_the_idle_limit()
    {
        var token = await SignInAsync();
        for (var i = 0; i < 8; i++)
        {
            App.Clock.Advance(TimeSpan.FromMinutes(10));
            Assert.That(await UseAsync(token), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK, (string?)null)), $"after {(i + 1) * 10} minutes of use");
        }
        // Then left alone: 29 minutes is still within the limit, 31 is not.
        App.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.That((await UseAsync(token)).Api, Is.EqualTo(HttpStatusCode.OK));
        App.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.That((await UseAsync(token)).Api, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Use_is_written_at_most_once_a_minute()
    {
        var token = await SignInAsync();
        await using var db = App.Db();
        var session = await db.StaffSessions.AsNoTracking().OrderByDescending(s => s.Id).FirstAsync();
        App.Clock.Advance(TimeSpan.FromSeconds(30));
        await UseAsync(token);
        Assert.That((await db.StaffSessions.AsNoTracking().SingleAsync(s => s.Id == session.Id)).LastSeenAt, Is.EqualTo(session.LastSeenAt), "not written within the minute");
        App.Clock.Advance(TimeSpan.FromSeconds(31));
        await UseAsync(token);
        Assert.That((await db.StaffSessions.AsNoTracking().SingleAsync(s => s.Id == session.Id)).LastSeenAt, Is.EqualTo(App.Clock.GetUtcNow()));
    }
}
