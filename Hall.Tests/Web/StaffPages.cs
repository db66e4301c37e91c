using Hall.Tests.Support;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>Signing a person in to the staff pages in their own browser context.</summary>
public static class StaffPages
{
    public static readonly ViewportSize Desk = new() { Width = 1600, Height = 1000 };

    /// <summary>Opens <paramref name="path"/> as the seeded person with this role suffix (clerk01, supervisor, admin), signing in on the way.</summary>
    public static Task<IPage> SignInAsync(IBrowser browser, HallApp app, SeededHall hall, string role, string path = "/console", bool expectArrival = true) =>
        SignInAsync(browser, app.BaseAddress, hall.Credentials, role, path, expectArrival);

    /// <summary>The same on any server, e.g. a Hall.Server process.</summary>
    public static async Task<IPage> SignInAsync(IBrowser browser, Uri server, Hall.Server.Halls.DemoCredentials credentials, string role, string path = "/console", bool expectArrival = true)
    {
        var login = credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));
        var page = await Browser.OpenAsync(browser, new Uri(server, path).ToString(), Desk);
        await page.WaitForURLAsync("**/login?back=*");
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", credentials.Passwords[login]);
        await page.ClickAsync("button[type=submit]");
        if (expectArrival)
        {
            await page.WaitForURLAsync(new Uri(server, path).ToString());
        }
        else
        {
            await page.WaitForLoadStateAsync();
        }
        return page;
    }

}
