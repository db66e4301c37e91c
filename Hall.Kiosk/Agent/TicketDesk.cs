using Hall.Server.Contracts.Agents;
using System.Collections.Concurrent;
using Hall.Kiosk.Printing;
using Hall.Server.Contracts;
using Microsoft.Extensions.Options;

namespace Hall.Kiosk.Agent;

/// <summary>What the touch page asks for.</summary>
/// <param name="CheckIn">预约签到: the ticket of a booking, found by <paramref name="BookingCode"/> or else by <paramref name="IdNumber"/>.</param>
public sealed record TicketRequest(int? ServiceId, int? ServiceItemId, PriorityClass Priority, string? Mobile, string? IdNumber = null, string? BookingCode = null, bool CheckIn = false);

/// <summary>预约签到 as the touch page asks for it: the code (typed, or the QR's link as the scanner types it), or else the ID number.</summary>
public sealed record CheckInRequest(string? Code, string? IdNumber);

/// <summary>What the touch page shows after a ticket was issued.</summary>
/// <param name="Printed">False when no paper ticket came out: the page then says so and shows the phone page to photograph or scan.</param>
/// <param name="TrackingUrl">The ticket's phone page, written out on the screen when nothing was printed.</param>
/// <param name="Qr">The phone page's QR code (an SVG data URI) when nothing was printed.</param>
public sealed record TicketResult(
    string Number, string ServiceName, int PeopleAhead, int? EstimatedWaitMinutes, PriorityClass Priority, DateTimeOffset IssuedAt,
    string? MobileMasked, string? IdMasked = null, bool Printed = true, string? TrackingUrl = null, string? Qr = null, BookedSlot? Booking = null);

/// <summary>A refusal or failure in both languages, as the page shows it.</summary>
public sealed record ErrorText(string Code, string Zh, string En);

/// <summary>The answer to the page: a ticket, or an error with the HTTP status that says what kind (503 = the kiosk is out of service).</summary>
public sealed record DeskAnswer(int Status, TicketResult? Ticket, ErrorText? Error);

