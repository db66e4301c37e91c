using System.Globalization;
using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Hall.Server.Catalog;

/// <summary>
/// The workbook the catalogue page offers to download: a title row, a row saying how to fill it in (with this hall's
/// service names), the header the import reads, and the hall's items as they are now. Edited and imported again, it
/// changes exactly what was edited: unchanged rows import as 未变.
/// </summary>
public static class CatalogTemplate
{
    public const string SheetName = "事项清单";

    /// <summary>The file name offered, e.g. 市民之家-事项清单-2026-12-04.xlsx.</summary>
    public static string FileName(string hallName, DateOnly today) =>
        $"{hallName}-事项清单-{today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.xlsx";

    /// <summary>The workbook of hall <paramref name="hallId"/>'s catalogue.</summary>
    public static async Task<byte[]> WriteAsync(HallDb db, int hallId, string hallName, DateOnly today, CancellationToken ct)
    {
        var services = await db.Services.AsNoTracking().Where(s => s.HallId == hallId).OrderBy(s => s.SortOrder).ThenBy(s => s.Code)
            .Select(s => new { s.Id, s.Name, s.Active }).ToListAsync(ct);
        var names = services.ToDictionary(s => s.Id, s => s.Name);
        var items = await db.ServiceItems.AsNoTracking().Where(i => i.HallId == hallId).OrderBy(i => i.Department).ThenBy(i => i.Code)
            .Select(i => new { i.Code, i.Name, i.Department, i.ServiceId, i.Materials }).ToListAsync(ct);

        var rows = new List<Dictionary<string, object?>>(items.Count + 3)
        {
            Row($"{hallName} 政务服务事项清单（{today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} 导出）", null, null, null, null),
            Row("填写说明：事项编码不可重复；办理业务填本大厅的业务名称（" + string.Join("、", services.Where(s => s.Active).Select(s => s.Name))
                + "）；申请材料每行一项。改好后在“事项清单导入”页导入，未改的行不变。", null, null, null, null),
            Row("实施部门", "事项编码", "事项名称", "办理业务", "申请材料"),
        };
        rows.AddRange(items.Select(i => Row(i.Department, i.Code, i.Name, names.GetValueOrDefault(i.ServiceId, ""),
            string.Join("\n", i.Materials.Select((m, n) => $"{n + 1}. {m}")))));
        using var stream = new MemoryStream();
        stream.SaveAs(new Dictionary<string, object> { [SheetName] = rows }, printHeader: false);
        return stream.ToArray();
    }

    // Every text goes through SpreadsheetText: an item named "=…" cannot become a formula in the clerk's spreadsheet.
    private static Dictionary<string, object?> Row(string? department, string? code, string? name, string? service, string? materials) => new()
    {
        ["A"] = Inert(department),
        ["B"] = Inert(code),
        ["C"] = Inert(name),
        ["D"] = Inert(service),
        ["E"] = Inert(materials),
    };

    private static string? Inert(string? text) => text is null ? null : Reports.Excel.SpreadsheetText.Inert(text);
}
