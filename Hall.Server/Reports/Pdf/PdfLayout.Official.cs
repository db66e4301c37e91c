using System.Globalization;
using SkiaSharp;
using static Hall.Server.Reports.Pdf.PdfStyle;

namespace Hall.Server.Reports.Pdf;

/// <summary>
/// A 公文 as GB/T 9704-2012 lays it out: the 版心 156 mm × 225 mm (top 37 mm, left 28 mm), the body on a grid of 22 lines of
/// 28 characters in the serif face, 版头 (the issuing authority in red, the 发文字号 two lines below, a red rule 4 mm under
/// it), the title two lines below the rule, 主送 one line below the title, the body, the 附件 list one line below, then the
/// 署名 centred over the 成文日期 (four characters in from the right) with room for the seal above them. Each annex starts a
/// page headed 附件N; page numbers are "— n —", right on odd pages and left on even ones.
/// </summary>
internal sealed partial class PdfLayout
{
    private const float Mm = 72f / 25.4f;
    public const float OfficialLeft = 28 * Mm;
    public const float OfficialTop = 37 * Mm;
    public const float OfficialWidth = 156 * Mm;
    public const float OfficialHeight = 225 * Mm;
    public const int OfficialLines = 22;
    public const int OfficialChars = 28;

    /// <summary>One grid line of the body: 225 mm ÷ 22.</summary>
    public const float OfficialPitch = OfficialHeight / OfficialLines;

    /// <summary>The body size (三号, 16 pt, set so that 28 full-width characters fill the 156 mm line).</summary>
    public const float OfficialSize = OfficialWidth / OfficialChars;

    private const float OfficialTitleSize = 22f;
    private const float PageNumberSize = 14f;
    private static readonly SKColor Red = new(0xE6, 0x00, 0x12);

    /// <summary>The pages that belong to the body (numbered without the report footer).</summary>
    private int _bodyPages;

    private void LayOfficial(ReportDocument doc, OfficialForm form)
    {
        _top = OfficialTop;
        _bottom = OfficialTop + OfficialHeight;
        NewPage();
        Letterhead(doc, form);
        var annexes = doc.Blocks.OfType<ReportAnnex>().ToList();
        foreach (var block in doc.Blocks.TakeWhile(b => b is not ReportAnnex))
        {
            switch (block)
            {
                case ReportHeading heading: BodyText(heading.Text, heading.Level <= 1 ? Face.Sans : Face.Serif); break;
                case ReportParagraph paragraph: BodyText(paragraph.Text, Face.Serif); break;
                case ReportPageBreak: break;
                default: throw new NotSupportedException($"A 公文's body holds headings and paragraphs; {block.GetType().Name} belongs in an annex.");
            }
        }
        AnnexList(annexes);
        Signature(form);
        _bodyPages = _pages.Count;

        _top = MarginTop;
        _bottom = ContentBottom;
        var number = 0;
        foreach (var block in doc.Blocks.SkipWhile(b => b is not ReportAnnex))
        {
            if (block is ReportAnnex annex)
            {
                NewPage();
                AnnexHead(++number, annexes.Count, annex.Title);
            }
            else
            {
                Block(block);
            }
        }
        OfficialFooters(doc.Footer);
    }

    private enum Face
    {
        Sans,
        Serif,
    }

    private TextMeasure Measure(Face face) => face == Face.Serif ? serif : measure;

    /// <summary>A line of text on the body's grid at <paramref name="x"/>, vertically centred in its line.</summary>
    private void GridLine(string text, float x, float size, Face face, SKColor color)
    {
        var m = Measure(face);
        var baseline = _y + (OfficialPitch - (m.Ascent + m.Descent) * size) / 2 + m.Ascent * size;
        _page.Add(new TextItem(x, baseline, text, size, color, face == Face.Serif));
        _y += OfficialPitch;
    }

    private void NeedLines(int lines)
    {
        if (_y + lines * OfficialPitch > _bottom + 0.5f && !PageIsEmpty)
        {
            NewPage();
        }
    }

