extern alias kiosk;
using Hall.Tests.Support;
using kiosk::Hall.Kiosk.Printing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Hall.Tests.Kiosk.EscPosDecoder;

namespace Hall.Tests.Kiosk;

/// <summary>The printer class over a real serial port: a socat pty pair with a fake printer at the far end.</summary>
public sealed class SerialPrinterTests
{
    private static TicketPrint Ticket(string number) => new(
        "新县市民之家", "社保业务", number, 2, 5, DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"), null, "https://hall.example.gov.cn/t/abc", "请留意叫号");

    private static SerialTicketPrinter PrinterOn(string path) =>
        new(Options.Create(new PrinterOptions { PortName = path, StatusTimeoutMs = 1000 }), NullLogger<SerialTicketPrinter>.Instance);

    private static async Task<byte[]> PrintedAsync(FakeSerialPrinter fake, Func<byte[], bool> complete)
    {
        for (var i = 0; i < 100 && !complete(fake.Printed); i++)
        {
            await Task.Delay(50);
        }
        return fake.Printed;
    }

    private static bool EndsWithCut(byte[] bytes) => bytes.Length > 4 && bytes[^4] == 0x1D && bytes[^3] == (byte)'V';

    [Test]
    public async Task A_ready_printer_receives_the_ticket()
    {
        await using var fake = await FakeSerialPrinter.StartAsync();
        using var printer = PrinterOn(fake.PortPath);

        Assert.That(await printer.CheckAsync(CancellationToken.None), Is.EqualTo(PrinterStatus.Ready));
        await printer.PrintAsync(Ticket("A007"), CancellationToken.None);

        var printed = Decode(await PrintedAsync(fake, EndsWithCut));
        Assert.That(printed.OfType<Text>().Select(t => t.Value), Does.Contain("A007").And.Contain("社保业务"));
        Assert.That(printed[^1], Is.TypeOf<Cut>());
    }

    [Test]
    public async Task A_printer_that_misses_one_status_reply_is_asked_again_and_still_prints()
    {
        await using var fake = await FakeSerialPrinter.StartAsync();
        using var printer = PrinterOn(fake.PortPath);
        fake.MissReplies = 1;

        Assert.That(await printer.CheckAsync(CancellationToken.None), Is.EqualTo(PrinterStatus.Ready), "one lost byte does not stop the kiosk");
        fake.MissReplies = 1;
        await printer.PrintAsync(Ticket("A009"), CancellationToken.None);
        Assert.That(Decode(await PrintedAsync(fake, EndsWithCut)).OfType<Text>().Select(t => t.Value), Does.Contain("A009"));
        // Silent for good: offline, as before.
        fake.State = FakePrinterState.Silent;
        Assert.That(await printer.CheckAsync(CancellationToken.None), Is.EqualTo(PrinterStatus.Offline));
    }

    [TestCase(FakePrinterState.PaperOut, PrinterStatus.PaperOut)]
    [TestCase(FakePrinterState.CoverOpen, PrinterStatus.CoverOpen)]
    [TestCase(FakePrinterState.Silent, PrinterStatus.Offline)]
    public async Task A_printer_that_cannot_print_says_why_and_receives_nothing(FakePrinterState state, PrinterStatus expected)
    {
        await using var fake = await FakeSerialPrinter.StartAsync();
        using var printer = PrinterOn(fake.PortPath);
        fake.State = state;

        Assert.That(await printer.CheckAsync(CancellationToken.None), Is.EqualTo(expected));
        var refused = Assert.ThrowsAsync<PrinterException>(() => printer.PrintAsync(Ticket("A008"), CancellationToken.None));

        Assert.That(refused!.Status, Is.EqualTo(expected));
        await Task.Delay(200);
        Assert.That(fake.Printed, Is.Empty);

        fake.State = FakePrinterState.Ready;
        Assert.That(await printer.CheckAsync(CancellationToken.None), Is.EqualTo(PrinterStatus.Ready), "recovers when fixed");
    }

    [Test]
    public async Task An_unplugged_printer_is_offline_and_prints_again_once_plugged_back_without_a_restart()
    {
        await using var fake = await FakeSerialPrinter.StartAsync();
        using var printer = PrinterOn(fake.PortPath);
        Assert.That(await printer.CheckAsync(CancellationToken.None), Is.EqualTo(PrinterStatus.Ready));

        await fake.UnplugAsync();
        Assert.That(await printer.CheckAsync(CancellationToken.None), Is.EqualTo(PrinterStatus.Offline));
        Assert.That(printer.LastStatus, Is.EqualTo(PrinterStatus.Offline));
        Assert.ThrowsAsync<PrinterException>(() => printer.PrintAsync(Ticket("A009"), CancellationToken.None));

        await fake.PlugInAsync();
        Assert.That(await printer.CheckAsync(CancellationToken.None), Is.EqualTo(PrinterStatus.Ready));
        await printer.PrintAsync(Ticket("A010"), CancellationToken.None);
        Assert.That(Decode(await PrintedAsync(fake, EndsWithCut)).OfType<Text>().Select(t => t.Value), Does.Contain("A010"));
    }

    [Test]
    public async Task Without_a_port_name_there_is_no_printer_and_nothing_fails()
    {
        using var printer = PrinterOn("");

        Assert.That(await printer.CheckAsync(CancellationToken.None), Is.EqualTo(PrinterStatus.Disabled));
        await printer.PrintAsync(Ticket("A011"), CancellationToken.None);
    }
}
