using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hall.Tests.Support;

/// <summary>Logging in and connecting to a server's hub, as a console or device does.</summary>
public static class HubConnections
{
    public static async Task<HubConnection> ConnectAsync(Uri server, string token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server, "/hubs/hall"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        await connection.StartAsync();
        // Answered only once the server has greeted the connection (see HubClient.StartAsync).
        await connection.InvokeAsync<Hall.Server.Contracts.Whoami>(nameof(Hall.Server.Contracts.IHallHub.Whoami));
        return connection;
    }

    public static async Task<string> LoginAsync(Uri server, string login, string password)
    {
        using var http = new HttpClient { BaseAddress = server };
        var response = await http.PostAsJsonAsync("/api/auth/login", new { login, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenBody>())!.Token;
    }

    private sealed record TokenBody(string Token);
}
