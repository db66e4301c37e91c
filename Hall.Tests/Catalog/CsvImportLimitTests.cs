using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hall.Server.Catalog;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Catalog;

/// <summary>Imports that hurt (issue 15): a CSV as long as the xlsx cap allows and no longer; an audit entry that keeps a summary, not the file.</summary>
public sealed partial class CatalogImportTests
{
    private static byte[] CsvOf(int dataRows, string codePrefix, string service)
    {
        var text = new StringBuilder("实施部门,事项编码,事项名称,办理业务\n");
        for (var i = 1; i <= dataRows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"县民政局,{codePrefix}{i:D6},婚姻登记档案查询第{i}项,{service}\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    [Test]
    public Task A_CSV_of_more_than_50000_rows_is_refused_like_a_workbook_and_nothing_is_imported() =>
        AssertRefusedAsync(CsvOf(CatalogFile.MaxRows, "CAP", "不存在的业务"), "清单.csv", "catalogue_too_many_rows", $"超过 {CatalogFile.MaxRows} 行");

    [Test]
    public async Task A_CSV_of_line_breaks_only_is_refused_as_too_long()
    {
        // 200,000 empty records: each a row in memory before any check.
        await AssertRefusedAsync(Encoding.UTF8.GetBytes("实施部门,事项编码,事项名称,办理业务\n" + new string('\n', 200_000)), "清单.csv", "catalogue_too_many_rows", $"超过 {CatalogFile.MaxRows} 行");
    }

    [Test]
    public async Task The_audit_entry_of_a_large_import_keeps_a_summary_and_never_the_whole_file()
    {
        using var admin = await StaffAsync("admin");
        var bytes = CsvOf(2_000, "AUD", "综合受理");

        // The fixture's other imports may still be releasing the hall's import slot.
        var response = await PostAsync(admin, bytes, "清单.csv");
        for (var until = DateTime.UtcNow.AddSeconds(20); response.StatusCode == System.Net.HttpStatusCode.Conflict && DateTime.UtcNow < until; response = await PostAsync(admin, bytes, "清单.csv"))
        {
            await Task.Delay(200);
        }
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        using var started = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var result = (await WaitAsync(admin, started.RootElement.GetProperty("id").GetString()!)).Result;

        Assert.That(result.GetProperty("state").GetString(), Is.EqualTo("done"), result.GetProperty("state").GetString());
        Assert.That(Counts(result), Is.EqualTo((2_000, 0, 0, 2_000)));
        await using var db = App.Db();
        var entry = await db.AuditEntries.AsNoTracking().Where(a => a.Action == "catalogue.import").OrderByDescending(a => a.Id).FirstAsync();
        var stored = (entry.Before?.Length ?? 0) + (entry.After?.Length ?? 0);
        Assert.That(stored, Is.LessThan(16 * 1024), "a summary of a few KB, not 2,000 items");
        using var after = JsonDocument.Parse(entry.After!);
        var root = after.RootElement;
        Assert.That((root.GetProperty("Total").GetInt32(), root.GetProperty("Added").GetInt32()), Is.EqualTo((2_000, 2_000)), "the counts");
        Assert.That(root.GetProperty("Sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))), "which file it was");
        var listed = root.GetProperty("Items").GetArrayLength();
        Assert.That(listed, Is.InRange(1, 100), "the first items changed, as a sample");
        Assert.That(root.GetProperty("ItemsNotListed").GetInt32(), Is.EqualTo(2_000 - listed), "and how many more");
    }
}
