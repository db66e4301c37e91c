using System.Diagnostics;
using Hall.Server.Queue;
using SkiaSharp;

namespace Hall.Server.Reports.Pdf;

/// <summary>
/// The server's report font: the configured file (<see cref="FontPathKey"/>) or, when that is missing, a CJK font found on
/// the machine (<see cref="FontSearch"/>). Without one the hall runs on — tickets, calls, pages — and only reports are
/// refused with <see cref="Missing"/>, which says what to install; a font installed later is found within a minute.
/// </summary>
public sealed class ReportFont(IConfiguration config, ILogger<ReportFont> log) : IHostedService, IDisposable
{
    /// <summary>Setting holding the report font's path (e.g. C:\Windows\Fonts\msyh.ttc); <see cref="PdfFonts.DefaultPath"/> when unset.</summary>
    public const string FontPathKey = "Hall:Reports:FontPath";

    /// <summary>Setting: whether to look for a CJK font on the machine when the configured one is missing (true by default).</summary>
    public const string SearchKey = "Hall:Reports:FontSearch";

    public static readonly Refusal Missing = new("report_font_missing",
        "报表字体缺失：本机没有可用的中文字体，暂不能生成报表（取号、叫号等其他功能不受影响）。"
        + "请安装文泉驿微米黑（Debian/Ubuntu/统信/麒麟桌面版：apt-get install fonts-wqy-microhei；RHEL/openEuler/麒麟服务器版：dnf install wqy-microhei-fonts），"
        + "或在 Hall:Reports:FontPath 中指定中文 TrueType 字体的路径（如 C:\\Windows\\Fonts\\msyh.ttc）。",
        "The report font is missing: no Chinese font was found on this machine, so reports cannot be generated (tickets, calls and everything else work). "
        + "Install WenQuanYi Micro Hei (Debian/Ubuntu: apt-get install fonts-wqy-microhei; RHEL family: dnf install wqy-microhei-fonts) "
        + "or set Hall:Reports:FontPath to a Chinese TrueType font (e.g. C:\\Windows\\Fonts\\msyh.ttc).");

    /// <summary>Setting: the serif font 公文 (the bulletin and the year view) are set in; <see cref="PdfFonts.DefaultDocumentPath"/> when unset.</summary>
    public const string DocumentFontPathKey = "Hall:Reports:DocumentFontPath";

    /// <summary>Setting: the family of the face to draw in a font collection; <see cref="PdfFonts.DefaultDocumentFamily"/> when unset.</summary>
    public const string DocumentFontFamilyKey = "Hall:Reports:DocumentFontFamily";

    /// <summary>How long a failed search stands before the next request looks again (a font may have been installed meanwhile).</summary>
    private static readonly TimeSpan LookAgainAfter = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private PdfFonts? _fonts;
    private long? _lookedAt;

    /// <summary>The font reports are drawn with, or null when the machine has none (looked for again at most once a minute).</summary>
    public PdfFonts? Fonts
    {
        get
        {
            lock (_lock)
            {
                if (_fonts is null && (_lookedAt is not { } at || Stopwatch.GetElapsedTime(at) >= LookAgainAfter))
                {
                    var first = _lookedAt is null;
                    _lookedAt = Stopwatch.GetTimestamp();
                    _fonts = Find(first);
                }
                return _fonts;
            }
        }
    }

    private PdfFonts? _documentFonts;
    private long? _documentLookedAt;

    /// <summary>
    /// The serif font of 公文 bodies (GB/T 9704 asks for 仿宋/宋体 faces), or null when it is not installed: documents are then
    /// set in <see cref="Fonts"/> and the log says what to install. Looked for again at most once a minute.
    /// </summary>
    public PdfFonts? DocumentFonts
    {
        get
        {
            lock (_lock)
            {
                if (_documentFonts is null && (_documentLookedAt is not { } at || Stopwatch.GetElapsedTime(at) >= LookAgainAfter))
                {
                    var first = _documentLookedAt is null;
                    _documentLookedAt = Stopwatch.GetTimestamp();
                    var path = config[DocumentFontPathKey] is { Length: > 0 } p ? p : PdfFonts.DefaultDocumentPath;
                    var family = config[DocumentFontFamilyKey] is { Length: > 0 } f ? f : PdfFonts.DefaultDocumentFamily;
                    try
                    {
                        _documentFonts = File.Exists(path) ? PdfFonts.Load(path, family) : null;
                    }
                    catch (InvalidDataException e)
                    {
                        log.LogWarning("{Message}", e.Message);
                    }
                    if (_documentFonts is null && first)
                    {
                        log.LogWarning("公文正文字体缺失：找不到 {Path}，月通报与年度考核改用报表字体。请安装 fonts-noto-cjk 或设置 {Key}。 / The serif font for official documents is missing: "
                            + "{Path} not found, so bulletins are set in the report font. Install fonts-noto-cjk or set {Key}.", path, DocumentFontPathKey, path, DocumentFontPathKey);
                    }
                }
                return _documentFonts;
            }
        }
    }

