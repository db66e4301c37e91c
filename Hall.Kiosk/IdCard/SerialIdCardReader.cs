using System.IO.Ports;
using Microsoft.Extensions.Options;
using Hall.Kiosk.Agent;

namespace Hall.Kiosk.IdCard;

/// <summary>The reader as the page and /health show it.</summary>
public enum IdCardReaderStatus
{
    /// <summary>No reader set up on this kiosk.</summary>
    Disabled,
    /// <summary>The reader answers.</summary>
    Connected,
    /// <summary>The port is open but nothing answers as a reader does (switched off, the wrong device, a wrong speed).</summary>
    NoAnswer,
    /// <summary>The port cannot be opened or went away.</summary>
    Unplugged,
}

/// <summary>What one poll of the reader gave.</summary>
public enum IdCardPollOutcome
{
    Disabled,
    NoCard,
    Card,
    /// <summary>A card lies there but could not be selected or read (moved, too far, a damaged chip).</summary>
    ReadFailed,
    /// <summary>An answer with a wrong checksum or length.</summary>
    Garbled,
    /// <summary>The card read, but its number fails the GB 11643 check: not used.</summary>
    InvalidIdNumber,
    NoAnswer,
    Unplugged,
}

public sealed record IdCardPoll(IdCardPollOutcome Outcome, ResidentCard? Card = null);

/// <summary>The kiosk's resident ID card reader.</summary>
public interface IIdCardReader
{
    IdCardReaderStatus Status { get; }

    /// <summary>Find a card, select it and read its base information.</summary>
    Task<IdCardPoll> PollAsync(CancellationToken ct);
}

/// <summary>
/// The resident ID card reader on a serial port (GA 467 SAM interface) — the one class that touches its
/// <see cref="SerialPort"/>. Each poll is find → select → read; the port is reopened by itself after the reader was
/// unplugged (a vanished port shows as ObjectDisposedException or IOException while <c>IsOpen</c> may still say true).
/// </summary>
public sealed class SerialIdCardReader(IOptions<KioskOptions> options, ILogger<SerialIdCardReader> log) : IIdCardReader, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SerialPort? _port;
    private volatile IdCardReaderStatus _status = string.IsNullOrWhiteSpace(options.Value.IdCardReader.PortName) ? IdCardReaderStatus.Disabled : IdCardReaderStatus.Unplugged;

    private IdCardReaderOptions Settings => options.Value.IdCardReader;

    public IdCardReaderStatus Status => _status;

    public async Task<IdCardPoll> PollAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Settings.PortName))
        {
            _status = IdCardReaderStatus.Disabled;
            return new(IdCardPollOutcome.Disabled);
        }
        await _gate.WaitAsync(ct);
        try
        {
            return await Task.Run(Poll, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private IdCardPoll Poll()
    {
        try
        {
            var port = Open();
            var poll = FindSelectRead(port);
            _status = poll.Outcome == IdCardPollOutcome.NoAnswer ? IdCardReaderStatus.NoAnswer : IdCardReaderStatus.Connected;
            return poll;
        }
        catch (SamFrameException ex)
        {
            _status = IdCardReaderStatus.Connected;
            log.LogWarning("ID card reader: {Error}", ex.Message);
            return new(IdCardPollOutcome.Garbled);
        }
        catch (Exception ex) when (SerialPorts.IsGone(ex))
        {
            if (_status != IdCardReaderStatus.Unplugged)
            {
                log.LogWarning("ID card reader port {Port}: {Error}", Settings.PortName, ex.Message);
            }
            Close();
            _status = IdCardReaderStatus.Unplugged;
            return new(IdCardPollOutcome.Unplugged);
        }
    }

    private static IdCardPoll FindSelectRead(SerialPort port)
    {
        if (Ask(port, SamFrame.FindCard) is not { } found)
        {
            return new(IdCardPollOutcome.NoAnswer);
        }
        if (found.Sw3 != SamStatus.CardFound)
        {
            return new(IdCardPollOutcome.NoCard);
        }
        if (Ask(port, SamFrame.SelectCard) is not { } selected)
        {
            return new(IdCardPollOutcome.NoAnswer);
        }
        if (selected.Sw3 != SamStatus.Success)
        {
            return new(IdCardPollOutcome.ReadFailed);
        }
        if (Ask(port, SamFrame.ReadBaseInformation) is not { } read)
        {
            return new(IdCardPollOutcome.NoAnswer);
        }
        if (read.Sw3 != SamStatus.Success)
        {
            return new(IdCardPollOutcome.ReadFailed);
        }
        try
        {
            var card = ResidentCard.FromBaseInformation(read.Data);
            return ResidentIdNumber.IsValid(card.IdNumber) ? new(IdCardPollOutcome.Card, card) : new(IdCardPollOutcome.InvalidIdNumber);
        }
        finally
        {
            // The text and the photo go no further than this answer.
            Array.Clear(read.Data);
        }
    }

    /// <summary>Writes a command and reads its answer, or null when none came within the timeout.</summary>
    private static SamResponse? Ask(SerialPort port, byte[] command)
    {
        byte[]? body = null;
        try
        {
            port.DiscardInBuffer();
            port.Write(command, 0, command.Length);
            // Whatever comes before the preamble (noise, the rest of an earlier answer) is skipped.
            Span<byte> last = stackalloc byte[SamFrame.Preamble.Length];
            for (var skipped = 0; !last.SequenceEqual(SamFrame.Preamble); skipped++)
            {
                if (skipped > SamFrame.MaxLength)
                {
                    throw new SamFrameException("No answer's preamble in what the reader sent.");
                }
                last[1..].CopyTo(last);
                last[^1] = ReadByte(port);
            }
            var high = ReadByte(port);
            var low = ReadByte(port);
            body = new byte[SamFrame.Length(high, low)];
            for (var at = 0; at < body.Length;)
            {
                at += port.Read(body, at, body.Length - at);
            }
            return SamFrame.Decode(high, low, body);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            // The raw answer holds the card's text and photo: gone as soon as it is decoded.
            if (body is not null)
            {
                Array.Clear(body);
            }
        }
    }

    private static byte ReadByte(SerialPort port)
    {
        var b = port.ReadByte();
        return b < 0 ? throw new IOException("The reader's port closed.") : (byte)b;
    }

    private SerialPort Open() => _port is { IsOpen: true } open ? open : Reopen();

    private SerialPort Reopen()
    {
        Close();
        var o = Settings;
        var port = SerialPorts.Open(o.PortName!, o.BaudRate, o.Parity, o.DataBits, o.StopBits, o.AnswerTimeoutMs, o.AnswerTimeoutMs);
        log.LogInformation("ID card reader port {Port} open", o.PortName);
        return _port = port;
    }

    private void Close() => SerialPorts.Close(Interlocked.Exchange(ref _port, null));

    public void Dispose()
    {
        _gate.Dispose();
        Close();
    }
}
