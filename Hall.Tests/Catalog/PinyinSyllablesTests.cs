using System.Globalization;
using System.Text;
using Hall.Server.Catalog;
using Hall.Tests.Support;

namespace Hall.Tests.Catalog;

/// <summary>The full pinyin the kiosk search reads off GB2312, checked against Unicode's own readings (Unihan).</summary>
public sealed class PinyinSyllablesTests
{
    private const string Unihan = "/usr/share/unicode/Unihan_Readings.txt.bz2";

    [Test]
    public void Every_level_one_hanzi_has_a_syllable_that_Unihan_lists_for_it()
    {
        var readings = UnihanReadings();
        var checkedCount = 0;
        var wrong = new List<string>();
        foreach (var (c, syllable) in PinyinSyllables.Syllables)
        {
            checkedCount++;
            if (!readings.TryGetValue(c, out var listed) || !listed.Contains(syllable))
                wrong.Add($"{c} {syllable} (Unihan: {string.Join(' ', listed ?? [])})");
        }
        Assert.That(checkedCount, Is.EqualTo(3755), "every GB2312 level-1 hanzi");
        Assert.That(wrong, Has.Count.LessThanOrEqualTo(5), "derived syllables Unihan does not list:\n" + string.Join('\n', wrong));
        TestContext.Out.WriteLine($"{checkedCount} level-1 hanzi checked; {wrong.Count} differ from Unihan: {string.Join(", ", wrong)}");
    }

    [TestCase("社保", "she bao")]
    [TestCase("不动产登记", "bu dong chan deng ji")]
    [TestCase("绿色通道", "lv se tong dao")]
    [TestCase("银行卡", "yin hang ka")]
    [TestCase("重新办理", "chong xin ban li")]
    [TestCase("ETC办理（个人）", "e t c ban li  ge ren ")]
    public void A_name_reads_as_its_syllables(string name, string expected)
    {
        Assert.That(string.Join(' ', PinyinSyllables.Of(name)), Is.EqualTo(expected));
    }

    /// <summary>Each hanzi's toneless readings (ü as v) from kMandarin, kHanyuPinyin, kXHC1983 and kTGHZ2013.</summary>
    private static Dictionary<char, HashSet<string>> UnihanReadings()
    {
        if (!File.Exists(Unihan))
        {
            const string missing = "Unihan readings missing — install Debian's unicode-data (deploy/test.sh does).";
            if (PostgresCluster.OnCi)
                Assert.Fail(missing);
            Assert.Ignore(missing);
        }
        var readings = new Dictionary<char, HashSet<string>>();
        var bzip2 = new System.Diagnostics.ProcessStartInfo("bzip2", ["-dc", Unihan]) { RedirectStandardOutput = true, StandardOutputEncoding = Encoding.UTF8 };
        using var process = System.Diagnostics.Process.Start(bzip2)!;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            var fields = line.Split('\t');
            if (fields.Length != 3 || !fields[0].StartsWith("U+", StringComparison.Ordinal))
                continue;
            var code = int.Parse(fields[0][2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (code > 0xFFFF)
                continue;
            var values = fields[1] switch
            {
                "kMandarin" => fields[2].Split(' '),
                "kHanyuPinyin" or "kXHC1983" or "kTGHZ2013" => fields[2].Split(' ').SelectMany(e => e[(e.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(',')),
                _ => [],
            };
            foreach (var value in values)
            {
                if (!readings.TryGetValue((char)code, out var set))
                    readings[(char)code] = set = [];
                set.Add(Toneless(value));
            }
        }
        process.WaitForExit();
        return readings;
    }

    private static string Toneless(string reading)
    {
        var text = new StringBuilder();
        foreach (var c in reading.Normalize(NormalizationForm.FormD))
        {
            if (c == '\u0308')
                text[^1] = 'v';
            else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
                text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
