using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Catalog;

/// <summary>The admin's search synonyms on the real PostgreSQL: stored with their audit entry, refused with the field named and nothing changed, and found by the kiosk search.</summary>
[TestFixture, NonParallelizable]
public sealed class SearchSynonymTests() : HallFixture("synonyms")
{
    private SynonymStore Store => App.Services.GetRequiredService<SynonymStore>();

    private async Task<Actor> StaffAsync(StaffRole role)
    {
        await using var db = App.Db();
        var s = await db.Staff.AsNoTracking().FirstAsync(x => x.HallId == Seeded.HallId && x.Role == role && x.Active);
        return new Actor(ActorKind.Staff, s.Id, s.HallId, s.Name, s.Role, null, null);
    }

    private async Task<List<string>> FoundAsync(string query)
    {
        await using var db = App.Db();
        return [.. ItemSearch.Search(await ServiceItems.ForKioskAsync(db, Seeded.HallId, CancellationToken.None), query).Select(i => i.Name)];
    }

    private async Task<int> IdOfAsync(string word)
    {
        await using var db = App.Db();
        return await db.SearchSynonyms.Where(s => s.HallId == Seeded.HallId && s.Word == word).Select(s => s.Id).SingleAsync();
    }

    [Test]
    public async Task A_synonym_for_a_service_and_an_item_finds_them_in_chinese_pinyin_and_initials_and_is_audited()
    {
        var admin = await StaffAsync(StaffRole.Admin);
        var shebao = await App.ServiceIdAsync(Seeded.HallId, "shebao");
        foreach (var query in new[] { "养老金", "yanglaojin", "ylj" })
            Assert.That(await FoundAsync(query), Has.None.EqualTo("职工参保登记"), $"{query}: not found before");

        Assert.That(await Store.SaveAsync(admin, new SynonymForm(0, " 养老金 ", ["JY002"], [shebao]), CancellationToken.None), Is.Null);

        foreach (var query in new[] { "养老金", "yanglaojin", "ylj", "养老j" })
        {
            var found = await FoundAsync(query);
            Assert.That(found, Is.SupersetOf(new[] { "城乡居民基本养老保险参保登记", "养老保险待遇申领", "社会保障卡申领", "职工参保登记", "失业保险金申领" }), query);
            Assert.That(found, Has.None.EqualTo("住房公积金提取"), query);
        }
        await using var db = App.Db();
        var entry = await db.AuditEntries.AsNoTracking().Where(a => a.HallId == Seeded.HallId && a.Action == "synonym.create").OrderBy(a => a.Id).LastAsync();
        Assert.That(entry.Subject, Is.EqualTo($"synonym:{await IdOfAsync("养老金")}"));
        Assert.That(entry.StaffName, Is.EqualTo("系统管理员"));
        Assert.That(entry.Before, Is.Null);
        Assert.That(entry.After, Does.Contain("\"Word\": \"养老金\"").And.Contain("JY002 失业保险金申领").And.Contain("社保业务"));
    }

    [Test]
    public async Task A_synonym_match_comes_after_the_items_whose_own_name_matches()
    {
        var found = await FoundAsync("户口");
        Assert.That(found, Does.Contain("户口迁移").And.Contain("出生登记"), "出生登记 by the seeded synonym 户口");
        Assert.That(found.IndexOf("户口迁移"), Is.LessThan(found.IndexOf("出生登记")));
        var byPinyin = await FoundAsync("hukou");
        Assert.That(byPinyin.IndexOf("户口迁移"), Is.LessThan(byPinyin.IndexOf("出生登记")));
        Assert.That(byPinyin, Does.Contain("出生登记"));
    }

