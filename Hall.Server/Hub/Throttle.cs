using System.Collections.Concurrent;

namespace Hall.Server.Hub;

/// <summary>
/// A throttle with a leading and a trailing edge, one per key. The first state offered in a quiet interval is sent at
/// once; what is offered during the interval is held (folded into one state by <c>merge</c>) and sent when the interval
/// ends, which starts another. A state <c>stale</c> against the last one sent is dropped. The sends of one key are made
/// one after the other, in the order they were decided, so a key's states never overtake one another.
/// </summary>
/// <remarks>
/// Give it a real clock: an interval that never ends holds a state for ever. An interval of zero or less sends every
/// state at once (the throttle is off).
/// </remarks>
public sealed class Throttle<TKey, TState>(
    TimeSpan interval, TimeProvider clock, Func<TState, TState, TState> merge, Func<TState, TState, bool> stale, Func<TKey, TState, Task> send) : IDisposable
    where TKey : notnull
    where TState : class
{
    private readonly ConcurrentDictionary<TKey, Gate> _gates = new();

    private sealed class Gate
    {
        public ITimer? Timer;
        public bool Running;
        public TState? Sent;
        public TState? Held;
        public Task Last = Task.CompletedTask;
    }

    public TimeSpan Interval => interval;

    /// <summary>Offers a state: the returned task ends when it is sent, or at once when it is held or dropped.</summary>
    public Task OfferAsync(TKey key, TState state)
    {
        if (interval <= TimeSpan.Zero)
        {
            return send(key, state);
        }
        var gate = _gates.GetOrAdd(key, _ => new Gate());
        lock (gate)
        {
            if (gate.Sent is { } sent && stale(sent, state))
            {
                return Task.CompletedTask;
            }
            if (gate.Running)
            {
                gate.Held = gate.Held is { } held ? merge(held, state) : state;
                return Task.CompletedTask;
            }
            gate.Running = true;
            gate.Timer ??= clock.CreateTimer(_ => Flush(key, gate), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            gate.Timer.Change(interval, Timeout.InfiniteTimeSpan);
            return gate.Last = SendAfterAsync(gate.Last, key, state, gate);
        }
    }

    /// <summary>The interval ended: send what was held and start another, or fall quiet.</summary>
    private void Flush(TKey key, Gate gate)
    {
        lock (gate)
        {
            if (gate.Held is not { } held)
            {
                gate.Running = false;
                return;
            }
            gate.Held = null;
            gate.Timer!.Change(interval, Timeout.InfiniteTimeSpan);
            gate.Last = SendAfterAsync(gate.Last, key, held, gate);
        }
    }

    // Called under the gate's lock, so the chain of a key's sends is in the order of the decisions.
    private Task SendAfterAsync(Task before, TKey key, TState state, Gate gate)
    {
        gate.Sent = state;
        return before.IsCompleted ? send(key, state) : ChainAsync(before, key, state);
    }

    private async Task ChainAsync(Task before, TKey key, TState state)
    {
        await before.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await send(key, state);
    }

    public void Dispose()
    {
        foreach (var gate in _gates.Values)
        {
            lock (gate)
            {
                gate.Timer?.Dispose();
                gate.Timer = null;
                gate.Held = null;
            }
        }
    }
}
