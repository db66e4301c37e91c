using Hall.Server.Queue;

namespace Hall.Server.Security;

/// <summary>
/// An API request the framework itself turns away (broken JSON, a wrong content type, a field of the wrong type) gets
/// the same answer as any other refusal: a code and a Chinese and an English message, not an empty 400. A request that
/// finds the database away (the phone page's poll, an API call, a sign-in) gets 503 <c>unavailable</c> with
/// <c>Retry-After</c>, the hub commands' refusal, instead of a 500 with a stack trace in the log.
/// </summary>
public static class ApiErrors
{
    public static readonly Refusal InvalidRequest = new("invalid_request", "请求格式错误（内容、类型或字段有误）", "The request is malformed (its body, content type or a field's type).");

    public static WebApplication UseApiErrors(this WebApplication app)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiErrors));
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (CommandRunner.IsUnavailable(e) && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                log.LogWarning("{Method} {Path}: database unavailable ({Error})", context.Request.Method, context.Request.Path, e.GetBaseException().Message);
                var refusal = Refusal.Unavailable;
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "5";
                await context.Response.WriteAsJsonAsync(new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn });
            }
        });
        app.UseStatusCodePages(async context =>
        {
            var response = context.HttpContext.Response;
            if (context.HttpContext.Request.Path.StartsWithSegments("/api") && response.StatusCode is 400 or 411 or 413 or 415)
            {
                await response.WriteAsJsonAsync(new { code = InvalidRequest.Code, messageZh = InvalidRequest.MessageZh, messageEn = InvalidRequest.MessageEn });
            }
        });
        return app;
    }
}
