using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Devices;
using Hall.Server.Queue;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Hub;

/// <summary>What the hub reads and records for a connection besides the queue commands: the snapshot, a device's presence and status, its acknowledgements, the kiosk catalogue.</summary>
public sealed class HubBackend(IDbContextFactory<HallDb> dbFactory, TimeProvider clock, Alerts.AlertMonitor alerts, CallAcks acks)
{
    /// <summary>A connection joined: a device is marked online; the caller gets the snapshot and, a display, the calls it has not acknowledged yet.</summary>
    public async Task<(HallSnapshot Snapshot, List<CallMessage> Unacknowledged)> ConnectedAsync(Actor actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor.DeviceId is { } deviceId)
        {
            await DeviceStatus.ConnectedAsync(db, deviceId, clock.GetUtcNow(), ct);
            alerts.Poke(actor.HallId);
        }
        var snapshot = await HallStateReader.SnapshotAsync(db, actor.HallId, clock.GetUtcNow(), ct);
        // Calls this display has not acknowledged yet are sent again; it de-duplicates them by call id.
        var unacknowledged = actor.DeviceRole == DeviceRole.Display ? await DeviceCalls.PendingAsync(db, actor, clock.GetUtcNow(), ct) : [];
        return (snapshot, unacknowledged);
    }

    public async Task DisconnectedAsync(Actor actor)
    {
        if (actor.DeviceId is { } deviceId)
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            await DeviceStatus.DisconnectedAsync(db, deviceId, clock.GetUtcNow(), CancellationToken.None);
            alerts.Poke(actor.HallId);
        }
    }

    public async Task<HallSnapshot> SnapshotAsync(Actor actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await HallStateReader.SnapshotAsync(db, actor.HallId, clock.GetUtcNow(), ct);
    }

    /// <summary>A device's own status report; a malformed one is refused with invalid_command.</summary>
    public async Task ReportStatusAsync(Actor device, DeviceStatusReport report, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (device.DeviceId is not { } deviceId || !await DeviceStatus.ReportAsync(db, deviceId, report, clock.GetUtcNow(), ct))
        {
            throw new HubException(Refusal.InvalidCommand.Code);
        }
        alerts.Poke(device.HallId);
    }

    public Task AckCallAsync(Actor display, long callId, CancellationToken ct) => acks.AckAsync(display, callId, clock.GetUtcNow(), ct);

    public async Task<List<ServiceItemView>> ServiceItemsAsync(Actor actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Catalog.ServiceItems.ForKioskAsync(db, actor.HallId, ct);
    }
}
