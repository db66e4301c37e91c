using Hall.Tests.Support;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>Signing a person in to the staff pages in their own browser context.</summary>
public static class StaffPages
{
    public static readonly ViewportSize Desk = new() { Width = 1600, Height = 1000 };

    /// <summary>Opens <paramref name="path"/> as the seeded person with this role suffix (clerk01, supervisor, admin), signing in on the way.</summary>
    public static async Task<IPage> SignInAsync(IBrowser browser, HallApp app, SeededHall hall, string role, string path = "/console", bool expectArrival = true) =>
        await SignInAsync(await Browser.OpenAsync(browser, null, Desk), app, hall, role, path, expectArrival);

    /// <summary>The same in a page already open (e.g. with scripts of the test's own added before its first navigation).</summary>
    public static async Task<IPage> SignInAsync(IPage page, HallApp app, SeededHall hall, string role, string path = "/console", bool expectArrival = true)
    {
        var login = hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));
        await page.GotoAsync(new Uri(app.BaseAddress, path).ToString());
        await page.WaitForURLAsync("**/login?back=*");
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", hall.Credentials.Passwords[login]);
        await page.ClickAsync("button[type=submit]");
        if (expectArrival)
        {
            await page.WaitForURLAsync(new Uri(app.BaseAddress, path).ToString());
        }
        else
        {
            await page.WaitForLoadStateAsync();
        }
        return page;
    }

}
