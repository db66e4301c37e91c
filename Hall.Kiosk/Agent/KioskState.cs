using Hall.Server.Catalog;
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

    /// <summary>Items found by the query (Chinese, pinyin, initials; by name, service or synonym), the best matches first.</summary>
    public IReadOnlyList<ServiceItemView> Search(string? query, int take = 30)
    {
        List<ServiceItemView> items;
        lock (_lock)
        {
            items = _items;
        }
        return ItemSearch.Search(items, query, take);
    }

    /// <summary>Chinese words of the catalogue that the letters typed last spell, for the on-screen keyboard's candidate row.</summary>
    public IReadOnlyList<string> Candidates(string? query)
    {
        List<ServiceItemView> items;
        lock (_lock)
        {
            items = _items;
        }
        return ItemSearch.Candidates(items, query);
    }
}
