using System.Collections.Concurrent;
using Hall.Tests.Kiosk;

namespace Hall.Tests.Support;

/// <summary>What the fake ID card reader has on it and how it answers.</summary>
public enum FakeCardState
{
    /// <summary>Find card answers 80.</summary>
    NoCard,
    /// <summary>A card lies on it: found (9F), selected (90), read (90 with text and photo).</summary>
    Card,
    /// <summary>A card is found and selected but cannot be read (41).</summary>
    ReadError,
    /// <summary>A card lies on it, but the answer with its information has a wrong checksum (noise on the line).</summary>
    CorruptChecksum,
    /// <summary>Answers nothing (switched off, or the wrong device).</summary>
    Silent,
}

/// <summary>
/// A resident ID card reader at the far end of a socat pty pair, answering the SAM commands (find 20 01, select 20 02,
/// read base information 30 01) as a real reader does, by <see cref="SamProtocol"/>. A command with a wrong checksum is
/// answered 10, as a reader does. Unplugging kills socat; plugging in makes a new pair at the same path.
/// </summary>
public sealed class FakeIdCardReader : FakeSerialDevice
{
    private readonly ConcurrentQueue<SamProtocol.Command> _commands = new();
    private volatile FakeCardState _state = FakeCardState.NoCard;
    private volatile SamProtocol.Citizen? _citizen;

    /// <summary>The photo the card carries (wlt bytes as the reader gives them; 1,024 bytes).</summary>
    public byte[] Photo { get; set; } = new byte[1024];

    public FakeCardState State
    {
        get => _state;
        set => _state = value;
    }

    private FakeIdCardReader(SerialPair pair) : base(pair, 115200, "fake ID card reader")
    {
    }

    public static async Task<FakeIdCardReader> StartAsync()
    {
        var reader = new FakeIdCardReader(await SerialPair.StartAsync());
        reader.OpenFarEnd();
        return reader;
    }

    /// <summary>Lays this citizen's card on the reader.</summary>
    public void Lay(SamProtocol.Citizen citizen)
    {
        _citizen = citizen;
        State = FakeCardState.Card;
    }

    /// <summary>Takes the card away.</summary>
    public void Lift() => State = FakeCardState.NoCard;

    /// <summary>Every command received so far, in order.</summary>
    public IReadOnlyList<SamProtocol.Command> Commands => [.. _commands];

    protected override void Received(List<byte> pending)
    {
        while (SamProtocol.TakeCommand(pending) is { } command)
        {
            _commands.Enqueue(command);
            if (Answer(command) is { } answer)
            {
                Send(answer);
            }
        }
    }
    private byte[]? Answer(SamProtocol.Command command)
    {
        var state = State;
        if (state == FakeCardState.Silent)
        {
            return null;
        }
        if (!command.ChecksumOk)
        {
            return SamProtocol.EncodeAnswer(0x10, []);
        }
        var onIt = state is FakeCardState.Card or FakeCardState.ReadError or FakeCardState.CorruptChecksum;
        return (command.Name, state) switch
        {
            ("find", _) when onIt => SamProtocol.EncodeAnswer(0x9F, [0, 0, 0, 0]),
            ("find", _) => SamProtocol.EncodeAnswer(0x80, []),
            ("select", _) when onIt => SamProtocol.EncodeAnswer(0x90, new byte[8]),
            ("select", _) => SamProtocol.EncodeAnswer(0x81, []),
            ("read", FakeCardState.Card) => SamProtocol.EncodeAnswer(0x90, SamProtocol.BaseInformation(_citizen!, Photo)),
            ("read", FakeCardState.CorruptChecksum) => SamProtocol.EncodeAnswer(0x90, SamProtocol.BaseInformation(_citizen!, Photo), corruptChecksum: true),
            ("read", _) => SamProtocol.EncodeAnswer(0x41, []),
            _ => SamProtocol.EncodeAnswer(0x21, []),
        };
    }
}
