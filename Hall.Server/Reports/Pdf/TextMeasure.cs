using System.Text;
using SkiaSharp;

namespace Hall.Server.Reports.Pdf;

/// <summary>
/// Text widths from the font's advances (no kerning, as Skia draws them), cached per character,
/// and CJK line breaking. One per document: not thread-safe.
/// </summary>
internal sealed class TextMeasure : IDisposable
{
    // Measured at a large size so hinting and rounding do not distort the per-point advance.
    private const float MeasureSize = 1000;
    private readonly SKFont _font;
    private readonly Dictionary<int, float> _advances = [];

    // Kept off the start of a line (closing punctuation) and off its end (opening punctuation).
    private const string NoLineStart = "，。、；：？！）」』”’》〉】〕〗…—%‰℃·,.;:?!)]}>";
    private const string NoLineEnd = "（「『“‘《〈【〔〖([{<";

    public TextMeasure(SKTypeface typeface)
    {
        _font = new SKFont(typeface, MeasureSize) { Subpixel = true, LinearMetrics = true, Hinting = SKFontHinting.None };
        var metrics = _font.Metrics;
        Ascent = -metrics.Ascent / MeasureSize;
        Descent = metrics.Descent / MeasureSize;
    }

    /// <summary>Above the baseline, per point of font size.</summary>
    public float Ascent { get; }

    /// <summary>Below the baseline, per point of font size.</summary>
    public float Descent { get; }

    /// <summary>Every character measured or wrapped so far: what the document's font subset must hold.</summary>
    public HashSet<int> CodePoints { get; } = [];

    public float Width(string text, float size)
    {
        var total = 0f;
        foreach (var rune in text.EnumerateRunes())
        {
            total += Advance(rune.Value);
        }
        return total * size;
    }

    private float Advance(int codePoint)
    {
        if (!_advances.TryGetValue(codePoint, out var advance))
        {
            CodePoints.Add(codePoint);
            var glyph = _font.GetGlyph(codePoint);
            advance = _font.GetGlyphWidths([glyph])[0] / MeasureSize;
            _advances[codePoint] = advance;
        }
        return advance;
    }

    /// <summary>
    /// Splits <paramref name="text"/> into lines no wider than <paramref name="width"/>: CJK may break between any two
    /// characters, Latin words and numbers stay whole unless longer than a line, and closing punctuation never starts a line.
    /// </summary>
    public List<string> Wrap(string text, float size, float width)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            WrapParagraph(paragraph, size, width, lines);
        }
        return lines;
    }

    private void WrapParagraph(string text, float size, float width, List<string> lines)
    {
        var line = new StringBuilder();
        var lineWidth = 0f;
        foreach (var unit in Units(text))
        {
            var unitWidth = Width(unit, size);
            if (lineWidth + unitWidth <= width || line.Length == 0 && unitWidth <= width)
            {
                line.Append(unit);
                lineWidth += unitWidth;
                continue;
            }
            if (line.Length > 0)
            {
                lines.Add(line.ToString().TrimEnd());
                line.Clear();
                lineWidth = 0;
            }
            var rest = unit.TrimStart();
            if (Width(rest, size) <= width)
            {
                line.Append(rest);
                lineWidth = Width(rest, size);
                continue;
            }
            // A unit wider than a whole line (a long number or URL) is cut where it has to be.
            foreach (var rune in rest.EnumerateRunes())
            {
                var runeWidth = Advance(rune.Value) * size;
                if (lineWidth + runeWidth > width && line.Length > 0)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                    lineWidth = 0;
                }
                line.Append(rune.ToString());
                lineWidth += runeWidth;
            }
        }
        lines.Add(line.ToString().TrimEnd());
    }

    /// <summary>The pieces a line may not be broken inside, each with its trailing space or closing punctuation.</summary>
    private static List<string> Units(string text)
    {
        var units = new List<string>();
        var current = new StringBuilder();
        var runes = text.EnumerateRunes().ToList();
        for (var i = 0; i < runes.Count; i++)
        {
            var rune = runes[i];
            current.Append(rune.ToString());
            var next = i + 1 < runes.Count ? runes[i + 1] : (Rune?)null;
            if (next is null || !CanBreakBetween(rune, next.Value))
            {
                continue;
            }
            units.Add(current.ToString());
            current.Clear();
        }
        if (current.Length > 0)
        {
            units.Add(current.ToString());
        }
        return units;
    }

    private static bool CanBreakBetween(Rune before, Rune after)
    {
        if (Rune.IsWhiteSpace(after) || IsIn(NoLineStart, after) || IsIn(NoLineEnd, before))
        {
            return false;
        }
        if (Rune.IsWhiteSpace(before) || IsWide(before) || IsWide(after))
        {
            return true;
        }
        // Inside Latin text: after a hyphen or slash only.
        return before.Value is '-' or '/';
    }

    private static bool IsIn(string set, Rune rune) => rune.IsBmp && set.Contains((char)rune.Value, StringComparison.Ordinal);

    // CJK ideographs, kana, hangul, full-width forms and CJK punctuation break like words of their own.
    private static bool IsWide(Rune rune) => rune.Value is >= 0x2E80 and <= 0x9FFF or >= 0xAC00 and <= 0xD7AF or >= 0xF900 and <= 0xFAFF
        or >= 0xFE30 and <= 0xFE4F or >= 0xFF00 and <= 0xFFEF or >= 0x20000 and <= 0x3FFFF;

    public void Dispose() => _font.Dispose();
}
