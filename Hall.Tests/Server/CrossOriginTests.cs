using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// The admin's session cookie reaches Hall from any page the admin's browser shows — also one on another port of the
/// same host, where SameSite does not help (issue 15). A request that signs in with the cookie only acts when it comes
/// from Hall's own pages: the uploads and sign-out need the antiforgery token too, and the hub checks the Origin.
/// </summary>
[TestFixture]
public sealed class CrossOriginTests() : HallFixture("cross-origin")
{
    private string _token = "";
    private Uri Foreign => new($"http://127.0.0.1:{App.BaseAddress.Port + 1}");

    [SetUp]
    public async Task SignInAsync()
    {
        var login = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-admin", StringComparison.Ordinal));
        _token = await App.LoginAsync(login, Seeded.Credentials.Passwords[login]);
    }

    private HttpRequestMessage WithCookie(HttpMethod method, string path, string? origin, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(App.BaseAddress, path)) { Content = content };
        request.Headers.Add("Cookie", $"hall_session={_token}");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        return request;
    }

    private static MultipartFormDataContent Upload()
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent("编码,名称\n1,测试事项\n"u8.ToArray()), "file", "items.csv");
        return form;
    }

    private static async Task<string> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;

    [Test]
    public async Task A_page_on_another_port_cannot_import_a_catalogue_with_the_admins_cookie_and_nothing_is_imported()
    {
        using var http = new HttpClient();
        var response = await http.SendAsync(WithCookie(HttpMethod.Post, "/api/admin/catalogue/import", Foreign.GetLeftPart(UriPartial.Authority), Upload()));
        Assert.That((response.StatusCode, await CodeAsync(response)), Is.EqualTo((HttpStatusCode.Forbidden, "origin_refused")));

        // Without an Origin, a browser's Sec-Fetch-Site still tells another origin of the same site.
        var sameSite = WithCookie(HttpMethod.Post, "/api/admin/catalogue/import", null, Upload());
        sameSite.Headers.Add("Sec-Fetch-Site", "same-site");
        Assert.That((await http.SendAsync(sameSite)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        // Even from the server's own origin, the cookie alone does not upload: the antiforgery token is missing.
        response = await http.SendAsync(WithCookie(HttpMethod.Post, "/api/admin/catalogue/import", App.BaseAddress.GetLeftPart(UriPartial.Authority), Upload()));
        Assert.That((response.StatusCode, await CodeAsync(response)), Is.EqualTo((HttpStatusCode.Forbidden, "form_forged")));

        await using (var db = App.Db())
        {
            Assert.That(await db.BackgroundJobs.CountAsync(), Is.Zero, "no import was started");
        }
        // A program with the bearer token is not affected.
        using var program = new HttpClient { BaseAddress = App.BaseAddress };
        program.DefaultRequestHeaders.Authorization = new("Bearer", _token);
        var accepted = await program.PostAsync(new Uri("/api/admin/catalogue/import", UriKind.Relative), Upload());
        Assert.That(accepted.StatusCode, Is.Not.EqualTo(HttpStatusCode.Forbidden), await accepted.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_foreign_page_cannot_sign_the_admin_out_and_the_session_stays()
    {
        using var http = new HttpClient();
        var response = await http.SendAsync(WithCookie(HttpMethod.Post, "/api/auth/logout", Foreign.GetLeftPart(UriPartial.Authority)));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        response = await http.SendAsync(WithCookie(HttpMethod.Post, "/api/auth/logout", App.BaseAddress.GetLeftPart(UriPartial.Authority)));
        Assert.That((response.StatusCode, await CodeAsync(response)), Is.EqualTo((HttpStatusCode.Forbidden, "form_forged")));
        await using var client = await App.ConnectAsync(_token);
        Assert.That(client.Connection.State, Is.EqualTo(HubConnectionState.Connected), "the session still works");
    }

    [Test]
    public async Task The_hub_refuses_a_cookie_connection_from_another_origin_and_takes_one_from_its_own()
    {
        HubConnection Connect(string origin) => new HubConnectionBuilder()
            .WithUrl(new Uri(App.BaseAddress, "/hubs/hall"), o =>
            {
                o.Headers["Cookie"] = $"hall_session={_token}";
                o.Headers["Origin"] = origin;
            })
            .Build();

        await using var foreign = Connect(Foreign.GetLeftPart(UriPartial.Authority));
        var refused = Assert.ThrowsAsync<HttpRequestException>(() => foreign.StartAsync());
        Assert.That(refused!.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        await using var own = Connect(App.BaseAddress.GetLeftPart(UriPartial.Authority));
        await own.StartAsync();
        Assert.That((await own.InvokeAsync<Hall.Server.Contracts.Whoami>("Whoami")).HallId, Is.EqualTo(Seeded.HallId));
    }
}
