using System.Text.Json;
using Hall.Tests.Support;
using Microsoft.Playwright;

namespace Hall.Tests.Display;

/// <summary>A hall that chose the browser's voice (a Windows PC with a zh-CN voice): the call is spoken from the template, digit by digit, repeated.</summary>
[TestFixture, NonParallelizable]
public sealed class SpeechVoiceTests
{
    private const string FakeSpeech = """
        window.__spoken = [];
        window.SpeechSynthesisUtterance = class extends EventTarget {
          constructor(text) { super(); this.text = text; this.lang = ""; this.volume = 1; this.voice = null; }
        };
        Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
          getVoices: () => [{ name: "Huihui", lang: "zh-CN", localService: true, default: true, voiceURI: "zh-CN-Huihui" }],
          speak(u) {
            const e = { text: u.text, lang: u.lang, voice: u.voice ? u.voice.lang : null, start: performance.now(), end: null };
            window.__spoken.push(e);
            setTimeout(() => { e.end = performance.now(); u.dispatchEvent(new Event("end")); }, 60);
          },
          cancel() { }, pause() { }, resume() { }, speaking: false, pending: false,
          addEventListener() { }, removeEventListener() { }, onvoiceschanged: null,
        } });
        """;

    [Test]
    public async Task A_call_is_spoken_in_Mandarin_from_the_template_twice_without_overlap()
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        var app = await HallApp.StartAsync("display-speech");
        var hall = await SeededHall.CreateAsync(app);
        var cache = Directory.CreateTempSubdirectory("hall-display-cache-").FullName;
        AgentProcess? display = null;
        try
        {
            display = await AgentProcess.StartAsync("Hall.Display", new Dictionary<string, string>
            {
                ["Display__Server"] = app.BaseAddress.ToString(),
                ["Display__DeviceKey"] = hall.Credentials.DeviceKeys["display"],
                ["Display__Voice__Source"] = "speech",
                ["Display__MediaCacheFolder"] = cache,
            });
            var page = await Browser.OpenAsync(browser, null, new ViewportSize { Width = 1920, Height = 1080 });
            await page.Context.AddInitScriptAsync(FakeSpeech);
            await page.GotoAsync(display.BaseAddress.ToString());
            await Assertions.Expect(page.Locator("[data-testid=\"hall-name\"]")).ToHaveTextAsync("新县市民之家", new() { Timeout = 20_000 });

            var kiosk = await hall.DeviceAsync("kiosk");
            var clerk = await hall.ClerkAsync(12);
            var window = await app.WindowIdAsync(hall.HallId, 12);
            var issued = (await kiosk.IssueAsync(await app.ServiceIdAsync(hall.HallId, "minzheng"))).Ok();
            (await clerk.OpenAsync(window)).Ok();
            (await clerk.CallNextAsync(window)).Ok();

            var expected = $"请{issued.Ticket.Number[0]}{string.Concat(issued.Ticket.Number[1..].Select(d => "零一二三四五六七八九"[d - '0']))}号到十二号窗口办理";
            List<(string Text, string Lang, string? Voice, double Start, double End)> spoken = [];
            for (var until = DateTime.UtcNow.AddSeconds(45); DateTime.UtcNow < until && spoken.Count(s => s.End > 0) < 2; await Task.Delay(200))
            {
                var json = await page.EvaluateAsync<string>("JSON.stringify(window.__spoken)");
                spoken = [.. JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => (
                    e.GetProperty("text").GetString()!, e.GetProperty("lang").GetString()!, e.GetProperty("voice").GetString(),
                    e.GetProperty("start").GetDouble(), e.GetProperty("end").ValueKind == JsonValueKind.Null ? 0 : e.GetProperty("end").GetDouble()))];
            }
            Assert.That(spoken.Select(s => s.Text), Is.EqualTo(new[] { expected, expected }), "the default template, number digit by digit, window as a number, twice");
            Assert.That(spoken.Select(s => (s.Lang, s.Voice)), Has.All.EqualTo(("zh-CN", "zh-CN")));
            Assert.That(spoken[1].Start, Is.GreaterThanOrEqualTo(spoken[0].End), "the repeat waits for the first to end");
        }
        finally
        {
            if (display is not null)
            {
                await display.DisposeAsync();
            }
            await hall.DisposeAsync();
            await app.DisposeAsync();
            await browser.DisposeAsync();
            playwright.Dispose();
            Directory.Delete(cache, recursive: true);
        }
    }
}
