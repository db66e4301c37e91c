using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Security;

namespace Hall.Server.Devices;

/// <summary>Creates devices. The key is returned once and stored only as a hash.</summary>
public static class DeviceKeys
{
    public static async Task<(Device Device, string Key)> CreateAsync(HallDb db, int hallId, string name, DeviceRole role, int? windowId, DateTimeOffset now, CancellationToken ct)
    {
        var secret = Secrets.New();
        var device = new Device { HallId = hallId, Name = name, Role = role, WindowId = windowId, KeyHash = Secrets.Hash(secret), CreatedAt = now };
        db.Devices.Add(device);
        await db.SaveChangesAsync(ct);
        return (device, Secrets.Token(HallAuth.DevicePrefix, device.Id, secret));
    }
}
