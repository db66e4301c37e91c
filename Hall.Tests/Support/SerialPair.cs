using System.Diagnostics;

namespace Hall.Tests.Support;

/// <summary>
/// Two linked serial ports from socat (<c>pty,raw,echo=0</c> both ends): the device under test opens <see cref="Near"/>,
/// the test's stand-in for the hardware opens <see cref="Far"/>. Stopping socat is pulling the cable.
/// </summary>
public sealed class SerialPair : IAsyncDisposable
{
    private readonly string _folder;
    private Process? _socat;

    public string Near => Path.Combine(_folder, "near");
    public string Far => Path.Combine(_folder, "far");

    private SerialPair(string folder) => _folder = folder;

    public static async Task<SerialPair> StartAsync()
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
        var pair = new SerialPair(Directory.CreateTempSubdirectory("hall-serial-").FullName);
        await pair.ConnectAsync();
        return pair;
    }

    public async Task ConnectAsync()
    {
        var info = new ProcessStartInfo("socat") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-d", "-d", $"pty,raw,echo=0,link={Near}", $"pty,raw,echo=0,link={Far}" })
        {
            info.ArgumentList.Add(a);
        }
        _socat = Process.Start(info)!;
        _socat.BeginErrorReadLine();
        _socat.BeginOutputReadLine();
        for (var i = 0; i < 100 && !(Resolves(Near) && Resolves(Far)); i++)
        {
            await Task.Delay(50);
        }
        Assert.That(Resolves(Near) && Resolves(Far), Is.True, "socat made the pty pair");
    }

    public async Task DisconnectAsync()
    {
        if (_socat is { HasExited: false } socat)
        {
            socat.Kill();
            await socat.WaitForExitAsync();
        }
        _socat?.Dispose();
        _socat = null;
        // socat removes its links as it exits; a link left behind would point at a pty that is gone.
        for (var i = 0; i < 50 && (Linked(Near) || Linked(Far)); i++)
        {
            await Task.Delay(20);
        }
        File.Delete(Near);
        File.Delete(Far);
    }

    private static bool Linked(string path) => new FileInfo(path).LinkTarget is not null;

    private static bool Resolves(string path) => new FileInfo(path).LinkTarget is { } target && File.Exists(target);

    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
