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
    public static async Task<IPage> SignInAsync(IBrowser browser, Uri server, Hall.Server.Halls.DemoCredentials credentials, string role, string path = "/console", bool expectArrival = true) =>
        await SignInAsync(await Browser.OpenAsync(browser, null, Desk), server, credentials, role, path, expectArrival);

    /// <summary>The same in a page already open (e.g. with scripts of the test's own added before its first navigation).</summary>
    public static Task<IPage> SignInAsync(IPage page, HallApp app, SeededHall hall, string role, string path = "/console", bool expectArrival = true) =>
        SignInAsync(page, app.BaseAddress, hall.Credentials, role, path, expectArrival);

    private static async Task<IPage> SignInAsync(IPage page, Uri server, Hall.Server.Halls.DemoCredentials credentials, string role, string path, bool expectArrival)
    {
        var login = credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));
        await page.GotoAsync(new Uri(server, path).ToString());
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
            // Away from the sign-in page, wherever it went; what the page shows is the caller's to wait for.
            await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
        }
        return page;
    }

}
