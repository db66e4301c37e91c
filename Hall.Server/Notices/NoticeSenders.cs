using System.Net.Http.Json;

namespace Hall.Server.Notices;

/// <summary>What a notice is about; sent to the gateway as <c>kind</c>.</summary>
public enum NoticeKind
{
    /// <summary>到号提醒: a waiting ticket is almost called.</summary>
    TicketNear,
    /// <summary>预约成功: a booking was made.</summary>
    BookingConfirmed,
    /// <summary>预约提醒: the booked slot is near.</summary>
    BookingReminder,
    /// <summary>号源调整: a schedule change left the booking outside the new slots or places; it stands.</summary>
    BookingChanged,
}

/// <summary>
/// A text to a citizen's phone: the "almost your turn" notice of a ticket (<see cref="TicketNumber"/>, <see cref="TicketId"/>),
/// or a booking's notice (<see cref="BookingCode"/>, <see cref="BookingId"/>). <see cref="Key"/> is the same each time the
/// same notice is tried again, so a gateway may drop a repeat.
/// </summary>
public sealed record Notice(string Mobile, string Text, string? TicketNumber, long? TicketId)
{
    public NoticeKind Kind { get; init; } = NoticeKind.TicketNear;
    /// <summary>The booking's code as printed (ABCD-EFGH), for a booking's notice.</summary>
    public string? BookingCode { get; init; }
    public long? BookingId { get; init; }
    /// <summary>One notice's identity across retries: <c>ticket:{id}</c>, <c>booking:{id}:confirmed</c> …</summary>
    public string Key { get; init; } = TicketId is { } id ? $"ticket:{id}" : "";

    /// <summary>The kind as the webhook names it: ticket_near, booking_confirmed, booking_reminder, booking_changed.</summary>
    public string KindName => Kind switch
    {
        NoticeKind.TicketNear => "ticket_near",
        NoticeKind.BookingConfirmed => "booking_confirmed",
        NoticeKind.BookingReminder => "booking_reminder",
        NoticeKind.BookingChanged => "booking_changed",
    };
}

/// <summary>Sends notices: by default a webhook to the county's SMS gateway; a logging sender when none is configured.</summary>
public interface INoticeSender
{
    Task SendAsync(Notice notice, CancellationToken ct);
}

/// <summary>Logs that a notice would be sent, with the number masked: for halls without an SMS gateway.</summary>
public sealed class LoggingNoticeSender(ILogger<LoggingNoticeSender> log) : INoticeSender
{
    public Task SendAsync(Notice notice, CancellationToken ct)
    {
        // The booking's code opens the booking, so the log names the booking by its row id only.
        log.LogInformation("Notice {Kind} for {Subject} to {Mobile}: {Text} (no SMS gateway configured: Hall:Notice:WebhookUrl)",
            notice.KindName, notice.TicketNumber ?? $"booking {notice.BookingId}", Queue.TicketRules.MaskMobile(notice.Mobile),
            notice.BookingCode is { } code ? notice.Text.Replace(code, "****-****", StringComparison.Ordinal) : notice.Text);
        return Task.CompletedTask;
    }
}

/// <summary>
/// POSTs <c>{"mobile": "...", "text": "...", "ticket": "A012", "kind": "ticket_near", "booking": null, "key": "ticket:7"}</c>
/// as JSON to <c>Hall:Notice:WebhookUrl</c>, with <c>Authorization: Bearer {Hall:Notice:WebhookToken}</c> when a token is set.
/// Any non-2xx answer is a failure.
/// </summary>
public sealed class WebhookNoticeSender(HttpClient http, IConfiguration config) : INoticeSender
{
    public async Task SendAsync(Notice notice, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, config["Hall:Notice:WebhookUrl"])
        {
            Content = JsonContent.Create(new
            {
                mobile = notice.Mobile,
                text = notice.Text,
                ticket = notice.TicketNumber,
                kind = notice.KindName,
                booking = notice.BookingCode,
                key = notice.Key,
            }),
        };
        if (config["Hall:Notice:WebhookToken"] is { Length: > 0 } token)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }
}
