using System.Net;
using Hall.Server.Contracts;
using Hall.Tests.Catalog;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Hall.Tests.Web;

/// <summary>The admin pages in Chromium on the real server: configuration changes with their audit trail, refusals that change nothing, accounts and device keys, the catalogue import; and who may open what.</summary>
[TestFixture, NonParallelizable]
public sealed class AdminTests
{
    private HallApp _app = null!;
    private SeededHall _hall = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _admin = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("admin");
        _hall = await SeededHall.CreateAsync(_app);
        _admin = await StaffPages.SignInAsync(_browser, _app, _hall, "admin", "/admin/services");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private ILocator By(string testId) => _admin.Locator($"[data-testid=\"{testId}\"]");

    private async Task GoAsync(string path)
    {
        await _admin.GotoAsync(new Uri(_app.BaseAddress, path).ToString());
        await Assertions.Expect(By("admin-nav")).ToBeVisibleAsync(new() { Timeout = 20_000 });
    }

    /// <summary>
    /// Every visible button's text against its own background (or the nearest painted one behind it), as WCAG
    /// computes contrast: label and ratio of each one under 4.5:1.
    /// </summary>
    private async Task<IReadOnlyList<string>> FaintButtonsAsync() => await _admin.EvaluateAsync<string[]>("""
        () => {
          const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
          const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
          const paint = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3); } return [255, 255, 255]; };
          return [...document.querySelectorAll("button")].filter(b => b.offsetParent !== null).map(b => {
            const a = lum(rgb(getComputedStyle(b).color)), z = lum(paint(b));
            const ratio = (Math.max(a, z) + 0.05) / (Math.min(a, z) + 0.05);
            return ratio < 4.5 ? `${b.textContent.trim()} ${ratio.toFixed(2)}:1` : null;
          }).filter(x => x);
        }
        """);

    [TestCase("/admin/hall")]
    [TestCase("/admin/screens")]
    [TestCase("/admin/services")]
    [TestCase("/admin/windows")]
    [TestCase("/admin/staff")]
    [TestCase("/admin/devices")]
    [TestCase("/admin/catalogue")]
    [TestCase("/admin/synonyms")]
    public async Task Every_button_on_the_admin_pages_can_be_read(string path)
    {
        await GoAsync(path);
        Assert.That(await FaintButtonsAsync(), Is.Empty, $"{path}: buttons whose text does not stand out from their background");
        // The heading Blazor focuses after navigating (for screen readers) has no box drawn around it.
        await _admin.Locator("h1").First.FocusAsync();
        var focused = await _admin.EvaluateAsync<string>("() => { const e = document.activeElement; return e.tagName + ' ' + getComputedStyle(e).outlineStyle; }");
        Assert.That(focused, Is.EqualTo("H1 none"), $"{path}: the focused heading");
    }

    [Test, Order(1)]
    public async Task A_service_change_is_saved_and_its_before_and_after_are_in_the_audit_log()
    {
        await GoAsync("/admin/services");
        var row = _admin.Locator("[data-testid=\"service-yibao\"]");
        await row.Locator("[data-testid=\"target\"]").FillAsync("20");
        await row.Locator("[data-testid=\"alert-count\"]").FillAsync("12");
        await row.Locator("[data-testid=\"save\"]").ClickAsync();
        await Assertions.Expect(By("message")).ToContainTextAsync("已保存");
        await Browser.Screenshot(_admin, "admin-1-services");

        await using (var db = _app.Db())
        {
            var s = await db.Services.AsNoTracking().SingleAsync(x => x.HallId == _hall.HallId && x.Code == "yibao");
            Assert.That((s.TargetWaitMinutes, s.AlertWaitingCount), Is.EqualTo((20, 12)));
        }
        // On a 1366×768 laptop: the action in words, each changed field with its old and new value, the name on one line.
        await _admin.SetViewportSizeAsync(1366, 768);
        try
        {
            await GoAsync("/admin/audit");
            var entry = _admin.Locator("[data-testid=\"audit-service.update\"]").First;
            var cells = entry.Locator("> td");
            await Assertions.Expect(cells.Nth(2)).ToHaveTextAsync("修改业务");
            var changes = (await entry.Locator(".changes > span").AllInnerTextsAsync()).Chunk(3).Select(c => string.Join(" | ", c)).ToList();
            Assert.That(changes, Has.Count.EqualTo(3), "a heading and the two changed fields only");
            Assert.That(changes[0], Is.EqualTo("字段 | 原值 | 新值"));
            Assert.That(changes, Has.One.EqualTo("目标等候（分钟） | 30 | 20"));
            Assert.That(changes, Has.One.Match("^排队报警人数 \\| \\d+ \\| 12$"));
            Assert.That(await entry.InnerTextAsync(), Does.Not.Contain("{").And.Not.Contain("service.update"), "no raw JSON or codes");
            await Assertions.Expect(entry.Locator("[data-testid=\"subject\"]")).ToHaveTextAsync("业务「医保业务」", new() { Timeout = 5000 });
            await Assertions.Expect(cells.Nth(1)).ToHaveTextAsync("系统管理员");
            var lines = await cells.Nth(1).EvaluateAsync<int>("td => { const r = document.createRange(); r.selectNodeContents(td); return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }");
            Assert.That(lines, Is.EqualTo(1), "the 人员 column keeps a name on one line");
            await Browser.Screenshot(_admin, "admin-2-audit");
        }
        finally
        {
            await _admin.SetViewportSizeAsync(StaffPages.Desk.Width, StaffPages.Desk.Height);
        }
    }

