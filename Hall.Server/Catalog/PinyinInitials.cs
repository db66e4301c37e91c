using System.Collections.Frozen;
using System.Text;

namespace Hall.Server.Catalog;

/// <summary>Pinyin initials of item names, so that a citizen can find 不动产登记 at the kiosk by typing "bdc".</summary>
/// <remarks>
/// .NET ships no pinyin data, but it ships GB2312, whose 3,755 level-1 hanzi (rows 0xB0–0xD7) are sorted by
/// pinyin: the first code of each initial letter gives the initial of every level-1 character. Level-2 hanzi
/// (rows 0xD8–0xF7) are sorted by radical, so those that occur in item and place names are listed by hand, as
/// are a few outside GB2312. GB2312 sorts a polyphonic character under one reading; phrases give the reading
/// an item name means where that one is wrong (银行 is yh, not yx).
/// </remarks>
public static class PinyinInitials
{
    /// <summary>Lower-case initials of a Chinese name for kiosk search: "不动产登记" → "bdcdj". Latin letters and digits are kept (lower-cased); punctuation and spaces dropped; characters with no known reading are skipped.</summary>
    public static string Of(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // NFKC turns full-width ＥＴＣ and １２ (typed with a Chinese input method) into ETC and 12.
        var text = name.Normalize(NormalizationForm.FormKC);
        var initials = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (TryPhrase(text.AsSpan(i), out var phraseLength, out var phraseInitials))
            {
                initials.Append(phraseInitials);
                i += phraseLength;
                continue;
            }

            var c = text[i++];
            if (char.IsAsciiLetterOrDigit(c))
                initials.Append(char.ToLowerInvariant(c));
            else if (Letters.TryGetValue(c, out var letter))
                initials.Append(letter);
        }

