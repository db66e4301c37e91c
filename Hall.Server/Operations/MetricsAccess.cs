using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Hall.Server.Operations;

/// <summary>
/// Who may read /metrics: a caller on loopback that did not come through a proxy, a caller whose address is in
/// <c>Hall:Metrics:AllowedAddresses</c>, or one presenting <c>Authorization: Bearer</c> with <c>Hall:Metrics:Token</c>.
/// </summary>
public static class MetricsAccess
{
    public static bool IsAllowed(HttpContext http, IConfiguration config)
    {
        if (config["Hall:Metrics:Token"] is { Length: > 0 } token
            && http.Request.Headers.Authorization.ToString() is { } header
            && header.StartsWith("Bearer ", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()), Encoding.UTF8.GetBytes(token)))
        {
            return true;
        }
        if (http.Connection.RemoteIpAddress is not { } remote)
        {
            return false;
        }
        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }
        // A request relayed by the reverse proxy arrives from loopback too: it is not a local caller.
        var proxied = http.Request.Headers.ContainsKey("X-Forwarded-For") || http.Request.Headers.ContainsKey("X-Real-IP");
        if (IPAddress.IsLoopback(remote) && !proxied)
        {
            return true;
        }
        var allowed = config["Hall:Metrics:AllowedAddresses"] ?? "";
        return allowed.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(a => IPAddress.TryParse(a, out var ip) && ip.Equals(remote));
    }
}
