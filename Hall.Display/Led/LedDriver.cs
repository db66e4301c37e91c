using System.Threading.Channels;
using Hall.Display.Agent;
using Hall.Server.Contracts;
using Microsoft.Extensions.Options;

namespace Hall.Display.Led;

/// <summary>
/// Keeps every window's LED strip showing its window's state: 「A012 请到3号窗口」 on a call, 「暂停服务」 while
/// paused. A strip's address is the window's LED address from the server (its number when none is set). Only changes
/// are sent; after each snapshot (a reconnect) every strip is sent again. A strip that could not be reached is tried
/// again at the next change.
/// </summary>
public sealed class LedDriver(Board board, IOptions<DisplayOptions> options, ILoggerFactory logs) : BackgroundService
{
    private readonly Channel<WindowStateMessage?> _changes = Channel.CreateUnbounded<WindowStateMessage?>(new() { SingleReader = true });
    private readonly ILogger _log = logs.CreateLogger<LedDriver>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var buses = options.Value.LedBuses.Where(b => !string.IsNullOrWhiteSpace(b.PortName)).ToList();
        if (buses.Count == 0)
        {
            return;
        }
        var screens = buses.Select(b => (Bus: b, Screen: new SerialWindowScreen(b, _log))).ToList();
        board.WindowChanged += w => _changes.Writer.TryWrite(w);
        _changes.Writer.TryWrite(null);
        var shown = new Dictionary<int, string?>();
        try
        {
            await foreach (var change in _changes.Reader.ReadAllAsync(stoppingToken))
            {
                if (change is null)
                {
                    shown.Clear();
                }
                foreach (var window in change is null ? board.Windows : [change])
                {
                    var text = WindowScreenText.For(window);
                    if (shown.TryGetValue(window.WindowId, out var current) && current == text)
                    {
                        continue;
                    }
                    try
                    {
                        foreach (var (bus, screen) in screens.Where(s => s.Bus.Windows.Count == 0 || s.Bus.Windows.Contains(window.Number)))
                        {
                            var address = window.LedAddress ?? window.Number;
                            await (text is null ? screen.ClearAsync(address, stoppingToken) : screen.ShowAsync(address, text, stoppingToken));
                        }
                        shown[window.WindowId] = text;
                    }
                    catch (IOException ex)
                    {
                        _log.LogWarning("Window {Number}'s strip not updated: {Error}", window.Number, ex.Message);
                        shown.Remove(window.WindowId);
                    }
                }
            }
        }
        finally
        {
            foreach (var (_, screen) in screens)
            {
                screen.Dispose();
            }
        }
    }
}
