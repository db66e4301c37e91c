using System.Text;
using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Catalog;

/// <summary>A row that was not imported, with its row number in the file (and its sheet in a workbook of several) and why.</summary>
public sealed record ImportRejection(string? Sheet, int Row, string ReasonZh, string ReasonEn);

/// <summary>What an import did: every data row is counted once as added, updated, unchanged or rejected.</summary>
public sealed record ImportReport(int Total, int Added, int Updated, int Unchanged, IReadOnlyList<ImportRejection> Rejected);

/// <summary>An item as the audit log keeps it, before and after an import changed it.</summary>
public sealed record ItemSnapshot(string Code, string Name, string Department, int ServiceId, IReadOnlyList<string> Materials)
{
    public static ItemSnapshot Of(ServiceItem i) => new(i.Code, i.Name, i.Department, i.ServiceId, [.. i.Materials]);
}

/// <summary>
/// Imports a hall's 政务服务事项清单: rows are matched to the hall's items by item code; a new code is added, a known
/// one updated where its name, department, service or materials differ. A bad row is rejected with its reason and
/// the others go on; the whole import is one transaction, so a failure leaves the catalogue as it was.
/// Items missing from the file are kept: a list is imported to add and correct, not to delete.
/// </summary>
public static class CatalogImport
{
    public const int MaxCodeLength = 64;
    public const int MaxNameLength = 200;
    public const int MaxDepartmentLength = 100;
    public const int MaxMaterialLength = 200;
    public const int MaxMaterials = 50;

    /// <summary>Rows saved per round trip; progress is reported after each.</summary>
    public const int BatchSize = 200;

    /// <summary>Lock key (with the hall id) that keeps two imports of one hall from interleaving.</summary>
    private const int ImportLock = 7140002;

    /// <summary>A checked row, ready to be compared with the catalogue.</summary>
    public sealed record ItemRow(int Row, string Code, string Name, string Department, int ServiceId, List<string> Materials);

    /// <summary>Checks one row: the item it describes, or why it is rejected. <paramref name="seen"/> holds the codes of earlier rows.</summary>
    public static (ItemRow? Item, ImportRejection? Rejection) Check(CatalogRow row, IReadOnlyList<Service> services, Dictionary<string, CatalogRow> seen)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(seen);
        ImportRejection Reject(string zh, string en) => new(row.Sheet, row.Row, zh, en);

