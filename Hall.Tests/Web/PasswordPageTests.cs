using System.Net;
using System.Net.Http.Json;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// 等保 2.0 self-service: a signed-in person changes their own password on 修改密码 (/account/password) in Chromium on
/// the real server. Refusals (weak, mismatched, wrong current password) change nothing; wrong current passwords lock the
/// account like failed sign-ins (here after 3).
/// </summary>
[TestFixture, NonParallelizable]
public sealed class PasswordPageTests
{
    private const string NewPassword = "Qiu-Chuang-2026";
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("password-page", settings: new Dictionary<string, string?> { ["Hall:Login:MaxFailures"] = "3" });
        _hall = await SeededHall.CreateAsync(_app);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    private string Login(string role) => _hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));

    private string Password(string role) => _hall.Credentials.Passwords[Login(role)];

    /// <summary>Signed in as <paramref name="role"/> on the password page, ready to type.</summary>
    private async Task<IPage> OpenAsync(string role)
    {
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, role, "/account/password");
        await Assertions.Expect(By(page, "password-page")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        return page;
    }

    private static async Task TypeAsync(IPage page, string current, string next, string repeat)
    {
        await By(page, "current").FillAsync(current);
        await By(page, "new").FillAsync(next);
        await By(page, "repeat").FillAsync(repeat);
    }

    private async Task<HttpStatusCode> ApiLoginAsync(string login, string password)
    {
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };
        using var response = await http.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { login, password });
        return response.StatusCode;
    }

    private async Task<string> HashAsync(string login)
    {
        await using var db = _app.Db();
        return await db.Staff.AsNoTracking().Where(s => s.Login == login).Select(s => s.PasswordHash).SingleAsync();
    }

    [Test]
    public async Task A_clerk_changes_their_password_from_the_menu_stays_signed_in_here_and_only_the_new_password_works()
    {
        var login = Login("clerk01");
        var elsewhere = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk01", "/console");
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "clerk01", "/console");
        await By(page, "nav-password").ClickAsync();
        await page.WaitForURLAsync("**/account/password");
        await Assertions.Expect(By(page, "password-page")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("修改密码");
        await Assertions.Expect(By(page, "rules")).ToContainTextAsync("至少 10 位");
        await Assertions.Expect(By(page, "rules")).ToContainTextAsync("至少包含三类");
        await Assertions.Expect(By(page, "rules")).ToContainTextAsync($"不得包含您的用户名（{login}）");
        // From the keyboard: the cursor starts in the current password; labels name the fields; Enter submits.
        await Assertions.Expect(By(page, "current")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(Password("clerk01"));
        await page.GetByLabel("新密码", new() { Exact = true }).FillAsync(NewPassword);
        await page.GetByLabel("再次输入新密码").FillAsync(NewPassword);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "message")).ToContainTextAsync("密码已修改");
        await Assertions.Expect(By(page, "message")).ToHaveAttributeAsync("data-code", "ok");
        await Assertions.Expect(By(page, "current")).ToHaveValueAsync("");
        await Browser.Screenshot(page, "password-changed");

        // This browser is still signed in; the other one is not.
        await page.GotoAsync(new Uri(_app.BaseAddress, "/console").ToString());
        await Assertions.Expect(By(page, "who")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        Assert.That(page.Url, Does.EndWith("/console"));
        await elsewhere.GotoAsync(new Uri(_app.BaseAddress, "/console").ToString());
        await elsewhere.WaitForURLAsync("**/login?back=*");
        await elsewhere.Context.CloseAsync();

        // Signed out, the old password is refused and the new one works.
        await page.Locator("form.logout button").ClickAsync();
        await page.WaitForURLAsync("**/login");
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", Password("clerk01"));
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(By(page, "login-error")).ToContainTextAsync("用户名或密码错误");
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", NewPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/console");
        await Assertions.Expect(By(page, "who")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_weak_password_is_refused_with_the_rules_and_nothing_changes()
    {
        var login = Login("clerk02");
        var page = await OpenAsync("clerk02");
        var before = await HashAsync(login);
        await TypeAsync(page, Password("clerk02"), "alllowercase123", "alllowercase123");
        await By(page, "change").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveAttributeAsync("data-code", "weak_password");
        await Assertions.Expect(By(page, "message")).ToContainTextAsync("密码强度不足：至少 10 位，包含大写字母、小写字母、数字、符号中的至少三类，且不得包含用户名");
        await Browser.Screenshot(page, "password-weak");
        Assert.That(await HashAsync(login), Is.EqualTo(before));
        Assert.That(await ApiLoginAsync(login, Password("clerk02")), Is.EqualTo(HttpStatusCode.OK), "the old password still works");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_repeat_that_differs_is_refused_on_the_page_and_nothing_changes()
    {
        var page = await OpenAsync("clerk03");
        var before = await TableDump.AllAsync(_app.ConnectionString);
        await TypeAsync(page, Password("clerk03"), NewPassword, NewPassword + "x");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "message")).ToHaveAttributeAsync("data-code", "mismatch");
        await Assertions.Expect(By(page, "message")).ToContainTextAsync("两次输入的新密码不一致");
        // The cursor is back in the cleared repeat field, ready to type again.
        await Assertions.Expect(By(page, "repeat")).ToBeFocusedAsync();
        await Assertions.Expect(By(page, "repeat")).ToHaveValueAsync("");
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before), "nothing was changed or even audited");
        Assert.That(await ApiLoginAsync(Login("clerk03"), Password("clerk03")), Is.EqualTo(HttpStatusCode.OK));
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_wrong_current_password_is_refused_and_audited()
    {
        var login = Login("clerk04");
        var page = await OpenAsync("clerk04");
        var before = await HashAsync(login);
        await TypeAsync(page, "not-my-password", NewPassword, NewPassword);
        await By(page, "change").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveAttributeAsync("data-code", "wrong_password");
        await Assertions.Expect(By(page, "message")).ToContainTextAsync("当前密码不正确");
        await Assertions.Expect(By(page, "current")).ToBeFocusedAsync();
        await Assertions.Expect(By(page, "current")).ToHaveValueAsync("");
        Assert.That(await HashAsync(login), Is.EqualTo(before));
        await using var db = _app.Db();
        var staffId = await db.Staff.Where(s => s.Login == login).Select(s => s.Id).SingleAsync();
        var audits = await db.AuditEntries.AsNoTracking().Where(a => a.Action == "staff.password.wrong" && a.StaffId == staffId).ToListAsync();
        Assert.That(audits, Has.Count.EqualTo(1));
        Assert.That(audits[0].After, Does.Not.Contain("not-my-password"), "the audit never holds a password");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task Three_wrong_current_passwords_lock_the_account_and_end_this_sign_in()
    {
        var login = Login("clerk05");
        var page = await OpenAsync("clerk05");
        // Failures are counted after the last sign-in (the test clock stands still unless moved).
        _app.Clock.Advance(TimeSpan.FromSeconds(5));
        for (var i = 1; i <= 2; i++)
        {
            await TypeAsync(page, "guess-" + i, NewPassword, NewPassword);
            await By(page, "change").ClickAsync();
            await Assertions.Expect(By(page, "message")).ToHaveAttributeAsync("data-code", "wrong_password");
            await Assertions.Expect(By(page, "current")).ToHaveValueAsync("");
        }
        await TypeAsync(page, "guess-3", NewPassword, NewPassword);
        await By(page, "change").ClickAsync();
        await Assertions.Expect(By(page, "sign-in-ended")).ToHaveAttributeAsync("data-code", "account_locked");
        await Assertions.Expect(By(page, "sign-in-ended")).ToContainTextAsync("本次登录已结束");
        await Assertions.Expect(By(page, "sign-in-ended-why")).ToContainTextAsync("账号已锁定，请 15 分钟后再试");
        await Assertions.Expect(By(page, "password-form")).ToHaveCountAsync(0);
        await Browser.Screenshot(page, "password-locked");

        Assert.That(await ApiLoginAsync(login, Password("clerk05")), Is.EqualTo(HttpStatusCode.Locked), "even the right password is refused while locked");
        await page.GotoAsync(new Uri(_app.BaseAddress, "/console").ToString());
        await page.WaitForURLAsync("**/login?back=*");
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", Password("clerk05"));
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(By(page, "login-error")).ToContainTextAsync("账号已锁定");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_page_whose_sign_in_ends_elsewhere_gives_way_at_once_and_changes_nothing()
    {
        var login = Login("clerk06");
        var page = await OpenAsync("clerk06");
        await TypeAsync(page, Password("clerk06"), "Another-Pass-2027", "Another-Pass-2027");
        using (var http = new HttpClient { BaseAddress = _app.BaseAddress })
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", await _app.LoginAsync(login, Password("clerk06")));
            using var changed = await http.PostAsJsonAsync(new Uri("/api/auth/password", UriKind.Relative), new { current = Password("clerk06"), @new = NewPassword });
            Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), "changed elsewhere, which ends this page's sign-in");
        }
        var after = await HashAsync(login);
        // Nobody touches the page: it says by itself that its sign-in is over, and its form is gone.
        await Assertions.Expect(By(page, "sign-in-ended")).ToHaveAttributeAsync("data-code", "session_ended", new() { Timeout = 10_000 });
        await Assertions.Expect(By(page, "sign-in-ended")).ToContainTextAsync("本次登录已结束");
        await Assertions.Expect(By(page, "password-form")).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("Enter");
        Assert.That(await HashAsync(login), Is.EqualTo(after));
        await By(page, "sign-in-again").ClickAsync();
        await page.WaitForURLAsync("**/login?back=%2Faccount%2Fpassword");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_supervisor_finds_the_page_in_English_and_gets_the_English_refusals()
    {
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, "supervisor", "/wall");
        await Assertions.Expect(By(page, "who")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await page.GotoAsync(new Uri(_app.BaseAddress, "/lang/en?back=/wall").ToString());
        await Assertions.Expect(By(page, "nav-password")).ToHaveTextAsync("Change password", new() { Timeout = 20_000 });
        await By(page, "nav-password").ClickAsync();
        await Assertions.Expect(By(page, "password-page")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Change password");
        await Assertions.Expect(By(page, "rules")).ToContainTextAsync("at least 10 characters long");
        await Assertions.Expect(By(page, "rules")).ToContainTextAsync($"not contain your login ({Login("supervisor")})");
        await page.GetByLabel("Current password").FillAsync(Password("supervisor"));
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("short");
        await page.GetByLabel("New password again").FillAsync("shorter");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("The two new passwords differ; type the new one again");
        await page.GetByLabel("New password again").FillAsync("short");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "message")).ToContainTextAsync("The password is too weak: at least 10 characters");
        await page.GetByLabel("Current password").FillAsync("not-my-password");
        await page.GetByLabel("New password again").FillAsync(NewPassword);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync(NewPassword);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("The current password is wrong.");
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("密码");
        await Browser.Screenshot(page, "password-english");
        await page.Context.CloseAsync();
    }
}
