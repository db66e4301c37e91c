using System.Text.Json;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>
/// The admin's 搜索同义词 page in Chromium on the real server, with Hall.Kiosk running as its own process: a word added
/// there is what the kiosk finds items by a moment later, and a deleted one stops finding them.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class SearchSynonymsPageTests
{
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private AgentProcess _kiosk = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _admin = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("synonyms-page");
        _hall = await SeededHall.CreateAsync(_app);
        _kiosk = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
        {
            ["Kiosk__Server"] = _app.BaseAddress.ToString(),
            ["Kiosk__DeviceKey"] = _hall.Credentials.DeviceKeys["kiosk"],
        });
        await UntilAsync(async () => (await KioskAsync("/api/state")).RootElement.GetProperty("link").GetString() == "online", "the kiosk online");
        // The kiosk reports its printer a moment after it is online: a test that compares the tables before and after a
        // refused edit must not see that report land in between.
        await UntilAsync(async () =>
        {
            await using var db = _app.Db();
            return await db.Devices.AnyAsync(d => d.HallId == _hall.HallId && d.Role == Hall.Server.Contracts.DeviceRole.Kiosk && d.Status != null);
        }, "the kiosk's printer reported");
        _admin = await StaffPages.SignInAsync(_browser, _app, _hall, "admin", "/admin/synonyms");
        await Assertions.Expect(By("admin-nav")).ToBeVisibleAsync(new() { Timeout = 20_000 });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _kiosk.DisposeAsync();
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private ILocator By(string testId) => _admin.Locator($"[data-testid=\"{testId}\"]");

    private async Task<JsonDocument> KioskAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = _kiosk.BaseAddress };
        return JsonDocument.Parse(await http.GetStringAsync(new Uri(path, UriKind.Relative)));
    }

    /// <summary>The names of the items the kiosk's own search finds for <paramref name="query"/>.</summary>
    private async Task<List<string>> KioskFindsAsync(string query)
    {
        using var json = await KioskAsync("/api/items?q=" + Uri.EscapeDataString(query));
        return [.. json.RootElement.EnumerateArray().Select(i => i.GetProperty("name").GetString()!)];
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var until = DateTime.UtcNow.AddSeconds(20); !await condition(); await Task.Delay(200))
        {
            if (DateTime.UtcNow > until)
                Assert.Fail($"not {what} within 20 s");
        }
    }

    [Test, Order(1)]
    public async Task The_admin_adds_a_word_for_a_service_and_an_item_the_kiosk_finds_them_by_it_and_after_deleting_it_no_more()
    {
        var seeded = By("synonym-社保卡");
        await Assertions.Expect(seeded.Locator("[data-testid=\"leads\"]")).ToHaveTextAsync("社会保障卡申领（SB003）");
        Assert.That(await KioskFindsAsync("ylj"), Has.None.EqualTo("职工参保登记"), "nothing named 养老金 yet");

        var form = By("new-synonym");
        await form.Locator("[data-testid=\"word\"]").FillAsync("养老金");
        await form.Locator("[data-testid=\"add-service\"]").SelectOptionAsync(new SelectOptionValue { Label = "A 社保业务（shebao）" });
        await Assertions.Expect(form.Locator("[data-testid=\"chosen-service-shebao\"]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^A 社保业务（全部事项）"));
        // An item by the kiosk's own search: initials typed, Enter adds the first found.
        var query = form.Locator("[data-testid=\"item-query\"]");
        await query.FillAsync("sybxj");
        await Assertions.Expect(form.Locator("[data-testid=\"add-item-JY002\"]")).ToContainTextAsync("失业保险金申领");
        await Browser.Screenshot(_admin, "synonyms-1-picking");
        await query.PressAsync("Enter");
        await Assertions.Expect(form.Locator("[data-testid=\"chosen-item-JY002\"]")).ToContainTextAsync("失业保险金申领（JY002）");
        await Assertions.Expect(query).ToHaveValueAsync("");
        await form.Locator("[data-testid=\"save\"]").ClickAsync();

        await Assertions.Expect(By("note").Locator("[data-testid=\"message\"]")).ToHaveTextAsync("已新增同义词：养老金");
        var row = By("synonym-养老金");
        await Assertions.Expect(row.Locator(".lead")).ToHaveTextAsync(["A 社保业务（全部事项）", "失业保险金申领（JY002）"]);
        await Assertions.Expect(row.Locator("[data-testid=\"count\"]")).ToHaveTextAsync("5");
        await Assertions.Expect(By("new-synonym").Locator("[data-testid=\"word\"]")).ToHaveValueAsync("");
        await Browser.Screenshot(_admin, "synonyms-2-added");

        // The kiosk is told and fetches the catalogue again: 养老金 typed any way finds the service's items and the one chosen.
        foreach (var typed in new[] { "养老金", "yanglaojin", "ylj" })
        {
            await UntilAsync(async () => (await KioskFindsAsync(typed)).Contains("职工参保登记"), $"职工参保登记 found at the kiosk by {typed}");
            Assert.That(await KioskFindsAsync(typed), Is.SupersetOf(new[] { "城乡居民基本养老保险参保登记", "养老保险待遇申领", "社会保障卡申领", "职工参保登记", "失业保险金申领" }), typed);
        }

        await row.Locator("[data-testid=\"delete\"]").ClickAsync();
        await Assertions.Expect(row.Locator("[data-testid=\"delete-confirm\"]")).ToContainTextAsync("删除同义词“养老金”？");
        await row.Locator("[data-testid=\"delete-yes\"]").ClickAsync();
        await Assertions.Expect(By("note").Locator("[data-testid=\"message\"]")).ToHaveTextAsync("已删除同义词：养老金");
        await Assertions.Expect(By("synonym-养老金")).ToHaveCountAsync(0);
        await UntilAsync(async () => !(await KioskFindsAsync("ylj")).Contains("职工参保登记"), "养老金 forgotten at the kiosk");
        Assert.That(await KioskFindsAsync("养老金"), Has.None.EqualTo("失业保险金申领"));

        await _admin.GotoAsync(new Uri(_app.BaseAddress, "/admin/audit").ToString());
        var entry = _admin.Locator("[data-testid=\"audit-synonym.create\"]").First;
        await Assertions.Expect(entry.Locator("> td").Nth(2)).ToHaveTextAsync("新增搜索同义词");
        var changes = (await entry.Locator(".changes > span").AllInnerTextsAsync()).Chunk(3).Select(c => string.Join(" | ", c)).ToList();
        Assert.That(changes, Has.One.EqualTo("同义词 | — | 养老金"));
        Assert.That(changes, Has.One.EqualTo("事项 | — | JY002 失业保险金申领"));
        Assert.That(changes, Has.One.EqualTo("业务（全部事项） | — | 社保业务"));
        await Assertions.Expect(_admin.Locator("[data-testid=\"audit-synonym.delete\"]").First.Locator("> td").Nth(2)).ToHaveTextAsync("删除搜索同义词");
    }

    [Test, Order(2)]
    public async Task A_word_the_hall_has_is_refused_next_to_the_form_and_an_edit_changes_what_it_leads_to()
    {
        await _admin.GotoAsync(new Uri(_app.BaseAddress, "/admin/synonyms").ToString());
        await Assertions.Expect(By("admin-nav")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        var before = await TableDump.AllAsync(_app.ConnectionString);
        var form = By("new-synonym");
        await form.Locator("[data-testid=\"word\"]").FillAsync("社保卡");
        await form.Locator("[data-testid=\"item-query\"]").FillAsync("社会保障卡");
        await form.Locator("[data-testid=\"add-item-SB003\"]").ClickAsync();
        await form.Locator("[data-testid=\"save\"]").ClickAsync();
        await Assertions.Expect(By("note").Locator("[data-testid=\"message\"]")).ToHaveTextAsync("同义词有误：本大厅已有这个同义词");
        await Assertions.Expect(form.Locator("[data-testid=\"word\"]")).ToHaveValueAsync("社保卡");
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before), "nothing changed");

        await form.Locator("[data-testid=\"word\"]").FillAsync("");
        await form.Locator("[data-testid=\"save\"]").ClickAsync();
        await Assertions.Expect(By("note").Locator("[data-testid=\"message\"]")).ToContainTextAsync("同义词有误：须为 1–20 个字");
        await Browser.Screenshot(_admin, "synonyms-3-refused");

        // 修改: the row becomes the form, with the word focused; an item added, saved in place.
        await By("synonym-低保").Locator("[data-testid=\"edit\"]").ClickAsync();
        var edit = By("edit-synonym");
        await Assertions.Expect(edit.Locator("[data-testid=\"word\"]")).ToBeFocusedAsync();
        await Assertions.Expect(edit.Locator("[data-testid=\"word\"]")).ToHaveValueAsync("低保");
        await edit.Locator("[data-testid=\"item-query\"]").FillAsync("残疾人证");
        await edit.Locator("[data-testid=\"item-query\"]").PressAsync("Enter");
        await edit.Locator("[data-testid=\"save\"]").ClickAsync();
        await Assertions.Expect(By("note").Locator("[data-testid=\"message\"]")).ToHaveTextAsync("已保存同义词：低保");
        await Assertions.Expect(By("synonym-低保").Locator(".lead")).ToHaveTextAsync(["最低生活保障申请（MZ003）", "残疾人证申领（ZH002）"]);
        await UntilAsync(async () => (await KioskFindsAsync("dibao")).Contains("残疾人证申领"), "残疾人证申领 found at the kiosk by dibao");
    }
}