    private float Centered(string text, float size, Face face) => OfficialLeft + (OfficialWidth - Measure(face).Width(text, size)) / 2;

    private void Letterhead(ReportDocument doc, OfficialForm form)
    {
        if (form.Draft)
        {
            const string draft = "草稿";
            _page.Add(new TextItem(OfficialLeft + OfficialWidth - measure.Width(draft, 16), OfficialTop - 14 * Mm, draft, 16, Muted));
        }
        // 发文机关标志: red, centred, as large as fits the 版心's width (at most 一号 bold-looking size).
        var markSize = Math.Min(36f, OfficialWidth / Math.Max(1, serif.Width(form.Authority, 1)) * 0.98f);
        var markHeight = 2 * OfficialPitch;
        var baseline = _y + (markHeight - (serif.Ascent + serif.Descent) * markSize) / 2 + serif.Ascent * markSize;
        _page.Add(new TextItem(Centered(form.Authority, markSize, Face.Serif), baseline, form.Authority, markSize, Red, Serif: true));
        _y += markHeight;
        // 发文字号 two lines below the mark, centred; a draft has none yet.
        _y += 2 * OfficialPitch;
        var number = form.Number ?? "（草稿，印发时编号）";
        GridLine(number, Centered(number, OfficialSize, Face.Serif), OfficialSize, Face.Serif, form.Draft ? Muted : PdfStyle.Text);
        var rule = _y - OfficialPitch / 2 + OfficialSize / 2 + 4 * Mm;
        _page.Add(new LineItem(new SKPoint(OfficialLeft, rule), new SKPoint(OfficialLeft + OfficialWidth, rule), Red, 1.5f));
        _y = rule;
        // The title two lines below the rule, 二号, centred; the 主送 one line below it, flush left.
        _y += 2 * OfficialPitch - OfficialPitch / 2;
        foreach (var line in serif.Wrap(doc.Title, OfficialTitleSize, OfficialWidth))
        {
            var m = serif;
            var height = OfficialTitleSize * 1.5f;
            _page.Add(new TextItem(Centered(line, OfficialTitleSize, Face.Serif), _y + (height - (m.Ascent + m.Descent) * OfficialTitleSize) / 2 + m.Ascent * OfficialTitleSize,
                line, OfficialTitleSize, PdfStyle.Text, Serif: true));
            _y += height;
        }
        // The period the figures cover (and whether it is over), under the title.
        if (doc.Subtitle.Length > 0)
        {
            var size = Math.Min(PageNumberSize, OfficialWidth / serif.Width(doc.Subtitle, 1) * 0.999f);
            GridLine(doc.Subtitle, Centered(doc.Subtitle, size, Face.Serif), size, Face.Serif, Muted);
        }
        else
        {
            _y += OfficialPitch;
        }
        foreach (var line in serif.Wrap(form.Addressee + "：", OfficialSize, OfficialWidth))
        {
            GridLine(line, OfficialLeft, OfficialSize, Face.Serif, PdfStyle.Text);
        }
    }

