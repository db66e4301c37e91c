using System.Text;

namespace Hall.Server.Catalog;

/// <summary>
/// Pinyin initials of Chinese names, for the kiosk's search (不动产登记 → bdcdj). No pinyin package is served here, so
/// they are derived from GB2312: its 3,755 level-1 hanzi (rows 0xB0–0xD7) are ordered by pinyin, so the first code of
/// each initial letter gives the letter of every level-1 character. Level-2 hanzi are ordered by radical and characters
/// outside GB2312 have no order at all: those that occur in service-item and place names are listed. Characters with
/// several readings (多音字) get GB2312's one reading, so the phrases where it is wrong are listed. The admin can correct
/// any item's initials (the computed ones are a default).
/// </summary>
public static class PinyinInitials
{
    // The first GB2312 code of each initial (i, u, v begin no syllable).
    private static readonly (int Code, char Letter)[] Boundaries =
    [
        (0xB0A1, 'a'), (0xB0C5, 'b'), (0xB2C1, 'c'), (0xB4EE, 'd'), (0xB6EA, 'e'), (0xB7A2, 'f'), (0xB8C1, 'g'), (0xB9FE, 'h'),
        (0xBBF7, 'j'), (0xBFA6, 'k'), (0xC0AC, 'l'), (0xC2E8, 'm'), (0xC4C3, 'n'), (0xC5B6, 'o'), (0xC5BE, 'p'), (0xC6DA, 'q'),
        (0xC8BB, 'r'), (0xC8F6, 's'), (0xCBFA, 't'), (0xCDDA, 'w'), (0xCEF4, 'x'), (0xD1B9, 'y'), (0xD4D1, 'z'),
    ];

    private const int LastLevel1 = 0xD7F9;

    /// <summary>Level-2 hanzi and characters outside GB2312 that occur in item, ethnic-group and place names (each checked not to be level 1).</summary>
    private static readonly Dictionary<char, char> Listed = new()
    {
        ['仡'] = 'g',
        ['仫'] = 'm',
        ['佤'] = 'w',
        ['殡'] = 'b',
        ['珞'] = 'l',
        ['畲'] = 's',
        ['祜'] = 'h',
        ['禺'] = 'y',
        ['莘'] = 's',
        ['亳'] = 'b',
        ['婺'] = 'w',
        ['儋'] = 'd',
        ['蹊'] = 'x',
        ['珲'] = 'h',
        ['圳'] = 'z',
        ['泸'] = 'l',
        ['荥'] = 'x',
        ['郫'] = 'p',
        ['甬'] = 'y',
        ['邕'] = 'y',
        ['泾'] = 'j',
        ['汴'] = 'b',
        ['岷'] = 'm',
        ['瓯'] = 'o',
        ['婧'] = 'j',
        ['炅'] = 'j',
        ['钰'] = 'y',
        ['锂'] = 'l',
        ['钴'] = 'g',
        ['镉'] = 'g',
        ['萘'] = 'n',
        ['垸'] = 'y',
        ['圩'] = 'w',
        ['埇'] = 'y',
        ['濮'] = 'p',
        ['漯'] = 'l',
        ['鄢'] = 'y',
        ['淇'] = 'q',
        ['颍'] = 'y',
        ['谯'] = 'q',
        ['濉'] = 's',
        ['泗'] = 's',
        ['睢'] = 's',
        ['岱'] = 'd',
        ['崂'] = 'l',
        ['邳'] = 'p',
        ['沭'] = 's',
        ['莒'] = 'j',
        ['鄄'] = 'j',
        ['郓'] = 'y',
        ['鄞'] = 'y',
        ['衢'] = 'q',
        ['缙'] = 'j',
        ['邛'] = 'q',
        ['崃'] = 'l',
        ['阆'] = 'l',
        ['犍'] = 'q',
        ['邡'] = 'f',
        ['宕'] = 'd',
    };

