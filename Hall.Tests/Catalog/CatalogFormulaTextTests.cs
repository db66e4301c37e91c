using Hall.Server.Catalog;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Hall.Tests.Catalog;

/// <summary>The catalogue file (written with MiniExcel) keeps text that starts like a formula inert, and reads it back as it was.</summary>
[TestFixture]
public sealed class CatalogFormulaTextTests() : HallFixture("catalog-formula")
{
    [Test]
    public async Task An_item_named_like_a_formula_is_written_with_a_leading_quote_and_imports_back_unchanged()
    {
        const string name = "=HYPERLINK(\"http://x\",\"y\")";
        await using var db = App.Db();
        await db.ServiceItems.Where(i => i.HallId == Seeded.HallId && i.Code == "SB001").ExecuteUpdateAsync(s => s.SetProperty(i => i.Name, name));
        await db.ServiceItems.Where(i => i.HallId == Seeded.HallId && i.Code == "SB002").ExecuteUpdateAsync(s => s.SetProperty(i => i.Name, "-1+2"));

        var xlsx = await CatalogTemplate.WriteAsync(db, Seeded.HallId, "新县市民之家", new DateOnly(2026, 12, 4), default);

        using var stream = new MemoryStream(xlsx);
        var cells = stream.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().Select(r => (r["B"] as string, r["C"] as string)).ToList();
        Assert.That(cells, Does.Contain(("SB001", "'" + name)).And.Contain(("SB002", "'-1+2")));
        var (table, refusal) = CatalogFile.Read(xlsx, CatalogFileKind.Xlsx);
        Assert.That(refusal, Is.Null);
        Assert.That(table!.Rows.Where(r => r.Code is "SB001" or "SB002").Select(r => (r.Code, r.Name)), Is.EqualTo(new[] { ("SB001", name), ("SB002", "-1+2") }));
    }
}
