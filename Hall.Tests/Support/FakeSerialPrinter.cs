using System.Collections.Concurrent;

namespace Hall.Tests.Support;

/// <summary>What the fake printer answers to DLE EOT.</summary>
public enum FakePrinterState
{
    Ready,
    PaperOut,
    CoverOpen,
    /// <summary>Answers nothing (switched off, or the wrong device).</summary>
    Silent,
}

/// <summary>
/// A thermal printer at the far end of a socat pty pair: the agent opens <see cref="FakeSerialDevice.PortPath"/>; this
/// side answers the real-time status requests (DLE EOT 1/2/4) as its <see cref="State"/> says and keeps every other byte
/// it receives, so a test can decode what was printed. Unplugging kills socat (the agent's port vanishes); plugging in
/// starts it again at the same path.
/// </summary>
public sealed class FakeSerialPrinter : FakeSerialDevice
{
    private readonly ConcurrentQueue<byte> _received = new();

    private volatile FakePrinterState _state = FakePrinterState.Ready;
    private int _statusRequests;

    public FakePrinterState State
    {
        get => _state;
        set => _state = value;
    }

    /// <summary>The paper runs out as soon as the next ticket starts printing: the ticket is torn off half printed.</summary>
    public bool RunsOutWhilePrinting { get; set; }

    /// <summary>The next this many status requests go unanswered, as a busy printer or a noisy line may do.</summary>
    public int MissReplies
    {
        get => Volatile.Read(ref _missReplies);
        set => Volatile.Write(ref _missReplies, value);
    }

    private int _missReplies;

    /// <summary>How many status requests it answered.</summary>
    public int StatusRequests => Volatile.Read(ref _statusRequests);

    private FakeSerialPrinter(SerialPair pair) : base(pair, 9600, "fake printer")
    {
    }

    public static async Task<FakeSerialPrinter> StartAsync()
    {
        var printer = new FakeSerialPrinter(await SerialPair.StartAsync());
        printer.OpenFarEnd();
        return printer;
    }

    /// <summary>Everything printed so far (status requests excluded).</summary>
    public byte[] Printed => [.. _received];

    public void ClearPrinted() => _received.Clear();

    protected override void Received(List<byte> pending)
    {
        // DLE EOT n is a real-time request: answered at once, not printed.
        var i = 0;
        while (i < pending.Count)
        {
            if (pending[i] == 0x10)
            {
                if (pending.Count - i < 3)
                {
                    break;
                }
                if (pending[i + 1] == 0x04)
                {
                    Answer(pending[i + 2]);
                    i += 3;
                    continue;
                }
            }
            _received.Enqueue(pending[i]);
            if (RunsOutWhilePrinting)
            {
                RunsOutWhilePrinting = false;
                State = FakePrinterState.PaperOut;
            }
            i++;
        }
        pending.RemoveRange(0, i);
    }

    private void Answer(byte n)
    {
        if (Interlocked.Decrement(ref _missReplies) >= 0)
        {
            return;
        }
        Volatile.Write(ref _missReplies, 0);
        Interlocked.Increment(ref _statusRequests);
        const byte fixedBits = 0b0001_0010;
        byte? reply = (State, n) switch
        {
            (FakePrinterState.Silent, _) => null,
            (FakePrinterState.PaperOut, 1) => fixedBits | 0b1000,
            (FakePrinterState.PaperOut, 2) => fixedBits | 0b0010_0000,
            (FakePrinterState.PaperOut, 4) => fixedBits | 0b0110_0000,
            (FakePrinterState.CoverOpen, 1) => fixedBits | 0b1000,
            (FakePrinterState.CoverOpen, 2) => fixedBits | 0b0100,
            _ => fixedBits,
        };
        if (reply is { } b)
        {
            Send([b]);
        }
    }
}
