using Hall.Server.Queue;

namespace Hall.Server.Security;

/// <summary>
/// An API request the framework itself turns away (broken JSON, a wrong content type, a field of the wrong type) gets
/// the same answer as any other refusal: a code and a Chinese and an English message, not an empty 400.
/// </summary>
public static class ApiErrors
{
    public static readonly Refusal InvalidRequest = new("invalid_request", "请求格式错误（内容、类型或字段有误）", "The request is malformed (its body, content type or a field's type).");

    public static WebApplication UseApiErrors(this WebApplication app)
    {
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