        return initials.ToString();
    }

    /// <summary>Whether a search query (initials or part of the Chinese name, case-insensitive) matches an item name/initials: used by the kiosk search.</summary>
    public static bool Matches(string query, string name, string initials)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(initials);
        var typed = string.Concat(query.Normalize(NormalizationForm.FormKC).Where(c => !char.IsWhiteSpace(c)));
        return typed.Length == 0
            || name.Contains(typed, StringComparison.OrdinalIgnoreCase)
            || initials.Contains(typed, StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryPhrase(ReadOnlySpan<char> rest, out int length, out string initials)
    {
        for (length = Math.Min(MaxPhraseLength, rest.Length); length > 0; length--)
        {
            if (PhraseLookup.TryGetValue(rest[..length], out var found))
            {
                initials = found;
                return true;
            }
        }

        initials = "";
        return false;
    }

    /// <summary>The first GB2312 code of each initial letter in level 1; no syllable starts with i, u or v.</summary>
    internal static readonly (int Code, char Letter)[] Boundaries =
    [
        (0xB0A1, 'a'), (0xB0C5, 'b'), (0xB2C1, 'c'), (0xB4EE, 'd'), (0xB6EA, 'e'), (0xB7A2, 'f'),
        (0xB8C1, 'g'), (0xB9FE, 'h'), (0xBBF7, 'j'), (0xBFA6, 'k'), (0xC0AC, 'l'), (0xC2E8, 'm'),
        (0xC4C3, 'n'), (0xC5B6, 'o'), (0xC5BE, 'p'), (0xC6DA, 'q'), (0xC8BB, 'r'), (0xC8F6, 's'),
        (0xCBFA, 't'), (0xCDDA, 'w'), (0xCEF4, 'x'), (0xD1B9, 'y'), (0xD4D1, 'z'),
    ];

    /// <summary>The last level-1 code: D7FA–D7FE are empty.</summary>
    internal const int LastLevelOneCode = 0xD7F9;

    /// <summary>
    /// Level-2 hanzi by initial. Derived by encoding the characters of a vocabulary of county-hall item names
    /// (民政, 殡葬, 医保 diseases, 农业 livestock and crops, 中药材, 危化品, 建设, 食品) and of place names (provinces,
    /// prefectures, the counties and districts whose names are not all level 1, the 56 ethnic groups) and keeping
    /// those GB2312 puts in rows 0xD8–0xF7; the letter is the reading those names use (黄陂 pí, 东莞 guǎn, 筠连 jūn,
    /// 犍为 qián, 莘县 shēn, 荥阳 xíng, 枞阳 zōng, 伽师 jiā, 荨麻疹 xún, 圩区 wéi).
    /// </summary>
    internal static readonly (char Letter, string Hanzi)[] LevelTwo =
    [
        ('a', "桉鹌坳岙庵瑷"),
        ('b', "殡槟钯钚铋亳璧碚濞灞"),
        ('c', "痤鹑氚辍娼祠汊茌禅岑"),
        ('d', "癫耋疸癜骶貂氡碲渎埭垌凼岱砀宕儋棣"),
        ('e', "腭鳄"),
        ('f', "痱茯舫翡麸邡孚"),
        ('g', "胱睾鳏蚣鳜鲑钴镉锆矸酐枸橄珙莞仡"),
        ('h', "颌踝鼾馄斛茴泓珲桦邗潢濠湟祜"),
        ('j', "腱睑瘠橘蚧鲫肼镓柩羁豇茭岬蛟暨缙旌泾莒鄄郏筠迦伽"),
        ('k', "髋稞崆"),
        ('l', "殓遴娌瘘鲢鲈锂苓醪榄垅溧崂漯栾醴耒浏澧泸崃阆蔺蒗麟岚珞"),
        ('m', "耄猕蟒牦钼苜螨莓沐峁渑汨湄谟勐岷仫"),
        ('n', "楠黏讷"),
        ('o', "瓯"),
        ('p', "疱嫖邳鄱濮陂郫"),
        ('q', "蚯鳅荞芪芡葺淇杞湫衢朐蕲綦邛犍阡麒岐耆"),
        ('r', "饪榕"),
        ('s', "疝痧麝鳝狩孀塾葚铯蛳祀泗沭睢嵊歙濉莘嵩鄯畲"),
        ('t', "豚铊钛砼饨郯滕潼洮峒"),
        ('w', "猬蜈圩鹉婺汶佤"),
        ('x', "痫蜥溴氙籼芎蓿榭荨蹊盱淅浠溆荥"),
        ('y', "癔疣垸蜴蚓鳙氩铟窨檐腌薏苡萸柚莜鹦茔塬眙鄞颍黟弋郓兖峄鄢偃郾沅攸禺邕蓥驿晏"),
        ('z', "妯姊苎雉鳟酯蛭粽茱赈榛楂渚柘诏陟秭芷圳浈梓枞"),
    ];

    /// <summary>Characters outside GB2312 (encoded by GBK only) that occur in place names, and 〇 of dates.</summary>
    internal static readonly (char Letter, string Hanzi)[] OutsideGb2312 =
    [
        ('d', "氹"),  // 氹仔
        ('h', "鄠"),  // 鄠邑区
        ('j', "滘"),  // 道滘镇
        ('l', "〇"),
        ('q', "硚"),  // 硚口区
        ('s', "浉"),  // 浉河区
        ('x', "猇"),  // 猇亭区
        ('y', "埇"),  // 埇桥区
    ];

    /// <summary>
    /// Phrases whose initials differ from the per-character letters, the longest applied first, left to right.
    /// Chosen by going through the polyphonic characters of government vocabulary and keeping the words where
    /// the reading GB2312 sorts by is wrong (重 zhòng, 行 xíng, 长 cháng, 会 huì, 调 diào, 乐 lè, 给 gěi, 校 xiào,
    /// 曾 zēng, 藏 cáng, 畜 xù …). A few phrases only repeat what GB2312 gives: they take their characters first so
    /// that a neighbouring phrase cannot (执行业务 is not 执 + 行业, 学校验收 is not 学 + 校验).
    /// 人参 is left out on purpose: it would turn every 个人参保 into grsb.
    /// </summary>
    internal static readonly FrozenDictionary<string, string> Phrases = new Dictionary<string, string>
    {
        // 重 zhòng → chóng
        ["重新"] = "cx",
        ["重复"] = "cf",
        ["重建"] = "cj",
        ["重置"] = "cz",
        ["重办"] = "cb",
        ["重申"] = "cs",
        ["重组"] = "cz",
        ["重婚"] = "ch",
        ["重叠"] = "cd",
        ["重名"] = "cm",
        ["重审"] = "cs",
        ["重填"] = "ct",
        ["重签"] = "cq",
        ["重启"] = "cq",
        ["重修"] = "cx",
        ["重整"] = "cz",
        ["重印"] = "cy",
        ["重阳"] = "cy",
        ["重庆"] = "cq",
        ["双重"] = "sc",
        // 行 xíng → háng
        ["银行"] = "yh",
        ["行业"] = "hy",
        ["行长"] = "hz",
        ["同行"] = "th",
        ["开户行"] = "khh",
        ["各行各业"] = "ghgy",
        // xíng as GB2312 has it: listed so that 行业 and 行长 cannot take their 行
        ["执行"] = "zx",
        ["发行"] = "fx",
        ["进行"] = "jx",
        ["运行"] = "yx",
        ["实行"] = "sx",
        ["施行"] = "sx",
        ["试行"] = "sx",
        ["履行"] = "lx",
        ["旅行"] = "lx",
        ["通行"] = "tx",
        ["自行"] = "zx",
        ["出行"] = "cx",
        ["举行"] = "jx",
        ["现行"] = "xx",
        ["暂行"] = "zx",
        ["先行"] = "xx",
        // so that 同行 cannot take the 同 of 共同行使
        ["共同"] = "gt",
        // 长 cháng → zhǎng
        ["局长"] = "jz",
        ["家长"] = "jz",
        ["院长"] = "yz",
        ["校长"] = "xz",
        ["村长"] = "cz",
        ["县长"] = "xz",
        ["市长"] = "sz",
        ["处长"] = "cz",
        ["科长"] = "kz",
        ["园长"] = "yz",
        ["董事长"] = "dsz",
        ["理事长"] = "lsz",
        ["秘书长"] = "msz",
        ["船长"] = "cz",
        ["增长"] = "zz",
        ["生长"] = "sz",
        ["成长"] = "cz",
        ["长者"] = "zz",
        ["长辈"] = "zb",
        ["长子"] = "zz",
        ["长女"] = "zn",
        ["兄长"] = "xz",
        // so that 家长 and 市长 cannot take the 家 of 国家长期 or the 市 of 城市长途
        ["国家"] = "gj",
        ["城市"] = "cs",
        // 会 huì → kuài
        ["会计"] = "kj",
        ["财会"] = "ck",
        // 调 diào → tiáo
        ["调解"] = "tj",
        ["调整"] = "tz",
        ["调剂"] = "tj",
        ["调休"] = "tx",
        ["调控"] = "tk",
        ["调节"] = "tj",
        ["调价"] = "tj",
        ["调试"] = "ts",
        ["调味"] = "tw",
        ["调料"] = "tl",
        ["调和"] = "th",
        ["调理"] = "tl",
        ["调处"] = "tc",
        ["空调"] = "kt",
        ["协调"] = "xt",
        ["失调"] = "st",
        // 传 chuán → zhuàn; 藏 cáng → zàng; 省 shěng → xǐng; 曾 zēng → céng
        ["传记"] = "zj",
        ["自传"] = "zz",
        ["西藏"] = "xz",
        ["藏族"] = "zz",
        ["藏语"] = "zy",
        ["反省"] = "fx",
        // so that 反省 cannot take the 反 of 违反省级
        ["违反"] = "wf",
        ["曾经"] = "cj",
        ["曾用名"] = "cym",
        ["未曾"] = "wc",
        ["不曾"] = "bc",
        // 乐 lè → yuè
        ["音乐"] = "yy",
        ["乐器"] = "yq",
        ["乐团"] = "yt",
        ["乐队"] = "yd",
        ["声乐"] = "sy",
        ["器乐"] = "qy",
        ["乐曲"] = "yq",
        ["乐谱"] = "yp",
        ["乐理"] = "yl",
        ["弦乐"] = "xy",
        ["交响乐"] = "jxy",
        // so that 乐团 and 乐器 cannot take the 乐 of 娱乐团体
        ["娱乐"] = "yl",
        // 给 gěi → jǐ
        ["给付"] = "jf",
        ["供给"] = "gj",
        ["给予"] = "jy",
        ["给水"] = "js",
        // so that 供给 cannot take the 供 of 提供给
        ["提供"] = "tg",
        // 校 xiào → jiào
        ["校对"] = "jd",
        ["校验"] = "jy",
        ["校正"] = "jz",
        ["校准"] = "jz",
        ["校订"] = "jd",
        ["校核"] = "jh",
        ["校勘"] = "jk",
        ["校样"] = "jy",
        // so that 校验 and 校对 cannot take the 校 of 学校验收
        ["学校"] = "xx",
        ["高校"] = "gx",
        ["院校"] = "yx",
        ["驾校"] = "jx",
        ["技校"] = "jx",
        ["党校"] = "dx",
        // 畜 xù → chù
        ["畜禽"] = "cq",
        ["牲畜"] = "sc",
        ["种畜"] = "zc",
        ["役畜"] = "yc",
        // 幢 is sorted as chuáng (经幢); property registers mean zhuàng (幢号)
        ["幢"] = "z",
        ["卒中"] = "cz",
        ["膀胱"] = "pg",
        ["大厦"] = "ds",
        ["湖泊"] = "hp",
        ["钥匙"] = "ys",
        ["弹性"] = "tx",
        ["阿胶"] = "ej",
        ["白术"] = "bz",
        ["苍术"] = "cz",
        ["粘土"] = "nt",
        ["曝光"] = "bg",
        ["囤积"] = "tj",
        // place names read otherwise than the characters alone
        ["单县"] = "sx",
        ["乐清"] = "yq",
        ["涡阳"] = "gy",
        ["铅山"] = "ys",
        ["费县"] = "bx",
        ["浚县"] = "xx",
        ["泌阳"] = "by",
        ["番禺"] = "py",
        ["大埔"] = "db",
        ["尉犁"] = "yl",
        ["蔚县"] = "yx",
        ["洪洞"] = "ht",
        ["繁峙"] = "fs",
        ["荥经"] = "yj",
        ["东阿"] = "de",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> PhraseLookup =
        Phrases.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly int MaxPhraseLength = Phrases.Keys.Max(p => p.Length);

    /// <summary>GB2312 as .NET provides it (code page 936, a superset that agrees with GB2312 on GB2312's codes).</summary>
    internal static Encoding Gb2312 { get; } =
        CodePagesEncodingProvider.Instance.GetEncoding(936, EncoderFallback.ReplacementFallback, DecoderFallback.ExceptionFallback)
        ?? throw new InvalidOperationException("Code page 936 is not available.");

    /// <summary>The initial of every character with a known reading: level 1 read off GB2312, then the hand-made tables.</summary>
    internal static readonly FrozenDictionary<char, char> Letters = BuildLetters();

    private static FrozenDictionary<char, char> BuildLetters()
    {
        var letters = new Dictionary<char, char>();
        Span<byte> code = stackalloc byte[2];
        Span<char> decoded = stackalloc char[2];
        var boundary = 0;
        for (var value = Boundaries[0].Code; value <= LastLevelOneCode; value++)
        {
            // Each row holds cells A1–FE.
            if ((value & 0xFF) is < 0xA1 or > 0xFE)
                continue;
            while (boundary + 1 < Boundaries.Length && value >= Boundaries[boundary + 1].Code)
                boundary++;
            code[0] = (byte)(value >> 8);
            code[1] = (byte)value;
            if (Gb2312.GetChars(code, decoded) == 1)
                letters.Add(decoded[0], Boundaries[boundary].Letter);
        }

        foreach (var (letter, hanzi) in LevelTwo.Concat(OutsideGb2312))
        {
            foreach (var c in hanzi)
                letters.Add(c, letter);
        }

        return letters.ToFrozenDictionary();
    }
}
