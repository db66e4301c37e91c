using SkiaSharp;

namespace Hall.Server.Reports.Pdf;

/// <summary>What a laid-out page holds, in points from the page's top-left corner; drawn once the page count is known.</summary>
internal abstract record PageItem;

/// <summary>One line of text; <paramref name="X"/> is its left end, <paramref name="Baseline"/> its baseline; <paramref name="Serif"/> for a 公文's serif face.</summary>
internal sealed record TextItem(float X, float Baseline, string Text, float Size, SKColor Color, bool Serif = false) : PageItem;

internal sealed record BoxItem(SKRect Rect, SKColor? Fill, SKColor? Stroke, float StrokeWidth = 0.5f) : PageItem;

internal sealed record LineItem(SKPoint From, SKPoint To, SKColor Color, float Width) : PageItem;

internal sealed record ChartItem(ReportChart Chart, SKRect Rect) : PageItem;

/// <summary>Sizes and colours shared by the layout and the chart renderer.</summary>
internal static class PdfStyle
{
    public const float PageWidth = 595.28f;
    public const float PageHeight = 841.89f;
    public const float MarginX = 51f;
    public const float MarginTop = 51f;
    /// <summary>Content stops here; the footer sits below.</summary>
    public const float ContentBottom = PageHeight - 62f;
    public const float FooterBaseline = PageHeight - 32f;
    public const float ContentWidth = PageWidth - 2 * MarginX;

    public const float TitleSize = 20f;
    public const float SubtitleSize = 11f;
    public const float Heading1Size = 15f;
    public const float Heading2Size = 12.5f;
    public const float BodySize = 10.5f;
    public const float CaptionSize = 10f;
    public const float TableSize = 9f;
    /// <summary>Cell text is shrunk down to this size before it is wrapped.</summary>
    public const float TableMinSize = 7f;
    public const float FooterSize = 8f;
    public const float SmallSize = 8.5f;

    public static readonly SKColor Text = new(0x1F, 0x23, 0x28);
    public static readonly SKColor Muted = new(0x5F, 0x67, 0x70);
    public static readonly SKColor Alert = new(0xC6, 0x28, 0x28);
    public static readonly SKColor Rule = new(0xC9, 0xD1, 0xD9);
    public static readonly SKColor Strong = new(0x5F, 0x67, 0x70);
    public static readonly SKColor HeaderFill = new(0xE3, 0xEA, 0xF2);
    public static readonly SKColor TotalFill = new(0xF2, 0xF4, 0xF6);
    public static readonly SKColor Accent = new(0x1F, 0x5F, 0xA8);

    /// <summary>Series colours (colour-blind friendly).</summary>
    public static readonly SKColor[] Series =
    [
        new(0x1F, 0x77, 0xB4), new(0xFF, 0x7F, 0x0E), new(0x2C, 0xA0, 0x2C), new(0xD6, 0x27, 0x28),
        new(0x94, 0x67, 0xBD), new(0x8C, 0x56, 0x4B), new(0xE3, 0x77, 0xC2), new(0x7F, 0x7F, 0x7F),
    ];
}
