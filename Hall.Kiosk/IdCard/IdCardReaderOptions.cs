using System.IO.Ports;

namespace Hall.Kiosk.IdCard;

/// <summary>The resident ID card reader's serial port (section <c>Kiosk:IdCardReader</c>). No port name: no reader, the default.</summary>
public sealed class IdCardReaderOptions
{
    /// <summary>The reader's serial port, e.g. /dev/ttyUSB1; empty: the kiosk has no reader.</summary>
    public string? PortName { get; set; }
    public int BaudRate { get; set; } = 115200;
    public int DataBits { get; set; } = 8;
    public Parity Parity { get; set; } = Parity.None;
    public StopBits StopBits { get; set; } = StopBits.One;
    /// <summary>How often the reader is asked for a card, in milliseconds.</summary>
    public int PollMs { get; set; } = 500;
    /// <summary>How long an answer may take, in milliseconds (reading a card takes the reader up to a second).</summary>
    public int AnswerTimeoutMs { get; set; } = 1500;
    /// <summary>For how many seconds a card read is offered to the touch page before it is forgotten.</summary>
    public int HoldSeconds { get; set; } = 30;
}
