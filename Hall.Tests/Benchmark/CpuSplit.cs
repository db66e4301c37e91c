using System.Globalization;

namespace Hall.Tests.Benchmark;

/// <summary>
/// CPU time used so far by the benchmark's own process (the clients), the server process and its PostgreSQL cluster (the
/// postmaster with the backends it reaped, and its live backends), read from /proc: where a command's time goes.
/// </summary>
internal readonly record struct CpuSplit(double ClientMs, double ServerMs, double DatabaseMs)
{
    private static readonly double MsPerTick = 1000.0 / 100;

    public static CpuSplit operator -(CpuSplit a, CpuSplit b) => new(a.ClientMs - b.ClientMs, a.ServerMs - b.ServerMs, a.DatabaseMs - b.DatabaseMs);

    /// <summary>One table row: milliseconds of CPU per operation in each process.</summary>
    public string Row(string operation, long operations)
    {
        var n = Math.Max(1, operations);
        return string.Create(CultureInfo.InvariantCulture, $"| {operation,-10} | {ClientMs / n,15:F2} ms | {ServerMs / n,8:F2} ms | {DatabaseMs / n,7:F2} ms | {(ClientMs + ServerMs + DatabaseMs) / n,4:F2} ms |");
    }

    /// <param name="serverPid">The Hall.Server process.</param>
    /// <param name="dataFolder">The folder its embedded cluster lives in: the postmaster is found by it on its command line.</param>
    public static CpuSplit Sample(int serverPid, string dataFolder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return default;
        }
        var processes = Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? Stat(pid) : null)
            .OfType<ProcStat>()
            .ToList();
        var postmaster = processes.FirstOrDefault(p => p.Name == "postgres" && CommandLine(p.Pid).Contains(dataFolder, StringComparison.Ordinal));
        var database = postmaster is null ? 0 : postmaster.Own + postmaster.Reaped + processes.Where(p => p.Parent == postmaster.Pid).Sum(p => p.Own);
        return new(Stat(Environment.ProcessId)?.Own * MsPerTick ?? 0, Stat(serverPid)?.Own * MsPerTick ?? 0, database * MsPerTick);
    }

    private sealed record ProcStat(int Pid, string Name, int Parent, long Own, long Reaped);

    private static ProcStat? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // The name is in parentheses and may hold spaces; the fields after it are numbered from 3 (state).
            var close = text.LastIndexOf(')');
            var name = text[(text.IndexOf('(') + 1)..close];
            var f = text[(close + 2)..].Split(' ');
            long Field(int n) => long.Parse(f[n - 3], CultureInfo.InvariantCulture);
            return new ProcStat(pid, name, (int)Field(4), Field(14) + Field(15), Field(16) + Field(17));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
