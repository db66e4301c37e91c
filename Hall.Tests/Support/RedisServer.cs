using System.Diagnostics;

namespace Hall.Tests.Support;

/// <summary>Debian's redis-server on a free loopback port, for the tests of several server instances; stopped with the test.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/redis-server";
    private Process? _process;
    private string? _password;

    public int Port { get; } = ServerProcess.FreePort();

    /// <summary>What Hall.Server takes as <c>ConnectionStrings:Redis</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000";

    /// <param name="password">Clients must give it (<c>requirepass</c>); none by default.</param>
    public static async Task<RedisServer> StartAsync(string? password = null)
    {
        if (!File.Exists(Binary))
        {
            const string missing = "redis-server is missing — install it with `apt-get install redis-server` (deploy/test.sh does).";
            if (PostgresCluster.OnCi)
            {
                Assert.Fail(missing);
            }
            Assert.Ignore(missing);
        }
        var redis = new RedisServer { _password = password };
        await redis.StartAgainAsync();
        return redis;
    }

    /// <summary>Starts it (again, after <see cref="StopAsync"/>) on the same port, empty, and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Redis's allocator does not start under libfaketime (deploy/test.sh's HALL_TEST_MACHINE_TIME); it only relays
        // messages between servers and keeps no dates of the hall's, so it runs on the real clock then.
        info.Environment.Remove("LD_PRELOAD");
        foreach (var a in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" })
        {
            info.ArgumentList.Add(a);
        }
        if (_password is not null)
        {
            info.ArgumentList.Add("--requirepass");
            info.ArgumentList.Add(_password);
        }
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var until = Environment.TickCount64 + 10_000;
        while (true)
        {
            try
            {
                using var tcp = new System.Net.Sockets.TcpClient();
                await tcp.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (Environment.TickCount64 < until && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
