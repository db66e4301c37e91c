using Hall.Server.Contracts;
using Hall.Server.Queue;
using Microsoft.AspNetCore.SignalR;

namespace Hall.Server.Hub;

/// <summary>
/// Sends committed changes to the hall's clients, raises them for this server's own services and hands them to the
/// change feed for every server's pages. Calls go out at once, each of them; the state of a service or a window goes out
/// at once when it is the first change in a quiet interval (<see cref="CoalesceSetting"/>), else its latest state goes
/// out when the interval ends: a burst on one service costs one message per interval, not one per command.
/// </summary>
public sealed class HallNotifier : IDisposable
{
    /// <summary>The interval, in milliseconds, over which a service's or a window's changes make one message (0: every change is sent).</summary>
    public const string CoalesceSetting = "Hall:Hub:CoalesceMilliseconds";

    public const int DefaultCoalesceMilliseconds = 150;

    private readonly IHubContext<HallHub, IHallClient> _hub;
    private readonly ChangeFeed _feed;
    private readonly ILogger<HallNotifier> _log;
    private readonly Throttle<(int Hall, int Service), ServiceStateMessage> _services;
    private readonly Throttle<(int Hall, int Window), WindowStateMessage> _windows;

    public HallNotifier(IHubContext<HallHub, IHallClient> hub, ChangeFeed feed, IConfiguration config, ILogger<HallNotifier> log)
    {
        (_hub, _feed, _log) = (hub, feed, log);
        var interval = CoalesceInterval(config);
        // A real clock: the hall's clock may stand still (in tests) and a held state must still go out.
        _services = new(interval, TimeProvider.System, (held, s) => s.Version >= held.Version ? s : held, (sent, s) => s.Version < sent.Version,
            (key, s) => SendAsync(key.Hall, c => c.ServiceChanged(s)));
        _windows = new(interval, TimeProvider.System, (held, w) => w.Version >= held.Version ? w : held, (sent, w) => w.Version < sent.Version,
            (key, w) => SendAsync(key.Hall, c => c.WindowChanged(w)));
    }

    public static TimeSpan CoalesceInterval(IConfiguration config) =>
        TimeSpan.FromMilliseconds(Math.Max(0, config.GetValue(CoalesceSetting, DefaultCoalesceMilliseconds)));

    /// <summary>Raised after a command of this server commits, with the hall id and its state messages (pages listen to <see cref="ChangeFeed"/>, which has every server's).</summary>
    public event Action<int, HallChanges>? Changed;

    /// <summary>Raised after an issued ticket commits, with the hall id and the ticket (for the metrics).</summary>
    public event Action<int, TicketView>? Issued;

    public void TicketIssued(int hallId, TicketView ticket) => Issued?.Invoke(hallId, ticket);

    public async Task PublishAsync(int hallId, HallChanges changes)
    {
        if (changes.IsEmpty)
        {
            return;
        }
        // The call first: it is what the lobby is waiting for; the states can follow (or be held, never ahead of it).
        foreach (var c in changes.Calls)
        {
            await SendAsync(hallId, clients => clients.Called(c));
        }
        foreach (var w in changes.Windows)
        {
            await _windows.OfferAsync((hallId, w.WindowId), w);
        }
        foreach (var s in changes.Services)
        {
            await _services.OfferAsync((hallId, s.ServiceId), s);
        }
        Changed?.Invoke(hallId, changes);
        _feed.PublishQueue(hallId, changes);
    }

    private async Task SendAsync(int hallId, Func<IHallClient, Task> send)
    {
        try
        {
            await send(_hub.Clients.Group(HubGroups.Hall(hallId)));
        }
        catch (Exception ex)
        {
            // The change is committed; clients catch up from the snapshot on their next reconnect.
            _log.LogWarning(ex, "Could not send changes of hall {HallId}", hallId);
        }
    }

    public void Dispose()
    {
        _services.Dispose();
        _windows.Dispose();
    }
}
