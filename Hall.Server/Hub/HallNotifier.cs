using Hall.Server.Contracts;
using Hall.Server.Queue;
using Microsoft.AspNetCore.SignalR;

namespace Hall.Server.Hub;

/// <summary>Sends committed changes to the hall's clients, raises them for this server's own services and hands them to the change feed for every server's pages.</summary>
public sealed class HallNotifier(IHubContext<HallHub, IHallClient> hub, ChangeFeed feed, ILogger<HallNotifier> log)
{
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
        var clients = hub.Clients.Group(HubGroups.Hall(hallId));
        try
        {
            // The call first: it is what the lobby is waiting for; the counts can follow.
            foreach (var c in changes.Calls)
            {
                await clients.Called(c);
            }
            foreach (var w in changes.Windows)
            {
                await clients.WindowChanged(w);
            }
            foreach (var s in changes.Services)
            {
                await clients.ServiceChanged(s);
            }
        }
        catch (Exception ex)
        {
            // The change is committed; clients catch up from the snapshot on their next reconnect.
            log.LogWarning(ex, "Could not send changes of hall {HallId}", hallId);
        }
        Changed?.Invoke(hallId, changes);
        feed.PublishQueue(hallId, changes);
    }
}
