namespace Hall.Kiosk.Printing;

/// <summary>What goes on a ticket's paper.</summary>
/// <param name="PriorityLabel">优先 class as printed (70岁以上老人 …), none for a normal ticket.</param>
/// <param name="TrackingUrl">The phone page the QR code opens; no QR when none.</param>
/// <param name="BookingLine">预约签到: the booked slot as printed (预约 11:00–11:30), none for a walk-in.</param>
/// <param name="EstimatedWaitMinutes">Null when no window can take the ticket now: 暂无窗口办理 is printed instead.</param>
public sealed record TicketPrint(
    string HallName, string ServiceName, string Number, int PeopleAhead, int? EstimatedWaitMinutes,
    DateTimeOffset IssuedAt, TimeZoneInfo Zone, string? PriorityLabel, string? TrackingUrl, string? Footer, string? BookingLine = null);

/// <summary>What the printer says of itself (DLE EOT), or that there is none.</summary>
public enum PrinterStatus
{
    Ready,
    PaperOut,
    CoverOpen,
    /// <summary>Not answering, unplugged, or reporting itself offline.</summary>
    Offline,
    /// <summary>No printer configured: tickets are shown on screen only.</summary>
    Disabled,
}

/// <summary>The kiosk's ticket printer.</summary>
public interface ITicketPrinter
{
    /// <summary>Asks the printer (DLE EOT) now; Offline when it does not answer within the timeout.</summary>
    Task<PrinterStatus> CheckAsync(CancellationToken ct);

    /// <summary>Prints one ticket; throws <see cref="PrinterException"/> (with the status that stopped it) when it could not.</summary>
    Task PrintAsync(TicketPrint ticket, CancellationToken ct);

    PrinterStatus LastStatus { get; }
}

/// <summary>A ticket could not be printed.</summary>
public sealed class PrinterException(PrinterStatus status, string message, Exception? inner = null) : Exception(message, inner)
{
    public PrinterStatus Status => status;
}

/// <summary>The printer's serial port (section <c>Kiosk:Printer</c>). No port name: no printer.</summary>
public sealed class PrinterOptions
{
    public string PortName { get; set; } = "";
    public int BaudRate { get; set; } = 9600;
    public int DataBits { get; set; } = 8;
    public System.IO.Ports.Parity Parity { get; set; } = System.IO.Ports.Parity.None;
    public System.IO.Ports.StopBits StopBits { get; set; } = System.IO.Ports.StopBits.One;
    /// <summary>How long to wait for each status byte.</summary>
    public int StatusTimeoutMs { get; set; } = 500;
    public int WriteTimeoutMs { get; set; } = 3000;
}
