using System.Diagnostics;
using Hall.Tests.Support;

namespace Hall.Tests.Operations;

/// <summary>Runs the operator's tools; a missing tool ignores the test locally and fails it when CI=true.</summary>
internal static class Tools
{
    public static string DeployFolder { get; } = FindDeployFolder();

    public static void Require(string tool, string package)
    {
        if (Find(tool) is not null)
        {
            return;
        }
        var message = $"{tool} is missing — install {package} (deploy/test.sh does) to run this test.";
        if (PostgresCluster.OnCi)
        {
            Assert.Fail(message);
        }
        Assert.Ignore(message);
    }

    public static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/usr/bin")
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    public static async Task<(int Code, string Out, string Err)> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FindDeployFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hall.sln")))
            {
                return Path.Combine(dir.FullName, "deploy");
            }
        }
        throw new InvalidOperationException("Hall.sln not found above " + AppContext.BaseDirectory);
    }
}
