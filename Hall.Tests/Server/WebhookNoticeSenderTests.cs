using System.Collections.Concurrent;
using System.Text.Json;
using Hall.Server.Notices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>The default notice sender against a stand-in for the county's SMS gateway on real Kestrel.</summary>
public sealed class WebhookNoticeSenderTests
{
    [Test]
    public async Task A_notice_is_posted_as_JSON_with_the_gateways_token_and_a_refusal_is_an_error()
    {
        var received = new ConcurrentQueue<(string? Authorization, string Body)>();
        var status = StatusCodes.Status200OK;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var gateway = builder.Build();
        gateway.MapPost("/sms", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            received.Enqueue((http.Request.Headers.Authorization.ToString(), await reader.ReadToEndAsync()));
            return Results.StatusCode(status);
        });
        await gateway.StartAsync();
        var address = gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hall:Notice:WebhookUrl"] = address + "/sms",
            ["Hall:Notice:WebhookToken"] = "county-secret",
        }).Build();
        using var http = new HttpClient();
        var sender = new WebhookNoticeSender(http, config);

        await sender.SendAsync(new Notice("13812345678", "【新县市民之家】您的A012号前面还有3人", "A012", 7), CancellationToken.None);

        var (authorization, body) = received.Single();
        Assert.That(authorization, Is.EqualTo("Bearer county-secret"));
        using var json = JsonDocument.Parse(body);
        Assert.That(json.RootElement.GetProperty("mobile").GetString(), Is.EqualTo("13812345678"));
        Assert.That(json.RootElement.GetProperty("text").GetString(), Is.EqualTo("【新县市民之家】您的A012号前面还有3人"));
        Assert.That(json.RootElement.GetProperty("ticket").GetString(), Is.EqualTo("A012"));
        Assert.That((json.RootElement.GetProperty("kind").GetString(), json.RootElement.GetProperty("key").GetString()), Is.EqualTo(("ticket_near", "ticket:7")));
        Assert.That(json.RootElement.GetProperty("booking").ValueKind, Is.EqualTo(JsonValueKind.Null));

        // A booking's notice: the same body, with no ticket and the booking's code.
        await sender.SendAsync(new Notice("13812345678", "【新县市民之家】预约成功", null, null) { Kind = NoticeKind.BookingConfirmed, BookingCode = "ABCD-EFGH", BookingId = 9, Key = "booking:9:confirmed" }, CancellationToken.None);
        using (var booking = JsonDocument.Parse(received.Last().Body))
        {
            var root = booking.RootElement;
            Assert.That((root.GetProperty("kind").GetString(), root.GetProperty("booking").GetString(), root.GetProperty("key").GetString(), root.GetProperty("ticket").ValueKind),
                Is.EqualTo(("booking_confirmed", "ABCD-EFGH", "booking:9:confirmed", JsonValueKind.Null)));
        }

        status = StatusCodes.Status503ServiceUnavailable;
        Assert.ThrowsAsync<HttpRequestException>(() => sender.SendAsync(new Notice("13812345678", "x", "A013", 8), CancellationToken.None));
    }
}
