using Hall.Server.Contracts;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>
/// A burst of commands on one service reaches the lobby as a few state messages ending on the latest state, while a
/// single command's messages still arrive at once, in order. Real Kestrel, real SignalR clients, real PostgreSQL; the
/// interval is longer than the default so that "at once" and "held" are far apart on a busy machine.
/// </summary>
[TestFixture]
public sealed class HubCoalescingTests
{
    private const int IntervalMs = 1500;
    private static readonly Dictionary<string, string?> Settings = new() { [HallNotifier.CoalesceSetting] = IntervalMs.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private HallApp _app = null!;
    private SeededHall _hall = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = await HallApp.StartAsync("coalesce", settings: Settings);
        _hall = await SeededHall.CreateAsync(_app, openAllDay: true);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _hall.DisposeAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Waits until a service or window has had no change for a whole interval, so its next change goes out at once.</summary>
    private static Task QuietAsync() => Task.Delay(2 * IntervalMs + 200);

    [Test]
    public async Task A_burst_of_tickets_on_one_service_reaches_the_lobby_as_a_few_messages_ending_on_the_final_count()
    {
        const int Burst = 30;
        var display = await _hall.DeviceAsync("display");
        var kiosk = await _hall.DeviceAsync("kiosk");
        var service = await _app.ServiceIdAsync(_hall.HallId, "jiaotong");
        var before = (await display.Connection.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot))).Services.Single(s => s.ServiceId == service).Waiting;
        await QuietAsync();

