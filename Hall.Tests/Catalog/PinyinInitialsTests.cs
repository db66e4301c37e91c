using System.Text;
using Hall.Server.Catalog;

namespace Hall.Tests.Catalog;

public sealed class PinyinInitialsTests
{
    private static readonly Encoding Gb2312 = CodePagesEncodingProvider.Instance.GetEncoding(936)!;

    private static int CodeOf(char hanzi)
    {
        var bytes = Gb2312.GetBytes(hanzi.ToString());
        return bytes.Length == 2 ? bytes[0] << 8 | bytes[1] : -1;
    }

    private static bool IsGb2312(int code) =>
        (code >> 8) is >= 0xA1 and <= 0xF7 && (code & 0xFF) is >= 0xA1 and <= 0xFE;

    private static bool IsLevelOne(char hanzi) => IsGb2312(CodeOf(hanzi)) && CodeOf(hanzi) is >= 0xB0A1 and <= 0xD7F9;

    [TestCase('啊', 0xB0A1, "a")]
    [TestCase('芭', 0xB0C5, "b")]
    [TestCase('擦', 0xB2C1, "c")]
    [TestCase('搭', 0xB4EE, "d")]
    [TestCase('蛾', 0xB6EA, "e")]
    [TestCase('发', 0xB7A2, "f")]
    [TestCase('噶', 0xB8C1, "g")]
    [TestCase('哈', 0xB9FE, "h")]
    [TestCase('击', 0xBBF7, "j")]
    [TestCase('喀', 0xBFA6, "k")]
    [TestCase('垃', 0xC0AC, "l")]
    [TestCase('妈', 0xC2E8, "m")]
    [TestCase('拿', 0xC4C3, "n")]
    [TestCase('哦', 0xC5B6, "o")]
    [TestCase('啪', 0xC5BE, "p")]
    [TestCase('期', 0xC6DA, "q")]
    [TestCase('然', 0xC8BB, "r")]
    [TestCase('撒', 0xC8F6, "s")]
    [TestCase('塌', 0xCBFA, "t")]
    [TestCase('挖', 0xCDDA, "w")]
    [TestCase('昔', 0xCEF4, "x")]
    [TestCase('压', 0xD1B9, "y")]
    [TestCase('匝', 0xD4D1, "z")]
    public void A_boundary_character_has_its_code_and_starts_its_letter(char hanzi, int code, string letter)
    {
        Assert.That(CodeOf(hanzi), Is.EqualTo(code), () => $"{hanzi} is {CodeOf(hanzi):X4}");
        Assert.That(PinyinInitials.Of(hanzi.ToString()), Is.EqualTo(letter));
        Assert.That(PinyinInitials.Boundaries, Does.Contain((code, letter[0])));
    }

    // The last level-1 character of each letter: the one just before the next boundary, and 座 at the end.
    [TestCase('澳', 0xB0C4, "a")]
    [TestCase('怖', 0xB2C0, "b")]
    [TestCase('错', 0xB4ED, "c")]
    [TestCase('堕', 0xB6E9, "d")]
    [TestCase('贰', 0xB7A1, "e")]
    [TestCase('咐', 0xB8C0, "f")]
    [TestCase('过', 0xB9FD, "g")]
    [TestCase('祸', 0xBBF6, "h")]
    [TestCase('骏', 0xBFA5, "j")]
    [TestCase('阔', 0xC0AB, "k")]
    [TestCase('络', 0xC2E7, "l")]
    [TestCase('穆', 0xC4C2, "m")]
    [TestCase('诺', 0xC5B5, "n")]
    [TestCase('沤', 0xC5BD, "o")]
    [TestCase('瀑', 0xC6D9, "p")]
    [TestCase('群', 0xC8BA, "q")]
    [TestCase('弱', 0xC8F5, "r")]
    [TestCase('所', 0xCBF9, "s")]
    [TestCase('唾', 0xCDD9, "t")]
    [TestCase('误', 0xCEF3, "w")]
    [TestCase('迅', 0xD1B8, "x")]
    [TestCase('孕', 0xD4D0, "y")]
    [TestCase('座', 0xD7F9, "z")]
    public void The_character_before_the_next_boundary_still_has_the_earlier_letter(char hanzi, int code, string letter)
    {
        Assert.That(CodeOf(hanzi), Is.EqualTo(code), () => $"{hanzi} is {CodeOf(hanzi):X4}");
        Assert.That(PinyinInitials.Of(hanzi.ToString()), Is.EqualTo(letter));
    }

