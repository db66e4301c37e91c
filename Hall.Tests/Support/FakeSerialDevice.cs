using System.IO.Ports;

namespace Hall.Tests.Support;

/// <summary>
/// A device at the far end of a socat pty pair: the agent opens <see cref="PortPath"/>; this side reads what the agent
/// sends on a thread of its own and hands it to <see cref="Received"/>. Unplugging kills socat (the agent's port
/// vanishes); plugging in starts it again at the same path.
/// </summary>
public abstract class FakeSerialDevice(SerialPair pair, int baudRate, string name) : IAsyncDisposable
{
    private SerialPort? _port;
    private Thread? _reader;
    private volatile bool _running;

    public string PortPath => pair.Near;

    /// <summary>Bytes received and not taken yet: the device takes what it understands off the front and leaves the rest.</summary>
    protected abstract void Received(List<byte> pending);

    protected void Send(byte[] bytes) => _port!.Write(bytes, 0, bytes.Length);

    public async Task PlugInAsync()
    {
        await pair.ConnectAsync();
        OpenFarEnd();
    }

    protected void OpenFarEnd()
    {
        _port = new SerialPort(pair.Far, baudRate, Parity.None, 8, StopBits.One) { ReadTimeout = 100, Handshake = Handshake.None };
        _port.Open();
        _running = true;
        _reader = new Thread(Read) { IsBackground = true, Name = name };
        _reader.Start();
    }

    /// <summary>Pulls the cable: socat and both ends of the pty pair go away.</summary>
    public async Task UnplugAsync()
    {
        _running = false;
        _reader?.Join(2000);
        try
        {
            _port?.Dispose();
        }
        catch (IOException)
        {
        }
        _port = null;
        await pair.DisconnectAsync();
    }

    private void Read()
    {
        var pending = new List<byte>();
        var buffer = new byte[256];
        while (_running)
        {
            int n;
            try
            {
                n = _port!.Read(buffer, 0, buffer.Length);
            }
            catch (TimeoutException)
            {
                continue;
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or NullReferenceException)
            {
                return;
            }
            pending.AddRange(buffer.AsSpan(0, n));
            Received(pending);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await UnplugAsync();
        await pair.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