        var took = System.Diagnostics.Stopwatch.StartNew();
        var issued = await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ => kiosk.IssueAsync(service)));
        took.Stop();
        var last = issued.Select(r => r.Ok().Ticket.Version).Max();
        await display.WaitForAsync(d => d.ServiceMessages.Any(s => s.ServiceId == service && s.Version == last), "the service's final state", 10_000 + IntervalMs);
        await Task.Delay(IntervalMs + 200);

        var seen = display.ServiceMessages.Where(s => s.ServiceId == service).ToList();
        TestContext.Out.WriteLine($"{Burst} tickets in {took.ElapsedMilliseconds} ms reached the display as {seen.Count} ServiceChanged: {string.Join(", ", seen.Select(s => $"{s.Waiting}@{s.Version}"))}");
        // The leading message, then at most one at the end of each interval the burst lasted, and one after it.
        var atMost = 2 + (int)(took.ElapsedMilliseconds / IntervalMs);
        Assert.That(seen, Has.Count.LessThanOrEqualTo(atMost).And.Count.LessThan(Burst / 3), "far fewer messages than commands");
        Assert.That((seen[^1].Waiting, seen[^1].Version), Is.EqualTo((before + Burst, last)), "the last one carries the final count and version");
        Assert.That(seen.Select(s => s.Version), Is.Ordered.Ascending, "versions never go back");
    }

    [Test]
    public async Task A_single_call_still_reaches_the_lobby_at_once_as_called_then_window_then_service()
    {
        var display = await _hall.DeviceAsync("display");
        var kiosk = await _hall.DeviceAsync("kiosk");
        var clerk = await _hall.ClerkAsync(3);
        var window = await _app.WindowIdAsync(_hall.HallId, 3);
        var service = await _app.ServiceIdAsync(_hall.HallId, "yibao");
        (await clerk.OpenAsync(window)).Ok();
        (await kiosk.IssueAsync(service)).Ok();
        await QuietAsync();

        var from = display.Received.Count;
        var sentAt = Environment.TickCount64;
        var called = (await clerk.CallNextAsync(window)).Ok();
        await display.WaitForAsync(d => d.ServiceMessages.Any(s => s.ServiceId == service && s.Version >= called.Ticket.Version), "the service's new count", IntervalMs / 2);

        var arrived = display.Received.Skip(from).ToList();
        Assert.That(arrived.Select(r => r.Message switch
        {
            CallMessage c => $"Called {c.TicketNumber}",
            WindowStateMessage w => $"WindowChanged {w.Number} {w.CurrentTicketNumber}",
            ServiceStateMessage s => $"ServiceChanged {s.Code} {s.Waiting}",
            _ => "?",
        }), Is.EqualTo(new[] { $"Called {called.Ticket.Number}", $"WindowChanged 3 {called.Ticket.Number}", "ServiceChanged yibao 0" }));
        Assert.That(arrived.Max(r => r.At) - sentAt, Is.LessThan(IntervalMs / 2), "not held for the interval");
    }

    [Test]
    public async Task Versions_a_client_sees_never_go_back_and_end_on_the_latest_state_under_concurrent_commands()
    {
        var display = await _hall.DeviceAsync("display");
        var kiosks = new[] { await _hall.DeviceAsync("kiosk"), await _hall.DeviceAsync("kiosk") };
        var clerks = new[] { await _hall.ClerkAsync(1), await _hall.ClerkAsync(2) };
        var windows = new[] { await _app.WindowIdAsync(_hall.HallId, 1), await _app.WindowIdAsync(_hall.HallId, 2) };
        var services = new[] { await _app.ServiceIdAsync(_hall.HallId, "shebao"), await _app.ServiceIdAsync(_hall.HallId, "jiuye") };
        for (var i = 0; i < 2; i++)
        {
            (await clerks[i].OpenAsync(windows[i])).Ok();
        }
        // Someone to call from the start; the rest are issued while the windows call.
        for (var n = 0; n < 4; n++)
        {
            (await kiosks[0].IssueAsync(services[0])).Ok();
        }

        var issuing = kiosks.SelectMany(k => services.Select(async s =>
        {
            for (var n = 0; n < 8; n++)
            {
                (await k.IssueAsync(s)).Ok();
            }
        }));
        var made = new System.Collections.Concurrent.ConcurrentBag<long>();
        var calling = Enumerable.Range(0, 2).Select(async i =>
        {
            for (var n = 0; n < 6; n++)
            {
                if ((await clerks[i].CallNextAsync(windows[i])).Value is { } call)
                {
                    made.Add(call.CallId);
                }
            }
        });
        await Task.WhenAll(issuing.Concat(calling));

        var final = await display.Connection.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot));
        await display.WaitForAsync(d => services.All(id => d.ServiceMessages.Any(s => s.ServiceId == id && s.Version == final.Services.Single(f => f.ServiceId == id).Version))
            && windows.All(id => d.WindowMessages.Any(w => w.WindowId == id && w.Version == final.Windows.Single(f => f.WindowId == id).Version)), "every service and window at its final state", 10_000 + IntervalMs);
        await Task.Delay(IntervalMs + 200);
        foreach (var id in services)
        {
            var seen = display.ServiceMessages.Where(s => s.ServiceId == id).ToList();
            Assert.That(seen.Select(s => s.Version), Is.Ordered.Ascending, $"service {id}: {string.Join(",", seen.Select(s => s.Version))}");
            Assert.That(seen[^1], Is.EqualTo(final.Services.Single(s => s.ServiceId == id)).Using<ServiceStateMessage>((a, b) => a.Version == b.Version && a.Waiting == b.Waiting), "it ends on the latest state");
        }
        foreach (var id in windows)
        {
            var seen = display.WindowMessages.Where(w => w.WindowId == id).ToList();
            Assert.That(seen.Select(w => w.Version), Is.Ordered.Ascending, $"window {id}: {string.Join(",", seen.Select(w => w.Version))}");
            Assert.That(seen[^1].CurrentTicketId, Is.EqualTo(final.Windows.Single(w => w.WindowId == id).CurrentTicketId), "it ends on the latest state");
        }
        // Every call of the burst went out, once each: calls are never coalesced.
        var calls = display.Calls.Select(c => c.CallId).Where(made.Contains).ToList();
        Assert.That(made, Is.Not.Empty);
        Assert.That(calls, Is.EquivalentTo(made));
    }

    [Test]
    public async Task Another_server_hears_a_burst_as_a_few_changes_ending_on_the_final_count()
    {
        const int Burst = 20;
        await using var second = HallApp.StartAlongside(_app);
        var feed = second.Services.GetRequiredService<ChangeFeed>();
        var service = await _app.ServiceIdAsync(_hall.HallId, "yibao");
        var heard = new System.Collections.Concurrent.ConcurrentQueue<HallChanges>();
        feed.QueueChanged += (hallId, changes) =>
        {
            if (hallId == _hall.HallId)
            {
                heard.Enqueue(changes);
            }
        };
        var kiosk = await _hall.DeviceAsync("kiosk");
        await QuietAsync();

        var took = System.Diagnostics.Stopwatch.StartNew();
        var issued = await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ => kiosk.IssueAsync(service)));
        took.Stop();
        var last = issued.Select(r => r.Ok().Ticket.Version).Max();
        var until = Environment.TickCount64 + 10_000 + IntervalMs;
        while (!heard.Any(c => c.Services.Any(s => s.ServiceId == service && s.Version == last)) && Environment.TickCount64 < until)
        {
            await Task.Delay(20);
        }
        await Task.Delay(IntervalMs + 200);

        var changes = heard.ToList();
        TestContext.Out.WriteLine($"{Burst} tickets in {took.ElapsedMilliseconds} ms reached the other server as {changes.Count} changes");
        Assert.That(changes, Has.Count.LessThanOrEqualTo(2 + (int)(took.ElapsedMilliseconds / IntervalMs)).And.Count.LessThan(Burst / 3), "far fewer NOTIFYs than commands");
        Assert.That(changes[^1].Services.Single(s => s.ServiceId == service).Version, Is.EqualTo(last), "the last one carries the final state");
    }
}
