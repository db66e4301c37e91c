using System.Runtime.InteropServices;

namespace Hall.Server.Reports.Pdf;

/// <summary>
/// Cuts a font down to the characters a document uses, with HarfBuzz's hb_subset (exported by libHarfBuzzSharp),
/// because Skia's PDF backend would otherwise embed the whole 2 MB+ CJK font in every report.
/// </summary>
internal static class FontSubset
{
    private const string HarfBuzz = "libHarfBuzzSharp";
    // HB_SUBSET_FLAGS_NO_HINTING: a PDF viewer does not need TrueType hinting instructions.
    private const uint NoHinting = 0x1;

    /// <summary>A TrueType font holding only <paramref name="codePoints"/> of face <paramref name="faceIndex"/> of the font file.</summary>
    public static byte[] Subset(string fontPath, int faceIndex, IEnumerable<int> codePoints)
    {
        var blob = hb_blob_create_from_file_or_fail(System.Text.Encoding.UTF8.GetBytes(fontPath + "\0"));
        if (blob == IntPtr.Zero)
        {
            throw new IOException($"HarfBuzz cannot read the font {fontPath}.");
        }
        var face = hb_face_create(blob, (uint)faceIndex);
        var input = hb_subset_input_create_or_fail();
        var subset = IntPtr.Zero;
        var result = IntPtr.Zero;
        try
        {
            if (input == IntPtr.Zero)
            {
                throw new InvalidOperationException("HarfBuzz could not create a subset input.");
            }
            var unicodes = hb_subset_input_unicode_set(input);
            foreach (var codePoint in codePoints)
            {
                hb_set_add(unicodes, (uint)codePoint);
            }
            hb_subset_input_set_flags(input, NoHinting);
            subset = hb_subset_or_fail(face, input);
            if (subset == IntPtr.Zero)
            {
                throw new InvalidOperationException($"HarfBuzz could not subset the font {fontPath}.");
            }
            result = hb_face_reference_blob(subset);
            var data = hb_blob_get_data(result, out var length);
            var bytes = new byte[length];
            Marshal.Copy(data, bytes, 0, (int)length);
            return bytes;
        }
        finally
        {
            hb_blob_destroy(result);
            hb_face_destroy(subset);
            hb_subset_input_destroy(input);
            hb_face_destroy(face);
            hb_blob_destroy(blob);
        }
    }

    [DllImport(HarfBuzz, ExactSpelling = true)]
    private static extern IntPtr hb_blob_create_from_file_or_fail(byte[] utf8FileName);

    [DllImport(HarfBuzz, ExactSpelling = true)]
    private static extern IntPtr hb_face_create(IntPtr blob, uint index);

    [DllImport(HarfBuzz, ExactSpelling = true)]
    private static extern IntPtr hb_subset_input_create_or_fail();

    [DllImport(HarfBuzz, ExactSpelling = true)]
    private static extern IntPtr hb_subset_input_unicode_set(IntPtr input);

    [DllImport(HarfBuzz, ExactSpelling = true)]
    private static extern void hb_subset_input_set_flags(IntPtr input, uint flags);

    [DllImport(HarfBuzz, ExactSpelling = true)]
    private static extern void hb_set_add(IntPtr set, uint codePoint);

    [DllImport(HarfBuzz, ExactSpelling = true)]
    private static extern IntPtr hb_subset_or_fail(IntPtr face, IntPtr input);

    [DllImport(HarfBuzz, ExactSpelling = true)]
    private static extern IntPtr hb_face_reference_blob(IntPtr face);

    [DllImport(HarfBuzz, ExactSpelling = true)]
    private static extern IntPtr hb_blob_get_data(IntPtr blob, out uint length);

    [DllImport(HarfBuzz, ExactSpelling = true)]
    private static extern void hb_subset_input_destroy(IntPtr input);

    [DllImport(HarfBuzz, ExactSpelling = true)]
    private static extern void hb_face_destroy(IntPtr face);

    [DllImport(HarfBuzz, ExactSpelling = true)]
    private static extern void hb_blob_destroy(IntPtr blob);
}