    private PdfFonts? Find(bool first)
    {
        var configured = config[FontPathKey] is { Length: > 0 } path ? path : PdfFonts.DefaultPath;
        var found = FontSearch.Find(configured, config.GetValue(SearchKey, true));
        if (found is null)
        {
            if (first)
            {
                log.LogWarning("{Message} / {English} (looked for {Configured})", Missing.MessageZh, Missing.MessageEn, configured);
            }
            return null;
        }
        if (found.Path != configured)
        {
            log.Log(first ? LogLevel.Warning : LogLevel.Information,
                "Report font {Configured} not found; using {Found} instead{Outlines}", configured, found.Path,
                found.CompactOutlines ? " (CFF outlines: text copied out of a PDF may turn into look-alike characters; fonts-wqy-microhei is better)" : "");
        }
        return PdfFonts.Load(found.Path);
    }

    /// <summary>Looks for the font as the server starts, so a missing one is said once in the log right away.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Fonts;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _fonts?.Dispose();
        _documentFonts?.Dispose();
    }
}

/// <summary>Where a Chinese font may be on a server that lacks the configured one, in the order it is looked for.</summary>
public static class FontSearch
{
    public sealed record Found(string Path, bool CompactOutlines);

    /// <summary>Fonts of Debian/Ubuntu and the distributions built on it (统信 UOS, 深度, 优麒麟), of the RHEL family (openEuler, 麒麟 V10 server, Anolis) and of Windows.</summary>
    public static readonly IReadOnlyList<string> CommonPaths =
    [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
        "/usr/share/fonts/wqy-microhei-fonts/wqy-microhei.ttc",
        "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
        "/usr/share/fonts/wqy-zenhei-fonts/wqy-zenhei.ttc",
        "/usr/share/fonts/truetype/arphic/uming.ttc",
        "/usr/share/fonts/cjkuni-uming/uming.ttc",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        "/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf",
        "/usr/share/fonts/google-droid/DroidSansFallbackFull.ttf",
        @"C:\Windows\Fonts\msyh.ttc",
        @"C:\Windows\Fonts\simhei.ttf",
        @"C:\Windows\Fonts\simsun.ttc",
    ];

    /// <summary>Folders walked last, for fonts under names nobody listed (domestic distributions ship their own).</summary>
    public static readonly IReadOnlyList<string> FontFolders = ["/usr/share/fonts", "/usr/local/share/fonts"];

    private const int MostFilesWalked = 3000;

    /// <summary>
    /// The configured font when it exists; else (with <paramref name="search"/>) the first Chinese font of
    /// <see cref="Candidates"/> with TrueType outlines, or failing that the first with CFF outlines (it draws right, but text
    /// copied out of the PDF may come out as look-alike radicals). Null when there is none.
    /// </summary>
    public static Found? Find(string configured, bool search) =>
        Find(search ? Candidates(configured, FontConfigMatches(), FolderFonts()) : [configured], Probe);

    /// <summary>The first of <paramref name="candidates"/> that <paramref name="probe"/> finds with TrueType outlines, else the first with CFF ones.</summary>
    public static Found? Find(IEnumerable<string> candidates, Func<string, Found?> probe)
    {
        Found? compact = null;
        foreach (var path in candidates)
        {
            switch (probe(path))
            {
                case { CompactOutlines: false } found:
                    return found;
                case { } cff:
                    compact ??= cff;
                    break;
            }
        }
        return compact;
    }

    /// <summary>The configured path, then fontconfig's matches for Chinese, then <see cref="CommonPaths"/>, then the fonts in <see cref="FontFolders"/>; each once.</summary>
    public static IEnumerable<string> Candidates(string configured, IEnumerable<string> fontConfigMatches, IEnumerable<string> folderFonts) =>
        new[] { configured }.Concat(fontConfigMatches).Concat(CommonPaths).Concat(folderFonts).Distinct(StringComparer.Ordinal);

    /// <summary>The font at <paramref name="path"/> (face 0) if it exists and draws Chinese, and whether its outlines are CFF.</summary>
    public static Found? Probe(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        using var typeface = SKTypeface.FromFile(path, 0);
        if (typeface is null || typeface.GetGlyph('中') == 0 || typeface.GetGlyph('报') == 0)
        {
            return null;
        }
        return new Found(path, CompactOutlines: typeface.GetTableSize(Tag("glyf")) == 0);
    }

    private static uint Tag(string name) => (uint)(name[0] << 24 | name[1] << 16 | name[2] << 8 | name[3]);

    /// <summary>fontconfig's fonts for Chinese, best first (<c>fc-match -s :lang=zh</c>); none where fontconfig is not installed.</summary>
    private static List<string> FontConfigMatches()
    {
        if (OperatingSystem.IsWindows())
        {
            return [];
        }
        try
        {
            var info = new ProcessStartInfo("fc-match", ["-s", "--format=%{file}\\n", ":lang=zh"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info);
            if (process is null)
            {
                return [];
            }
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit(5000);
            // Past the first few the list goes on with every font of the machine, Chinese or not.
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(10).ToList();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return [];
        }
    }

    private static IEnumerable<string> FolderFonts() =>
        FontFolders.Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".ttf" or ".ttc" or ".otf" or ".otc")
            .Take(MostFilesWalked);
}
