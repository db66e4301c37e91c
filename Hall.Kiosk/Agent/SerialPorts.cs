using System.IO.Ports;

namespace Hall.Kiosk.Agent;

/// <summary>What the kiosk's serial devices (printer, ID card reader) share in opening and losing their ports; each device's class still owns its port.</summary>
public static class SerialPorts
{
    /// <summary>Opens the port with no handshake and DTR/RTS off (a pty refuses them; the kiosk's devices need neither).</summary>
    public static SerialPort Open(string name, int baudRate, Parity parity, int dataBits, StopBits stopBits, int readTimeoutMs, int writeTimeoutMs)
    {
        var port = new SerialPort(name, baudRate, parity, dataBits, stopBits)
        {
            Handshake = Handshake.None,
            DtrEnable = false,
            RtsEnable = false,
            ReadTimeout = readTimeoutMs,
            WriteTimeout = writeTimeoutMs,
        };
        try
        {
            port.Open();
        }
        catch
        {
            port.Dispose();
            throw;
        }
        return port;
    }

    /// <summary>What an unplugged device looks like: a vanished port shows as any of these, while <c>IsOpen</c> may still say true.</summary>
    public static bool IsGone(Exception ex) =>
        ex is IOException or UnauthorizedAccessException or ObjectDisposedException or InvalidOperationException or ArgumentException;

    /// <summary>Disposes a port that may have vanished (disposing one can throw; it is gone either way).</summary>
    public static void Close(SerialPort? port)
    {
        try
        {
            port?.Dispose();
        }
        catch (Exception ex) when (IsGone(ex))
        {
            // Gone either way.
        }
    }
}
