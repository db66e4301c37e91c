using System.Net.Http.Json;

namespace Hall.Server.Notices;

/// <summary>An "almost your turn" text to a citizen's phone.</summary>
public sealed record Notice(string Mobile, string Text, string TicketNumber, long TicketId);

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
        log.LogInformation("Notice for ticket {Number} to {Mobile}: {Text} (no SMS gateway configured: Hall:Notice:WebhookUrl)",
            notice.TicketNumber, Queue.TicketRules.MaskMobile(notice.Mobile), notice.Text);
        return Task.CompletedTask;
    }
}

/// <summary>
/// POSTs <c>{"mobile": "...", "text": "...", "ticket": "A012"}</c> as JSON to <c>Hall:Notice:WebhookUrl</c>, with
/// <c>Authorization: Bearer {Hall:Notice:WebhookToken}</c> when a token is set. Any non-2xx answer is a failure.
/// </summary>
public sealed class WebhookNoticeSender(HttpClient http, IConfiguration config) : INoticeSender
{
    public async Task SendAsync(Notice notice, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, config["Hall:Notice:WebhookUrl"])
        {
            Content = JsonContent.Create(new { mobile = notice.Mobile, text = notice.Text, ticket = notice.TicketNumber }),
        };
        if (config["Hall:Notice:WebhookToken"] is { Length: > 0 } token)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }
}