    /// <summary>A paragraph (or a heading: 黑体, that is the sans face) of the body: first line indented two characters, wrapped at 28.</summary>
    private void BodyText(string text, Face face)
    {
        foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (paragraph.Trim().Length == 0)
            {
                continue;
            }
            var lines = Measure(face).Wrap("\u3000\u3000" + paragraph.Trim(), OfficialSize, OfficialWidth);
            foreach (var line in lines)
            {
                NeedLines(1);
                GridLine(line, OfficialLeft, OfficialSize, face, PdfStyle.Text);
            }
        }
    }

    /// <summary>附件说明: one line below the body, two characters in: "附件：1．…", further annexes aligned under the first name.</summary>
    private void AnnexList(List<ReportAnnex> annexes)
    {
        if (annexes.Count == 0)
        {
            return;
        }
        _y += OfficialPitch;
        var label = "\u3000\u3000附件：";
        var indent = serif.Width(label, OfficialSize);
        for (var i = 0; i < annexes.Count; i++)
        {
            var name = annexes.Count == 1 ? annexes[i].Title : $"{i + 1}．{annexes[i].Title}";
            var lines = serif.Wrap(name, OfficialSize, OfficialWidth - indent);
            NeedLines(Math.Min(lines.Count, 2));
            if (i == 0)
            {
                GridLine(label + lines[0], OfficialLeft, OfficialSize, Face.Serif, PdfStyle.Text);
            }
            else
            {
                GridLine(lines[0], OfficialLeft + indent, OfficialSize, Face.Serif, PdfStyle.Text);
            }
            foreach (var line in lines.Skip(1))
            {
                GridLine(line, OfficialLeft + indent, OfficialSize, Face.Serif, PdfStyle.Text);
            }
        }
    }

    /// <summary>
    /// 发文机关署名 centred over the 成文日期, which sits four characters in from the right; the seal (印章, about 42 mm) goes
    /// over both, its top within one line of the text above — so a line is left free and both stay on one page with it.
    /// </summary>
    private void Signature(OfficialForm form)
    {
        NeedLines(5);
        _y += 2 * OfficialPitch;
        var dateWidth = serif.Width(form.DateText, OfficialSize);
        var dateLeft = OfficialLeft + OfficialWidth - 4 * OfficialSize - dateWidth;
        var centre = dateLeft + dateWidth / 2;
        var signatureWidth = serif.Width(form.Signatory, OfficialSize);
        var signatureLeft = Math.Max(OfficialLeft, Math.Min(centre - signatureWidth / 2, OfficialLeft + OfficialWidth - signatureWidth));
        GridLine(form.Signatory, signatureLeft, OfficialSize, Face.Serif, PdfStyle.Text);
        GridLine(form.DateText, dateLeft, OfficialSize, Face.Serif, PdfStyle.Text);
    }

    /// <summary>An annex's first page: 附件N at the top left (黑体), its title centred (二号 would crowd the tables: 三号 here).</summary>
    private void AnnexHead(int number, int count, string title)
    {
        var label = count == 1 ? "附件" : string.Create(CultureInfo.InvariantCulture, $"附件{number}");
        _page.Add(new TextItem(MarginX, _y + measure.Ascent * 16, label, 16, PdfStyle.Text));
        _y += 16 * 1.8f;
        foreach (var line in serif.Wrap(title, 18, ContentWidth))
        {
            _page.Add(new TextItem(MarginX + (ContentWidth - serif.Width(line, 18)) / 2, _y + serif.Ascent * 18, line, 18, PdfStyle.Text, Serif: true));
            _y += 18 * 1.5f;
        }
        _y += 10;
    }

    /// <summary>"— n —" in 四号 7 mm below the 版心, right on odd pages and left on even ones (one character in); annex pages also carry the report footer.</summary>
    private void OfficialFooters(string footer)
    {
        for (var i = 0; i < _pages.Count; i++)
        {
            // Annex pages hold report tables down to the report's content bottom: their number goes lower, with the footer.
            var baseline = i < _bodyPages ? OfficialTop + OfficialHeight + 7 * Mm + PageNumberSize : FooterBaseline;
            var number = string.Create(CultureInfo.InvariantCulture, $"— {i + 1} —");
            var width = measure.Width(number, PageNumberSize);
            var odd = i % 2 == 0;
            var (left, right) = i < _bodyPages ? (OfficialLeft, OfficialLeft + OfficialWidth) : (MarginX, MarginX + ContentWidth);
            var x = odd ? right - PageNumberSize - width : left + PageNumberSize;
            _pages[i].Add(new TextItem(x, baseline, number, PageNumberSize, PdfStyle.Text));
            if (i >= _bodyPages && footer.Length > 0)
            {
                var room = right - left - width - 3 * PageNumberSize;
                var size = Fit(footer, FooterSize, room);
                var at = odd ? left : right - measure.Width(footer, size);
                _pages[i].Add(new TextItem(at, baseline, footer.ReplaceLineEndings(" "), size, Muted));
            }
        }
    }
}
