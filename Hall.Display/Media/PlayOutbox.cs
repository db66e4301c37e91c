using System.Text.Json;
using Hall.Server.Contracts;
using Microsoft.Extensions.Options;

namespace Hall.Display.Media;

/// <summary>
/// Proof of play waiting to reach the server: each play gets its id when the page reports it and is written to disk
/// at once, so plays recorded while the server is unreachable (or across an agent restart) are sent later; the server
/// counts a play id once, so a send whose answer was lost is simply sent again.
/// </summary>
public sealed class PlayOutbox(IOptions<Agent.DisplayOptions> options, IHostEnvironment env) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    private string FilePath => Path.Combine(Path.GetFullPath(string.IsNullOrWhiteSpace(options.Value.MediaCacheFolder)
        ? Path.Combine(env.ContentRootPath, "media-cache") : options.Value.MediaCacheFolder, env.ContentRootPath), "plays-outbox.jsonl");

    public async Task AddAsync(PlayReport play, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            await File.AppendAllTextAsync(FilePath, JsonSerializer.Serialize(play) + "\n", ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<List<PlayReport>> PendingAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return File.Exists(FilePath)
                ? [.. (await File.ReadAllLinesAsync(FilePath, ct)).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<PlayReport>(l)!)]
                : [];
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// Sets aside plays the server refuses for good (e.g. of media it no longer has): kept in plays-rejected.jsonl for
    /// a person to look at, never sent again, so they cannot hold up the plays behind them.
    /// </summary>
    public async Task RejectAsync(PlayReport play, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await File.AppendAllTextAsync(Path.Combine(Path.GetDirectoryName(FilePath)!, "plays-rejected.jsonl"), JsonSerializer.Serialize(play) + "\n", ct);
        }
        finally
        {
            _gate.Release();
        }
        await RemoveAsync([play.PlayId], ct);
    }

    /// <summary>Removes the plays the server has stored; plays added meanwhile stay.</summary>
    public async Task RemoveAsync(IReadOnlyCollection<Guid> sent, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var keep = (await File.ReadAllLinesAsync(FilePath, ct)).Where(l => l.Length > 0 && !sent.Contains(JsonSerializer.Deserialize<PlayReport>(l)!.PlayId));
            var temp = FilePath + ".tmp";
            await File.WriteAllLinesAsync(temp, keep, ct);
            File.Move(temp, FilePath, overwrite: true);
        }
        finally
        {
            _gate.Release();
        }
    }
}
