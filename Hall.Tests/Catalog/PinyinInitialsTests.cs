using System.Text;
using Hall.Server.Catalog;

namespace Hall.Tests.Catalog;

public sealed class PinyinInitialsTests
{
    // The first character of each initial in GB2312's pinyin-ordered level 1, as printed in the standard's table.
    private static readonly (string First, int Code, char Letter)[] Starts =
    [
        ("啊", 0xB0A1, 'a'), ("芭", 0xB0C5, 'b'), ("擦", 0xB2C1, 'c'), ("搭", 0xB4EE, 'd'), ("蛾", 0xB6EA, 'e'), ("发", 0xB7A2, 'f'),
        ("噶", 0xB8C1, 'g'), ("哈", 0xB9FE, 'h'), ("击", 0xBBF7, 'j'), ("喀", 0xBFA6, 'k'), ("垃", 0xC0AC, 'l'), ("妈", 0xC2E8, 'm'),
        ("拿", 0xC4C3, 'n'), ("哦", 0xC5B6, 'o'), ("啪", 0xC5BE, 'p'), ("期", 0xC6DA, 'q'), ("然", 0xC8BB, 'r'), ("撒", 0xC8F6, 's'),
        ("塌", 0xCBFA, 't'), ("挖", 0xCDDA, 'w'), ("昔", 0xCEF4, 'x'), ("压", 0xD1B9, 'y'), ("匝", 0xD4D1, 'z'),
    ];

    private static Encoding Gb2312()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB2312");
    }

    [Test]
    public void Each_initial_begins_where_the_standard_says_and_runs_to_the_next()
    {
        var gb = Gb2312();
        for (var i = 0; i < Starts.Length; i++)
        {
            var (first, code, letter) = Starts[i];
            Assert.That(gb.GetBytes(first), Is.EqualTo(new[] { (byte)(code >> 8), (byte)(code & 0xFF) }), $"{first} is at {code:X4}");
            Assert.That(PinyinInitials.Of(first), Is.EqualTo(letter.ToString()), first);
            // The last character before the next initial (the row's cells run 0xA1–0xFE).
            var next = i + 1 < Starts.Length ? Starts[i + 1].Code : 0xD7FA;
            var before = (next & 0xFF) == 0xA1 ? next - 0x100 + 0x5D : next - 1;
            var last = gb.GetString([(byte)(before >> 8), (byte)(before & 0xFF)]);
            Assert.That(PinyinInitials.Of(last), Is.EqualTo(letter.ToString()), $"{last} ({before:X4}) is still {letter}");
        }
    }

    [TestCase("不动产登记", "bdcdj")]
    [TestCase("城乡居民养老保险参保登记", "cxjmylbxcbdj")]
    [TestCase("营业执照办理", "yyzzbl")]
    [TestCase("户口迁移", "hkqy")]
    [TestCase("住房公积金提取", "zfgjjtq")]
    [TestCase("机动车驾驶证换证", "jdcjszhz")]
    [TestCase("个体工商户设立登记", "gtgshsldj")]
    [TestCase("医疗保险异地就医备案", "ylbxydjyba")]
    [TestCase("残疾人证办理", "cjrzbl")]
    [TestCase("居民身份证补领", "jmsfzbl")]
    [TestCase("婚姻登记", "hydj")]
    [TestCase("出生医学证明", "csyxzm")]
    [TestCase("社会保障卡挂失", "shbzkgs")]
    [TestCase("失业保险金申领", "sybxjsl")]
    [TestCase("食品经营许可", "spjyxk")]
    [TestCase("税务登记", "swdj")]
    [TestCase("发票领用", "fply")]
    [TestCase("契税缴纳", "qsjn")]
    [TestCase("最低生活保障", "zdshbz")]
    [TestCase("高龄津贴", "gljt")]
    [TestCase("收养登记", "sydj")]
    [TestCase("港澳通行证", "gatxz")]
    [TestCase("建筑工程施工许可", "jzgcsgxk")]
    [TestCase("排污许可", "pwxk")]
    [TestCase("法律援助", "flyz")]
    [TestCase("公证", "gz")]
    [TestCase("退役军人优待证", "tyjrydz")]
    public void A_county_halls_item_names_get_their_initials(string name, string initials) =>
        Assert.That(PinyinInitials.Of(name), Is.EqualTo(initials.Replace(" ", "", StringComparison.Ordinal)));

    [TestCase("银行账户", "yhzh")]
    [TestCase("重新申领", "cxsl")]
    [TestCase("重大事项", "zdsx")]
    [TestCase("行政许可", "xzxk")]
    [TestCase("局长信箱", "jzxx")]
    [TestCase("延长期限", "ycqx")]
    [TestCase("会计从业", "kjcy")]
    [TestCase("单位参保", "dwcb")]
    [TestCase("劳动争议调解", "ldzytj")]
    [TestCase("调动档案", "dd da")]
    [TestCase("养老金给付", "yljjf")]
    [TestCase("西藏", "xz")]
    [TestCase("社会保障卡银行卡", "shbzkyhk")]
    public void Phrases_with_characters_of_several_readings_take_the_reading_of_the_phrase(string name, string initials) =>
        Assert.That(PinyinInitials.Of(name), Is.EqualTo(initials.Replace(" ", "", StringComparison.Ordinal)));

    [TestCase("殡葬服务", "bzfw")]
    [TestCase("亳州", "bz")]
    [TestCase("深圳", "sz")]
    [TestCase("畲族", "sz")]
    [TestCase("泸州", "lz")]
    public void Characters_outside_level_one_are_known_from_the_list(string name, string initials) =>
        Assert.That(PinyinInitials.Of(name), Is.EqualTo(initials));

    [TestCase("ETC办理", "etcbl")]
    [TestCase("Ａ证（补领）", "azbl")]
    [TestCase("12345热线", "12345rx")]
    [TestCase("😀婚姻 登记！", "hydj")]
    [TestCase("𠀀户口", "hk")]
    [TestCase("", "")]
    public void Latin_letters_and_digits_stay_and_everything_else_without_a_reading_goes(string name, string initials) =>
        Assert.That(PinyinInitials.Of(name), Is.EqualTo(initials));

    [TestCase("bdc", true)]
    [TestCase("BDC", true)]
    [TestCase(" bdc ", true)]
    [TestCase("不动产", true)]
    [TestCase("dj", true)]
    [TestCase("xyz", false)]
    [TestCase("", false)]
    public void A_search_matches_part_of_the_initials_or_of_the_name(string query, bool matches) =>
        Assert.That(PinyinInitials.Matches(query, "不动产登记", PinyinInitials.Of("不动产登记")), Is.EqualTo(matches));
}
