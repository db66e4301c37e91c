using System.Diagnostics.Metrics;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Operations;

/// <summary>
/// Hall's own metrics (meter "Hall"): tickets issued, calls made, waits (issue → first call) and, read from a snapshot
/// of the database at most every few seconds, tickets waiting per service and devices connected per role.
/// The service label is the service's name, as on the lobby screen.
/// </summary>
public sealed class HallMetrics : IDisposable
{
    public const string MeterName = "Hall";
    private static readonly TimeSpan SnapshotAge = TimeSpan.FromSeconds(5);

    private readonly IDbContextFactory<HallDb> _dbFactory;
    private readonly TimeProvider _clock;
    private readonly ILogger<HallMetrics> _log;
    private readonly HallNotifier _notifier;
    private readonly Meter _meter;
    private readonly Counter<long> _issued;
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _waits;
    private readonly Lock _gate = new();
    private Snapshot _snapshot = new([], [], DateTimeOffset.MinValue);
    private Task? _refreshing;

    public HallMetrics(IMeterFactory meters, HallNotifier notifier, IDbContextFactory<HallDb> dbFactory, TimeProvider clock, ILogger<HallMetrics> log)
    {
        _dbFactory = dbFactory;
        _clock = clock;
        _log = log;
        _notifier = notifier;
        _meter = meters.Create(MeterName);
        _issued = _meter.CreateCounter<long>("hall.tickets.issued", "{ticket}", "Tickets issued");
        _calls = _meter.CreateCounter<long>("hall.calls", "{call}", "Calls made to the lobby (first calls and recalls)");
        _waits = _meter.CreateHistogram<double>("hall.ticket.wait", "s", "Wait from a ticket's issue to its first call",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [60, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200] });
        _meter.CreateObservableGauge("hall.tickets.waiting", () => Current().Waiting, "{ticket}", "Tickets waiting, per hall and service");
        _meter.CreateObservableGauge("hall.devices.connected", () => Current().Devices, "{device}", "Devices holding a hub connection, per hall and role");
        notifier.Issued += OnIssued;
        notifier.Changed += OnChanged;
    }

    public void Dispose()
    {
        _notifier.Issued -= OnIssued;
        _notifier.Changed -= OnChanged;
        _meter.Dispose();
    }

    private void OnIssued(int hallId, TicketView ticket) =>
        _issued.Add(1, new KeyValuePair<string, object?>("hall", hallId), new KeyValuePair<string, object?>("service", ticket.ServiceName));

    private void OnChanged(int hallId, HallChanges changes)
    {
        if (changes.Calls.Count == 0)
        {
            return;
        }
        foreach (var call in changes.Calls)
        {
            _calls.Add(1, new KeyValuePair<string, object?>("hall", hallId), new KeyValuePair<string, object?>("recall", call.IsRecall));
        }
        var first = changes.Calls.Where(c => !c.IsRecall).ToList();
        if (first.Count > 0)
        {
            // The call message carries no issue time; one small query, off the command's path.
            _ = RecordWaitsAsync(hallId, first);
        }
    }

    private async Task RecordWaitsAsync(int hallId, List<CallMessage> calls)
    {
        try
        {
            var ids = calls.Select(c => c.TicketId).ToList();
            await using var db = await _dbFactory.CreateDbContextAsync();
            var issued = await db.Tickets.Where(t => ids.Contains(t.Id)).Select(t => new { t.Id, t.IssuedAt, Service = t.ServiceId }).ToListAsync();
            foreach (var call in calls)
            {
                if (issued.FirstOrDefault(t => t.Id == call.TicketId) is { } t)
                {
                    _waits.Record(Math.Max(0, (call.At - t.IssuedAt).TotalSeconds),
                        new KeyValuePair<string, object?>("hall", hallId), new KeyValuePair<string, object?>("service", call.ServiceName));
                }
            }
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Could not record the waits of hall {HallId}", hallId);
        }
    }

    /// <summary>The last snapshot; an older one than <see cref="SnapshotAge"/> starts a refresh and is served meanwhile, so a scrape never waits on the database.</summary>
    private Snapshot Current()
    {
        lock (_gate)
        {
            if (_clock.GetUtcNow() - _snapshot.At > SnapshotAge && _refreshing is null or { IsCompleted: true })
            {
                _refreshing = RefreshAsync();
            }
            return _snapshot;
        }
    }

    /// <summary>Reads the gauges now (tests and the first scrape after start).</summary>
    internal async Task RefreshAsync()
    {
        try
        {
            await using var db = await _dbFactory.CreateDbContextAsync();
            var waiting = await db.Tickets.Where(t => t.State == TicketState.Waiting)
                .Join(db.Services, t => t.ServiceId, s => s.Id, (t, s) => new { s.HallId, s.Name })
                .GroupBy(x => new { x.HallId, x.Name }).Select(g => new { g.Key.HallId, g.Key.Name, Count = g.Count() }).ToListAsync();
            var devices = await db.Devices.Where(d => d.Online && d.RevokedAt == null)
                .GroupBy(d => new { d.HallId, d.Role }).Select(g => new { g.Key.HallId, g.Key.Role, Count = g.Count() }).ToListAsync();
            var snapshot = new Snapshot(
                [.. waiting.Select(w => new Measurement<int>(w.Count, new KeyValuePair<string, object?>("hall", w.HallId), new KeyValuePair<string, object?>("service", w.Name)))],
                [.. devices.Select(d => new Measurement<int>(d.Count, new KeyValuePair<string, object?>("hall", d.HallId), new KeyValuePair<string, object?>("role", d.Role.ToString())))],
                _clock.GetUtcNow());
            lock (_gate)
            {
                _snapshot = snapshot;
            }
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Could not read the queue gauges");
        }
    }

    private sealed record Snapshot(IReadOnlyList<Measurement<int>> Waiting, IReadOnlyList<Measurement<int>> Devices, DateTimeOffset At);
}
