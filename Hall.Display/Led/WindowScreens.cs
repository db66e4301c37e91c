using System.IO.Ports;
using Hall.Server.Contracts;

namespace Hall.Display.Led;

/// <summary>The LED strips of the windows on one bus.</summary>
public interface IWindowScreen
{
    Task ShowAsync(int address, string text, CancellationToken ct);

    Task ClearAsync(int address, CancellationToken ct);
}

/// <summary>One RS-485 bus (section <c>Display:Led:Buses</c>): its port, and the windows on it (none listed = every window of the hall).</summary>
public sealed class LedBusOptions
{
    public string PortName { get; set; } = "";
    public int BaudRate { get; set; } = 9600;
    public List<int> Windows { get; set; } = [];
}

/// <summary>What a window's strip shows for its state: the call, 正在办理, 暂停服务, or a greeting; a closed window's strip is dark.</summary>
public static class WindowScreenText
{
    public static string? For(WindowStateMessage w) => w switch
    {
        { Status: WindowStatus.Paused } => "暂停服务",
        { Status: WindowStatus.Closed } => null,
        { CurrentTicketState: TicketState.Called, CurrentTicketNumber: { } number } => $"{number} 请到{w.Number}号窗口",
        { CurrentTicketState: TicketState.Serving, CurrentTicketNumber: { } number } => $"{number} 正在办理",
        _ => $"{w.Number}号窗口 欢迎您",
    };
}

/// <summary>The strips of one bus over a serial port — the one class of the display touching <see cref="SerialPort"/>. A port that vanished is reopened on the next frame.</summary>
public sealed class SerialWindowScreen(LedBusOptions bus, ILogger log) : IWindowScreen, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SerialPort? _port;

    public Task ShowAsync(int address, string text, CancellationToken ct) => SendAsync(LedLineProtocol.ShowText(address, text), ct);

    public Task ClearAsync(int address, CancellationToken ct) => SendAsync(LedLineProtocol.ClearScreen(address), ct);

    private async Task SendAsync(byte[] frame, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await Task.Run(() =>
            {
                try
                {
                    var port = _port is { IsOpen: true } open ? open : Open();
                    port.Write(frame, 0, frame.Length);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException or InvalidOperationException or TimeoutException)
                {
                    log.LogWarning("LED bus {Port}: {Error}", bus.PortName, ex.Message);
                    Close();
                    throw new IOException($"LED bus {bus.PortName} unavailable", ex);
                }
            }, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private SerialPort Open()
    {
        Close();
        var port = new SerialPort(bus.PortName, bus.BaudRate, Parity.None, 8, StopBits.One) { Handshake = Handshake.None, WriteTimeout = 2000 };
        port.Open();
        return _port = port;
    }

    private void Close()
    {
        try
        {
            _port?.Dispose();
        }
        catch (IOException)
        {
        }
        _port = null;
    }

    public void Dispose()
    {
        Close();
        _gate.Dispose();
    }
}
