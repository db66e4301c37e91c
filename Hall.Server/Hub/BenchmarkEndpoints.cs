using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Outbox;
using Hall.Server.Queue;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Hub;

/// <summary>
/// Only with <c>Hall:Benchmark=true</c>: a bare broadcast to a hall's group through the same hub, the baseline the
/// benchmark compares call fan-out with; and a webhook endpoint registered as the hall's admin would on 事件推送, for the
/// benchmark's receiver. Never mapped in a normal run.
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
        app.MapPost("/benchmark/webhook/{hallId:int}", async (int hallId, string url, OutboxAdmin outbox, IDbContextFactory<HallDb> dbFactory, CancellationToken ct) =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var admin = await db.Staff.AsNoTracking().FirstAsync(s => s.HallId == hallId && s.Role == StaffRole.Admin, ct);
            var actor = new Actor(ActorKind.Staff, admin.Id, hallId, admin.Name, admin.Role, null, null);
            var (secret, refused) = await outbox.RegisterAsync(actor, url, [.. HallEvents.Types.Where(t => t.StartsWith("ticket.", StringComparison.Ordinal))], ct);
            return refused is null ? Results.Text(secret) : Results.BadRequest(refused.Code);
        });
    }
}
