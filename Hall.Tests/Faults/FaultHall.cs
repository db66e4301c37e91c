using System.Diagnostics;
using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Server.Devices;
using Hall.Server.Halls;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Faults;

/// <summary>A seeded hall (open all day) on a database of the test's, with extra kiosks, open windows' clerks, and the agents' views.</summary>
internal sealed record FaultHall(string ConnectionString, DemoCredentials Credentials, IReadOnlyList<string> KioskKeys, IReadOnlyList<(string Login, int WindowId, int Number)> Windows, IReadOnlyList<int> Services)
{
    public int HallId => Credentials.HallId;

    public static async Task<FaultHall> SeedAsync(string connectionString, int kiosks, int windows)
    {
        await using var db = PostgresCluster.Context(connectionString);
        var credentials = await DemoHall.SeedAsync(db, DateTimeOffset.UtcNow, openAllDay: true, CancellationToken.None);
        var keys = new List<string>();
        for (var i = 0; i < kiosks; i++)
        {
            keys.Add((await DeviceKeys.CreateAsync(db, credentials.HallId, $"压力取号机{i + 1}", DeviceRole.Kiosk, null, DateTimeOffset.UtcNow, CancellationToken.None)).Key);
        }
        var rows = await db.Windows.Where(w => w.HallId == credentials.HallId && w.Number <= windows).OrderBy(w => w.Number)
            .Select(w => new { w.Id, w.Number, Services = w.Services.Select(s => s.ServiceId).ToList() }).ToListAsync();
        return new FaultHall(connectionString, credentials, keys,
            [.. rows.Select(w => ($"{DemoHall.Code}-clerk{w.Number:D2}", w.Id, w.Number))],
            [.. rows.SelectMany(w => w.Services).Distinct()]);
    }

    /// <summary>Signs the clerks in and opens their windows; returns their tokens.</summary>
    public async Task<List<(string Token, int WindowId)>> OpenWindowsAsync(Uri server)
    {
        var clerks = new List<(string Token, int WindowId)>();
        foreach (var (login, windowId, _) in Windows)
        {
            var token = await HubConnections.LoginAsync(server, login, Credentials.Passwords[login]);
            await using var connection = await HubConnections.ConnectAsync(server, token);
            var open = await connection.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.OpenWindow), new WindowCommand(Guid.NewGuid(), windowId));
            Assert.That(open.Ok, Is.True, () => open.Error?.MessageEn ?? "");
            clerks.Add((token, windowId));
        }
        return clerks;
    }

    /// <summary>The hall as a device connecting now is told it is.</summary>
    public async Task<HallSnapshot> SnapshotAsync(Uri server)
    {
        await using var connection = await HubConnections.ConnectAsync(server, Credentials.DeviceKeys["display"]);
        return await connection.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot));
    }

    /// <summary>Each service's waiting count as an agent shows it (<c>/api/board</c> of a display, <c>/api/state</c> of a kiosk), and its link.</summary>
    public static async Task<(string Link, Dictionary<int, int> Waiting)> AgentViewAsync(AgentProcess agent, string path)
    {
        using var http = new HttpClient { BaseAddress = agent.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri(path, UriKind.Relative)));
        var r = json.RootElement;
        return (r.GetProperty("link").GetString()!, r.GetProperty("services").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetInt32(), s => s.GetProperty("waiting").GetInt32()));
    }

    /// <summary>Waits until the condition holds; returns how long it took (a measured figure, never asserted).</summary>
    public static async Task<TimeSpan> WaitForAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            try
            {
                if (await condition())
                {
                    return clock.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        Assert.Fail($"Not within {seconds} s: {what}");
        return clock.Elapsed;
    }
}
