using Microsoft.AspNetCore.SignalR;

namespace Hall.Server.Hub;

/// <summary>
/// Only with <c>Hall:Benchmark=true</c>: a bare broadcast to a hall's group through the same hub, the baseline the
/// benchmark compares call fan-out with. Never mapped in a normal run.
/// </summary>
public static class BenchmarkEndpoints
{
    public const string PingEvent = "BenchmarkPing";

    public static void MapBenchmarkEndpoints(this WebApplication app)
    {
        if (!app.Configuration.GetValue("Hall:Benchmark", false))
        {
            return;
        }
        app.MapPost("/benchmark/broadcast/{hallId:int}/{stamp:long}", async (int hallId, long stamp, IHubContext<HallHub> hub) =>
        {
            await hub.Clients.Group(HubGroups.Hall(hallId)).SendAsync(PingEvent, stamp);
            return Results.NoContent();
        });
    }
}
