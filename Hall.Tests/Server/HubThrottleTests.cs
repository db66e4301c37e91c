using Hall.Server.Contracts;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Microsoft.Extensions.Time.Testing;

namespace Hall.Tests.Server;

/// <summary>The throttle that coalesces a service's or a window's state messages, on a fake clock.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class HubThrottleTests
{
    private sealed record State(long Version, int Waiting);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(150);
    private readonly FakeTimeProvider _clock = new();
    private readonly List<(int Key, State State)> _sent = [];

    private Throttle<int, State> Throttle(Func<int, State, Task>? send = null, TimeSpan? interval = null) =>
        new(interval ?? Interval, _clock, (held, s) => s.Version >= held.Version ? s : held, (sent, s) => s.Version < sent.Version, send ?? Record);

    private Task Record(int key, State state)
    {
        lock (_sent)
        {
            _sent.Add((key, state));
        }
        return Task.CompletedTask;
    }

    private List<long> Versions(int key = 1) => [.. _sent.Where(s => s.Key == key).Select(s => s.State.Version)];

    [Test]
    public async Task The_first_change_goes_out_at_once_and_a_burst_after_it_as_its_latest_state_when_the_interval_ends()
    {
        using var throttle = Throttle();
        await throttle.OfferAsync(1, new State(1, 1));
        Assert.That(Versions(), Is.EqualTo(new[] { 1L }), "a change in a quiet interval is not delayed");
        await throttle.OfferAsync(1, new State(2, 2));
        await throttle.OfferAsync(1, new State(3, 3));
        await throttle.OfferAsync(1, new State(4, 4));
        _clock.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.That(Versions(), Is.EqualTo(new[] { 1L }), "held until the interval ends");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(_sent.Select(s => s.State), Is.EqualTo(new[] { new State(1, 1), new State(4, 4) }), "only the latest of the burst");

        _clock.Advance(Interval);
        Assert.That(Versions(), Has.Count.EqualTo(2), "nothing more to send");
        await throttle.OfferAsync(1, new State(5, 5));
        Assert.That(Versions(), Is.EqualTo(new[] { 1L, 4, 5 }), "quiet again: the next change goes out at once");
    }

    [Test]
    public async Task A_burst_lasting_several_intervals_sends_one_state_per_interval()
    {
        using var throttle = Throttle();
        for (var v = 1; v <= 100; v++)
        {
            await throttle.OfferAsync(1, new State(v, v));
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }
        _clock.Advance(Interval);
        // 100 changes over 1 s: the leading one, then one at the end of each 150 ms.
        Assert.That(Versions(), Has.Count.InRange(7, 9));
        Assert.That(Versions(), Is.Ordered.Ascending);
        Assert.That(Versions()[^1], Is.EqualTo(100), "it ends on the latest state");
    }

    [Test]
    public async Task An_older_version_is_never_sent_after_a_newer_one()
    {
        using var throttle = Throttle();
        await throttle.OfferAsync(1, new State(5, 5));
        await throttle.OfferAsync(1, new State(3, 3));
        await throttle.OfferAsync(1, new State(7, 7));
        await throttle.OfferAsync(1, new State(6, 6));
        _clock.Advance(Interval);
        _clock.Advance(Interval);
        await throttle.OfferAsync(1, new State(6, 6));
        _clock.Advance(Interval);
        Assert.That(Versions(), Is.EqualTo(new[] { 5L, 7 }));
    }

    [Test]
    public async Task The_same_version_again_is_sent_as_the_fresher_message()
    {
        using var throttle = Throttle();
        await throttle.OfferAsync(1, new State(5, 5));
        await throttle.OfferAsync(1, new State(5, 6));
        _clock.Advance(Interval);
        Assert.That(_sent.Select(s => s.State), Is.EqualTo(new[] { new State(5, 5), new State(5, 6) }));
    }

    [Test]
    public async Task Each_service_or_window_has_its_own_interval()
    {
        using var throttle = Throttle();
        await throttle.OfferAsync(1, new State(1, 1));
        await throttle.OfferAsync(2, new State(2, 1));
        await throttle.OfferAsync(1, new State(3, 2));
        Assert.That((Versions(1), Versions(2)), Is.EqualTo((new List<long> { 1 }, new List<long> { 2 })));
        _clock.Advance(Interval);
        Assert.That(Versions(1), Is.EqualTo(new[] { 1L, 3 }));
    }

    [Test]
    public async Task A_held_state_is_sent_only_after_the_slow_send_before_it_has_ended()
    {
        var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new List<long>();
        using var throttle = Throttle((key, s) =>
        {
            lock (started)
            {
                started.Add(s.Version);
            }
            return s.Version == 1 ? slow.Task : Task.CompletedTask;
        });
        var first = throttle.OfferAsync(1, new State(1, 1));
        await throttle.OfferAsync(1, new State(2, 2));
        _clock.Advance(Interval);
        Assert.That(started, Is.EqualTo(new[] { 1L }), "the interval ended while the first was still being sent");
        slow.SetResult();
        await first;
        var until = Environment.TickCount64 + 5_000;
        while (started.Count < 2 && Environment.TickCount64 < until)
        {
            await Task.Delay(10);
        }
        Assert.That(started, Is.EqualTo(new[] { 1L, 2 }));
    }

    [Test]
    public async Task With_no_interval_every_change_goes_out()
    {
        using var throttle = Throttle(interval: TimeSpan.Zero);
        for (var v = 1; v <= 5; v++)
        {
            await throttle.OfferAsync(1, new State(v, v));
        }
        Assert.That(Versions(), Is.EqualTo(new[] { 1L, 2, 3, 4, 5 }));
    }

    [Test]
    public void Changes_merged_for_the_other_servers_keep_the_latest_state_of_each_service_and_window_and_every_call()
    {
        static ServiceStateMessage Service(int id, int waiting, long version) => new(id, "s" + id, "业务", 'A', waiting, 0, true, false, version);
        static WindowStateMessage Window(int id, long version) => new(id, id, "窗口", WindowStatus.Open, null, null, null, null, null, version);
        static CallMessage Call(long id) => new(id, id, "A001", 1, 1, "窗口", "业务", false, DateTimeOffset.UnixEpoch);
        var earlier = new HallChanges([Service(1, 3, 10), Service(2, 1, 11)], [Window(1, 10)], [Call(10)]);
        var later = new HallChanges([Service(1, 2, 12)], [Window(1, 9), Window(2, 12)], [Call(12)]);

        var merged = ChangeFeed.Merge(earlier, later);

        Assert.That(merged.Services.OrderBy(s => s.ServiceId).Select(s => (s.ServiceId, s.Waiting, s.Version)), Is.EqualTo(new[] { (1, 2, 12L), (2, 1, 11L) }));
        Assert.That(merged.Windows.OrderBy(w => w.WindowId).Select(w => (w.WindowId, w.Version)), Is.EqualTo(new[] { (1, 10L), (2, 12L) }));
        Assert.That(merged.Calls.Select(c => c.CallId), Is.EqualTo(new[] { 10L, 12 }));
        Assert.That(ChangeFeed.Merge(merged, HallChanges.Everything).All, Is.True, "everything changed stays everything");
        Assert.That(ChangeFeed.Merge(HallChanges.Everything, later).All, Is.True);
    }
}
