namespace Hall.Server.Reports;

/// <summary>
/// What the supervisor adds to a bulletin or year view before it is issued (存在问题, 表扬与批评, 工作要求), and once issued
/// its 发文字号 and the date it was issued on.
/// </summary>
public sealed record DocumentSections(string? Problems, string? Praise, string? Requirements, string? Number = null, DateOnly? IssuedOn = null)
{
    public static readonly DocumentSections None = new(null, null, null);

    /// <summary>All three written: what issuing needs.</summary>
    public bool Complete => !string.IsNullOrWhiteSpace(Problems) && !string.IsNullOrWhiteSpace(Praise) && !string.IsNullOrWhiteSpace(Requirements);
}

/// <summary>The hall's 发文 settings as a document uses them.</summary>
/// <param name="Authority">发文机关 (红头 and 署名).</param>
public sealed record DocumentIssuer(string Authority, string Addressee, string? Prefix)
{
    public static DocumentIssuer Of(Halls.HallSite hall) =>
        new(hall.IssuingAuthority ?? hall.Name, hall.Addressee ?? Halls.HallSite.DefaultAddressee, hall.DocumentPrefix);

    /// <summary>新政数〔2026〕12号: the prefix, the year in 六角括号, the serial without leading zeros, 号.</summary>
    public static string Number(string prefix, int year, int serial) => $"{prefix}〔{year}〕{serial}号";
}

/// <summary>The body of a bulletin or year view as a 公文 (GB/T 9704): 总体情况 from the figures, then the supervisor's sections.</summary>
public static class OfficialDocument
{
    /// <summary>Printed in a draft where a section is still to be written.</summary>
    public const string ToBeWritten = "（待填写：印发前由主管在报表页面填写）";

    public static OfficialForm Form(DocumentIssuer issuer, DocumentSections sections, DateOnly draftDate) =>
        new(issuer.Authority, sections.Number, issuer.Addressee, issuer.Authority, sections.IssuedOn ?? draftDate);

    /// <summary>一、总体情况 (the narrative), 二、存在问题, 三、表扬与批评, 四、工作要求; each line the supervisor wrote is a paragraph.</summary>
    public static IEnumerable<ReportBlock> Body(string narrative, DocumentSections sections)
    {
        yield return new ReportHeading("一、总体情况");
        yield return new ReportParagraph(narrative);
        foreach (var (heading, text) in new[] { ("二、存在问题", sections.Problems), ("三、表扬与批评", sections.Praise), ("四、工作要求", sections.Requirements) })
        {
            yield return new ReportHeading(heading);
            yield return new ReportParagraph(string.IsNullOrWhiteSpace(text) ? ToBeWritten : text.Trim());
        }
    }
}