        // Codes typed with a Chinese input method come in full width (ＳＢ００１).
        var code = row.Code?.Normalize(NormalizationForm.FormKC).Trim();
        if (string.IsNullOrEmpty(code))
        {
            return (null, Reject("缺少事项编码", "The item code is missing."));
        }
        if (string.IsNullOrEmpty(row.Name))
        {
            return (null, Reject("缺少事项名称", "The item name is missing."));
        }
        if (string.IsNullOrEmpty(row.Department))
        {
            return (null, Reject("缺少实施部门", "The department is missing."));
        }
        if (string.IsNullOrEmpty(row.Service))
        {
            return (null, Reject("缺少办理业务", "The service is missing."));
        }
        foreach (var (text, zh, en, max) in new[]
        {
            (code, "事项编码", "item code", MaxCodeLength),
            (row.Name, "事项名称", "item name", MaxNameLength),
            (row.Department, "实施部门", "department", MaxDepartmentLength),
        })
        {
            if (text.Length > max)
            {
                return (null, Reject($"{zh}超过 {max} 个字符", $"The {en} is longer than {max} characters."));
            }
            if (text.Any(char.IsControl))
            {
                return (null, Reject($"{zh}含有控制字符（如换行符）", $"The {en} contains control characters (such as a line break)."));
            }
        }
        var service = services.FirstOrDefault(s => s.Name == row.Service)
            ?? services.FirstOrDefault(s => string.Equals(s.Code, row.Service, StringComparison.OrdinalIgnoreCase));
        if (service is null)
        {
            return (null, Reject($"本大厅没有“{row.Service}”这项业务", $"This hall has no service \"{row.Service}\"."));
        }
        var materials = SplitMaterials(row.Materials);
        if (materials.Count > MaxMaterials)
        {
            return (null, Reject($"申请材料超过 {MaxMaterials} 项", $"More than {MaxMaterials} materials."));
        }
        if (materials.Any(m => m.Length > MaxMaterialLength))
        {
            return (null, Reject($"某项申请材料超过 {MaxMaterialLength} 个字符", $"A material is longer than {MaxMaterialLength} characters."));
        }
        if (materials.Any(m => m.Any(char.IsControl)))
        {
            return (null, Reject("申请材料含有控制字符", "A material contains control characters."));
        }
        if (seen.TryGetValue(code, out var first))
        {
            return (null, Reject($"事项编码 {code} 与{first.WhereZh}重复", $"The item code {code} repeats {first.WhereEn}."));
        }
        seen[code] = row;
        return (new ItemRow(row.Row, code, row.Name, row.Department, service.Id, materials), null);
    }

    /// <summary>Materials as lists write them: one a line, or separated by semicolons; leading numbers (1. 2、 (3)) dropped.</summary>
    public static List<string> SplitMaterials(string? cell)
    {
        if (string.IsNullOrWhiteSpace(cell))
        {
            return [];
        }
        return [.. cell.Split(['\r', '\n', '；', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(StripNumber)
            .Where(m => m.Length > 0)];
    }

    /// <summary>The initials as the column holds them (64 characters at most).</summary>
    private static string InitialsOf(string name)
    {
        var initials = PinyinInitials.Of(name);
        return initials.Length > 64 ? initials[..64] : initials;
    }

    private static string StripNumber(string material)
    {
        var span = material.AsSpan();
        if (span.Length > 0 && span[0] is '(' or '（')
        {
            var close = span.IndexOfAny(')', '）');
            if (close > 1 && span[1..close].ContainsOnlyDigits())
            {
                return span[(close + 1)..].Trim().ToString();
            }
        }
        var digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits]))
        {
            digits++;
        }
        if (digits > 0 && digits < span.Length && span[digits] is '.' or '、' or '．' or ')' or '）')
        {
            return span[(digits + 1)..].Trim().ToString();
        }
        // ①–⑳
        return span.Length > 1 && span[0] is >= '\u2460' and <= '\u2473' ? span[1..].Trim().ToString() : material;
    }

    private static bool ContainsOnlyDigits(this ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Applies the rows to the hall's catalogue in one transaction and reports progress (rows done) as it goes.
    /// Initials are computed for new items and for renamed ones; other edits keep the admin's initials.
    /// </summary>
    /// <param name="audit">Called before the commit with the items before and after each change, so the audit entry commits with the import.</param>
    public static async Task<ImportReport> ApplyAsync(HallDb db, int hallId, CatalogTable table, IProgress<int> progress, CancellationToken ct,
        Action<HallDb, ImportReport, IReadOnlyList<ItemSnapshot>, IReadOnlyList<ItemSnapshot>>? audit = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(progress);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ImportLock}, {hallId})", ct);
        var services = await db.Services.AsNoTracking().Where(s => s.HallId == hallId).ToListAsync(ct);
        var items = await db.ServiceItems.Where(i => i.HallId == hallId).ToDictionaryAsync(i => i.Code, StringComparer.Ordinal, ct);
        var seen = new Dictionary<string, CatalogRow>(StringComparer.Ordinal);
        var rejected = new List<ImportRejection>();
        int added = 0, updated = 0, unchanged = 0;
        var before = new List<ItemSnapshot>();
        var after = new List<ItemSnapshot>();

        for (var start = 0; start < table.Rows.Count; start += BatchSize)
        {
            foreach (var row in table.Rows.Skip(start).Take(BatchSize))
            {
                var (checkedRow, rejection) = Check(row, services, seen);
                if (checkedRow is null)
                {
                    rejected.Add(rejection!);
                    continue;
                }
                var materials = row.MaterialsGiven ? checkedRow.Materials : null;
                if (!items.TryGetValue(checkedRow.Code, out var item))
                {
                    item = new ServiceItem
                    {
                        HallId = hallId,
                        Code = checkedRow.Code,
                        Name = checkedRow.Name,
                        Department = checkedRow.Department,
                        ServiceId = checkedRow.ServiceId,
                        Materials = materials ?? [],
                        Initials = InitialsOf(checkedRow.Name),
                    };
                    db.ServiceItems.Add(item);
                    items[item.Code] = item;
                    after.Add(ItemSnapshot.Of(item));
                    added++;
                }
                else if (item.Name != checkedRow.Name || item.Department != checkedRow.Department || item.ServiceId != checkedRow.ServiceId
                    || (materials is not null && !item.Materials.SequenceEqual(materials)))
                {
                    before.Add(ItemSnapshot.Of(item));
                    if (item.Name != checkedRow.Name)
                    {
                        item.Name = checkedRow.Name;
                        item.Initials = InitialsOf(checkedRow.Name);
                    }
                    item.Department = checkedRow.Department;
                    item.ServiceId = checkedRow.ServiceId;
                    if (materials is not null)
                    {
                        item.Materials = materials;
                    }
                    after.Add(ItemSnapshot.Of(item));
                    updated++;
                }
                else
                {
                    unchanged++;
                }
            }
            await db.SaveChangesAsync(ct);
            progress.Report(Math.Min(start + BatchSize, table.Rows.Count));
        }
        var report = new ImportReport(table.Rows.Count, added, updated, unchanged, rejected);
        if (audit is not null && before.Count + after.Count > 0)
        {
            audit(db, report, before, after);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        return report;
    }
}
