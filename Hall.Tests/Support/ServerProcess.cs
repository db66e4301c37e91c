using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Hall.Tests.Support;

/// <summary>Hall.Server as a separate OS process on a database of the test's, on a free loopback port.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    public Uri BaseAddress { get; }

    /// <summary>What the process has written to its standard output so far, line by line.</summary>
    public IReadOnlyList<string> Output => [.. _output];
    public int ProcessId => _process.Id;

    private ServerProcess(Process process, Uri baseAddress, ConcurrentQueue<string> output)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
    }

    /// <summary>On a database of the test's.</summary>
    /// <param name="port">A fixed port, e.g. the one of a server that was killed: its devices find the new one there.</param>
    /// <param name="environment">More environment variables for the process, e.g. <c>TZ</c>.</param>
    public static Task<ServerProcess> StartAsync(string connectionString, int? port = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Hall"] = connectionString,
            ["Hall__Demo__Seed"] = "false",
            // Load tests issue hundreds of tickets a minute from one kiosk; LimitsTests checks the limit itself.
            ["Hall__Limits__KioskTicketsPerMinute"] = "100000",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        return StartAsync(settings, port: port);
    }

    /// <summary>With the given settings, e.g. none: its own embedded database under Hall__DataFolder.</summary>
    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string> settings, string environment = "Testing", int? port = null)
    {
        port ??= FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "Hall.Server.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--environment", environment })
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        // The run's key, as every server of a shared database needs the same one; a test that is about keys sets its own.
        if (!settings.ContainsKey("Hall__Privacy__Key") && !settings.ContainsKey("Hall__Privacy__KeyFile"))
        {
            info.Environment["Hall__Privacy__KeyFile"] = TestPrivacyKey.File;
        }
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info)!;
        var output = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                output.Enqueue(line);
            }
            Echo(e.Data);
        };
        process.ErrorDataReceived += (_, e) => Echo(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"), output);
        await WaitForHealthAsync(process, server.BaseAddress, "Hall.Server");
        return server;
    }

    /// <summary>Waits until the process answers <c>/health</c>; fails the test when it exits first or takes over 60 s.</summary>
    public static async Task WaitForHealthAsync(Process process, Uri baseAddress, string name)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var until = Environment.TickCount64 + 60_000;
        while (true)
        {
            if (process.HasExited)
            {
                Assert.Fail($"{name} exited with {process.ExitCode} before it served");
            }
            try
            {
                if ((await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (Environment.TickCount64 > until)
            {
                Assert.Fail($"{name} did not answer /health within 60 s");
            }
            await Task.Delay(200);
        }
    }

    private static void Echo(string? line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            TestContext.Progress.WriteLine("[server process] " + line);
        }
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Stops the server as systemd would (SIGTERM), so it stops its embedded cluster.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
    }

    /// <summary><c>kill -9</c>: no shutdown, no flushing, connections cut mid-command.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
