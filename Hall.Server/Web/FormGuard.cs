using System.Net;
using Hall.Server.Queue;
using Microsoft.AspNetCore.Antiforgery;

namespace Hall.Server.Web;

/// <summary>
/// Anti-forgery for the plain forms (sign in, sign out, pairing an evaluator): each form carries the token of the
/// browser's antiforgery cookie, and a post without it — a form on another site — is refused before anything is done.
/// </summary>
public static class FormGuard
{
    public static readonly Refusal Forged = new("form_forged", "表单已失效或并非来自本系统，请返回页面重新提交", "The form has expired or did not come from this site; go back to the page and submit it again.");

    /// <summary>The hidden field with the request token (and the cookie it pairs with, set on this response).</summary>
    public static string Field(HttpContext http)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return $"""<input type="hidden" name="{WebUtility.HtmlEncode(tokens.FormFieldName)}" value="{WebUtility.HtmlEncode(tokens.RequestToken)}">""";
    }

    public static Task<bool> IsValidAsync(HttpContext http) =>
        http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http);

    /// <summary>400 with the refusal in both languages, as a page (these are forms a person submitted).</summary>
    public static IResult Refused() => Results.Content($"""
        <!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>请求被拒绝 · Refused</title><link rel="stylesheet" href="/staff.css"></head>
        <body class="login-page"><main class="login" data-testid="form-forged" data-code="{Forged.Code}">
        <h1>{Forged.MessageZh}</h1><p>{Forged.MessageEn}</p>
        <p><a href="/login">重新登录 · Sign in again</a></p></main></body></html>
        """, "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
}
