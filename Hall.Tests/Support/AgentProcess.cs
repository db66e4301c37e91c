using System.Collections.Concurrent;
using System.Diagnostics;

namespace Hall.Tests.Support;

/// <summary>An agent (Hall.Kiosk, Hall.Display) as its own OS process, as it runs on the device PC, on a free loopback port.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    public Uri BaseAddress { get; }

    /// <summary>Everything the agent wrote to its console (its log) so far.</summary>
    public string Output => string.Join("\n", _output);

    private AgentProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <param name="project">Hall.Kiosk or Hall.Display: run from its own build output, with its project folder as content root (its page and settings).</param>
    /// <param name="port">A fixed port, so the agent's page finds it again after a restart; a free one by default.</param>
    public static async Task<AgentProcess> StartAsync(string project, IReadOnlyDictionary<string, string> settings, int? port = null)
    {
        var root = RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(root, project, "bin", configuration, "net10.0", project + ".dll");
        Assert.That(File.Exists(dll), Is.True, $"{dll} is built with the tests");
        port ??= ServerProcess.FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.Combine(root, project),
        };
        foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--contentRoot", Path.Combine(root, project), "--environment", "Production" })
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info)!;
        var agent = new AgentProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => agent.Echo(project, e.Data);
        process.ErrorDataReceived += (_, e) => agent.Echo(project, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ServerProcess.WaitForHealthAsync(process, agent.BaseAddress, project);
        return agent;
    }

    /// <summary>Hall.Kiosk connected to the server with the hall's kiosk device key, and these settings besides.</summary>
    public static Task<AgentProcess> StartKioskAsync(HallApp server, SeededHall hall, IReadOnlyDictionary<string, string> settings) =>
        StartAsync("Hall.Kiosk", new Dictionary<string, string>(settings)
        {
            ["Kiosk__Server"] = server.BaseAddress.ToString(),
            ["Kiosk__DeviceKey"] = hall.Credentials.DeviceKeys["kiosk"],
        });

    /// <summary>The folder holding Hall.sln.</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hall.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Hall.sln not found above " + AppContext.BaseDirectory);
    }

    private void Echo(string project, string? line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            _output.Enqueue(line);
            TestContext.Progress.WriteLine($"[{project}] {line}");
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
