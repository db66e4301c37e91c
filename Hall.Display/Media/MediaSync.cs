using Hall.Display.Agent;
using Hall.Server.Contracts;
using Hall.Server.Contracts.Agents;
using Microsoft.AspNetCore.SignalR;
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
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    log.LogWarning("Proof of play not sent: {Error}", ex.Message);
                }
                // Apart from the plays: nothing about them may hold up the voice or the playlists.
                try
                {
                    if (DateTimeOffset.UtcNow - lastSync > TimeSpan.FromMinutes(1))
                    {
                        // The voice first: a long video download must not hold up a new voice pack or quiet hours.
                        await voice.SyncAsync(await link.InvokeAsync<DisplaySettingsView>(nameof(IHallHub.GetDisplaySettings), null, stoppingToken), server, stoppingToken);
                        // The still picture for closed hours, before the videos.
                        if (voice.Settings?.ClosedImage is { } still && !cache.Has(still))
                        {
                            await cache.DownloadAsync(still, server, stoppingToken);
                        }
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
            try
            {
                await link.InvokeAsync<int>(nameof(IHallHub.ReportPlays), batch.ToList(), ct);
                await outbox.RemoveAsync([.. batch.Select(p => p.PlayId)], ct);
            }
            catch (HubException ex) when (ex.Message.Contains(InvalidPlays, StringComparison.Ordinal))
            {
                // The server refuses the whole batch for one bad play: send them one by one and set aside the bad ones.
                foreach (var play in batch)
                {
                    try
                    {
                        await link.InvokeAsync<int>(nameof(IHallHub.ReportPlays), new List<PlayReport> { play }, ct);
                        await outbox.RemoveAsync([play.PlayId], ct);
                    }
                    catch (HubException one) when (one.Message.Contains(InvalidPlays, StringComparison.Ordinal))
                    {
                        log.LogWarning("Play {PlayId} of media {MediaId} refused by the server; set aside", play.PlayId, play.MediaId);
                        await outbox.RejectAsync(play, ct);
                    }
                }
            }
        }
    }

    private const string InvalidPlays = "invalid_plays";
}
