using Hall.Display.Agent;
using Hall.Server.Contracts;
using Hall.Server.Contracts.Agents;
using Microsoft.Extensions.Options;

namespace Hall.Display.Media;

/// <summary>While the server is reachable: refreshes the playlists and the media cache every minute, and sends the proof of play every few seconds.</summary>
public sealed class MediaSync(DisplayLink link, MediaCache cache, PlayOutbox outbox, IOptions<DisplayOptions> options, ILogger<MediaSync> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var server = new HttpClient { BaseAddress = new Uri(options.Value.Server), Timeout = TimeSpan.FromMinutes(30) };
        server.DefaultRequestHeaders.Authorization = new("Bearer", options.Value.DeviceKey);
        var lastSync = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        do
        {
            if (link.State != LinkState.Online)
            {
                lastSync = DateTimeOffset.MinValue;
                continue;
            }
            try
            {
                await SendPlaysAsync(stoppingToken);
                if (DateTimeOffset.UtcNow - lastSync > TimeSpan.FromMinutes(1))
                {
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
        while (await timer.WaitForNextTickAsync(stoppingToken));
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