    [Test]
    public void Every_level_one_character_has_a_letter()
    {
        var levelOne = PinyinInitials.Letters.Keys.Count(IsLevelOne);

        Assert.That(levelOne, Is.EqualTo(3755));
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
    [TestCase("食品经营许可证核发", "spjyxkzhf")]
    [TestCase("城乡居民最低生活保障", "cxjmzdshbz")]
    [TestCase("困难残疾人生活补贴和重度残疾人护理补贴", "kncjrshbthzdcjrhlbt")]
    [TestCase("失业保险金申领", "sybxjsl")]
    [TestCase("退休人员基本养老金领取资格认证", "txryjbyljlqzgrz")]
    [TestCase("无犯罪记录证明", "wfzjlzm")]
    [TestCase("往来港澳通行证签注", "wlgatxzqz")]
    [TestCase("机动车检验合格标志核发", "jdcjyhgbzhf")]
    [TestCase("个人所得税综合所得年度汇算", "grsdszhsdndhs")]
    [TestCase("增值税发票代开", "zzsfpdk")]
    [TestCase("高龄津贴申请", "gljtsq")]
    [TestCase("公共场所卫生许可证", "ggcswsxkz")]
    [TestCase("二手房交易登记", "esfjydj")]
    [TestCase("退役军人优待证申领", "tyjrydzsl")]
    [TestCase("灵活就业人员参保登记", "lhjyrycbdj")]
    [TestCase("个人参保证明打印", "grcbzmdy")]
    [TestCase("企业职工基本养老保险关系转移接续", "qyzgjbylbxgxzyjx")]
    [TestCase("门诊慢特病待遇认定", "mzmtbdyrd")]
    [TestCase("道路运输从业人员从业资格证", "dlyscyrycyzgz")]
    [TestCase("建设工程规划许可证", "jsgcghxkz")]
    [TestCase("流动人口居住证", "ldrkjzz")]
    [TestCase("法律援助申请", "flyzsq")]
    [TestCase("住房公积金贷款申请", "zfgjjdksq")]
    [TestCase("劳动人事争议仲裁", "ldrszyzc")]
    [TestCase("殡葬补贴", "bzbt")]
    public void A_county_hall_item_name_gives_its_initials(string name, string initials)
    {
        Assert.That(PinyinInitials.Of(name), Is.EqualTo(initials));
    }

    [TestCase("银行账户", "yhzh")]
    [TestCase("重新申领", "cxsl")]
    [TestCase("重大事项", "zdsx")]
    [TestCase("行政许可", "xzxk")]
    [TestCase("局长信箱", "jzxx")]
    [TestCase("延长期限", "ycqx")]
    [TestCase("会计从业", "kjcy")]
    [TestCase("单位参保", "dwcb")]
    [TestCase("银行卡激活", "yhkjh")]
    [TestCase("体重", "tz")]
    [TestCase("行政给付", "xzjf")]
    [TestCase("曾用名变更", "cymbg")]
    [TestCase("劳动争议调解", "ldzytj")]
    [TestCase("调档", "dd")]
    [TestCase("学校验收", "xxys")]
    [TestCase("计量器具校准", "jlqjjz")]
    [TestCase("执行业务", "zxyw")]
    [TestCase("种畜禽生产经营许可证", "zcqscjyxkz")]
    [TestCase("长者食堂", "zzst")]
    [TestCase("西藏", "xz")]
    [TestCase("重庆", "cq")]
    [TestCase("单县", "sx")]
    [TestCase("不动产幢号", "bdczh")]
    public void A_polyphonic_character_takes_the_reading_of_its_phrase(string name, string initials)
    {
        Assert.That(PinyinInitials.Of(name), Is.EqualTo(initials));
    }

    [TestCase("ETC办理", "etcbl")]
    [TestCase("A证", "az")]
    [TestCase("ＥＴＣ办理", "etcbl")]
    [TestCase("12345热线", "12345rx")]
    [TestCase("不动产登记（首次登记）", "bdcdjscdj")]
    [TestCase("《食品经营许可证》补办、换证", "spjyxkzbbhz")]
    [TestCase(" 户口 迁移 ", "hkqy")]
    [TestCase("", "")]
    public void Latin_letters_and_digits_are_kept_and_punctuation_dropped(string name, string initials)
    {
        Assert.That(PinyinInitials.Of(name), Is.EqualTo(initials));
    }

    [TestCase("殡葬服务", "bzfw")]
    [TestCase("深圳", "sz")]
    [TestCase("亳州", "bz")]
    [TestCase("儋州", "dz")]
    [TestCase("婺源", "wy")]
    [TestCase("珲春", "hc")]
    [TestCase("衢州", "qz")]
    [TestCase("东莞", "dg")]
    [TestCase("枸杞", "gq")]
    [TestCase("癫痫", "dx")]
    [TestCase("佤族", "wz")]
    [TestCase("鄠邑区", "hyq")]
    [TestCase("二〇二五年", "elewn")]
    public void A_character_outside_level_one_takes_its_letter_from_the_table(string name, string initials)
    {
        Assert.That(PinyinInitials.Of(name), Is.EqualTo(initials));
    }

    [TestCase("籍婴眷赡拟渝邯郸", "jyjsnyhd")]
    public void Level_one_characters_need_no_table(string name, string initials)
    {
        Assert.That(PinyinInitials.Of(name), Is.EqualTo(initials));
        Assert.That(name.All(IsLevelOne), Is.True);
    }

    [Test]
    public void A_character_with_no_known_reading_is_skipped()
    {
        Assert.That(PinyinInitials.Of("咬𬌗"), Is.EqualTo("y"));
    }

    [Test]
    public void The_level_two_table_lists_only_level_two_characters()
    {
        var notLevelTwo = PinyinInitials.LevelTwo
            .SelectMany(entry => entry.Hanzi)
            .Where(c => !IsGb2312(CodeOf(c)) || CodeOf(c) >> 8 < 0xD8)
            .ToList();

        Assert.That(notLevelTwo, Is.Empty);
    }

    [Test]
    public void The_outside_table_lists_only_characters_outside_gb2312()
    {
        var inGb2312 = PinyinInitials.OutsideGb2312
            .SelectMany(entry => entry.Hanzi)
            .Where(c => IsGb2312(CodeOf(c)))
            .ToList();

        Assert.That(inGb2312, Is.Empty);
    }

    [Test]
    public void Every_phrase_has_one_letter_per_character()
    {
        Assert.Multiple(() =>
        {
            foreach (var (phrase, initials) in PinyinInitials.Phrases)
            {
                Assert.That(initials, Does.Match("^[a-z]+$"), phrase);
                Assert.That(initials, Has.Length.EqualTo(phrase.Length), phrase);
                Assert.That(phrase.All(PinyinInitials.Letters.ContainsKey), Is.True, phrase);
            }
        });
    }

    [TestCase("bdc")]
    [TestCase("BDC")]
    [TestCase("不动产")]
    [TestCase("dj")]
    [TestCase("bdc dj")]
    [TestCase("ｂｄｃ")]
    [TestCase("")]
    public void A_query_matches_initials_or_part_of_the_name(string query)
    {
        Assert.That(PinyinInitials.Matches(query, "不动产登记", "bdcdj"), Is.True);
    }

    [TestCase("xyz")]
    [TestCase("户口")]
    [TestCase("bdcdjx")]
    public void A_query_that_is_in_neither_does_not_match(string query)
    {
        Assert.That(PinyinInitials.Matches(query, "不动产登记", "bdcdj"), Is.False);
    }

    [Test]
    public void A_latin_query_matches_latin_in_the_name()
    {
        Assert.That(PinyinInitials.Matches("etc", "ETC办理", PinyinInitials.Of("ETC办理")), Is.True);
    }
}
