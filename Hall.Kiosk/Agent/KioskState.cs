using Hall.Server.Contracts;

namespace Hall.Kiosk.Agent;

/// <summary>What the kiosk knows of its hall: rebuilt from every snapshot, kept current by state messages (older versions ignored).</summary>
public sealed class KioskState
{
    private readonly Lock _lock = new();
    private Dictionary<int, ServiceStateMessage> _services = [];
    private List<ServiceItemView> _items = [];

    public string HallName { get; private set; } = "";

    public void Apply(HallSnapshot snapshot)
    {
        lock (_lock)
        {
            HallName = snapshot.HallName;
            _services = snapshot.Services.ToDictionary(s => s.ServiceId);
        }
    }

    public void Apply(ServiceStateMessage service)
    {
        lock (_lock)
        {
            if (!_services.TryGetValue(service.ServiceId, out var held) || held.Version <= service.Version)
            {
                _services[service.ServiceId] = service;
            }
        }
    }

    public void SetItems(List<ServiceItemView> items)
    {
        lock (_lock)
        {
            _items = items;
        }
    }

    public IReadOnlyList<ServiceStateMessage> Services
    {
        get
        {
            lock (_lock)
            {
                return [.. _services.Values.OrderBy(s => s.Prefix)];
            }
        }
    }

    public ServiceStateMessage? Service(int id)
    {
        lock (_lock)
        {
            return _services.GetValueOrDefault(id);
        }
    }

    public ServiceItemView? Item(int id)
    {
        lock (_lock)
        {
            return _items.FirstOrDefault(i => i.Id == id);
        }
    }

    /// <summary>Items whose pinyin initials or name contain the query; those whose initials start with it first.</summary>
    public IReadOnlyList<ServiceItemView> Search(string? query, int take = 30)
    {
        var q = (query ?? "").Trim().ToLowerInvariant();
        if (q.Length == 0)
        {
            return [];
        }
        List<ServiceItemView> items;
        lock (_lock)
        {
            items = _items;
        }
        return [.. items
            .Select(i => (Item: i, Rank: i.Initials.StartsWith(q, StringComparison.Ordinal) ? 0
                : i.Name.StartsWith(q, StringComparison.OrdinalIgnoreCase) ? 1
                : i.Initials.Contains(q, StringComparison.Ordinal) || i.Name.Contains(q, StringComparison.OrdinalIgnoreCase) ? 2
                : -1))
            .Where(x => x.Rank >= 0)
            .OrderBy(x => x.Rank).ThenBy(x => x.Item.Name.Length)
            .Take(take)
            .Select(x => x.Item)];
    }
}
