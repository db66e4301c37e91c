using System.Net;
using System.Text.Json;
using Hall.Server.Queue;

namespace Hall.Server.Security;

/// <summary>
/// Every HTTP request's text is held to <see cref="FreeText"/> before any endpoint sees it: the path and the query,
/// and the strings of a JSON or form body. A request carrying a control character (a NUL would otherwise reach
/// PostgreSQL and come back as <c>unavailable</c>) or a bidirectional override is answered 400 <c>invalid_text</c> —
/// JSON for the API, a page in both languages for a form a person posted. The hub's commands get the same rule from
/// <see cref="Hub.ArgumentFilter"/>; multipart uploads and the hub and Blazor transports are left to their own checks.
/// </summary>
public static class TextGuard
{
    public static IApplicationBuilder UseTextGuard(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (!await IsCleanAsync(context.Request))
            {
                await RefuseAsync(context);
                return;
            }
            await next(context);
        });

    private static async Task<bool> IsCleanAsync(HttpRequest request)
    {
        if (!FreeText.IsClean(request.Path.Value) || request.Query.Any(q => !FreeText.IsClean(q.Key) || q.Value.Any(v => !FreeText.IsClean(v))))
        {
            return false;
        }
        if (request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments("/_blazor") || !HttpMethods.IsPost(request.Method) && !HttpMethods.IsPut(request.Method) && !HttpMethods.IsPatch(request.Method))
        {
            return true;
        }
        if (request.HasJsonContentType())
        {
            request.EnableBuffering();
            try
            {
                using var json = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
                return FreeText.IsClean(json.RootElement);
            }
            catch (JsonException)
            {
                // Broken JSON is the endpoint's to refuse (invalid_request).
                return true;
            }
            catch (InvalidOperationException)
            {
                // A lone surrogate written as an escape (\ud800) cannot even be read as a string.
                return false;
            }
            finally
            {
                request.Body.Position = 0;
            }
        }
        if (request.HasFormContentType && !request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
                return form.All(f => FreeText.IsClean(f.Key) && f.Value.All(v => FreeText.IsClean(v)));
            }
            catch (InvalidDataException e) when (e.InnerException is InvalidOperationException)
            {
                // The form reader itself will not take a NUL ("The form value contains invalid characters").
                return false;
            }
            catch (InvalidDataException)
            {
                // Too large a form is the endpoint's to refuse.
                return true;
            }
        }
        return true;
    }

    private static async Task RefuseAsync(HttpContext context)
    {
        var refusal = Refusal.InvalidText;
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        // A person's browser gets a page; programs (the API, the phone page's poll) get the refusal as JSON.
        if (!context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            await context.Response.WriteAsJsonAsync(new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn });
            return;
        }
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($"""
            <!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>请求被拒绝 · Refused</title><link rel="stylesheet" href="/staff.css"></head>
            <body class="login-page"><main class="login" data-testid="invalid-text" data-code="{refusal.Code}">
            <h1>{WebUtility.HtmlEncode(refusal.MessageZh)}</h1><p>{WebUtility.HtmlEncode(refusal.MessageEn)}</p>
            <p><a href="/">返回 · Back</a></p></main></body></html>
            """);
    }
}
