extern alias display;
using System.IO.Ports;
using System.Text;
using display::Hall.Display.Led;
using Hall.Tests.Support;
using DisplayContracts = display::Hall.Server.Contracts;

namespace Hall.Tests.Display;

/// <summary>The window LED strips: the line protocol read back by a decoder of the test's own, and the display agent driving strips on a socat serial pair.</summary>
public sealed class LedTests
{
    /// <summary>A strip's view of a frame, read from the protocol's description (not from its code).</summary>
    private sealed record Frame(int Address, char Command, string Text);

    private static List<Frame> Decode(byte[] bytes)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gb18030 = Encoding.GetEncoding("GB18030");
        var frames = new List<Frame>();
        var i = 0;
        while (i < bytes.Length)
        {
            Assert.That(bytes[i], Is.EqualTo(0x02), $"STX at {i}");
            var length = (bytes[i + 3] << 8) | bytes[i + 4];
            var etx = i + 5 + length;
            Assert.That(bytes[etx], Is.EqualTo(0x03), "ETX after the text");
            var sum = bytes.Skip(i + 1).Take(etx - i).Aggregate((byte)0, (a, b) => (byte)(a ^ b));
            Assert.That(bytes[etx + 1], Is.EqualTo(sum), "checksum: XOR from the address through ETX");
            frames.Add(new Frame(bytes[i + 1], (char)bytes[i + 2], gb18030.GetString(bytes, i + 5, length)));
            i = etx + 2;
        }
        return frames;
    }

    [Test]
    public void A_call_frame_carries_the_address_the_text_in_GB18030_and_its_checksum() =>
        Assert.That(Decode(LedLineProtocol.ShowText(3, "A012 请到3号窗口")), Is.EqualTo(new[] { new Frame(3, 'T', "A012 请到3号窗口") }));

    [Test]
    public void A_clear_frame_has_no_text() =>
        Assert.That(Decode(LedLineProtocol.ClearScreen(12)), Is.EqualTo(new[] { new Frame(12, 'C', "") }));

    [Test]
    public void Long_text_is_cut_on_a_character_boundary_and_control_characters_are_spaces()
    {
        var frame = Decode(LedLineProtocol.ShowText(1, new string('办', 40) + "\u0002"))[0];
        Assert.That(frame.Text, Is.EqualTo(new string('办', 32)), "64 bytes of two-byte characters");
        Assert.That(Decode(LedLineProtocol.ShowText(1, "A\u0003B"))[0].Text, Is.EqualTo("A B"));
        Assert.That(Decode(LedLineProtocol.ShowText(1, "𠀀号"))[0].Text, Is.EqualTo("𠀀号"), "a four-byte character whole");
    }

    [TestCase(0)]
    [TestCase(256)]
    public void An_address_outside_the_bus_is_refused(int address) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LedLineProtocol.ShowText(address, "x"));

    private static DisplayContracts.WindowStateMessage Window(DisplayContracts.WindowStatus status, string? number = null, DisplayContracts.TicketState? state = null) =>
        new(7, 3, "医保窗口", status, status == DisplayContracts.WindowStatus.Paused ? "休息" : null, "张三", number is null ? null : 1, number, state, 1, 3);

    [Test]
    public void A_strip_shows_the_call_the_service_a_pause_a_greeting_and_is_dark_when_closed()
    {
        Assert.That(WindowScreenText.For(Window(DisplayContracts.WindowStatus.Open, "A012", DisplayContracts.TicketState.Called)), Is.EqualTo("A012 请到3号窗口"));
        Assert.That(WindowScreenText.For(Window(DisplayContracts.WindowStatus.Open, "A012", DisplayContracts.TicketState.Serving)), Is.EqualTo("A012 正在办理"));
        Assert.That(WindowScreenText.For(Window(DisplayContracts.WindowStatus.Paused)), Is.EqualTo("暂停服务"));
        Assert.That(WindowScreenText.For(Window(DisplayContracts.WindowStatus.Open)), Is.EqualTo("3号窗口 欢迎您"));
        Assert.That(WindowScreenText.For(Window(DisplayContracts.WindowStatus.Closed)), Is.Null);
    }

    [Test]
    public async Task The_display_agent_drives_the_strips_of_a_bus_for_a_call_and_for_a_pause()
    {
        await using var pair = await SerialPair.StartAsync();
        await using var app = await HallApp.StartAsync("led");
        await using var hall = await SeededHall.CreateAsync(app);
        using var far = new SerialPort(pair.Far, 9600, Parity.None, 8, StopBits.One) { ReadTimeout = 100 };
        far.Open();
        var received = new List<byte>();
        async Task<List<Frame>> FramesAsync(Func<List<Frame>, bool> until)
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline;)
            {
                var buffer = new byte[1024];
                try
                {
                    received.AddRange(buffer.AsSpan(0, far.Read(buffer, 0, buffer.Length)).ToArray());
                }
                catch (TimeoutException)
                {
                    await Task.Delay(50);
                }
                var frames = CompleteFrames(received);
                if (until(frames))
                {
                    return frames;
                }
            }
            Assert.Fail("The expected frames did not arrive: " + string.Join(" | ", CompleteFrames(received)));
            return [];
        }
        await using var display = await AgentProcess.StartAsync("Hall.Display", new Dictionary<string, string>
        {
            ["Display__Server"] = app.BaseAddress.ToString(),
            ["Display__DeviceKey"] = hall.Credentials.DeviceKeys["display"],
            ["Display__LedBuses__0__PortName"] = pair.Near,
            ["Display__LedBuses__0__Windows__0"] = "3",
        });
        // On connect every strip on the bus is set: window 3 is closed, so dark.
        await FramesAsync(f => f.Contains(new Frame(3, 'C', "")));

        var kiosk = await hall.DeviceAsync("kiosk");
        var clerk = await hall.ClerkAsync(3);
        var window = await app.WindowIdAsync(hall.HallId, 3);
        var ticket = (await kiosk.IssueAsync(await app.ServiceIdAsync(hall.HallId, "yibao"))).Ok();
        (await clerk.OpenAsync(window)).Ok();
        (await clerk.CallNextAsync(window)).Ok();
        var frames = await FramesAsync(f => f.Contains(new Frame(3, 'T', $"{ticket.Ticket.Number} 请到3号窗口")));
        Assert.That(frames, Does.Contain(new Frame(3, 'T', "3号窗口 欢迎您")), "open before the call");
        Assert.That(frames.Select(f => f.Address), Has.All.EqualTo(3), "only the strip of the bus's window");

        (await clerk.StartAsync(window, ticket.Ticket.TicketId)).Ok();
        (await clerk.FinishAsync(window, ticket.Ticket.TicketId)).Ok();
        (await clerk.PauseAsync(window, "休息")).Ok();
        await FramesAsync(f => f.Count > 0 && f[^1] == new Frame(3, 'T', "暂停服务"));
    }

    private static List<Frame> CompleteFrames(List<byte> bytes)
    {
        var complete = new List<byte>();
        var i = 0;
        while (i + 5 <= bytes.Count)
        {
            var end = i + 5 + ((bytes[i + 3] << 8) | bytes[i + 4]) + 2;
            if (end > bytes.Count)
            {
                break;
            }
            complete.AddRange(bytes.Skip(i).Take(end - i));
            i = end;
        }
        return Decode([.. complete]);
    }
}
