using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Tests.Support;

namespace Hall.Tests.Catalog;

/// <summary>The kiosk search over the demo hall's real catalogue, as the server hands it to the kiosk from PostgreSQL.</summary>
[TestFixture]
public sealed class KioskSearchTests() : HallFixture("kiosksearch")
{
    private async Task<List<ServiceItemView>> ItemsAsync()
    {
        await using var db = App.Db();
        return await ServiceItems.ForKioskAsync(db, Seeded.HallId, CancellationToken.None);
    }

    private async Task<List<string>> FoundAsync(string query) => [.. ItemSearch.Search(await ItemsAsync(), query).Select(i => i.Name)];

    [Test]
    public async Task Full_pinyin_shebao_finds_the_social_security_items()
    {
        var found = await FoundAsync("shebao");
        Assert.That(found, Is.SupersetOf(new[] { "城乡居民基本养老保险参保登记", "养老保险待遇申领", "社会保障卡申领", "职工参保登记" }));
        Assert.That(found, Has.None.Contains("不动产"));
    }

    [TestCase("budongchan")]
    [TestCase("bdcdj")]
    [TestCase("budongc")]
    [TestCase("bdchan")]
    [TestCase("不动产")]
    public async Task Full_pinyin_initials_and_mixes_find_the_real_estate_items_a_name_first(string query)
    {
        var found = await FoundAsync(query);
        Assert.That(found, Is.Not.Empty);
        Assert.That(found[0], Does.StartWith("不动产"), string.Join(", ", found));
        Assert.That(found, Is.SupersetOf(new[] { "不动产首次登记", "不动产转移登记", "不动产登记资料查询", "抵押权登记" }));
    }

    [Test]
    public async Task Chinese_text_finds_the_items_whose_name_holds_it()
    {
        Assert.That(await FoundAsync("抵押"), Is.EqualTo(new[] { "抵押权登记" }));
        Assert.That(await FoundAsync("公积金"), Is.EquivalentTo(new[] { "住房公积金提取", "住房公积金贷款" }));
    }

    [Test]
    public async Task Bdc_finds_a_real_estate_item_by_its_service_after_those_named_so()
    {
        var found = await FoundAsync("bdc");
        Assert.That(found, Does.Contain("抵押权登记"), "抵押权登记 belongs to 不动产登记");
        Assert.That(found.IndexOf("抵押权登记"), Is.GreaterThan(found.IndexOf("不动产首次登记")), "name matches come first");
    }

    [TestCase("社保卡")]
    [TestCase("shebaoka")]
    [TestCase("sbk")]
    public async Task The_demo_synonym_shebaoka_finds_the_social_security_card_item_named_otherwise(string query)
    {
        Assert.That(await FoundAsync(query), Does.Contain("社会保障卡申领"), "社会保障卡申领 has no 社保卡 in its name: found by the admin's synonym");
    }

    [Test]
    public async Task Synonyms_are_not_offered_as_keyboard_words()
    {
        var items = await ItemsAsync();
        Assert.That(ItemSearch.Candidates(items, "kaigongsi"), Has.None.EqualTo("开公司"));
        Assert.That(ItemSearch.Search(items, "kaigongsi").Select(i => i.Name), Does.Contain("企业设立登记"), "yet the search finds it");
    }

    [TestCase("xqzkv")]
    [TestCase("火星")]
    [TestCase("zzzzzz")]
    public async Task A_nonsense_query_finds_nothing(string query)
    {
        Assert.That(await FoundAsync(query), Is.Empty);
    }

    [Test]
    public async Task Typed_pinyin_offers_the_catalogues_own_words_whole_syllables_first()
    {
        var items = await ItemsAsync();
        Assert.That(ItemSearch.Candidates(items, "budongchan")[0], Is.EqualTo("不动产"));
        Assert.That(ItemSearch.Candidates(items, "shebao"), Does.Contain("社保"));
        Assert.That(ItemSearch.Candidates(items, "dy"), Does.Contain("抵押"));
        Assert.That(ItemSearch.Candidates(items, "社保k"), Has.None.Contains("社"), "only the letters after the Chinese are spelled");
        Assert.That(ItemSearch.Candidates(items, "xqzkv"), Is.Empty);
    }

    [Test]
    public void A_mix_of_syllables_and_initials_finds_a_name()
    {
        var item = new ServiceItemView(1, "X1", "社保卡挂失", "sbkgs", "县人社局", 1, "社保业务", [], [ServiceItems.SearchNameOf("社保卡挂失"), ServiceItems.SearchNameOf("社保业务")]);
        foreach (var query in new[] { "shebaok", "sbk", "shebaoka", "社保k", "sbkgs", "guashi" })
            Assert.That(ItemSearch.Search([item], query), Has.Count.EqualTo(1), query);
        Assert.That(ItemSearch.Search([item], "shebaox"), Is.Empty);
    }
}
