using System.Text.RegularExpressions;

namespace Hall.Tests.Support;

/// <summary>Posting one of the plain forms (sign in, pairing) as a browser does: the form page first, for its anti-forgery token and cookie.</summary>
public static partial class FormPost
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    /// <summary>A POST to <paramref name="action"/> with <paramref name="fields"/> and the token of the form at <paramref name="formPage"/>.</summary>
    public static async Task<HttpRequestMessage> RequestAsync(HttpClient http, string formPage, string action, IReadOnlyDictionary<string, string> fields)
    {
        using var page = await http.GetAsync(new Uri(formPage, UriKind.Relative));
        var token = TokenField().Match(await page.Content.ReadAsStringAsync());
        Assert.That(token.Success, Is.True, $"{formPage} carries an anti-forgery token");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(action, UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", System.Net.WebUtility.HtmlDecode(token.Groups[1].Value)))),
        };
        // The antiforgery cookie by hand, so a client that keeps no cookies posts like a browser too.
        if (page.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => c.Split(';')[0])));
        }
        return request;
    }
}
