using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Tests.Support;

namespace Hall.Tests.Server;

/// <summary>Out-of-range years and control characters in the language switch are answered 400 with a clear error, never 500.</summary>
[TestFixture]
public sealed class OutOfRangeInputTests() : HallFixture("outofrange")
{
    [TestCase("0")]
    [TestCase("-5")]
    [TestCase("1")]
    [TestCase("10000")]
    [TestCase("2147483647")]
    public async Task A_report_list_for_a_year_out_of_range_is_refused_with_a_clear_error(string year)
    {
        using var http = await Seeded.HttpAsync("supervisor");
        using var response = await http.GetAsync(new Uri($"/api/reports?year={year}", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("code").GetString(), Is.EqualTo("invalid_report_year"));
        Assert.That(body.GetProperty("messageZh").GetString(), Does.Contain("年份"));
        Assert.That(body.GetProperty("messageEn").GetString(), Does.Contain("year"));
    }

    [Test]
    public async Task A_report_list_for_this_year_still_answers()
    {
        using var http = await Seeded.HttpAsync("supervisor");
        using var response = await http.GetAsync(new Uri("/api/reports?year=2026", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("/lang/en?back=%00")]
    [TestCase("/lang/en?back=/console%0d%0aSet-Cookie:%20x=1")]
    [TestCase("/lang/%07")]
    [TestCase("/lang/en?back=%E2%80%AE/console")]
    public async Task The_language_switch_with_a_control_character_is_refused(string path)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = App.BaseAddress };
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("invalid_text"));
        Assert.That(response.Headers.Contains("Set-Cookie"), Is.False, "no language set, no header injected");
    }

    [Test]
    public async Task The_language_switch_back_to_a_chinese_path_redirects_there()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = App.BaseAddress };
        using var response = await http.GetAsync(new Uri("/lang/en?back=" + Uri.EscapeDataString("/办事指南"), UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo("/" + Uri.EscapeDataString("办事指南")));
    }
}
