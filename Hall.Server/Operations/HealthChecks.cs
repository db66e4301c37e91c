using System.Net.Sockets;
using System.Text;
using Hall.Server.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Hall.Server.Operations;

/// <summary>Ready when PostgreSQL answers a cheap query.</summary>
public sealed class DatabaseHealthCheck(DatabaseHost database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var cs = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Timeout = 3, Pooling = false };
            await using var conn = new NpgsqlConnection(cs.ConnectionString);
            await conn.OpenAsync(cancellationToken);
            await using var cmd = new NpgsqlCommand("SELECT 1", conn);
            await cmd.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException or SocketException)
        {
            // The message only: no connection string (and so no password) in an anonymous answer.
            return HealthCheckResult.Unhealthy("PostgreSQL is not reachable: " + ex.GetType().Name);
        }
    }
}

/// <summary>
/// Ready when Redis answers PING. Speaks the few bytes of RESP itself, so the check needs no client package;
/// reads host:port and password= from a StackExchange.Redis style connection string.
/// </summary>
public sealed class RedisHealthCheck(string connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (host, port, password) = Parse(connectionString);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(host, port, timeout.Token);
            var stream = tcp.GetStream();
            var request = password is null ? "PING\r\n" : $"AUTH {password}\r\nPING\r\n";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request), timeout.Token);
            var buffer = new byte[256];
            var text = new StringBuilder();
            while (!text.ToString().Contains("+PONG", StringComparison.Ordinal) && !text.ToString().Contains('-', StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer, timeout.Token);
                if (n == 0)
                {
                    break;
                }
                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
            return text.ToString().Contains("+PONG", StringComparison.Ordinal)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("Redis did not answer PING");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Redis is not reachable: " + ex.GetType().Name);
        }
    }

    internal static (string Host, int Port, string? Password) Parse(string connectionString)
    {
        string host = "localhost";
        int port = 6379;
        string? password = null;
        foreach (var part in connectionString.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("password=", StringComparison.OrdinalIgnoreCase))
            {
                password = part["password=".Length..];
            }
            else if (!part.Contains('=', StringComparison.Ordinal))
            {
                var colon = part.LastIndexOf(':');
                if (colon > 0 && int.TryParse(part[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var p))
                {
                    host = part[..colon];
                    port = p;
                }
                else
                {
                    host = part;
                }
            }
        }
        return (host, port, password);
    }
}
