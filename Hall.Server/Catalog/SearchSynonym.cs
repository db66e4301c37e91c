namespace Hall.Server.Catalog;

/// <summary>
/// 搜索同义词: a word citizens use for items the catalogue names otherwise (社保卡 → 社会保障卡申领), kept by the admin.
/// It leads to the items chosen by code and to every item of the services chosen, so an item imported later under such
/// a service is found by it too.
/// </summary>
public sealed class SearchSynonym
{
    public int Id { get; set; }
    public int HallId { get; set; }
    /// <summary>The word as the admin wrote it (trimmed, NFKC); unique in the hall.</summary>
    public required string Word { get; set; }
    /// <summary>Codes of the items it leads to (the code, not the id: it is what a re-import keeps and what a person reads).</summary>
    public List<string> ItemCodes { get; set; } = [];
    /// <summary>Services all of whose items it leads to.</summary>
    public List<int> ServiceIds { get; set; } = [];
}
