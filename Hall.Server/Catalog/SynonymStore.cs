using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Catalog;

/// <summary>What the admin sends for a synonym: the word and what it leads to. <c>Id</c> 0 adds one.</summary>
public sealed record SynonymForm(int Id, string? Word, IReadOnlyList<string> ItemCodes, IReadOnlyList<int> ServiceIds);

/// <summary>A synonym as the admin page lists it.</summary>
public sealed record SynonymRow(int Id, string Word, IReadOnlyList<string> ItemCodes, IReadOnlyList<int> ServiceIds);

/// <summary>
/// The admin's search synonyms (搜索同义词): checked (a refusal names the field and changes nothing), written with their
/// audit entry in one transaction, then the hall's kiosks are told to fetch the catalogue again.
/// </summary>
public sealed class SynonymStore(IDbContextFactory<HallDb> dbFactory, AdminStore audit, IHubContext<HallHub, IHallClient> hub)
{
    public const int MaxWordLength = 20;
    public const int MaxItems = 200;
    public const int MaxServices = 50;

    public static readonly Refusal InvalidWord = new("invalid_synonym_word", "同义词有误：须为 1–20 个字，不能为空白或含控制字符",
        "Synonym: 1–20 characters, not blank, without control characters.");
    public static readonly Refusal WordTaken = new("synonym_exists", "同义词有误：本大厅已有这个同义词", "Synonym: this hall already has it.");
    public static readonly Refusal NoTarget = new("invalid_synonym_targets", "指向有误：请至少选择一个事项或一项业务（最多 200 个事项、50 项业务）",
        "Leads to: choose at least one item or service (at most 200 items and 50 services).");
    public static readonly Refusal UnknownTarget = new("unknown_synonym_target", "指向有误：所选事项或业务不在本大厅", "Leads to: an item or service chosen is not in this hall.");

    /// <summary>The hall's synonyms, in the order of their words' pinyin as the page lists them.</summary>
    public async Task<List<SynonymRow>> ListAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.SearchSynonyms.AsNoTracking().Where(s => s.HallId == hallId).ToListAsync(ct);
        return [.. rows.OrderBy(s => s.Word, Web.DisplayOrder.Names).Select(s => new SynonymRow(s.Id, s.Word, s.ItemCodes, s.ServiceIds))];
    }

    /// <summary>Every item of the hall, to pick from (by the kiosk's own search).</summary>
    public async Task<List<ServiceItemView>> ItemsAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ServiceItems.ForAdminAsync(db, hallId, ct);
    }

    /// <summary>The word as stored: trimmed and NFKC (全角 letters as ASCII), or null when it is no word.</summary>
    public static string? WordOf(string? text)
    {
        var word = PinyinSyllables.Normalize(text?.Trim() ?? "").Trim();
        var length = word.EnumerateRunes().Count();
        return length is >= 1 and <= MaxWordLength && Security.FreeText.IsClean(word) && !word.Any(c => char.IsWhiteSpace(c) && c != ' ') ? word : null;
    }

    /// <summary>Adds (<c>Id</c> 0) or changes a synonym.</summary>
    public async Task<Refusal?> SaveAsync(Actor actor, SynonymForm form, CancellationToken ct)
    {
        if (actor.StaffRole != StaffRole.Admin)
        {
            return Refusal.Forbidden;
        }
        if (WordOf(form.Word) is not { } word)
        {
            return InvalidWord;
        }
        var codes = form.ItemCodes.Select(c => c?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToList();
        var services = form.ServiceIds.Distinct().ToList();
        if (codes.Count + services.Count == 0 || codes.Count > MaxItems || services.Count > MaxServices)
        {
            return NoTarget;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // ETC and etc are one word: letters compare without case.
        var taken = await db.SearchSynonyms.Where(s => s.HallId == actor.HallId && s.Id != form.Id).Select(s => s.Word).ToListAsync(ct);
        if (taken.Any(w => string.Equals(w, word, StringComparison.OrdinalIgnoreCase)))
        {
            return WordTaken;
        }
        if (await db.ServiceItems.CountAsync(i => i.HallId == actor.HallId && codes.Contains(i.Code), ct) != codes.Count
            || await db.Services.CountAsync(s => s.HallId == actor.HallId && services.Contains(s.Id), ct) != services.Count)
        {
            return UnknownTarget;
        }
        object? before = null;
        SearchSynonym synonym;
        if (form.Id == 0)
        {
            synonym = new SearchSynonym { HallId = actor.HallId, Word = word };
            db.SearchSynonyms.Add(synonym);
        }
        else
        {
            if (await db.SearchSynonyms.FirstOrDefaultAsync(s => s.Id == form.Id && s.HallId == actor.HallId, ct) is not { } found)
            {
                return AdminStore.NotFound;
            }
            synonym = found;
            before = await AuditViewAsync(db, synonym, ct);
        }
        (synonym.Word, synonym.ItemCodes, synonym.ServiceIds) = (word, codes, services);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Another admin added the same word a moment ago.
            return WordTaken;
        }
        db.AuditEntries.Add(audit.EntryFor(actor, form.Id == 0 ? "synonym.create" : "synonym.update", $"synonym:{synonym.Id}", before, await AuditViewAsync(db, synonym, ct)));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await hub.Clients.Group(HubGroups.Hall(actor.HallId)).ServiceItemsChanged();
        return null;
    }

    public async Task<Refusal?> DeleteAsync(Actor actor, int id, CancellationToken ct)
    {
        if (actor.StaffRole != StaffRole.Admin)
        {
            return Refusal.Forbidden;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.SearchSynonyms.FirstOrDefaultAsync(s => s.Id == id && s.HallId == actor.HallId, ct) is not { } synonym)
        {
            return AdminStore.NotFound;
        }
        var before = await AuditViewAsync(db, synonym, ct);
        db.SearchSynonyms.Remove(synonym);
        db.AuditEntries.Add(audit.EntryFor(actor, "synonym.delete", $"synonym:{id}", before, null));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await hub.Clients.Group(HubGroups.Hall(actor.HallId)).ServiceItemsChanged();
        return null;
    }

    /// <summary>The synonym as the audit log shows it: what it leads to by name, not by id.</summary>
    private static async Task<object> AuditViewAsync(HallDb db, SearchSynonym s, CancellationToken ct)
    {
        var items = await db.ServiceItems.AsNoTracking().Where(i => i.HallId == s.HallId && s.ItemCodes.Contains(i.Code)).OrderBy(i => i.Code)
            .Select(i => i.Code + " " + i.Name).ToListAsync(ct);
        var services = await db.Services.AsNoTracking().Where(x => x.HallId == s.HallId && s.ServiceIds.Contains(x.Id)).OrderBy(x => x.SortOrder)
            .Select(x => x.Name).ToListAsync(ct);
        return new { s.Word, Items = items, WholeServices = services };
    }

    /// <summary>For the search: each item's synonym words, by the item's code and by its service.</summary>
    public static async Task<Func<string, int, IEnumerable<string>>> WordsForAsync(HallDb db, int hallId, CancellationToken ct)
    {
        var synonyms = await db.SearchSynonyms.AsNoTracking().Where(s => s.HallId == hallId).ToListAsync(ct);
        var byCode = synonyms.SelectMany(s => s.ItemCodes.Select(c => (c, s.Word))).ToLookup(x => x.c, x => x.Word, StringComparer.Ordinal);
        var byService = synonyms.SelectMany(s => s.ServiceIds.Select(id => (id, s.Word))).ToLookup(x => x.id, x => x.Word);
        return (code, serviceId) => byCode[code].Concat(byService[serviceId]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
    }
}
