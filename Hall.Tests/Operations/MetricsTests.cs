using System.Net;
using Hall.Server.Operations;
using Hall.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Operations;

/// <summary>/metrics in the Prometheus text format, with Hall's own queue metrics; only for allowed callers.</summary>
[TestFixture]
public sealed class MetricsTests
{
    [Test]
    public async Task Metrics_show_the_tickets_issued_the_calls_the_waits_and_the_waiting_queue()
    {
        await using var app = await HallApp.StartAsync("metrics");
        await using var hall = await SeededHall.CreateAsync(app);
        var kiosk = await hall.DeviceAsync("kiosk");
        var clerk = await hall.ClerkAsync(1);
        var shebao = await app.ServiceIdAsync(hall.HallId, "shebao");
        var window1 = await app.WindowIdAsync(hall.HallId, 1);
        (await kiosk.IssueAsync(shebao)).Ok();
        (await kiosk.IssueAsync(shebao)).Ok();
        app.Clock.Advance(TimeSpan.FromMinutes(7));
        (await clerk.OpenAsync(window1)).Ok();
        (await clerk.CallNextAsync(window1)).Ok();
        await app.Services.GetRequiredService<HallMetrics>().RefreshAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var text = "";
        // The wait is recorded after a small query off the call's path, and the exporter caches a scrape briefly.
        for (var i = 0; i < 50 && !text.Contains("hall_ticket_wait_seconds_count", StringComparison.Ordinal); i++)
        {
            await Task.Delay(200);
            var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            text = await response.Content.ReadAsStringAsync();
        }
        TestContext.Out.WriteLine(string.Join('\n', text.Split('\n').Where(l => l.StartsWith("hall_", StringComparison.Ordinal))));

        Assert.That(Line(text, "hall_tickets_issued_total{"), Does.Contain("service=\"").And.EndWith(" 2"));
        Assert.That(Line(text, "hall_calls_total{"), Does.Contain("recall=\"false\"").And.EndWith(" 1"));
        Assert.That(Line(text, "hall_ticket_wait_seconds_count{"), Does.EndWith(" 1"));
        Assert.That(Line(text, "hall_ticket_wait_seconds_sum{"), Does.EndWith(" 420"), "seven minutes from issue to call");
        Assert.That(Line(text, "hall_tickets_waiting{"), Does.Contain("service=\"社保业务\"").And.EndWith(" 1"));
        Assert.That(Line(text, "hall_devices_connected{"), Does.Contain("role=\"Kiosk\""));
        Assert.That(text, Does.Contain("# TYPE hall_ticket_wait_seconds histogram"));
    }

    [Test]
    public async Task A_request_relayed_by_the_reverse_proxy_is_refused()
    {
        await using var app = await HallApp.StartAsync("metricsproxy");
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [TestCase("127.0.0.1", null, null, true)]
    [TestCase("::1", null, null, true)]
    [TestCase("10.1.2.3", null, null, false)]
    [TestCase("10.1.2.3", "Bearer s3cret-token", null, true)]
    [TestCase("10.1.2.3", "Bearer wrong", null, false)]
    [TestCase("10.1.2.3", null, "10.1.2.9, 10.1.2.3", true)]
    [TestCase("10.1.2.4", null, "10.1.2.9, 10.1.2.3", false)]
    public void Metrics_are_open_to_loopback_the_allow_list_and_the_token(string remote, string? authorization, string? allowList, bool allowed)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hall:Metrics:Token"] = "s3cret-token",
            ["Hall:Metrics:AllowedAddresses"] = allowList,
        }).Build();
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        Assert.That(MetricsAccess.IsAllowed(http, config), Is.EqualTo(allowed));
    }

    private static string Line(string text, string prefix) =>
        text.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?.Trim() ?? $"(no line starting with {prefix})";
}
