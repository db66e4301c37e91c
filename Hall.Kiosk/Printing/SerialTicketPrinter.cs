using System.IO.Ports;
using Hall.Kiosk.Agent;
using Microsoft.Extensions.Options;

namespace Hall.Kiosk.Printing;

/// <summary>
/// The ESC/POS printer on a serial port — the one class that touches <see cref="SerialPort"/>. It asks the printer
/// for its status before every ticket and after it, and reopens the port by itself after the printer was unplugged
/// (a vanished port shows as ObjectDisposedException or IOException while <c>IsOpen</c> may still say true).
/// </summary>
public sealed class SerialTicketPrinter(IOptions<PrinterOptions> options, ILogger<SerialTicketPrinter> log) : ITicketPrinter, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SerialPort? _port;
    private volatile PrinterStatus _last = string.IsNullOrWhiteSpace(options.Value.PortName) ? PrinterStatus.Disabled : PrinterStatus.Offline;

    public PrinterStatus LastStatus => _last;

    public async Task<PrinterStatus> CheckAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(options.Value.PortName))
        {
            return _last = PrinterStatus.Disabled;
        }
        await _gate.WaitAsync(ct);
        try
        {
            return _last = await Task.Run(QueryStatus, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task PrintAsync(TicketPrint ticket, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(options.Value.PortName))
        {
            return;
        }
        var bytes = EscPos.Encode(ticket);
        await _gate.WaitAsync(ct);
        try
        {
            await Task.Run(() => Print(bytes), ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Print(byte[] bytes)
    {
        var before = QueryStatus();
        _last = before;
        if (before != PrinterStatus.Ready)
        {
            throw new PrinterException(before, $"The printer is {before}; nothing was printed.");
        }
        try
        {
            var port = _port!;
            port.Write(bytes, 0, bytes.Length);
            port.BaseStream.Flush();
        }
        catch (Exception ex) when (IsPortGone(ex))
        {
            Close();
            _last = PrinterStatus.Offline;
            throw new PrinterException(PrinterStatus.Offline, "The printer went away while printing.", ex);
        }
        // Paper can run out in the middle of a ticket: then the citizen holds half of one.
        var after = QueryStatus();
        _last = after;
        if (after != PrinterStatus.Ready)
        {
            throw new PrinterException(after, $"The printer is {after} after printing; the ticket may be incomplete.");
        }
    }

    /// <summary>
    /// DLE EOT 1, 2, 4 — one byte each within the timeout, or the printer is offline. A printer that misses one reply
    /// (a busy moment, noise on the line) is asked once more before the kiosk stops issuing because of it.
    /// </summary>
    private PrinterStatus QueryStatus()
    {
        try
        {
            var port = Open();
            return QueryOnce(port) ?? QueryOnce(port) ?? PrinterStatus.Offline;
        }
        catch (Exception ex) when (IsPortGone(ex))
        {
            log.LogDebug("Printer port {Port}: {Error}", options.Value.PortName, ex.Message);
            Close();
            return PrinterStatus.Offline;
        }
    }

    /// <summary>The printer's status, or null when a reply did not come within the timeout.</summary>
    private static PrinterStatus? QueryOnce(SerialPort port)
    {
        port.DiscardInBuffer();
        var replies = new byte?[EscPos.StatusQueries.Length];
        for (var i = 0; i < replies.Length; i++)
        {
            port.Write(EscPos.StatusRequest(EscPos.StatusQueries[i]), 0, 3);
            try
            {
                var b = port.ReadByte();
                replies[i] = b < 0 ? null : (byte)b;
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
        return EscPos.ReadStatus(replies[0], replies[1], replies[2]);
    }

    private SerialPort Open()
    {
        if (_port is { IsOpen: true } open)
        {
            return open;
        }
        Close();
        var o = options.Value;
        _port = SerialPorts.Open(o.PortName!, o.BaudRate, o.Parity, o.DataBits, o.StopBits, o.StatusTimeoutMs, o.WriteTimeoutMs);
        log.LogInformation("Printer port {Port} open", o.PortName);
        return _port;
    }

    private static bool IsPortGone(Exception ex) => SerialPorts.IsGone(ex);

    private void Close()
    {
        SerialPorts.Close(_port);
        _port = null;
    }

    public void Dispose()
    {
        Close();
        _gate.Dispose();
    }
}