    [Test, Order(2)]
    public async Task A_bad_service_is_refused_with_the_reason_and_nothing_changes()
    {
        await GoAsync("/admin/services");
        var before = await TableDump.AllAsync(_app.ConnectionString);
        var row = _admin.Locator("[data-testid=\"service-shebao\"]");
        await row.Locator("input").Nth(2).FillAsync("B");
        await row.Locator("[data-testid=\"save\"]").ClickAsync();
        // The message names the one field at fault and why, not every rule of the form.
        await Assertions.Expect(By("message")).ToHaveTextAsync("业务设置有误：号码前缀 B 已被「医保业务」使用，不能与其他业务重复，未作任何更改");
        await row.Locator("input").Nth(2).FillAsync("1");
        await row.Locator("[data-testid=\"save\"]").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("业务设置有误：号码前缀须为一个大写字母（A–Z），未作任何更改");
        await row.Locator("input").Nth(2).FillAsync("A");
        await row.Locator("[data-testid=\"target\"]").FillAsync("0");
        await row.Locator("[data-testid=\"save\"]").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("业务设置有误：目标等候（分钟）须在 1–600 之间，未作任何更改");
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before), "a refused change leaves the database as it was");
    }

    [Test, Order(3)]
    public async Task The_admin_creates_a_clerk_whose_password_is_shown_once_and_works_and_deactivating_signs_them_out()
    {
        await GoAsync("/admin/staff");
        await By("new-login").FillAsync("zhang.wei");
        await By("new-name").FillAsync("张伟");
        await By("create").ClickAsync();
        await Assertions.Expect(By("secret")).ToBeVisibleAsync();
        await Browser.Screenshot(_admin, "admin-6-staff");
        var password = (await By("secret").Locator("code").TextContentAsync())!.Trim();
        Assert.That(password, Has.Length.EqualTo(12));
        var token = await _app.LoginAsync("zhang.wei", password);
        Assert.That(await ConnectsAsync(token), Is.True, "the new clerk signs in with the password shown");

        await GoAsync("/admin/staff");
        var row = _admin.Locator("[data-testid=\"staff-zhang.wei\"]");
        await row.Locator("input[type=checkbox]").UncheckAsync();
        await row.Locator("[data-testid=\"save\"]").ClickAsync();
        await Assertions.Expect(By("message")).ToContainTextAsync("已保存");
        await using var db = _app.Db();
        Assert.That(await ConnectsAsync(token), Is.False, "signed out everywhere at once");
        Assert.That(await db.StaffSessions.AnyAsync(s => db.Staff.Any(m => m.Id == s.StaffId && m.Login == "zhang.wei") && s.RevokedAt == null), Is.False);
        Assert.That(async () => await _app.LoginAsync("zhang.wei", password), Throws.Exception, "a deactivated account cannot sign in");
    }

    [Test, Order(4)]
    public async Task A_device_key_is_shown_once_works_stops_working_when_rotated_and_the_new_one_works_until_revoked()
    {
        await GoAsync("/admin/devices");
        await By("new-name").FillAsync("二楼取号机");
        await By("create").ClickAsync();
        await Assertions.Expect(By("secret")).ToBeVisibleAsync();
        await Browser.Screenshot(_admin, "admin-7-devices");
        var key = (await By("secret").Locator("code").TextContentAsync())!.Trim();
        var id = int.Parse(key.Split('_')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(await ConnectsAsync(key), Is.True);

        await _admin.Locator($"[data-testid=\"device-{id}\"] [data-testid=\"rotate\"]").ClickAsync();
        // Asked first, next to the button: nothing has changed yet.
        await Assertions.Expect(_admin.Locator($"[data-testid=\"device-{id}\"] [data-testid=\"rotate-confirm\"]")).ToContainTextAsync("旧密钥立即失效");
        Assert.That(await ConnectsAsync(key), Is.True, "only asked, the key still works");
        await _admin.Locator($"[data-testid=\"device-{id}\"] [data-testid=\"rotate-yes\"]").ClickAsync();
        await Assertions.Expect(By("secret")).Not.ToContainTextAsync(key);
        var rotated = (await By("secret").Locator("code").TextContentAsync())!.Trim();
        Assert.That((await ConnectsAsync(key), await ConnectsAsync(rotated)), Is.EqualTo((false, true)), "the old key stops at once, the new one works");

        await _admin.Locator($"[data-testid=\"device-{id}\"] [data-testid=\"revoke\"]").ClickAsync();
        await _admin.Locator($"[data-testid=\"device-{id}\"] [data-testid=\"revoke-yes\"]").ClickAsync();
        await Assertions.Expect(By("message")).ToContainTextAsync("已吊销");
        Assert.That(await ConnectsAsync(rotated), Is.False);
        await using var db = _app.Db();
        Assert.That(await db.AuditEntries.Where(a => a.Subject == $"device:{id}").Select(a => a.Action).OrderBy(a => a).ToListAsync(), Is.EqualTo(new[] { "device.revoke", "device.rotate" }));
        var logged = (await db.AuditEntries.AsNoTracking().Select(a => new { a.Before, a.After }).ToListAsync()).Select(a => a.Before + a.After).ToList();
        Assert.That(logged, Has.None.Contains(rotated.Split('_')[2]).And.None.Contains(key.Split('_')[2]), "no key is ever written to the log");
    }

    private async Task<bool> ConnectsAsync(string key)
    {
        try
        {
            await using var client = await _app.ConnectAsync(key);
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or Microsoft.AspNetCore.SignalR.HubException)
        {
            return false;
        }
    }

    [Test, Order(5)]
    public async Task Hours_and_thresholds_are_set_a_wrong_hours_line_is_refused_and_a_holiday_is_added()
    {
        await GoAsync("/admin/hall");
        await By("hours").FillAsync("周一 09:00-12:00 13:30-17:30\n周二 9点到12点");
        await By("save").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("大厅设置有误：办公时间第 2 行“周二 9点到12点”须形如“周一 09:00-12:00 13:30-17:30”，未作任何更改");
        await By("hours").FillAsync("周一 09:00-12:00 13:30-17:30\n周二 09:00-12:00 13:30-17:30\n周三 09:00-12:00 13:30-17:30\n周四 09:00-12:00 13:30-17:30\n周五 09:00-12:00 13:30-17:30\n周六 09:00-12:00");
        await By("pause-limit").FillAsync("20");
        await By("ranking-min-ratings").FillAsync("-1");
        await By("save").ClickAsync();
        await Assertions.Expect(By("message")).ToContainTextAsync("参与排名最少评价数须在 0–1000 之间");
        await By("ranking-min-ratings").FillAsync("5");
        await By("save").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("已保存");
        await By("day-date").FillAsync("2027-01-01");
        await By("day-note").FillAsync("元旦");
        await By("day-add").ClickAsync();
        await Assertions.Expect(By("calendar")).ToContainTextAsync("元旦");
        await Browser.Screenshot(_admin, "admin-3-hall");

        await using var db = _app.Db();
        var hall = await db.Halls.AsNoTracking().Include(h => h.Calendar).SingleAsync(h => h.Id == _hall.HallId);
        Assert.That((hall.PauseLimitMinutes, hall.RankingMinRatings, hall.Hours.On(DayOfWeek.Saturday).Count, hall.Calendar.Single(c => c.Date == new DateOnly(2027, 1, 1)).Open),
            Is.EqualTo((20, 5, 1, false)));
        // The hours before the change are kept for the dates before it: a past report made again counts the hours it had.
        var history = await db.HoursHistory.AsNoTracking().Where(v => v.HallId == _hall.HallId).OrderBy(v => v.EffectiveFrom).ToListAsync();
        Assert.That(history.Select(v => (v.EffectiveFrom == DateOnly.MinValue, v.Hours.On(DayOfWeek.Saturday).Count)), Is.EqualTo(new[] { (true, 0), (false, 1) }));
    }

    [Test, Order(6)]
    public async Task The_countys_2224_row_workbook_imports_with_progress_and_a_report_and_a_broken_one_imports_nothing()
    {
        var list = CatalogImportTests.CountyList.Build();
        var file = Path.Combine(Path.GetTempPath(), $"新县政务服务事项清单-{Guid.NewGuid():N}.xlsx");
        await File.WriteAllBytesAsync(file, list.Bytes);
        try
        {
            await GoAsync("/admin/catalogue");
            await By("file").SetInputFilesAsync(file);
            await Assertions.Expect(By("progress")).ToBeVisibleAsync();
            await Assertions.Expect(By("report")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await Assertions.Expect(By("added")).ToHaveTextAsync("2184");
            await Assertions.Expect(By("rejected")).ToHaveTextAsync(list.Bad.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Assertions.Expect(By("rejections")).ToContainTextAsync(list.Bad[0].ReasonZh);
            Assert.That(await By("bar").GetAttributeAsync("value"), Is.EqualTo("100"));
            await Browser.Screenshot(_admin, "admin-4-import");
            await using (var db = _app.Db())
            {
                var entry = await db.AuditEntries.AsNoTracking().Where(a => a.HallId == _hall.HallId && a.Action == "catalogue.import").SingleAsync();
                Assert.That(entry.StaffName, Is.EqualTo("系统管理员"));
                Assert.That(entry.Before, Does.Contain("SB001"), "each updated item as it was");
                Assert.That(entry.After, Does.Contain("城乡居民基本养老保险参保登记（含变更）").And.Contain("\"Added\": 2184"), "and as it is now, with the counts");
            }

            var before = await TableDump.AllAsync(_app.ConnectionString);
            await File.WriteAllBytesAsync(file, list.Bytes[..50_000]);
            await GoAsync("/admin/catalogue");
            await By("file").SetInputFilesAsync(file);
            await Assertions.Expect(By("message")).ToContainTextAsync("损坏", new() { Timeout = 30_000 });
            Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before), "nothing half-imported");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test, Order(6)]
    public async Task The_template_workbook_holds_the_halls_items_and_imports_back_unchanged()
    {
        // The workbook the page offers is the hall's catalogue as it is, ready to edit.
        await using var db = _app.Db();
        var items = await db.ServiceItems.AsNoTracking().CountAsync(i => i.HallId == _hall.HallId);
        Assert.That(items, Is.GreaterThan(10));
        await GoAsync("/admin/catalogue");
        var download = await _admin.RunAndWaitForDownloadAsync(() => By("template").ClickAsync());
        Assert.That(download.SuggestedFilename, Does.EndWith(".xlsx").And.Contain("事项清单"));
        var file = Path.Combine(Path.GetTempPath(), $"template-{Guid.NewGuid():N}.xlsx");
        await download.SaveAsAsync(file);
        try
        {
            var (table, refusal) = Hall.Server.Catalog.CatalogFile.Read(await File.ReadAllBytesAsync(file), Hall.Server.Catalog.CatalogFileKind.Xlsx);
            Assert.That(refusal, Is.Null);
            Assert.That(table!.Rows, Has.Count.EqualTo(items), "every item of the hall, one a row");
            var stored = (await db.ServiceItems.AsNoTracking().Where(i => i.HallId == _hall.HallId).ToListAsync()).MaxBy(i => i.Materials.Count)!;
            Assert.That(stored.Materials, Has.Count.GreaterThan(1));
            var row = table.Rows.Single(r => r.Code == stored.Code);
            Assert.That((row.Name, Hall.Server.Catalog.CatalogImport.SplitMaterials(row.Materials)), Is.EqualTo((stored.Name, stored.Materials)), "the name, and the materials as stored, one a line");

            // Imported back as it came: nothing added, nothing rejected, every row 未变.
            var before = (await TableDump.AllAsync(_app.ConnectionString))["service_items"];
            await By("file").SetInputFilesAsync(file);
            await Assertions.Expect(By("report")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await Assertions.Expect(By("rejected")).ToHaveTextAsync("0");
            await Assertions.Expect(By("added")).ToHaveTextAsync("0");
            await Assertions.Expect(By("updated")).ToHaveTextAsync("0");
            await Assertions.Expect(By("unchanged")).ToHaveTextAsync(items.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.That((await TableDump.AllAsync(_app.ConnectionString))["service_items"], Is.EqualTo(before));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test, Order(7)]
    public async Task The_lobby_screens_page_publishes_the_notice_line_uploads_a_picture_with_progress_and_makes_a_playlist()
    {
        await GoAsync("/admin/screens");
        await By("notice").FillAsync("12月4日国家宪法日：弘扬宪法精神");
        await By("notice-save").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("已发布到大屏");

        var picture = Path.Combine(Path.GetTempPath(), $"fazhi-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(picture, MediaFiles.Png());
        try
        {
            await By("media-title").FillAsync("宪法宣传海报");
            await By("media-file").SetInputFilesAsync(picture);
            await Assertions.Expect(By("message")).ToHaveTextAsync("已上传：宪法宣传海报", new() { Timeout = 20_000 });
        }
        finally
        {
            File.Delete(picture);
        }
        await By("pl-name").FillAsync("宪法宣传周");
        await By("add-media").SelectOptionAsync(new SelectOptionValue { Label = "宪法宣传海报（图片）" });
        await By("pl-create").ClickAsync();
        await Assertions.Expect(By("playlist-宪法宣传周")).ToBeVisibleAsync();
        await Browser.Screenshot(_admin, "admin-5-screens");

        await using var check = _app.Db();
        Assert.That((await check.Halls.AsNoTracking().SingleAsync(h => h.Id == _hall.HallId)).NoticeLine, Is.EqualTo("12月4日国家宪法日：弘扬宪法精神"));
        Assert.That(await check.AuditEntries.Where(a => a.HallId == _hall.HallId).Select(a => a.Action).ToListAsync(),
            Is.SupersetOf(new[] { "notice_line.set", "media.upload", "playlist.create" }));
    }

    private async Task UploadPictureAsync(string title, byte shade)
    {
        var picture = Path.Combine(Path.GetTempPath(), $"fazhi-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(picture, MediaFiles.Png(shade));
        try
        {
            await By("media-title").FillAsync(title);
            await By("media-file").SetInputFilesAsync(picture);
            await Assertions.Expect(By("message")).ToHaveTextAsync($"已上传：{title}", new() { Timeout = 20_000 });
        }
        finally
        {
            File.Delete(picture);
        }
    }

    private async Task<int> MediaIdAsync(string title)
    {
        await using var db = _app.Db();
        return await db.MediaItems.Where(m => m.HallId == _hall.HallId && m.Title == title).Select(m => m.Id).SingleAsync();
    }

    [Test, Order(11)]
    public async Task A_playlist_takes_its_media_from_a_picker_in_order_and_a_picture_is_previewed_and_deleted_unless_a_playlist_shows_it()
    {
        await GoAsync("/admin/screens");
        await UploadPictureAsync("法治广场夜景", 40);
        await UploadPictureAsync("民法典知识问答", 120);
        await UploadPictureAsync("旧版办事指南", 200);
        var (square, quiz, old) = (await MediaIdAsync("法治广场夜景"), await MediaIdAsync("民法典知识问答"), await MediaIdAsync("旧版办事指南"));

        // Picked by title, 民法典知识问答 moved ahead; days ticked by name, dates picked from a calendar.
        await By("pl-name").FillAsync("普法周");
        await By("add-media").SelectOptionAsync(new SelectOptionValue { Label = "法治广场夜景（图片）" });
        await By("add-media").SelectOptionAsync(new SelectOptionValue { Label = "民法典知识问答（图片）" });
        var picker = By("pl-media");
        await picker.Locator($"[data-testid=\"chosen-{quiz}\"] [data-testid=\"up\"]").ClickAsync();
        await Assertions.Expect(picker.Locator("li span")).ToHaveTextAsync(["民法典知识问答", "法治广场夜景"]);
        Assert.That(await picker.Locator($"[data-testid=\"chosen-{quiz}\"] img.thumb").EvaluateAsync<int>("img => img.decode().then(() => img.naturalWidth)"), Is.EqualTo(320), "the chosen picture shown small");
        await By("pl-day-1").CheckAsync();
        await By("pl-day-3").CheckAsync();
        await By("pl-from").FillAsync("2026-12-03");
        await By("pl-to").FillAsync("2026-12-09");
        await By("pl-times").FillAsync("25:00-26:00");
        await By("pl-create").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^时段："));
        await Assertions.Expect(By("playlist-普法周")).ToHaveCountAsync(0);
        await By("pl-times").FillAsync("09:00-12:00");
        await By("pl-create").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("已新建播放列表：普法周");

        var row = By("playlist-普法周");
        await Assertions.Expect(row.Locator("[data-testid=\"items\"] li")).ToHaveTextAsync(["民法典知识问答", "法治广场夜景"]);
        await Assertions.Expect(row.Locator("[data-testid=\"days\"]")).ToHaveTextAsync("周一、周三");
        await Assertions.Expect(row.Locator("[data-testid=\"dates\"]")).ToHaveTextAsync("2026-12-03 – 2026-12-09");
        await Assertions.Expect(row.Locator("[data-testid=\"times\"]")).ToHaveTextAsync("09:00-12:00");
        await row.ScrollIntoViewIfNeededAsync();
        await Browser.Screenshot(_admin, "admin-13-screens-playlist");

        // 预览: the picture itself, decoded; a small one in its row.
        var used = By($"media-{quiz}");
        await used.ScrollIntoViewIfNeededAsync();
        Assert.That(await used.Locator("img.thumb").EvaluateAsync<int>("img => img.decode().then(() => img.naturalWidth)"), Is.EqualTo(320), "the row's small picture");
        await used.Locator("[data-testid=\"preview\"]").ClickAsync();
        await Assertions.Expect(By("media-preview").Locator("h3")).ToHaveTextAsync("民法典知识问答");
        Assert.That(await By("preview-image").EvaluateAsync<int>("img => img.decode().then(() => img.naturalWidth)"), Is.EqualTo(320));
        await By("media-preview").ScrollIntoViewIfNeededAsync();
        await Browser.Screenshot(_admin, "admin-14-media-preview");
        await By("preview-close").ClickAsync();
        await Assertions.Expect(By("media-preview")).ToHaveCountAsync(0);

        // Deleting a picture the playlist shows: asked first, then refused naming the playlist; it stays.
        await used.Locator("[data-testid=\"delete\"]").ClickAsync();
        await Assertions.Expect(used.Locator("[data-testid=\"delete-confirm\"]")).ToContainTextAsync("民法典知识问答");
        await used.Locator("[data-testid=\"delete-yes\"]").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("被播放列表「普法周」使用，请先从列表中移除");
        await Assertions.Expect(used.Locator("[data-testid=\"title\"]")).ToHaveTextAsync("民法典知识问答");

        // An unused one goes from the library and from the picker.
        var unused = By($"media-{old}");
        await unused.Locator("[data-testid=\"delete\"]").ClickAsync();
        await unused.Locator("[data-testid=\"delete-yes\"]").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("已删除：旧版办事指南");
        await Assertions.Expect(unused).ToHaveCountAsync(0);
        Assert.That(await By("add-media").Locator("option").AllInnerTextsAsync(), Has.None.Contain("旧版办事指南"));

        await using var db = _app.Db();
        Assert.That(await db.MediaItems.Where(m => m.Id == old || m.Id == quiz || m.Id == square).OrderBy(m => m.Title).Select(m => m.Title + (m.DeletedAt == null ? "" : " deleted")).ToListAsync(),
            Is.EquivalentTo(new[] { "旧版办事指南 deleted", "民法典知识问答", "法治广场夜景" }));
        Assert.That(await db.AuditEntries.CountAsync(a => a.HallId == _hall.HallId && a.Action == "media.delete" && a.Subject == $"media:{old}"), Is.EqualTo(1));
    }

    [Test, Order(8)]
    public async Task A_new_window_takes_its_services_from_a_picker_in_the_order_given_and_may_be_left_unwatched()
    {
        await GoAsync("/admin/windows");
        var row = _admin.Locator("[data-testid=\"windows\"] tbody tr").Last;
        await row.Locator("input").Nth(1).FillAsync("综合受理二号");
        // Picked by name, not typed as codes: 社保 first, then 医保, then 医保 moved ahead of it.
        await row.Locator("[data-testid=\"add-service\"]").SelectOptionAsync(new SelectOptionValue { Label = "A 社保业务（shebao）" });
        await row.Locator("[data-testid=\"add-service\"]").SelectOptionAsync(new SelectOptionValue { Label = "B 医保业务（yibao）" });
        await Assertions.Expect(row.Locator("[data-testid=\"add-service\"] option", new() { HasTextString = "社保业务" })).ToHaveCountAsync(0);
        await Assertions.Expect(row.Locator("[data-testid=\"add-service\"]")).ToHaveValueAsync("0");
        await row.Locator("[data-testid=\"chosen-yibao\"] button").First.ClickAsync();
        await Assertions.Expect(row.Locator(".chosen li span")).ToHaveTextAsync(["B 医保业务", "A 社保业务"]);
        await row.Locator("[data-testid=\"expect-staffed\"]").UncheckAsync();
        await row.Locator("[data-testid=\"save\"]").ClickAsync();
        await Assertions.Expect(By("message")).ToContainTextAsync("已保存");
        await Browser.Screenshot(_admin, "admin-8-windows");
        await using var db = _app.Db();
        var window = await db.Windows.AsNoTracking().Include(w => w.Services).SingleAsync(w => w.HallId == _hall.HallId && w.Name == "综合受理二号");
        var order = window.Services.OrderBy(s => s.Rank).Select(s => s.ServiceId).ToList();
        Assert.That(order, Is.EqualTo(new[] { await _app.ServiceIdAsync(_hall.HallId, "yibao"), await _app.ServiceIdAsync(_hall.HallId, "shebao") }));
        Assert.That(window.ExpectStaffed, Is.False, "opened on demand: no unstaffed alert");

        // The audit log names the window and its services, not window:17 and 5，2.
        await GoAsync("/admin/audit");
        var entry = _admin.Locator("[data-testid=\"audit-window.create\"]").First;
        await Assertions.Expect(entry.Locator("[data-testid=\"subject\"]")).ToHaveTextAsync($"{window.Number}号窗口（综合受理二号）");
        var services = (await entry.Locator(".changes > span").AllInnerTextsAsync()).Chunk(3).Select(c => string.Join(" | ", c)).ToList();
        Assert.That(services, Has.One.EqualTo("所办业务 | — | 业务「医保业务」，业务「社保业务」"));

        // A service of no hall of this admin (as a forged form would send) is refused and changes nothing.
        var adminId = await db.Staff.Where(m => m.HallId == _hall.HallId && m.Role == StaffRole.Admin).Select(m => m.Id).FirstAsync();
        var admin = new Hall.Server.Queue.Actor(Hall.Server.Queue.ActorKind.Staff, adminId, _hall.HallId, "系统管理员", StaffRole.Admin, null, null);
        var refused = await _app.Services.GetRequiredService<Hall.Server.Admin.AdminStore>().SaveWindowAsync(admin,
            new Hall.Server.Admin.WindowForm(window.Id, window.Number, window.Name, window.Kind, window.LedAddress, true, [order[0], 999_999]), default);
        Assert.That(refused?.Code, Is.EqualTo("invalid_window"));
        await using var after = _app.Db();
        Assert.That((await after.Windows.AsNoTracking().Include(w => w.Services).SingleAsync(w => w.Id == window.Id)).Services.OrderBy(s => s.Rank).Select(s => s.ServiceId), Is.EqualTo(order));
    }

    [Test, Order(10)]
    public async Task A_new_key_or_password_shows_under_its_row_where_the_admin_is_and_copies_exactly()
    {
        for (var i = 1; i <= 20; i++)
        {
            await _app.CreateDeviceAsync(_hall.HallId, $"三楼取号机{i:00}", Hall.Server.Contracts.DeviceRole.Kiosk);
        }
        await _admin.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = _app.BaseAddress.GetLeftPart(UriPartial.Authority) });
        await _admin.SetViewportSizeAsync(1366, 768);
        try
        {
            // A device far down the list: its new key appears right under its row, on screen, not at the top of the page.
            await GoAsync("/admin/devices");
            var row = _admin.Locator("[data-testid=\"devices\"] tr", new() { HasText = "三楼取号机20" });
            await row.ScrollIntoViewIfNeededAsync();
            await row.Locator("[data-testid=\"rotate\"]").ClickAsync();
            await row.Locator("[data-testid=\"rotate-yes\"]").ClickAsync();
            var note = row.Locator("xpath=following-sibling::tr[1]");
            await Assertions.Expect(note.Locator("[data-testid=\"message\"]")).ToHaveTextAsync("已更换密钥，旧密钥已失效");
            await Assertions.Expect(note.Locator("[data-testid=\"secret\"]")).ToBeInViewportAsync();
            Assert.That(await _admin.EvaluateAsync<double>("() => window.scrollY"), Is.GreaterThan(0), "the admin is scrolled down to the row");
            var key = (await note.Locator("code").TextContentAsync())!.Trim();
            Assert.That(await ConnectsAsync(key), Is.True, "the key under the row is that device's new key");
            await note.Locator("[data-testid=\"copy\"]").ClickAsync();
            await Assertions.Expect(note.Locator("[data-testid=\"copy\"]")).ToHaveTextAsync("已复制");
            Assert.That(await _admin.EvaluateAsync<string>("() => navigator.clipboard.readText()"), Is.EqualTo(key), "复制 puts the exact key on the clipboard");
            await Browser.Screenshot(_admin, "admin-11-device-key-under-row");

            // The same for a password reset on the staff page: under that person's row.
            await GoAsync("/admin/staff");
            var person = _admin.Locator("[data-testid=\"staff\"] tbody tr[data-testid*=\"-clerk\"]").Last;
            var name = (await person.Locator("td").Nth(1).TextContentAsync())!.Trim();
            await person.ScrollIntoViewIfNeededAsync();
            await person.Locator("[data-testid=\"reset\"]").ClickAsync();
            await person.Locator("[data-testid=\"reset-yes\"]").ClickAsync();
            var under = person.Locator("xpath=following-sibling::tr[1]");
            await Assertions.Expect(under.Locator("[data-testid=\"message\"]")).ToContainTextAsync($"已重置 {name} 的密码");
            await Assertions.Expect(under.Locator("[data-testid=\"secret\"]")).ToBeInViewportAsync();
            var password = (await under.Locator("code").TextContentAsync())!.Trim();
            await under.Locator("[data-testid=\"copy\"]").ClickAsync();
            await Assertions.Expect(under.Locator("[data-testid=\"copy\"]")).ToHaveTextAsync("已复制");
            Assert.That(await _admin.EvaluateAsync<string>("() => navigator.clipboard.readText()"), Is.EqualTo(password));
            await Browser.Screenshot(_admin, "admin-12-password-under-row");
        }
        finally
        {
            await _admin.SetViewportSizeAsync(StaffPages.Desk.Width, StaffPages.Desk.Height);
        }
    }

    [Test, Order(9)]
    public async Task The_county_admin_adds_a_township_site_and_sets_up_its_service_and_clerk()
    {
        await GoAsync("/admin/hall");
        await By("site-code").FillAsync("xinxian-lizhuang");
        await By("site-name").FillAsync("李庄镇便民服务中心");
        await By("site-create").ClickAsync();
        await Assertions.Expect(By("sites")).ToContainTextAsync("李庄镇便民服务中心");
        int site;
        await using (var db = _app.Db())
        {
            site = await db.Halls.Where(h => h.Code == "xinxian-lizhuang").Select(h => h.Id).SingleAsync();
            Assert.That(await db.Halls.Where(h => h.Id == site).Select(h => h.ParentId).SingleAsync(), Is.EqualTo(_hall.HallId));
        }

        await GoAsync($"/admin/services?hall={site}");
        await Assertions.Expect(By("hall-switch")).ToHaveValueAsync(site.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var row = _admin.Locator("[data-testid=\"services\"] tbody tr").Last;
        await row.Locator("input").Nth(0).FillAsync("zonghe");
        await row.Locator("input").Nth(1).FillAsync("综合受理");
        await row.Locator("input").Nth(2).FillAsync("A");
        await row.Locator("[data-testid=\"save\"]").ClickAsync();
        await Assertions.Expect(By("message")).ToContainTextAsync("已保存");
        await GoAsync($"/admin/staff?hall={site}");
        await By("new-login").FillAsync("lizhuang01");
        await By("new-name").FillAsync("李庄窗口一");
        await By("create").ClickAsync();
        await Assertions.Expect(By("secret")).ToBeVisibleAsync();

        await using var check = _app.Db();
        Assert.That(await check.Services.Where(x => x.HallId == site).Select(x => x.Prefix).SingleAsync(), Is.EqualTo('A'), "the site's own prefixes, A again");
        Assert.That(await check.Staff.Where(x => x.Login == "lizhuang01").Select(x => x.HallId).SingleAsync(), Is.EqualTo(site));
        Assert.That(await check.AuditEntries.Where(a => a.HallId == site).Select(a => a.Action).ToListAsync(), Is.SupersetOf(new[] { "service.create", "staff.create" }));
        Assert.That(await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Hall.Server.Admin.AdminStore>(_app.Services).ActingForAsync(
            new Hall.Server.Queue.Actor(Hall.Server.Queue.ActorKind.Staff, 1, site, "x", StaffRole.Admin, null, null), _hall.HallId, default), Is.Null, "a site's admin never acts for the county");
    }

    [Test, Order(12)]
    public async Task A_clerk_is_rostered_on_the_open_days_of_a_week_a_wrong_span_changes_nothing_and_leave_shows_on_the_roster()
    {
        await GoAsync("/admin/rosters");
        int clerk;
        await using (var db = _app.Db())
        {
            clerk = await db.Staff.Where(x => x.HallId == _hall.HallId && x.Login == "xinxian-clerk01").Select(x => x.Id).SingleAsync();
        }
        await By("roster-clerk").SelectOptionAsync(clerk.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await By("roster-window").SelectOptionAsync(new SelectOptionValue { Index = 1 });

        // A span that ends before it starts is refused, and nothing is rostered.
        var from = await By("roster-from").InputValueAsync();
        await By("roster-to").FillAsync(DateOnly.ParseExact(from, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture).AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await By("roster-add").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("排班有误：结束日期不能早于开始日期，未作任何更改");
        await using (var db = _app.Db())
        {
            Assert.That(await db.Rosters.CountAsync(r => r.StaffId == clerk), Is.Zero);
        }

        // Monday to Friday of four weeks from this one: the days the hall opens (a holiday week has none), at window 1.
        var monday = DateOnly.ParseExact(from, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await By("roster-to").FillAsync(monday.AddDays(27).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await By("roster-add").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^已排班 \d+ 天$"));
        List<DateOnly> rostered;
        await using (var db = _app.Db())
        {
            rostered = await db.Rosters.Where(r => r.StaffId == clerk).OrderBy(r => r.Date).Select(r => r.Date).ToListAsync();
        }
        Assert.That(rostered, Is.Not.Empty);
        Assert.That(rostered.Select(d => d.DayOfWeek), Has.None.EqualTo(DayOfWeek.Saturday).And.None.EqualTo(DayOfWeek.Sunday), "only the weekdays chosen");
        await Assertions.Expect(By("message")).ToHaveTextAsync($"已排班 {rostered.Count} 天");
        // The grid shows the week of the first rostered day.
        for (var week = monday; week.AddDays(6) < rostered[0]; week = week.AddDays(7))
        {
            await By("week-after").ClickAsync();
        }
        var row = By("roster-xinxian-clerk01");
        foreach (var day in rostered.Where(d => d.DayNumber - rostered[0].DayNumber < 7 - (int)(rostered[0].DayOfWeek + 6) % 7))
        {
            await Assertions.Expect(row.Locator($"[data-testid=\"day-{day:yyyy-MM-dd}\"]")).ToHaveTextAsync("1号");
        }

        // Leave on the first rostered day shows on the roster in its place, and is in the audit log.
        var first = rostered[0].ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await By("leave-clerk").SelectOptionAsync(clerk.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await By("leave-from").FillAsync(first);
        await By("leave-to").FillAsync(first);
        await By("leave-note").FillAsync("病假");
        await By("leave-add").ClickAsync();
        await Assertions.Expect(By("message")).ToHaveTextAsync("已登记");
        await Assertions.Expect(By("leaves")).ToContainTextAsync("病假");
        await Assertions.Expect(row.Locator($"[data-testid=\"day-{first}\"]")).ToHaveTextAsync("请假");
        await Browser.Screenshot(_admin, "admin-12-rosters");
        await using (var db = _app.Db())
        {
            Assert.That(await db.AuditEntries.Where(a => a.HallId == _hall.HallId).Select(a => a.Action).ToListAsync(), Is.SupersetOf(new[] { "roster.set", "leave.add" }));
        }
    }

    [TestCase("clerk01", "/admin/services")]
    [TestCase("clerk01", "/admin/audit")]
    [TestCase("clerk01", "/wall")]
    [TestCase("clerk01", "/followups")]
    [TestCase("clerk01", "/bookings")]
    [TestCase("supervisor", "/admin/services")]
    [TestCase("supervisor", "/admin/devices")]
    public async Task Pages_refuse_people_whose_role_does_not_open_them(string role, string path)
    {
        var page = await StaffPages.SignInAsync(_browser, _app, _hall, role, path, expectArrival: false);
        await Assertions.Expect(page.Locator("[data-testid=\"not-allowed\"]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("[data-testid=\"admin-nav\"]")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [TestCase("/console")]
    [TestCase("/wall")]
    [TestCase("/followups")]
    [TestCase("/bookings")]
    [TestCase("/admin")]
    [TestCase("/admin/audit")]
    public async Task Every_staff_page_sends_anonymous_visitors_to_sign_in(string path)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _app.BaseAddress };
        var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.That((response.StatusCode, response.Headers.Location?.ToString()), Is.EqualTo((HttpStatusCode.Redirect, "/login?back=" + Uri.EscapeDataString(path))));
    }

    [Test]
    public async Task The_citizen_facing_pages_need_no_sign_in()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _app.BaseAddress };
        Assert.That((await http.GetAsync(new Uri("/login", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await http.GetAsync(new Uri("/evaluator/pair", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await http.GetAsync(new Uri("/t/AAAAAAAAAAAAAAAA", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the phone page answers (404 for an unknown code), no sign-in");
    }
}