    [TestCase("", "invalid_synonym_word", "同义词")]
    [TestCase("   ", "invalid_synonym_word", "同义词")]
    [TestCase("一二三四五六七八九十一二三四五六七八九十一", "invalid_synonym_word", "同义词")]
    [TestCase("社保卡", "synonym_exists", "同义词")]
    public async Task A_bad_word_is_refused_naming_the_word_and_nothing_changes(string word, string code, string field)
    {
        var admin = await StaffAsync(StaffRole.Admin);
        var before = await TableDump.AllAsync(App.ConnectionString);

        var refusal = await Store.SaveAsync(admin, new SynonymForm(0, word, ["SB001"], []), CancellationToken.None);

        Assert.That(refusal?.Code, Is.EqualTo(code));
        Assert.That(refusal!.MessageZh, Does.StartWith(field));
        Assert.That(refusal.MessageEn, Does.StartWith("Synonym"));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before), "no synonym, no audit entry");
    }

    [Test]
    public async Task Targets_that_are_missing_or_not_in_this_hall_are_refused_naming_them_and_nothing_changes()
    {
        var admin = await StaffAsync(StaffRole.Admin);
        var before = await TableDump.AllAsync(App.ConnectionString);
        int otherHallsService;
        await using (var db = App.Db())
        {
            otherHallsService = await db.Services.Where(s => s.HallId != Seeded.HallId).Select(s => s.Id).FirstOrDefaultAsync();
        }

        var none = await Store.SaveAsync(admin, new SynonymForm(0, "身份证", [], []), CancellationToken.None);
        var unknownItem = await Store.SaveAsync(admin, new SynonymForm(0, "身份证", ["HZ001", "XX999"], []), CancellationToken.None);
        var unknownService = await Store.SaveAsync(admin, new SynonymForm(0, "身份证", ["HZ001"], [otherHallsService == 0 ? 999_999 : otherHallsService]), CancellationToken.None);

        Assert.That(none?.Code, Is.EqualTo("invalid_synonym_targets"));
        Assert.That(none!.MessageZh, Does.StartWith("指向").And.Contain("至少选择一个事项或一项业务"));
        Assert.That(unknownItem?.Code, Is.EqualTo("unknown_synonym_target"));
        Assert.That(unknownService?.Code, Is.EqualTo("unknown_synonym_target"));
        Assert.That(unknownService!.MessageZh, Is.EqualTo("指向有误：所选事项或业务不在本大厅"));
        Assert.That(unknownService.MessageEn, Does.StartWith("Leads to"));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
    }

    [Test]
    public async Task Only_the_admin_keeps_synonyms()
    {
        var supervisor = await StaffAsync(StaffRole.Supervisor);
        var before = await TableDump.AllAsync(App.ConnectionString);
        Assert.That(await Store.SaveAsync(supervisor, new SynonymForm(0, "结婚", ["MZ001"], []), CancellationToken.None), Is.EqualTo(Refusal.Forbidden));
        Assert.That(await Store.DeleteAsync(supervisor, await IdOfAsync("社保卡"), CancellationToken.None), Is.EqualTo(Refusal.Forbidden));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
    }

    [Test]
    public async Task The_kiosk_is_told_and_fetches_the_new_words_when_a_synonym_is_changed_and_deleted()
    {
        var admin = await StaffAsync(StaffRole.Admin);
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var told = 0;
        kiosk.Connection.On(nameof(IHallClient.ServiceItemsChanged), () => Interlocked.Increment(ref told));
        var id = await IdOfAsync("低保");

        Assert.That(await Store.SaveAsync(admin, new SynonymForm(id, "低保户", ["MZ003", "ZH002"], []), CancellationToken.None), Is.Null);
        await WaitForAsync(() => told == 1, "told of the change");
        var items = await kiosk.Connection.InvokeAsync<List<ServiceItemView>>(nameof(IHallHub.GetServiceItems));
        Assert.That(SynonymsOf(items, "ZH002"), Is.EqualTo(new[] { "低保户" }));
        Assert.That(SynonymsOf(items, "MZ003"), Is.EqualTo(new[] { "低保户" }), "renamed, not added");
        Assert.That(ItemSearch.Search(items, "dbh").Select(i => i.Name), Is.EquivalentTo(new[] { "最低生活保障申请", "残疾人证申领" }));

        Assert.That(await Store.DeleteAsync(admin, id, CancellationToken.None), Is.Null);
        await WaitForAsync(() => told == 2, "told of the deletion");
        items = await kiosk.Connection.InvokeAsync<List<ServiceItemView>>(nameof(IHallHub.GetServiceItems));
        Assert.That(SynonymsOf(items, "MZ003"), Is.Empty);
        Assert.That(ItemSearch.Search(items, "低保户"), Is.Empty);

        await using var db = App.Db();
        var audit = await db.AuditEntries.AsNoTracking().Where(a => a.Subject == $"synonym:{id}").OrderBy(a => a.Id).ToListAsync();
        Assert.That(audit.Select(a => a.Action), Is.EqualTo(new[] { "synonym.update", "synonym.delete" }));
        Assert.That(audit[0].Before, Does.Contain("\"Word\": \"低保\""));
        Assert.That(audit[0].After, Does.Contain("\"Word\": \"低保户\"").And.Contain("ZH002 残疾人证申领"));
        Assert.That(audit[1].Before, Does.Contain("\"Word\": \"低保户\""));
        Assert.That(audit[1].After, Is.Null);
    }

    private static List<string> SynonymsOf(List<ServiceItemView> items, string code) =>
        [.. items.Single(i => i.Code == code).SearchNames!.Skip(2).Select(n => n.Text)];

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        for (var until = DateTime.UtcNow.AddSeconds(10); !condition(); await Task.Delay(50))
        {
            if (DateTime.UtcNow > until)
                Assert.Fail($"not {what} within 10 s");
        }
    }
}
