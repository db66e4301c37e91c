using System.Diagnostics;
using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;

namespace Hall.Tests.Support;

/// <summary>
/// Reads a PDF back as a person sees it: per page, the text lines top to bottom, each split into its cells
/// (letters on one baseline; a new cell wherever the gap between letters is wider than <c>gapEm</c> em).
/// <code>
/// var pages = PdfText.Pages(pdf);
/// var row = PdfText.RowStartingWith(pages, "1号窗口");   // ["1号窗口", "128", "96.5%"]
/// </code>
/// </summary>
public static class PdfText
{
    /// <summary>Gaps wider than this (in em of the letter after it) start a new cell; the report's table cells are at least 1.2 em apart.</summary>
    public const double DefaultGapEm = 1.0;

    /// <summary>Every page's rows (see <see cref="Rows(Page, double)"/>).</summary>
    public static IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> Pages(byte[] pdf, double gapEm = DefaultGapEm)
    {
        using var document = PdfDocument.Open(pdf);
        return document.GetPages().Select(p => Rows(p, gapEm)).ToList();
    }

    /// <summary>
    /// The page's text lines in reading order (top to bottom), each as its cells left to right.
    /// Letters share a line when their baselines are within a fifth of their size; within a cell, a gap wider than
    /// a third of an em without a drawn space reads as one space.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Rows(Page page, double gapEm = DefaultGapEm)
    {
        var letters = page.Letters.Where(l => l.Value.Length > 0).OrderByDescending(l => l.StartBaseLine.Y).ToList();
        var lines = new List<List<Letter>>();
        foreach (var letter in letters)
        {
            var line = lines.Count > 0 ? lines[^1] : null;
            if (line is not null && Math.Abs(line[0].StartBaseLine.Y - letter.StartBaseLine.Y) <= Math.Max(line[0].PointSize, 1) * 0.2)
            {
                line.Add(letter);
            }
            else
            {
                lines.Add([letter]);
            }
        }
        return lines.Select(l => Cells(l.OrderBy(x => x.StartBaseLine.X).ToList(), gapEm)).Where(c => c.Count > 0).ToList();
    }

    /// <summary>Each row joined as its cells separated by " | ", for messages and quick contains-checks.</summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<IReadOnlyList<string>> rows) => rows.Select(r => string.Join(" | ", r)).ToList();

    /// <summary>The first row on any page whose first cell is <paramref name="firstCell"/>, or null.</summary>
    public static IReadOnlyList<string>? RowStartingWith(IEnumerable<IReadOnlyList<IReadOnlyList<string>>> pages, string firstCell) =>
        pages.SelectMany(p => p).FirstOrDefault(r => r.Count > 0 && r[0] == firstCell);

    private static List<string> Cells(List<Letter> line, double gapEm)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        Letter? previous = null;
        foreach (var letter in line)
        {
            if (previous is not null)
            {
                var gap = letter.StartBaseLine.X - previous.EndBaseLine.X;
                var em = Math.Max(letter.PointSize, 1);
                if (gap > gapEm * em)
                {
                    Flush();
                }
                else if (gap > em / 3 && !string.IsNullOrWhiteSpace(letter.Value) && !string.IsNullOrWhiteSpace(previous.Value))
                {
                    cell.Append(' ');
                }
            }
            cell.Append(letter.Value);
            previous = letter;
        }
        Flush();
        return cells;

        void Flush()
        {
            var text = cell.ToString().Trim();
            if (text.Length > 0)
            {
                cells.Add(text);
            }
            cell.Clear();
        }
    }

    /// <summary>
    /// Keeps the PDF and a PNG of each page (pdftoppm, from poppler-utils) under TestResults/pdf/ for a person to look at,
    /// and attaches them to the test. Without pdftoppm the test is ignored locally and fails when CI=true.
    /// </summary>
    public static IReadOnlyList<string> SavePages(byte[] pdf, string name, int dpi = 80)
    {
        const string pdftoppm = "/usr/bin/pdftoppm";
        var folder = Path.Combine(RepositoryRoot(), "TestResults", "pdf");
        Directory.CreateDirectory(folder);
        var pdfPath = Path.Combine(folder, name + ".pdf");
        File.WriteAllBytes(pdfPath, pdf);
        TestContext.AddTestAttachment(pdfPath, name);
        if (!File.Exists(pdftoppm))
        {
            const string missing = "pdftoppm is missing — install it with `apt-get install poppler-utils` (deploy/test.sh does).";
            if (PostgresCluster.OnCi)
            {
                Assert.Fail(missing);
            }
            Assert.Ignore(missing);
        }
        foreach (var old in Directory.GetFiles(folder, name + "-*.png"))
        {
            File.Delete(old);
        }
        var start = new ProcessStartInfo(pdftoppm) { RedirectStandardError = true };
        foreach (var arg in new[] { "-png", "-r", dpi.ToString(System.Globalization.CultureInfo.InvariantCulture), pdfPath, Path.Combine(folder, name) })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"pdftoppm: {errors}");
        var images = Directory.GetFiles(folder, name + "-*.png").Order(StringComparer.Ordinal).ToList();
        foreach (var image in images)
        {
            TestContext.AddTestAttachment(image, Path.GetFileName(image));
        }
        return images;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hall.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Hall.sln above {AppContext.BaseDirectory}.");
    }
}
