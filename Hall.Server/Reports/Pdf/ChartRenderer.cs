using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace Hall.Server.Reports.Pdf;

/// <summary>Draws a <see cref="ReportChart"/> with ScottPlot straight onto the PDF canvas, so it stays vectors and its text stays text.</summary>
internal static class ChartRenderer
{
    private const float TickSize = 8f;
    private const float AxisLabelSize = 9f;

    /// <summary>Everything ScottPlot may print besides the chart's own words: tick numbers in any notation (all of ASCII) and the minus sign.</summary>
    public static IEnumerable<int> TickCharacters => Enumerable.Range(0x20, 0x7F - 0x20).Append('−');

    public static void Draw(SKCanvas canvas, ReportChart chart, SKRect rect, SKTypeface typeface)
    {
        using var plot = new Plot();
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Grid.MajorLineColor = Color.FromHex("#E5E8EC");
        switch (chart.Kind)
        {
            case ChartKind.Bars: Bars(plot, chart, horizontal: false); break;
            case ChartKind.HorizontalBars: Bars(plot, chart, horizontal: true); break;
            case ChartKind.Lines: Lines(plot, chart, typeface, rect.Width); break;
            case ChartKind.Heatmap: Heatmap(plot, chart, typeface); break;
        }
        if (chart.XLabel is { Length: > 0 } x)
        {
            plot.Axes.Bottom.Label.Text = x;
        }
        if (chart.YLabel is { Length: > 0 } y)
        {
            plot.Axes.Left.Label.Text = y;
        }
        // ScottPlot caches fonts by family name process-wide; the document's own subset is set on every label instead.
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left, plot.Axes.Top, plot.Axes.Right })
        {
            axis.Label.Font = typeface;
            axis.Label.FontSize = AxisLabelSize;
            axis.Label.Bold = false;
            axis.TickLabelStyle.Font = typeface;
            axis.TickLabelStyle.FontSize = TickSize;
            axis.FrameLineStyle.Color = Color.FromHex("#9AA3AD");
        }
        plot.Axes.Title.Label.Font = typeface;
        plot.Legend.IsVisible = false;

        plot.RenderManager.ClearCanvasBeforeEachRender = false;
        // ScottPlot draws a plot a second time when its first render settles the axis limits; a dry run first
        // keeps every label on the page exactly once.
        using (var dry = new SKNoDrawCanvas((int)rect.Width, (int)rect.Height))
        {
            plot.Render(dry, (int)rect.Width, (int)rect.Height);
        }
        canvas.Save();
        canvas.Translate(rect.Left, rect.Top);
        canvas.ClipRect(new SKRect(0, 0, rect.Width, rect.Height));
        plot.Render(canvas, (int)rect.Width, (int)rect.Height);
        canvas.Restore();
    }

    private static Color SeriesColor(int index)
    {
        var c = PdfStyle.Series[index % PdfStyle.Series.Length];
        return new Color(c.Red, c.Green, c.Blue);
    }

    private static void Bars(Plot plot, ReportChart chart, bool horizontal)
    {
        var seriesCount = Math.Max(chart.Series.Count, 1);
        const double groupWidth = 0.8;
        var barWidth = groupWidth / seriesCount;
        var bars = new List<Bar>();
        for (var s = 0; s < chart.Series.Count; s++)
        {
            var values = chart.Series[s].Values;
            for (var i = 0; i < chart.Categories.Count && i < values.Count; i++)
            {
                // Horizontal rankings read top-down, so the first category is placed highest.
                var slot = horizontal ? chart.Categories.Count - 1 - i : i;
                bars.Add(new Bar
                {
                    Position = slot - groupWidth / 2 + barWidth * (s + 0.5),
                    Value = values[i],
                    ValueBase = chart.ValueFrom ?? 0,
                    Size = barWidth * 0.92,
                    FillColor = SeriesColor(s),
                    LineWidth = 0,
                    Orientation = horizontal ? Orientation.Horizontal : Orientation.Vertical,
                });
            }
        }
        var plottable = plot.Add.Bars(bars);
        plottable.Horizontal = horizontal;
        if (chart.ValueFrom is { } from && bars.Count > 0)
        {
            var top = Math.Max(bars.Max(b => b.Value), from + 1);
            if (horizontal)
            {
                plot.Axes.SetLimitsX(from, top + ((top - from) * 0.05));
            }
            else
            {
                plot.Axes.SetLimitsY(from, top + ((top - from) * 0.05));
            }
        }
        var positions = Enumerable.Range(0, chart.Categories.Count).Select(i => (double)(horizontal ? chart.Categories.Count - 1 - i : i)).ToArray();
        var ticks = new ScottPlot.TickGenerators.NumericManual(positions, chart.Categories.ToArray());
        if (horizontal)
        {
            plot.Axes.Left.TickGenerator = ticks;
            plot.Axes.Margins(left: 0);
            plot.Grid.YAxisStyle.IsVisible = false;
        }
        else
        {
            plot.Axes.Bottom.TickGenerator = ticks;
            plot.Axes.Margins(bottom: 0);
            plot.Grid.XAxisStyle.IsVisible = false;
        }
    }

    private static void Lines(Plot plot, ReportChart chart, SKTypeface typeface, float width)
    {
        for (var s = 0; s < chart.Series.Count; s++)
        {
            var values = chart.Series[s].Values.Take(chart.Categories.Count).ToArray();
            var xs = Enumerable.Range(0, values.Length).Select(i => (double)i).ToArray();
            var line = plot.Add.Scatter(xs, values, SeriesColor(s));
            line.LineWidth = 1.5f;
            line.MarkerSize = values.Length > 40 ? 0 : 3;
        }
        var positions = Enumerable.Range(0, chart.Categories.Count).Select(i => (double)i).ToArray();
        // Label every n-th category so the tick labels never run into each other (a month of days shows every third day).
        using var font = new SKFont(typeface, TickSize);
        var widest = chart.Categories.Select(c => font.MeasureText(c)).DefaultIfEmpty(0).Max() + TickSize;
        var step = Math.Max(1, (int)Math.Ceiling(chart.Categories.Count * widest / (width * 0.85)));
        var labels = chart.Categories.Select((c, i) => i % step == 0 ? c : "").ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
    }

    private static void Heatmap(Plot plot, ReportChart chart, SKTypeface typeface)
    {
        var all = chart.Series.SelectMany(s => s.Values).DefaultIfEmpty(0).ToList();
        var (min, max) = (all.Min(), all.Max());
        var rows = chart.Series.Count;
        for (var r = 0; r < rows; r++)
        {
            var values = chart.Series[r].Values;
            for (var c = 0; c < chart.Categories.Count && c < values.Count; c++)
            {
                // Drawn as rectangles (not ScottPlot's bitmap heatmap) so the PDF keeps vectors.
                var top = rows - r;
                var cell = plot.Add.Rectangle(c, c + 1, top - 1, top);
                cell.FillColor = Shade(max > min ? (values[c] - min) / (max - min) : 0);
                cell.LineColor = Colors.White;
                cell.LineWidth = 0.5f;
                if (rows * chart.Categories.Count <= 400)
                {
                    var label = plot.Add.Text(values[c].ToString("0.#", CultureInfo.InvariantCulture), c + 0.5, top - 0.5);
                    label.LabelStyle.Font = typeface;
                    label.LabelStyle.FontSize = 7;
                    label.LabelStyle.Alignment = Alignment.MiddleCenter;
                    label.LabelStyle.ForeColor = max > min && (values[c] - min) / (max - min) > 0.55 ? Colors.White : Color.FromHex("#1F2328");
                }
            }
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, chart.Categories.Count).Select(c => c + 0.5).ToArray(), chart.Categories.ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows).Select(r => rows - r - 0.5).ToArray(), chart.Series.Select(s => s.Name).ToArray());
        plot.Axes.SetLimits(0, chart.Categories.Count, 0, rows);
        plot.Grid.IsVisible = false;
    }

    /// <summary>White to the accent blue.</summary>
    private static Color Shade(double t)
    {
        t = Math.Clamp(t, 0, 1);
        static byte Mix(byte from, byte to, double t) => (byte)Math.Round(from + (to - from) * t);
        return new Color(Mix(0xF4, 0x08, t), Mix(0xF8, 0x45, t), Mix(0xFB, 0x94, t));
    }
}
