using Hall.Server.Contracts.Agents;
using Hall.Kiosk.Printing;
using Hall.Server.Contracts;
using Microsoft.Extensions.Options;

namespace Hall.Kiosk.Agent;

/// <summary>Asks the printer for its status every few seconds and tells the server when it changes (and once a minute), so the supervisor sees it.</summary>
public sealed class StatusReporter(ServerLink link, ITicketPrinter printer, TicketDesk desk, IOptions<KioskOptions> options, ILogger<StatusReporter> log) : BackgroundService
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMinutes(1);
    private volatile bool _reconnected;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        link.Connected += () =>
        {
            _reconnected = true;
            return Task.CompletedTask;
        };
        PrinterStatus? reported = null;
        var reportedAt = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PrinterCheckSeconds));
        do
        {
            var status = await printer.CheckAsync(stoppingToken);
            if (link.State != LinkState.Online)
            {
                continue;
            }
            try
            {
                if (_reconnected)
                {
                    _reconnected = false;
                    reported = null;
                    await desk.SettleAsync(stoppingToken);
                }
                if (status != reported || DateTimeOffset.UtcNow - reportedAt > Heartbeat)
                {
                    var detail = TicketDesk.PrinterProblem(status)?.Zh;
                    await link.SendAsync(nameof(IHallHub.ReportStatus), new DeviceStatusReport(status.ToString(), detail), stoppingToken);
                    (reported, reportedAt) = (status, DateTimeOffset.UtcNow);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning("Status not reported: {Error}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
