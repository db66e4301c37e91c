using Hall.Display.Agent;
using Hall.Server.Contracts;
using Hall.Server.Contracts.Agents;
using Microsoft.Extensions.Options;

namespace Hall.Display.Media;

/// <summary>
/// While the server is reachable: refreshes the voice settings, the playlists and the media cache after each connect,
/// when the server says they changed, and every minute; sends the proof of play every few seconds.
/// </summary>
public sealed class MediaSync(DisplayLink link, MediaCache cache, HallVoice voice, PlayOutbox outbox, SyncSignal signal, IOptions<DisplayOptions> options, ILogger<MediaSync> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var server = new HttpClient { BaseAddress = new Uri(options.Value.Server), Timeout = TimeSpan.FromMinutes(30) };
        server.DefaultRequestHeaders.Authorization = new("Bearer", options.Value.DeviceKey);
        var lastSync = DateTimeOffset.MinValue;
        for (; ; )
        {
            if (link.State != LinkState.Online)
            {
                lastSync = DateTimeOffset.MinValue;
            }
            else
            {
                try
                {
                    await SendPlaysAsync(stoppingToken);
                    if (DateTimeOffset.UtcNow - lastSync > TimeSpan.FromMinutes(1))
                    {
                        // The voice first: a long video download must not hold up a new voice pack or quiet hours.
                        await voice.SyncAsync(await link.InvokeAsync<DisplaySettingsView>(nameof(IHallHub.GetDisplaySettings), null, stoppingToken), server, stoppingToken);
                        var playlists = await link.InvokeAsync<List<PlaylistView>>(nameof(IHallHub.GetPlaylists), null, stoppingToken);
                        await cache.SyncAsync(playlists, server, stoppingToken);
                        lastSync = DateTimeOffset.UtcNow;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    log.LogWarning("Media sync: {Error}", ex.Message);
                }
            }
            if (await signal.WaitAsync(TimeSpan.FromSeconds(2), stoppingToken))
            {
                lastSync = DateTimeOffset.MinValue;
            }
        }
    }

    private async Task SendPlaysAsync(CancellationToken ct)
    {
        foreach (var batch in (await outbox.PendingAsync(ct)).Chunk(500))
        {
            await link.InvokeAsync<int>(nameof(IHallHub.ReportPlays), batch.ToList(), ct);
            await outbox.RemoveAsync([.. batch.Select(p => p.PlayId)], ct);
        }
    }
}
