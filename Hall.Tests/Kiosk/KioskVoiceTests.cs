using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Hall.Tests.Media;
using Hall.Tests.Support;
using Microsoft.Playwright;

namespace Hall.Tests.Kiosk;

/// <summary>
/// The kiosk's spoken guidance for elderly and blind citizens (issue 16), with the hall's recorded voice pack (the
/// board's): Hall.Kiosk as its own process with its printer, the touch page in Chromium. What the page plays is taken
/// from HTMLMediaElement.play (each file ends at once) and what it gives the browser's voice from a stubbed speechSynthesis.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class KioskVoiceTests() : HallFixture("kiosk-voice")
{
    private const string Recorder = """
        window.__played = [];
        HTMLMediaElement.prototype.play = function () {
          window.__played.push(new URL(this.src).pathname);
          setTimeout(() => this.dispatchEvent(new Event('ended')), 20);
          return Promise.resolve();
        };
        window.__spoken = [];
        class StubUtterance { constructor(text) { this.text = text; } }
        Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: StubUtterance, configurable: true, writable: true });
        Object.defineProperty(window, 'speechSynthesis', { configurable: true, value: {
          getVoices: () => [{ lang: 'zh-CN', name: 'stub' }], speak: (u) => window.__spoken.push(u.text), cancel: () => {}, addEventListener: () => {} } });
        """;

    private static readonly string[] Guidance = ["guide.welcome", "guide.yourNumber", "guide.ahead", "guide.people", "guide.take", "guide.photo"];

    private FakeSerialPrinter _printer = null!;
    private AgentProcess _kiosk = null!;
    private string _folder = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly HttpClient _http = new();
    private Dictionary<string, string> _keyOf = [];

    [OneTimeSetUp]
    public async Task StartKioskAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _printer = await FakeSerialPrinter.StartAsync();
        _folder = Directory.CreateTempSubdirectory("hall-kiosk-voice-").FullName;
        _kiosk = await AgentProcess.StartAsync("Hall.Kiosk", new Dictionary<string, string>
        {
            ["Kiosk__Server"] = App.BaseAddress.ToString(),
            ["Kiosk__DeviceKey"] = Seeded.Credentials.DeviceKeys["kiosk"],
            ["Kiosk__Printer__PortName"] = _printer.PortPath,
            ["Kiosk__PrinterCheckSeconds"] = "0.5",
            ["Kiosk__IdleSeconds"] = "600",
            ["Kiosk__ResultSeconds"] = "600",
            ["Kiosk__Voice__Folder"] = _folder,
            ["Kiosk__Voice__SyncSeconds"] = "2",
        });
        _http.BaseAddress = _kiosk.BaseAddress;
    }

    [OneTimeTearDown]
    public async Task StopKioskAsync()
    {
        _http.Dispose();
        await _kiosk.DisposeAsync();
        await _printer.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static string Version(byte[] pack) => Convert.ToHexStringLower(SHA256.HashData(pack))[..12];

    /// <summary>Uploads the pack (as the admin) and waits until the kiosk's page is given it.</summary>
    private async Task UploadAsync(byte[] pack, IEnumerable<string> phrases)
    {
        using var admin = await VoicePackTests.AdminHttpAsync(App, Seeded);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(pack), "file", "voice.zip" } };
        var uploaded = await admin.PostAsync(new Uri("/api/admin/voice-pack", UriKind.Relative), form);
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.OK), await uploaded.Content.ReadAsStringAsync());
        // VoicePackTests.Zip names the files seg{i}.wav in the order of the phrases.
        _keyOf = phrases.Select((p, i) => (p, i)).ToDictionary(x => $"seg{x.i}.wav", x => x.p);
        await WaitForAsync(async () => await PackUrlAsync() == $"/voice/{Version(pack)}/", "the kiosk's page given the new pack");
    }

    private async Task<string?> PackUrlAsync()
    {
        using var state = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/api/state", UriKind.Relative)));
        return state.RootElement.GetProperty("voice").GetProperty("packUrl").GetString();
    }

    private async Task<bool> ScreenTicketsAsync()
    {
        using var state = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/api/state", UriKind.Relative)));
        return state.RootElement.GetProperty("screenTickets").GetBoolean();
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        for (var until = DateTime.UtcNow.AddSeconds(seconds); !await condition(); await Task.Delay(200))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(until), $"{what}: not within {seconds} s");
        }
    }

    private async Task<IPage> OpenAsync()
    {
        var page = await Browser.OpenAsync(_browser);
        await page.AddInitScriptAsync(Recorder);
        await page.GotoAsync(_kiosk.BaseAddress.ToString());
        await Assertions.Expect(page.Locator(".screen-home .service-name").First).ToHaveTextAsync("社保业务", new() { Timeout = 20_000 });
        return page;
    }

    /// <summary>The pack keys the page played, in order.</summary>
    private async Task<List<string>> PlayedAsync(IPage page) =>
        [.. (await page.EvaluateAsync<string[]>("() => window.__played")).Select(p => _keyOf.GetValueOrDefault(p.Split('/')[^1], p))];

    private async Task<string> TakeTicketAsync(IPage page, string serviceCode)
    {
        await page.Locator($"button[data-service-id=\"{await App.ServiceIdAsync(Seeded.HallId, serviceCode)}\"]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-screen=\"confirm\"]")).ToBeVisibleAsync();
        await page.Locator("[data-testid=\"take-ticket\"]").ClickAsync();
        var number = page.Locator("[data-testid=\"result-number\"]");
        await Assertions.Expect(number).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[A-Z][0-9]{3}$"), new() { Timeout = 15_000 });
        return await number.InnerTextAsync();
    }

    [Test, Order(1)]
    public async Task With_the_halls_pack_the_kiosk_welcomes_the_citizen_once_and_says_the_ticket_number_with_the_packs_files()
    {
        var phrases = (await VoicePackTests.PhrasesAsync(App, Seeded.HallId)).Concat(Guidance).ToList();
        var pack = VoicePackTests.Zip(phrases);
        await UploadAsync(pack, phrases);
        // The agent serves the pack's manifest and the files it names, nothing else.
        var version = Version(pack);
        Assert.That((await _http.GetAsync(new Uri($"/voice/{version}/seg0.wav", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _http.GetAsync(new Uri($"/voice/{version}/display-settings.json", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await _http.GetAsync(new Uri("/voice/000000000000/seg0.wav", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        var page = await OpenAsync();
        var toggle = page.Locator("[data-testid=\"voice-toggle\"]");
        await Assertions.Expect(toggle).ToHaveTextAsync("语音引导");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        var box = (await toggle.BoundingBoxAsync())!;
        Assert.That(Math.Min(box.Width, box.Height), Is.GreaterThanOrEqualTo(64), "a large touch target");
        Assert.That(await PlayedAsync(page), Is.Empty, "nothing said before anyone touched the kiosk");

        var number = await TakeTicketAsync(page, "shebao");
        await page.WaitForFunctionAsync("n => window.__played.length >= n", 3 + number.Length);
        await Browser.Screenshot(page, "kiosk-voice-1-result");
        await Task.Delay(500);
        Assert.That(await PlayedAsync(page), Is.EqualTo(new[] { "guide.welcome", "guide.yourNumber" }.Concat(number.Select(c => c.ToString())).Append("guide.take")),
            "welcomed on the first touch, once; then 您的号码是 A 0 0 1 请取走您的号票");
        Assert.That(await page.EvaluateAsync<string[]>("() => window.__spoken"), Is.Empty, "the browser's voice not needed");
    }

    [Test, Order(2)]
    public async Task Without_paper_the_kiosk_asks_the_citizen_to_photograph_the_number()
    {
        _printer.State = FakePrinterState.PaperOut;
        try
        {
            await WaitForAsync(async () => await ScreenTicketsAsync(), "the kiosk showing its tickets on the screen");
            var page = await OpenAsync();
            var number = await TakeTicketAsync(page, "yibao");
            await Assertions.Expect(page.Locator("[data-testid=\"screen-ticket\"]")).ToBeVisibleAsync();
            await page.WaitForFunctionAsync("n => window.__played.length >= n", 3 + number.Length);
            await Task.Delay(500);
            Assert.That(await PlayedAsync(page), Is.EqualTo(new[] { "guide.welcome", "guide.yourNumber" }.Concat(number.Select(c => c.ToString())).Append("guide.photo")),
                "您的号码是 B 0 0 1 请用手机拍下号码或扫描二维码");
        }
        finally
        {
            _printer.State = FakePrinterState.Ready;
            await WaitForAsync(async () => !await ScreenTicketsAsync(), "the kiosk printing again");
        }
    }

    [Test, Order(3)]
    public async Task Switched_off_the_kiosk_says_nothing_and_the_next_citizen_has_it_on_again()
    {
        var page = await OpenAsync();
        var toggle = page.Locator("[data-testid=\"voice-toggle\"]");
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        await page.Locator("[data-testid=\"lang-toggle\"]").ClickAsync();
        await Assertions.Expect(toggle).ToHaveTextAsync("Voice");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-label", "Spoken guidance");
        await TakeTicketAsync(page, "yibao");
        await Task.Delay(1000);
        Assert.That(await PlayedAsync(page), Is.Empty, "no welcome, no number");
        Assert.That(await page.EvaluateAsync<string[]>("() => window.__spoken"), Is.Empty);
        await Browser.Screenshot(page, "kiosk-voice-2-off");

        // The citizen is done: the next one starts with the kiosk's default (on).
        await page.Locator("[data-testid=\"result-done\"]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-screen=\"home\"]")).ToBeVisibleAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
    }

    [Test, Order(4)]
    public async Task A_pack_without_the_guidance_phrases_leaves_the_sentence_to_the_browsers_chinese_voice()
    {
        var phrases = await VoicePackTests.PhrasesAsync(App, Seeded.HallId);
        var pack = VoicePackTests.Zip(phrases);
        await UploadAsync(pack, phrases);
        var page = await OpenAsync();

        var number = await TakeTicketAsync(page, "shebao");
        var ahead = int.Parse(System.Text.RegularExpressions.Regex.Match(await page.Locator("[data-testid=\"result-ahead\"]").InnerTextAsync(), "[0-9]+").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(ahead, Is.InRange(1, 9), "the first test's ticket still waits");
        const string digits = "零一二三四五六七八九";
        var said = string.Concat(number.Select(c => char.IsAsciiDigit(c) ? digits[c - '0'] : c));
        await page.WaitForFunctionAsync("() => window.__spoken.length >= 2");
        Assert.That(await page.EvaluateAsync<string[]>("() => window.__spoken"), Is.EqualTo(new[] { "欢迎光临，请选择您要办理的业务", $"您的号码是{said}，前面还有{digits[ahead]}人，请取走您的号票" }));
        Assert.That(await PlayedAsync(page), Is.Empty, "no half sentence from the pack");
    }

    [Test, Order(5)]
    public async Task A_pack_that_is_not_what_the_server_says_is_refused_by_the_kiosk_and_the_previous_pack_kept()
    {
        var phrases = await VoicePackTests.PhrasesAsync(App, Seeded.HallId);
        // The previous test's pack is in use.
        var before = await PackUrlAsync();
        var kept = Directory.GetDirectories(_folder, "pack-*").Select(Path.GetFileName).ToList();
        Assert.That(before, Does.StartWith("/voice/"));
        Assert.That(kept, Has.Count.EqualTo(1).And.All.StartsWith("pack-" + before!["/voice/".Length..^1]), "one pack kept: the one in use");
        var bad = VoicePackTests.Zip([.. phrases, .. Guidance]);
        var badSha = Convert.ToHexStringLower(SHA256.HashData(bad));
        bad[^30] ^= 0xFF;

        await VoicePackTests.ServeUncheckedPackAsync(App, Seeded.HallId, badSha, bad);

        string? refused = null;
        await WaitForAsync(async () =>
        {
            using var health = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/health", UriKind.Relative)));
            refused = health.RootElement.GetProperty("voicePackRefused").GetString();
            return refused is not null;
        }, "the tampered pack refused");
        Assert.That(refused, Does.Contain("checksum"));
        Assert.That(await PackUrlAsync(), Is.EqualTo(before), "the previous pack stays in use");
        Assert.That(Directory.GetDirectories(_folder, "pack-*").Select(Path.GetFileName), Is.EqualTo(kept), "nothing of the bad pack unpacked");
    }
}
