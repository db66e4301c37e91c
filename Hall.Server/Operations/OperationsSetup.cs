using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

namespace Hall.Server.Operations;

/// <summary>Health checks (/health/live, /health/ready, /health) and metrics (/metrics, Prometheus text format).</summary>
public static class OperationsSetup
{
    private const string Ready = "ready";

    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var checks = services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready]);
        // Checked only when the SignalR backplane is configured.
        if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
        {
            checks.AddCheck("redis", new RedisHealthCheck(redis), tags: [Ready]);
        }
        services.AddSingleton<HallMetrics>();
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(HallMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        return builder;
    }

    public static WebApplication MapOperations(this WebApplication app)
    {
        // Created with the app, so the counters see the first ticket (a singleton is otherwise built on first use).
        app.Services.GetRequiredService<HallMetrics>();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).AllowAnonymous();
        foreach (var path in new[] { "/health/ready", "/health" })
        {
            app.MapHealthChecks(path, new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync }).AllowAnonymous();
        }
        var config = app.Configuration;
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (http, next) =>
        {
            if (!MetricsAccess.IsAllowed(http, config))
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }
            await next(http);
        }), optionsName: null);
        return app;
    }

    /// <summary>Each check's name and status; no exception text, no connection strings.</summary>
    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, ms = (int)e.Value.Duration.TotalMilliseconds }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
