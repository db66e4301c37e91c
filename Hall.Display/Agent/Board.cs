using Hall.Server.Contracts;

namespace Hall.Display.Agent;

/// <summary>A call waiting to be announced by the page, with the agent's own order number.</summary>
public sealed record Announcement(long Seq, CallMessage Call);

/// <summary>
/// What the lobby screen shows and has still to say. Rebuilt from every snapshot; service states applied only when
/// not older; calls de-duplicated by call id, so a call the server re-sends after a reconnect is announced once.
/// A call is acknowledged to the server only after the page has announced it.
/// </summary>
public sealed class Board(int recentCount)
{
    private readonly Lock _lock = new();
    private Dictionary<int, ServiceStateMessage> _services = [];
    private Dictionary<int, WindowStateMessage> _windows = [];

    /// <summary>Raised after a snapshot (every window may have changed) and after each newer window state.</summary>
    public event Action<WindowStateMessage?>? WindowChanged;
    private readonly List<CallMessage> _recent = [];
    // Recent calls whose window has moved on since (see EndCallsBefore).
    private readonly HashSet<long> _ended = [];
    private readonly List<Announcement> _pending = [];
    // Calls announced (or being announced) by this agent; kept for a day's worth of calls.
    private readonly HashSet<long> _seen = [];
    private readonly Queue<long> _seenOrder = new();
    private readonly HashSet<long> _unacknowledged = [];
    // Starts from the clock, so numbers stay increasing across agent restarts: a page that polls "after N" misses nothing.
    private long _seq = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    public string HallName { get; private set; } = "";
    public string? NoticeLine { get; private set; }

    public void Apply(NoticeLineMessage notice) => NoticeLine = notice.Text;

    public void Apply(HallSnapshot snapshot)
    {
        lock (_lock)
        {
            HallName = snapshot.HallName;
            NoticeLine = snapshot.NoticeLine;
            _services = snapshot.Services.ToDictionary(s => s.ServiceId);
            _windows = snapshot.Windows.ToDictionary(w => w.WindowId);
            foreach (var call in snapshot.RecentCalls)
            {
                AddRecent(call);
            }
            foreach (var window in _windows.Values)
            {
                EndCallsBefore(window);
            }
        }
        WindowChanged?.Invoke(null);
    }

    public void Apply(WindowStateMessage window)
    {
        lock (_lock)
        {
            if (_windows.TryGetValue(window.WindowId, out var held) && held.Version > window.Version)
            {
                return;
            }
            _windows[window.WindowId] = window;
            EndCallsBefore(window);
        }
        WindowChanged?.Invoke(window);
    }

    public IReadOnlyList<WindowStateMessage> Windows
    {
        get
        {
            lock (_lock)
            {
                return [.. _windows.Values.OrderBy(w => w.Number)];
            }
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

    /// <summary>A call from the server: listed, and queued for announcement unless this agent has it already.</summary>
    public void Called(CallMessage call)
    {
        lock (_lock)
        {
            AddRecent(call);
            if (!_seen.Add(call.CallId))
            {
                return;
            }
            _seenOrder.Enqueue(call.CallId);
            while (_seenOrder.Count > 5000)
            {
                _seen.Remove(_seenOrder.Dequeue());
            }
            _pending.Add(new Announcement(++_seq, call));
        }
    }

    /// <summary>
    /// A call stops being "being called" once its window has moved on: the citizen came (in service), the ticket was
    /// finished, marked absent or transferred, or the window called someone else or closed. Window states arrive in
    /// the server's order, after the call they follow.
    /// </summary>
    private void EndCallsBefore(WindowStateMessage window)
    {
        foreach (var call in _recent.Where(c => c.WindowId == window.WindowId))
        {
            if (window.CurrentTicketId != call.TicketId || window.CurrentTicketState != TicketState.Called)
            {
                _ended.Add(call.CallId);
            }
        }
    }

    /// <summary>The newest call still being called (its citizen not at the window yet), for 正在叫号; null when none is.</summary>
    public CallMessage? Calling
    {
        get
        {
            lock (_lock)
            {
                return _recent.FirstOrDefault(c => !_ended.Contains(c.CallId));
            }
        }
    }

    private void AddRecent(CallMessage call)
    {
        if (_recent.Any(c => c.CallId == call.CallId))
        {
            return;
        }
        _recent.Add(call);
        _recent.Sort((a, b) => b.CallId.CompareTo(a.CallId));
        if (_recent.Count > recentCount)
        {
            _recent.RemoveRange(recentCount, _recent.Count - recentCount);
            _ended.IntersectWith(_recent.Select(c => c.CallId));
        }
    }

    public IReadOnlyList<Announcement> PendingAfter(long after)
    {
        lock (_lock)
        {
            return [.. _pending.Where(a => a.Seq > after)];
        }
    }

    /// <summary>The page finished announcing: the call can be acknowledged. Returns its call id, or null when unknown (already done).</summary>
    public long? Done(long seq)
    {
        lock (_lock)
        {
            var index = _pending.FindIndex(a => a.Seq == seq);
            if (index < 0)
            {
                return null;
            }
            var callId = _pending[index].Call.CallId;
            _pending.RemoveAt(index);
            _unacknowledged.Add(callId);
            return callId;
        }
    }

    public void Acknowledged(long callId)
    {
        lock (_lock)
        {
            _unacknowledged.Remove(callId);
        }
    }

    public IReadOnlyList<long> Unacknowledged
    {
        get
        {
            lock (_lock)
            {
                return [.. _unacknowledged];
            }
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

    public IReadOnlyList<CallMessage> RecentCalls
    {
        get
        {
            lock (_lock)
            {
                return [.. _recent];
            }
        }
    }
}
