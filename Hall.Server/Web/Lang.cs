namespace Hall.Server.Web;

/// <summary>The staff pages' language: Simplified Chinese by default, English on request (cookie <c>hall_lang</c>).</summary>
public sealed record Lang(string Code)
{
    public const string Cookie = "hall_lang";
    public static readonly Lang Chinese = new("zh");
    public static readonly Lang English = new("en");

    public bool IsEnglish => Code == "en";

    public static Lang Of(string? code) => code == "en" ? English : Chinese;

    /// <summary>The text in the page's language.</summary>
    public string T(string zh, string en) => IsEnglish ? en : zh;

    public static void MapLanguageSwitch(WebApplication app) =>
        app.MapGet("/lang/{code}", (string code, string? back, HttpContext http) =>
        {
            http.Response.Cookies.Append(Cookie, Of(code).Code, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365), Secure = http.Request.IsHttps });
            // Only a path on this site: never an open redirect.
            var target = "/" + (back ?? "").TrimStart('/');
            return Results.LocalRedirect(target.StartsWith("//", StringComparison.Ordinal) || target.Contains('\\', StringComparison.Ordinal) ? "/" : Security.WebHardening.HeaderSafe(target));
        });
}
