using SkiaSharp;

namespace Hall.Server.Reports.Pdf;

/// <summary>
/// The CJK font the PDF reports are drawn with, loaded by path (face 0 of a TrueType collection).
/// Load it once per process and share it: documents measure with it and embed a per-document subset of it.
/// </summary>
public sealed class PdfFonts : IDisposable
{
    /// <summary>Debian's fonts-wqy-microhei (TrueType outlines, so copied text stays the same characters).</summary>
    public const string DefaultPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

    /// <summary>
    /// Debian's fonts-noto-cjk: the serif face (宋体 style) that 公文 bodies are set in. Its outlines are CFF; the per-document
    /// subset holds only the document's characters, so copied text maps back to them (no look-alike radicals).
    /// </summary>
    public const string DefaultDocumentPath = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc";

    /// <summary>The face of <see cref="DefaultDocumentPath"/> drawn for Simplified Chinese.</summary>
    public const string DefaultDocumentFamily = "Noto Serif CJK SC";

    private PdfFonts(string path, int faceIndex, SKTypeface typeface)
    {
        Path = path;
        FaceIndex = faceIndex;
        Typeface = typeface;
    }

    /// <summary>The font file (.ttf, .ttc, .otf or .otc).</summary>
    public string Path { get; }

    /// <summary>The face of a collection that is drawn with (0 for a single font).</summary>
    public int FaceIndex { get; }

    /// <summary>The whole font, for measuring text; documents draw with a subset of it.</summary>
    internal SKTypeface Typeface { get; }

    /// <summary>Loads the font at <paramref name="path"/> (<see cref="DefaultPath"/> when null) or says in Chinese and English what is missing.</summary>
    public static PdfFonts Load(string? path = null) => Load(path, 0);

    /// <summary>Loads the face of the collection at <paramref name="path"/> whose family is <paramref name="family"/> (face 0 when none is).</summary>
    public static PdfFonts Load(string path, string family)
    {
        var index = 0;
        for (var i = 0; i < 16 && File.Exists(path); i++)
        {
            using var face = SKTypeface.FromFile(path, i);
            if (face is null)
            {
                break;
            }
            if (string.Equals(face.FamilyName, family, StringComparison.OrdinalIgnoreCase))
            {
                index = i;
                break;
            }
        }
        return Load(path, index);
    }

    private static PdfFonts Load(string? path, int faceIndex)
    {
        path ??= DefaultPath;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"报表字体缺失：找不到 {path}。请安装文泉驿微米黑（apt-get install fonts-wqy-microhei）或在设置中指定中文 TrueType 字体的路径。"
                + $" / The report font is missing: {path} not found. Install fonts-wqy-microhei or configure the path of a Chinese TrueType font.",
                path);
        }
        var typeface = SKTypeface.FromFile(path, faceIndex);
        // Without a CJK font Skia would silently draw boxes or nothing, so a font without Chinese is refused too.
        if (typeface is null || typeface.GetGlyph('中') == 0)
        {
            typeface?.Dispose();
            throw new InvalidDataException(
                $"报表字体不可用：{path} 不是含中文字形的 TrueType 字体。 / The report font is unusable: {path} is not a TrueType font with Chinese glyphs.");
        }
        return new PdfFonts(path, faceIndex, typeface);
    }

    public void Dispose() => Typeface.Dispose();
}
