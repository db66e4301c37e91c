using SkiaSharp;

namespace Hall.Server.Reports.Pdf;

/// <summary>Draws laid-out pages; holds one document's fonts and paints (Skia objects stay on the writer's thread).</summary>
internal sealed class PagePainter(SKTypeface typeface, SKTypeface serif) : IDisposable
{
    private readonly Dictionary<(float, bool), SKFont> _fonts = [];
    private readonly Dictionary<SKColor, SKPaint> _fills = [];
    private readonly Dictionary<(SKColor, float), SKPaint> _strokes = [];

    public void Paint(SKCanvas canvas, IReadOnlyList<PageItem> items)
    {
        foreach (var item in items)
        {
            switch (item)
            {
                case BoxItem box:
                    if (box.Fill is { } fill)
                    {
                        canvas.DrawRect(box.Rect, Fill(fill));
                    }
                    if (box.Stroke is { } stroke)
                    {
                        canvas.DrawRect(box.Rect, Stroke(stroke, box.StrokeWidth));
                    }
                    break;
                case LineItem line:
                    canvas.DrawLine(line.From, line.To, Stroke(line.Color, line.Width));
                    break;
                case TextItem text:
                    canvas.DrawText(text.Text, text.X, text.Baseline, SKTextAlign.Left, Font(text.Size, text.Serif), Fill(text.Color));
                    break;
                case ChartItem chart:
                    ChartRenderer.Draw(canvas, chart.Chart, chart.Rect, typeface);
                    break;
                default:
                    throw new NotSupportedException(item.GetType().Name);
            }
        }
    }

    private SKFont Font(float size, bool isSerif)
    {
        if (!_fonts.TryGetValue((size, isSerif), out var font))
        {
            font = new SKFont(isSerif ? serif : typeface, size) { Subpixel = true, LinearMetrics = true, Hinting = SKFontHinting.None };
            _fonts[(size, isSerif)] = font;
        }
        return font;
    }

    private SKPaint Fill(SKColor color)
    {
        if (!_fills.TryGetValue(color, out var paint))
        {
            paint = new SKPaint { Color = color, Style = SKPaintStyle.Fill, IsAntialias = true };
            _fills[color] = paint;
        }
        return paint;
    }

    private SKPaint Stroke(SKColor color, float width)
    {
        if (!_strokes.TryGetValue((color, width), out var paint))
        {
            paint = new SKPaint { Color = color, Style = SKPaintStyle.Stroke, StrokeWidth = width, IsAntialias = true };
            _strokes[(color, width)] = paint;
        }
        return paint;
    }

    public void Dispose()
    {
        foreach (var font in _fonts.Values)
        {
            font.Dispose();
        }
        foreach (var paint in _fills.Values.Concat(_strokes.Values))
        {
            paint.Dispose();
        }
    }
}