/// <summary>
/// Takes a ticket from the server and prints it. The order keeps the offline rule — nothing is printed that the
/// server did not issue: the printer is asked first, then the server issues, then the ticket is printed. With no
/// printer set up, or one that cannot print while <see cref="KioskOptions.IssueWithoutPaper"/> allows it, the ticket
/// is shown on the screen only (number, QR code, address); otherwise a printer fault stops issuing, and a ticket it
/// could not print is voided on the server with the reason.
/// </summary>
public sealed class TicketDesk(ServerLink link, KioskState state, ITicketPrinter printer, IOptions<KioskOptions> options, ILogger<TicketDesk> log) : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);
    // Issues whose answer was lost with the connection: asked again (same command id) after reconnecting, and voided.
    private readonly ConcurrentDictionary<Guid, IssueTicketCommand> _unanswered = new();
    // Voids the server has not confirmed yet.
    private readonly ConcurrentDictionary<long, string> _unvoided = new();

    public static readonly ErrorText ServerDown = new("server_unreachable", "暂时无法连接服务器", "The kiosk cannot reach the server.");

    public static ErrorText? PrinterProblem(PrinterStatus status) => status switch
    {
        PrinterStatus.PaperOut => new("printer_paper_out", "打印纸已用完", "The printer is out of paper."),
        PrinterStatus.CoverOpen => new("printer_cover_open", "打印机盖未关好", "The printer cover is open."),
        PrinterStatus.Offline => new("printer_offline", "打印机未连接", "The printer is not connected."),
        _ => null,
    };

    /// <summary>Why the printer stops the kiosk from issuing, or null when it issues (on paper, or on the screen only).</summary>
    public ErrorText? PrinterStop(PrinterStatus status) => options.Value.IssueWithoutPaper ? null : PrinterProblem(status);

    public async Task<DeskAnswer> IssueAsync(TicketRequest request, CancellationToken ct)
    {
        // One ticket at a time: a double tap never prints two.
        await _one.WaitAsync(ct);
        try
        {
            return await IssueOneAsync(request, ct);
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task<DeskAnswer> IssueOneAsync(TicketRequest request, CancellationToken ct)
    {
        if (link.State != LinkState.Online)
        {
            return OutOfService(ServerDown);
        }
        var status = await printer.CheckAsync(ct);
        if (PrinterStop(status) is { } problem)
        {
            return OutOfService(problem);
        }
        var command = new IssueTicketCommand(Guid.NewGuid(), request.ServiceId, null, request.ServiceItemId, request.Priority, request.Mobile, request.IdNumber, request.BookingCode, request.CheckIn);
        Reply<TicketIssued> reply;
        var asking = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                reply = await link.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), command, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The server may or may not have issued it; nothing was printed. Settled after reconnecting.
                _unanswered[command.CommandId] = command;
                log.LogWarning("Issue {CommandId} got no answer: {Error}", command.CommandId, ex.Message);
                return OutOfService(ServerDown);
            }
            // The server did not take it (its database away for a moment, or too busy): asked again with the same
            // command id, so the citizen's tap survives a database restart and is never issued twice.
            var pause = TimeSpan.FromMilliseconds(Math.Min(2000, 250 * attempt));
            if (reply.Error?.Code is not ("unavailable" or "busy") || asking.Elapsed + pause > TimeSpan.FromSeconds(options.Value.RetrySeconds))
            {
                break;
            }
            log.LogInformation("Issue {CommandId} not taken ({Code}); asking again", command.CommandId, reply.Error.Code);
            await Task.Delay(pause, ct);
        }
        if (reply.Error is { } error)
        {
            var text = new ErrorText(error.Code, error.MessageZh, error.MessageEn);
            return error.Code is "unavailable" ? OutOfService(text) : new DeskAnswer(409, null, text);
        }
        var issued = reply.Value!;
        if (status != PrinterStatus.Ready)
        {
            log.LogInformation("Ticket {Number} shown on screen only (printer {Status})", issued.Ticket.Number, status);
            return Issued(issued, printed: false);
        }
        try
        {
            await printer.PrintAsync(ToPrint(issued, request.Priority), ct);
        }
        catch (PrinterException ex) when (options.Value.IssueWithoutPaper)
        {
            log.LogWarning("Ticket {Number} not printed ({Status}); shown on screen instead", issued.Ticket.Number, ex.Status);
            return Issued(issued, printed: false);
        }
        catch (PrinterException ex)
        {
            log.LogWarning("Ticket {Number} not printed ({Status}); voiding it", issued.Ticket.Number, ex.Status);
            await VoidAsync(issued.Ticket.TicketId, $"print_failed: {ex.Status}", ct);
            return OutOfService(PrinterProblem(ex.Status) ?? PrinterProblem(PrinterStatus.Offline)!);
        }
        return Issued(issued, printed: true);
    }

    /// <summary>The page's answer for an issued ticket; one not printed carries its phone page to photograph or scan.</summary>
    private static DeskAnswer Issued(TicketIssued issued, bool printed)
    {
        var t = issued.Ticket;
        var url = printed ? null : issued.TrackingUrl;
        return new DeskAnswer(200, new TicketResult(
            t.Number, t.ServiceName, issued.PeopleAhead, issued.EstimatedWaitMinutes, t.Priority, t.IssuedAt, issued.MobileMasked, issued.IdMasked,
            printed, url, url is { Length: > 0 } ? TicketQr.SvgDataUri(url) : null, issued.Booking), null);
    }

    private TicketPrint ToPrint(TicketIssued issued, PriorityClass priority)
    {
        var o = options.Value;
        var hallName = string.IsNullOrWhiteSpace(o.HallName) ? state.HallName : o.HallName;
        return new TicketPrint(hallName, issued.Ticket.ServiceName, issued.Ticket.Number, issued.PeopleAhead, issued.EstimatedWaitMinutes,
            issued.Ticket.IssuedAt, TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone), PriorityLabel(priority), issued.TrackingUrl, o.Footer, BookingLine(issued.Booking));
    }

    /// <summary>The booked slot as printed: 预约 11:00–11:30, or for a latecomer taken as a walk-in that it was.</summary>
    public static string? BookingLine(BookedSlot? booking) => booking switch
    {
        null => null,
        { Late: true } => $"{booking.Start:HH:mm} 预约已过签到时间，按现场号排队",
        _ => $"{booking.Start:HH:mm}–{booking.End:HH:mm}",
    };

    public static string? PriorityLabel(PriorityClass priority) => priority switch
    {
        PriorityClass.Elderly => "70岁以上老人",
        PriorityClass.Disabled => "残疾人",
        PriorityClass.Military => "军人",
        PriorityClass.Pregnant => "孕妇",
        _ => null,
    };

    private async Task VoidAsync(long ticketId, string reason, CancellationToken ct)
    {
        try
        {
            var reply = await link.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.VoidTicket), new VoidTicketCommand(Guid.NewGuid(), ticketId, reason), ct);
            if (reply.Error is { } error && error.Code is "unavailable" or "busy")
            {
                _unvoided[ticketId] = reason;
            }
            else if (reply.Error is { } refused)
            {
                log.LogWarning("Void of ticket {TicketId} refused: {Code}", ticketId, refused.Code);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _unvoided[ticketId] = reason;
        }
    }

    /// <summary>After a reconnect: settle the issues whose answer was lost (their tickets were never printed) and the voids not yet confirmed.</summary>
    public async Task SettleAsync(CancellationToken ct)
    {
        foreach (var (id, command) in _unanswered)
        {
            try
            {
                var reply = await link.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), command, ct);
                _unanswered.TryRemove(id, out _);
                if (reply.Value is { } issued)
                {
                    await VoidAsync(issued.Ticket.TicketId, "not_printed: the kiosk lost its connection before the answer", ct);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                log.LogWarning("Settling issue {CommandId} failed: {Error}", id, ex.Message);
                return;
            }
        }
        foreach (var (ticketId, reason) in _unvoided)
        {
            _unvoided.TryRemove(ticketId, out _);
            await VoidAsync(ticketId, reason, ct);
        }
    }

    private static DeskAnswer OutOfService(ErrorText why) => new(503, null, why);

    public void Dispose() => _one.Dispose();
}
