using System.Net;
using System.Net.Sockets;
using Hall.Server.Operations;
using Hall.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Hall.Tests.Operations;

/// <summary>The Redis part of /health/ready, checked against a real redis-server and a closed port.</summary>
[TestFixture]
public sealed class RedisHealthTests
{
    [Test]
    public async Task Redis_that_answers_ping_is_healthy_and_a_closed_port_is_not()
    {
        await using (var redis = await RedisServer.StartAsync(password: "pw"))
        {
            var check = new RedisHealthCheck($"127.0.0.1:{redis.Port},password=pw,abortConnect=false");
            var result = HealthStatus.Unhealthy;
            for (var i = 0; i < 50 && result != HealthStatus.Healthy; i++)
            {
                await Task.Delay(100);
                result = (await check.CheckHealthAsync(new HealthCheckContext())).Status;
            }
            Assert.That(result, Is.EqualTo(HealthStatus.Healthy));
            var wrongPassword = await new RedisHealthCheck($"127.0.0.1:{redis.Port},password=nope").CheckHealthAsync(new HealthCheckContext());
            Assert.That(wrongPassword.Status, Is.EqualTo(HealthStatus.Unhealthy));
        }
        var closed = await new RedisHealthCheck($"127.0.0.1:{FreePort()}").CheckHealthAsync(new HealthCheckContext());
        Assert.That(closed.Status, Is.EqualTo(HealthStatus.Unhealthy));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