    /// <summary>Phrases whose polyphonic character GB2312 reads wrongly for this phrase (重 z, 行 x, 长 c, 会 h, 调 d, 藏 c, 给 g …).</summary>
    private static readonly Dictionary<string, string> Phrases = new()
    {
        // 重 chóng (GB2312: zhòng)
        ["重新"] = "cx",
        ["重复"] = "cf",
        ["重建"] = "cj",
        ["重置"] = "cz",
        ["重办"] = "cb",
        ["重印"] = "cy",
        ["重签"] = "cq",
        ["重审"] = "cs",
        ["重组"] = "cz",
        ["重庆"] = "cq",
        ["重申"] = "cs",
        ["重修"] = "cx",
        // 行 háng (GB2312: xíng)
        ["银行"] = "yh",
        ["行业"] = "hy",
        ["行长"] = "hz",
        ["同行"] = "th",
        ["行情"] = "hq",
        ["各行各业"] = "ghgy",
        ["车行"] = "ch",
        // 长 zhǎng (GB2312: cháng)
        ["局长"] = "jz",
        ["家长"] = "jz",
        ["院长"] = "yz",
        ["校长"] = "xz",
        ["村长"] = "cz",
        ["增长"] = "zz",
        ["生长"] = "sz",
        ["成长"] = "cz",
        ["市长"] = "sz",
        ["县长"] = "xz",
        ["镇长"] = "zz",
        ["乡长"] = "xz",
        ["科长"] = "kz",
        ["处长"] = "cz",
        ["部长"] = "bz",
        ["厅长"] = "tz",
        ["组长"] = "zz",
        ["队长"] = "dz",
        ["站长"] = "zz",
        ["所长"] = "sz",
        ["班长"] = "bz",
        ["社长"] = "sz",
        ["董事长"] = "dsz",
        ["理事长"] = "lsz",
        ["会长"] = "hz",
        ["长大"] = "zd",
        ["助长"] = "zz",
        ["园长"] = "yz",
        // 会 kuài (GB2312: huì)
        ["会计"] = "kj",
        ["财会"] = "ck",
        // 调 tiáo (GB2312: diào)
        ["调解"] = "tj",
        ["调整"] = "tz",
        ["调节"] = "tj",
        ["协调"] = "xt",
        ["空调"] = "kt",
        ["调试"] = "ts",
        ["调控"] = "tk",
        ["调价"] = "tj",
        ["调剂"] = "tj",
        ["调和"] = "th",
        // 藏 zàng (GB2312: cáng)
        ["西藏"] = "xz",
        ["藏族"] = "zz",
        ["藏文"] = "zw",
        ["宝藏"] = "bz",
        // 给 jǐ (GB2312: gěi)
        ["给付"] = "jf",
        ["供给"] = "gj",
        ["补给"] = "bj",
        ["自给"] = "zj",
        ["配给"] = "pj",
        // 率 shuài (GB2312: lǜ)
        ["率先"] = "sx",
        ["表率"] = "bs",
        ["率领"] = "sl",
        // 校 jiào (GB2312: xiào)
        ["校对"] = "jd",
        ["校验"] = "jy",
        ["校正"] = "jz",
        ["校准"] = "jz",
        ["校核"] = "jh",
        // 传 zhuàn, 参 shēn, 曾 céng, 乐 yuè, 识 zhì, 奇 jī, 单 shàn, 省 xǐng, 降 xiáng, 便 pián
        ["传记"] = "zj",
        ["自传"] = "zz",
        ["人参"] = "rs",
        ["党参"] = "ds",
        ["曾经"] = "cj",
        ["未曾"] = "wc",
        ["不曾"] = "bc",
        ["音乐"] = "yy",
        ["乐器"] = "yq",
        ["乐团"] = "yt",
        ["标识"] = "bz",
        ["奇数"] = "js",
        ["单县"] = "sx",
        ["反省"] = "fx",
        ["投降"] = "tx",
        ["便宜"] = "py",
    };

    private static readonly int LongestPhrase = Phrases.Keys.Max(p => p.Length);

    private static readonly Encoding Gbk = CreateGbk();

    private static Encoding CreateGbk()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }

    /// <summary>
    /// Lower-case initials of a name: "不动产登记" → "bdcdj". Latin letters and digits are kept (lower-cased, full-width
    /// folded); punctuation and spaces are dropped; characters with no known reading are skipped.
    /// </summary>
    public static string Of(string name)
    {
        var text = name.Normalize(NormalizationForm.FormKC);
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length;)
        {
            if (PhraseAt(text, i) is { } phrase)
            {
                result.Append(Phrases[phrase]);
                i += phrase.Length;
                continue;
            }
            if (char.IsSurrogate(text[i]))
            {
                i += char.IsSurrogatePair(text, i) ? 2 : 1;
                continue;
            }
            if (LetterOf(text[i]) is { } letter)
            {
                result.Append(letter);
            }
            i++;
        }
        return result.ToString();
    }

    /// <summary>Whether a kiosk search matches an item: the query is part of its initials, or part of its name.</summary>
    public static bool Matches(string query, string name, string initials)
    {
        var q = query.Trim();
        return q.Length > 0
            && (initials.Contains(q, StringComparison.OrdinalIgnoreCase) || name.Contains(q, StringComparison.OrdinalIgnoreCase));
    }

    private static string? PhraseAt(string text, int start)
    {
        for (var length = Math.Min(LongestPhrase, text.Length - start); length >= 2; length--)
        {
            var candidate = text.Substring(start, length);
            if (Phrases.ContainsKey(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static char? LetterOf(char c)
    {
        if (char.IsAsciiLetterOrDigit(c))
        {
            return char.ToLowerInvariant(c);
        }
        if (Listed.TryGetValue(c, out var listed))
        {
            return listed;
        }
        if (c < 0x4E00 || c > 0x9FFF)
        {
            return null;
        }
        Span<byte> bytes = stackalloc byte[4];
        int count;
        try
        {
            count = Gbk.GetBytes([c], bytes);
        }
        catch (EncoderFallbackException)
        {
            return null;
        }
        if (count != 2)
        {
            return null;
        }
        var code = (bytes[0] << 8) | bytes[1];
        // Level 1 only: rows 0xB0–0xD7, cells 0xA1–0xFE. GBK's extensions are in no pinyin order.
        if (code < Boundaries[0].Code || code > LastLevel1 || bytes[1] < 0xA1)
        {
            return null;
        }
        var letter = Boundaries[0].Letter;
        foreach (var (start, l) in Boundaries)
        {
            if (code < start)
            {
                break;
            }
            letter = l;
        }
        return letter;
    }
}
