extern alias kiosk;
using kiosk::Hall.Kiosk.Printing;
using static Hall.Tests.Kiosk.EscPosDecoder;

namespace Hall.Tests.Kiosk;

public sealed class EscPosTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    // 01:05 UTC is 09:05 in the hall: the printed time is the hall's.
    private static TicketPrint Sample(string? priority = "70岁以上老人", string? url = "https://hall.example.gov.cn/t/abcdefghjkmnpqrs") => new(
        "新县市民之家", "不动产登记", "C012", 4, 10, new DateTimeOffset(2026, 11, 30, 1, 5, 0, TimeSpan.Zero), Shanghai, priority, url, "请留意叫号，过号请到服务台咨询");

    private static List<string> Lines(List<Element> elements) => [.. elements.OfType<Text>().Select(t => t.Value).Where(v => v.Length > 0)];

    [Test]
    public void A_ticket_prints_the_hall_the_service_and_the_number_large_then_the_queue_the_time_the_QR_and_the_footer_then_cuts()
    {
        var elements = Decode(EscPos.Encode(Sample()));

        Assert.That(elements[0], Is.TypeOf<Initialise>());
        Assert.That(Lines(elements), Is.EqualTo(new[]
        {
            "新县市民之家", "不动产登记", "C012", "【优先】70岁以上老人", "前面还有 4 人", "预计等候约 10 分钟", "取号时间 2026-11-30 09:05", "扫码查看排队进度", "请留意叫号，过号请到服务台咨询",
        }));
        var number = elements.OfType<Text>().Single(t => t.Value == "C012");
        Assert.That((number.DoubleWidthAndHeight, number.Bold, number.Align), Is.EqualTo((true, true, 1)), "the number in double size, bold, centred");
        Assert.That(elements.OfType<Text>().Where(t => t.Value != "C012").Select(t => t.Size), Has.All.Zero, "only the number is large");
        Assert.That(elements.OfType<Text>().Single(t => t.Value == "新县市民之家").Bold, Is.True);
        var qr = elements.OfType<Qr>().Single();
        Assert.That(qr, Is.EqualTo(new Qr("https://hall.example.gov.cn/t/abcdefghjkmnpqrs", 2, 6, 'M')));
        Assert.That(elements.IndexOf(qr), Is.GreaterThan(elements.FindIndex(e => e is Text { Value: "取号时间 2026-11-30 09:05" })));
        Assert.That(elements[^1], Is.EqualTo(new Cut(66)), "ends with a partial cut");
        Assert.That(elements[^2], Is.TypeOf<Feed>(), "fed to the cutter first");
    }

    [Test]
    public void A_normal_ticket_has_no_priority_mark_and_without_a_tracking_address_no_QR()
    {
        var elements = Decode(EscPos.Encode(Sample(priority: null, url: null)));

        Assert.That(Lines(elements), Has.None.Contains("优先").And.None.Contains("扫码"));
        Assert.That(elements.OfType<Qr>(), Is.Empty);
        Assert.That(elements[^1], Is.TypeOf<Cut>());
    }

    [Test]
    public void A_booking_s_ticket_prints_its_slot_under_the_number_and_a_latecomer_s_says_it_queues_as_a_walk_in()
    {
        var slot = new kiosk::Hall.Server.Contracts.BookedSlot("ABCD-EFGH", new DateOnly(2026, 11, 30), new TimeOnly(10, 30), new TimeOnly(11, 0), Late: false);
        var onTime = Decode(EscPos.Encode(Sample(priority: null) with { BookingLine = kiosk::Hall.Kiosk.Agent.TicketDesk.BookingLine(slot) }));
        var late = Lines(Decode(EscPos.Encode(Sample(priority: null) with { BookingLine = kiosk::Hall.Kiosk.Agent.TicketDesk.BookingLine(slot with { Late = true }) })));

        Assert.That(Lines(onTime).Take(4), Is.EqualTo(new[] { "新县市民之家", "不动产登记", "C012", "【预约】10:30–11:00" }));
        Assert.That(onTime.OfType<Text>().Single(t => t.Value.StartsWith("【预约】", StringComparison.Ordinal)).Bold, Is.True);
        Assert.That(late[3], Is.EqualTo("【预约】10:30 预约已过签到时间，按现场号排队"));
        Assert.That(Lines(Decode(EscPos.Encode(Sample(priority: null)))), Has.None.Contains("预约"), "a walk-in's ticket says nothing of bookings");
    }

    [Test]
    public void Nobody_ahead_reads_as_watch_for_the_call_and_rare_characters_survive_GB18030()
    {
        var ticket = Sample() with { PeopleAhead = 0, EstimatedWaitMinutes = 0, HallName = "𠀀㐀镇便民服务中心" };

        var lines = Lines(Decode(EscPos.Encode(ticket)));

        Assert.That(lines, Does.Contain("请留意叫号").And.Contain("前面还有 0 人"));
        Assert.That(lines[0], Is.EqualTo("𠀀㐀镇便民服务中心"), "characters outside GB2312 print from GB18030's four-byte range");
    }

    [Test]
    public void With_no_window_serving_the_ticket_says_so_instead_of_minutes()
    {
        var ticket = Sample() with { PeopleAhead = 6, EstimatedWaitMinutes = null };

        var lines = Lines(Decode(EscPos.Encode(ticket)));

        Assert.That(lines, Does.Contain("前面还有 6 人").And.Contain("暂无窗口办理"));
        Assert.That(lines, Has.None.Contains("分钟"));
    }

    [Test]
    public void A_control_character_in_a_name_prints_as_a_space_and_never_as_a_command()
    {
        var ticket = Sample() with { ServiceName = "社保\u001Bi业务\u001DV" };

        var lines = Lines(Decode(EscPos.Encode(ticket)));

        Assert.That(lines, Does.Contain("社保 i业务 V"));
    }

    [Test]
    public void A_long_address_gives_the_QR_its_two_byte_length()
    {
        var url = "https://hall.example.gov.cn/t/" + new string('a', 300);

        var qr = Decode(EscPos.Encode(Sample(url: url))).OfType<Qr>().Single();

        Assert.That(qr.Data, Is.EqualTo(url));
    }

    private const byte Fixed = 0b0001_0010;

    [TestCase(Fixed, Fixed, Fixed, PrinterStatus.Ready, TestName = "All clear: ready")]
    [TestCase(Fixed | 0b1000, Fixed, Fixed, PrinterStatus.Offline, TestName = "Printer status bit 3: offline")]
    [TestCase(Fixed | 0b1000, Fixed | 0b0100, Fixed, PrinterStatus.CoverOpen, TestName = "Offline cause bit 2: cover open")]
    [TestCase(Fixed | 0b1000, Fixed | 0b0010_0000, Fixed, PrinterStatus.PaperOut, TestName = "Offline cause bit 5: stopped at paper end")]
    [TestCase(Fixed, Fixed, Fixed | 0b0110_0000, PrinterStatus.PaperOut, TestName = "Roll sensor bits 5 and 6: paper end")]
    [TestCase(Fixed | 0b1000, Fixed | 0b0010_0100, Fixed | 0b0110_0000, PrinterStatus.CoverOpen, TestName = "Cover open and paper end: the cover first, the sensor is not to be trusted")]
    [TestCase(Fixed, Fixed, Fixed | 0b0000_1100, PrinterStatus.Ready, TestName = "Roll sensor bits 2 and 3: paper near end, still ready")]
    [TestCase(0x00, Fixed, Fixed, PrinterStatus.Offline, TestName = "A reply without its fixed bits: offline")]
    [TestCase(0xFF, Fixed, Fixed, PrinterStatus.Offline, TestName = "A reply with bit 7 set: offline")]
    public void Status_replies_are_read_bit_by_bit(int printer, int cause, int paper, PrinterStatus expected) =>
        Assert.That(EscPos.ReadStatus((byte)printer, (byte)cause, (byte)paper), Is.EqualTo(expected));

    [Test]
    public void A_missing_status_reply_is_offline() =>
        Assert.That(EscPos.ReadStatus(Fixed, null, Fixed), Is.EqualTo(PrinterStatus.Offline));
}
