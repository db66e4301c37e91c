using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Ports;

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
/// A thermal printer at the far end of a socat pty pair: the agent opens <see cref="PortPath"/>; this side answers
/// the real-time status requests (DLE EOT 1/2/4) as its <see cref="State"/> says and keeps every other byte it
/// receives, so a test can decode what was printed. Unplugging kills socat (the agent's port vanishes); plugging in
/// starts it again at the same path.
/// </summary>
public sealed class FakeSerialPrinter : IAsyncDisposable
{
    private readonly string _folder;
    private readonly ConcurrentQueue<byte> _received = new();
    private Process? _socat;
    private SerialPort? _port;
    private Thread? _reader;
    private volatile bool _running;

    public string PortPath => Path.Combine(_folder, "printer");
    private string FarPath => Path.Combine(_folder, "far");

    private volatile FakePrinterState _state = FakePrinterState.Ready;
    private int _statusRequests;

    public FakePrinterState State
    {
        get => _state;
        set => _state = value;
    }

    /// <summary>The paper runs out as soon as the next ticket starts printing: the ticket is torn off half printed.</summary>
    public bool RunsOutWhilePrinting { get; set; }

    /// <summary>How many status requests it answered.</summary>
    public int StatusRequests => Volatile.Read(ref _statusRequests);

    private FakeSerialPrinter(string folder) => _folder = folder;

    public static async Task<FakeSerialPrinter> StartAsync()
    {
        const string missing = "socat is missing — install it with `apt-get install socat`.";
        if (!File.Exists("/usr/bin/socat"))
        {
            if (PostgresCluster.OnCi)
            {
                Assert.Fail(missing);
            }
            Assert.Ignore(missing);
        }
        var folder = Directory.CreateTempSubdirectory("hall-printer-").FullName;
        var printer = new FakeSerialPrinter(folder);
        await printer.PlugInAsync();
        return printer;
    }

    /// <summary>Everything printed so far (status requests excluded).</summary>
    public byte[] Printed => [.. _received];

    public void ClearPrinted() => _received.Clear();

    public async Task PlugInAsync()
    {
        var info = new ProcessStartInfo("socat") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-d", "-d", $"pty,raw,echo=0,link={PortPath}", $"pty,raw,echo=0,link={FarPath}" })
        {
            info.ArgumentList.Add(a);
        }
        _socat = Process.Start(info)!;
        _socat.BeginErrorReadLine();
        _socat.BeginOutputReadLine();
        for (var i = 0; i < 100 && !(Resolves(PortPath) && Resolves(FarPath)); i++)
        {
            await Task.Delay(50);
        }
        Assert.That(Resolves(PortPath) && Resolves(FarPath), Is.True, "socat made the pty pair");
        _port = new SerialPort(FarPath, 9600, Parity.None, 8, StopBits.One) { ReadTimeout = 100, Handshake = Handshake.None };
        _port.Open();
        _running = true;
        _reader = new Thread(Read) { IsBackground = true, Name = "fake printer" };
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
        if (_socat is { HasExited: false } socat)
        {
            socat.Kill();
            await socat.WaitForExitAsync();
        }
        _socat?.Dispose();
        _socat = null;
        // socat removes its links as it exits; a link left behind would point at a pty that is gone.
        for (var i = 0; i < 50 && (Linked(PortPath) || Linked(FarPath)); i++)
        {
            await Task.Delay(20);
        }
        File.Delete(PortPath);
        File.Delete(FarPath);
    }

    private static bool Linked(string path) => new FileInfo(path).LinkTarget is not null;

    private static bool Resolves(string path) => new FileInfo(path).LinkTarget is { } target && File.Exists(target);

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
    }

    private void Answer(byte n)
    {
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
            _port!.Write([b], 0, 1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await UnplugAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
