using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Display;

/// <summary>
/// The lobby screen as the hall sees and hears it: Hall.Display as its own process, its board in Chromium at
/// 1920×1080, Hall.Server on Kestrel. Sound is observed through a fake <c>Audio</c> installed before the page loads:
/// each segment "plays" for a set time, and the test reads when each started and ended.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class DisplayAgentTests
{
    private HallApp _server = null!;
    private SeededHall _hall = null!;
    private AgentProcess? _display;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;
    private string _pack = null!;
    private int _port;

    private const string FakeAudio = """
        window.__voice = [];
        window.__segmentMs = 40;
        window.Audio = class extends EventTarget {
          constructor(src) { super(); this.src = src || ""; this.volume = 1; this.paused = true; }
          play() {
            const entry = { src: this.src, start: performance.now(), end: null, volume: this.volume };
            window.__voice.push(entry);
            this.paused = false;
            setTimeout(() => { entry.end = performance.now(); this.paused = true; this.dispatchEvent(new Event("ended")); }, window.__segmentMs);
            return Promise.resolve();
          }
          pause() { this.paused = true; }
          load() { }
        };
        """;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _server = await HallApp.StartAsync("display-agent");
        _hall = await SeededHall.CreateAsync(_server);
        // The recorded pack is missing; the generated fallback pack is there: it is used, and reported.
        _pack = Directory.CreateTempSubdirectory("hall-voice-").FullName;
        var manifest = new Dictionary<string, string> { ["请"] = "qing.wav", ["号"] = "hao.wav", ["到"] = "dao.wav", ["号窗口"] = "haochuangkou.wav", ["办理"] = "banli.wav", ["十"] = "shi.wav" };
        foreach (var c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        {
            manifest[c.ToString()] = $"{c}.wav";
        }
        foreach (var file in manifest.Values)
        {
            await File.WriteAllBytesAsync(Path.Combine(_pack, file), [0x52, 0x49, 0x46, 0x46]);
        }
        await File.WriteAllTextAsync(Path.Combine(_pack, "manifest.json"), JsonSerializer.Serialize(manifest));
        _port = ServerProcess.FreePort();
        await StartDisplayAsync();
        _page = await Browser.OpenAsync(_browser, null, new ViewportSize { Width = 1920, Height = 1080 });
        await _page.Context.AddInitScriptAsync(FakeAudio);
        await _page.GotoAsync(_display!.BaseAddress.ToString());
        await Assertions.Expect(_page.Locator("[data-testid=\"hall-name\"]")).ToHaveTextAsync("新县市民之家", new() { Timeout = 20_000 });
    }

    private async Task StartDisplayAsync() => _display = await AgentProcess.StartAsync("Hall.Display", new Dictionary<string, string>
    {
        ["Display__Server"] = _server.BaseAddress.ToString(),
        ["Display__DeviceKey"] = _hall.Credentials.DeviceKeys["display"],
        ["Display__Voice__Repeat"] = "1",
        ["Display__Voice__PackFolder"] = Path.Combine(_pack, "missing"),
        ["Display__Voice__FallbackFolder"] = _pack,
        // Its own cache: nothing left over from another run (plays, playlists, the hall's voice pack).
        ["Display__MediaCacheFolder"] = Path.Combine(_pack, "cache"),
    }, _port);

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_display is not null)
        {
            await _display.DisposeAsync();
        }
        await _hall.DisposeAsync();
        await _server.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
        Directory.Delete(_pack, recursive: true);
    }

    private sealed record Played(string Src, double Start, double? End, double Volume);

    private async Task<List<Played>> VoiceAsync()
    {
        var json = await _page.EvaluateAsync<JsonElement>("JSON.stringify(window.__voice)");
        return [.. JsonDocument.Parse(json.GetString()!).RootElement.EnumerateArray().Select(e => new Played(
            e.GetProperty("src").GetString()!, e.GetProperty("start").GetDouble(), e.GetProperty("end").ValueKind == JsonValueKind.Null ? null : e.GetProperty("end").GetDouble(), e.GetProperty("volume").GetDouble()))];
    }

    /// <summary>The announcements heard so far: the segments from one 请 to the next, as "A012→3".</summary>
    private async Task<List<string>> HeardAsync()
    {
        var heard = new List<string>();
        var current = "";
        foreach (var p in await VoiceAsync())
        {
            var segment = Path.GetFileNameWithoutExtension(new Uri(new Uri("http://x"), p.Src).AbsolutePath);
            if (segment == "qing")
            {
                current = "";
            }
            else if (segment == "dao")
            {
                current += "→";
            }
            else if (segment == "banli")
            {
                heard.Add(current);
            }
            else if (segment is not ("hao" or "haochuangkou"))
            {
                current += segment == "shi" ? "十" : segment;
            }
        }
        return heard;
    }

    private async Task WaitHeardAsync(int count, int seconds = 30)
    {
        for (var until = DateTime.UtcNow.AddSeconds(seconds); DateTime.UtcNow < until; await Task.Delay(200))
        {
            if ((await HeardAsync()).Count >= count)
            {
                return;
            }
        }
        Assert.Fail($"{count} announcements not heard within {seconds} s; heard: {string.Join(", ", await HeardAsync())}");
    }

    private static readonly (string Service, int Window)[] Burst =
    [
        ("shebao", 1), ("shebao", 2), ("yibao", 3), ("budongchan", 4), ("budongchan", 5), ("huzheng", 6), ("shuiwu", 7), ("qiye", 8), ("qiye", 9), ("gongjijin", 10),
    ];

    [Test, Order(1)]
    public async Task A_burst_of_ten_calls_is_shown_and_announced_ten_times_in_order_without_overlap_and_each_is_acknowledged()
    {
        var kiosk = await _hall.DeviceAsync("kiosk");
        var supervisor = await _hall.StaffAsync("supervisor");
        foreach (var (service, _) in Burst)
        {
            (await kiosk.IssueAsync(await _server.ServiceIdAsync(_hall.HallId, service))).Ok();
        }
        var windows = new List<int>();
        foreach (var (_, number) in Burst)
        {
            var window = await _server.WindowIdAsync(_hall.HallId, number);
            (await supervisor.OpenAsync(window)).Ok();
            windows.Add(window);
        }

        var calls = new List<TicketCalled>();
        foreach (var window in windows)
        {
            calls.Add((await supervisor.CallNextAsync(window)).Ok());
        }
        // A burst: the ten calls came faster than they can be spoken (how fast the calls were made is the machine's business).
        Assert.That((await HeardAsync()).Count, Is.LessThan(calls.Count), "a burst: all ten calls made before the display could finish announcing them");

        var last = calls[^1];
        await Assertions.Expect(_page.Locator("[data-testid=\"newest-number\"]")).ToHaveTextAsync(last.Ticket.Number, new() { Timeout = 10_000 });
        await Assertions.Expect(_page.Locator("[data-testid=\"newest-window\"]")).ToContainTextAsync("10");
        await Browser.Screenshot(_page, "display-1-burst");
        await WaitHeardAsync(10);

        var expected = calls.Select((c, i) => $"{c.Ticket.Number}→{ChineseNumber(Burst[i].Window)}").ToList();
        Assert.That(await HeardAsync(), Is.EqualTo(expected), "each call once, in the order made, number read digit by digit, window as a number");
        var played = await VoiceAsync();
        for (var i = 1; i < played.Count; i++)
        {
            Assert.That(played[i].Start, Is.GreaterThanOrEqualTo(played[i - 1].End!.Value), $"segment {i} starts after segment {i - 1} ended: no overlap");
        }
        await using var db = _server.Db();
        var display = await db.Devices.AsNoTracking().SingleAsync(d => d.HallId == _hall.HallId && d.Role == DeviceRole.Display);
        for (var until = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < until && await db.DisplayCallAcks.CountAsync(a => a.DeviceId == display.Id) < 10;)
        {
            await Task.Delay(200);
        }
        Assert.That(await db.DisplayCallAcks.Where(a => a.DeviceId == display.Id).Select(a => a.CallId).OrderBy(id => id).ToListAsync(),
            Is.EqualTo(calls.Select(c => c.CallId).Order()), "each call acknowledged after it was spoken");
        Assert.That((await db.Devices.AsNoTracking().SingleAsync(d => d.Id == display.Id)).Status, Is.EqualTo("VoiceFallback"), "the fallback voice is reported for the supervisor's wall");
    }

    [Test, Order(2)]
    public async Task A_recall_is_announced_again()
    {
        var before = (await HeardAsync()).Count;
        var supervisor = await _hall.StaffAsync("supervisor");
        await using var db = _server.Db();
        var window = await _server.WindowIdAsync(_hall.HallId, 3);
        var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.WindowId == window && t.State == TicketState.Called);

        var recalled = await supervisor.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.Recall), new TicketCommand(Guid.NewGuid(), window, ticket.Id));

        Assert.That(recalled.Value!.Ticket.Number, Is.EqualTo(ticket.Number));
        await WaitHeardAsync(before + 1);
        Assert.That((await HeardAsync())[^1], Is.EqualTo($"{ticket.Number}→3"));
    }

    [Test, Order(3)]
    public async Task Calls_made_while_the_display_was_away_are_announced_once_each_when_it_returns()
    {
        var heardBefore = await HeardAsync();
        var kiosk = await _hall.DeviceAsync("kiosk");
        var supervisor = await _hall.StaffAsync("supervisor");
        await _display!.DisposeAsync();
        _display = null;
        await Assertions.Expect(_page.Locator("[data-testid=\"offline-badge\"]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Browser.Screenshot(_page, "display-2-agent-away");

        // Meanwhile two windows finish and call again.
        var made = new List<TicketCalled>();
        foreach (var number in new[] { 6, 10 })
        {
            var window = await _server.WindowIdAsync(_hall.HallId, number);
            var service = number == 6 ? "huzheng" : "gongjijin";
            (await kiosk.IssueAsync(await _server.ServiceIdAsync(_hall.HallId, service))).Ok();
            await using var db = _server.Db();
            var current = await db.Tickets.AsNoTracking().SingleAsync(t => t.WindowId == window && t.State == TicketState.Called);
            (await supervisor.NoShowAsync(window, current.Id)).Ok();
            made.Add((await supervisor.CallNextAsync(window)).Ok());
        }

        await StartDisplayAsync();
        await WaitHeardAsync(heardBefore.Count + 2);
        await Task.Delay(2000);
        var heard = await HeardAsync();
        Assert.That(heard.Skip(heardBefore.Count), Is.EqualTo(new[] { $"{made[0].Ticket.Number}→6", $"{made[1].Ticket.Number}→十" }), "the two calls made meanwhile, once each, and nothing said before repeated");
        await Assertions.Expect(_page.Locator("[data-testid=\"offline-badge\"]")).ToBeHiddenAsync();
        await Assertions.Expect(_page.Locator("[data-testid=\"newest-number\"]")).ToHaveTextAsync(made[1].Ticket.Number);
    }

    [Test, Order(4)]
    public async Task The_admin_changes_the_scrolling_notice_line_and_the_lobby_shows_it_at_once()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseAddress };
        async Task<HttpResponseMessage> PutAsync(string role, string text)
        {
            var login = _hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));
            using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("/api/admin/notice-line", UriKind.Relative)) { Content = System.Net.Http.Json.JsonContent.Create(new { text }) };
            request.Headers.Authorization = new("Bearer", await _server.LoginAsync(login, _hall.Credentials.Passwords[login]));
            return await http.SendAsync(request);
        }
        const string notice = "12月4日国家宪法日：弘扬宪法精神，建设法治中国。本周六上午正常办公。";

        Assert.That((await PutAsync("supervisor", notice)).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Forbidden));
        var tooLong = await PutAsync("admin", new string('法', 201));
        Assert.That(await tooLong.Content.ReadAsStringAsync(), Does.Contain("invalid_notice_line"));
        Assert.That((await PutAsync("admin", notice)).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));

        await Assertions.Expect(_page.Locator("[data-testid=\"notice-line\"]")).ToContainTextAsync(notice, new() { Timeout = 10_000 });
        await Browser.Screenshot(_page, "display-4-notice-line");
        await using var db = _server.Db();
        Assert.That((await db.Halls.AsNoTracking().SingleAsync(h => h.Id == _hall.HallId)).NoticeLine, Is.EqualTo(notice));
    }

    /// <summary>Finishes the window's current ticket as a no-show and calls the next one, taken now at the kiosk.</summary>
    private async Task<TicketCalled> CallAgainAsync(int number, string service)
    {
        var kiosk = await _hall.DeviceAsync("kiosk");
        var supervisor = await _hall.StaffAsync("supervisor");
        var window = await _server.WindowIdAsync(_hall.HallId, number);
        (await kiosk.IssueAsync(await _server.ServiceIdAsync(_hall.HallId, service))).Ok();
        await using var db = _server.Db();
        var current = await db.Tickets.AsNoTracking().SingleAsync(t => t.WindowId == window && t.State == TicketState.Called);
        (await supervisor.NoShowAsync(window, current.Id)).Ok();
        return (await supervisor.CallNextAsync(window)).Ok();
    }

    private async Task<HttpClient> AdminHttpAsync()
    {
        var login = _hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-admin", StringComparison.Ordinal));
        var http = new HttpClient { BaseAddress = _server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await _server.LoginAsync(login, _hall.Credentials.Passwords[login]));
        return http;
    }

    private async Task<JsonElement> BoardVoiceAsync()
    {
        using var agent = new HttpClient { BaseAddress = _display!.BaseAddress };
        using var board = JsonDocument.Parse(await agent.GetStringAsync(new Uri("/api/board", UriKind.Relative)));
        return board.RootElement.GetProperty("voice").Clone();
    }

    /// <summary>The page reads the board every 2 s: after two more reads it holds what the agent has now.</summary>
    private async Task PageReadsBoardAsync()
    {
        for (var i = 0; i < 2; i++)
        {
            await _page.WaitForResponseAsync(r => r.Url.EndsWith("/api/board", StringComparison.Ordinal), new() { Timeout = 10_000 });
        }
    }

    /// <summary>Pushed changes arrive in a second or two; a push missed in a reconnect is caught by the agent's refresh every minute.</summary>
    private async Task WaitVoiceAsync(Func<JsonElement, bool> condition, string what)
    {
        for (var until = DateTime.UtcNow.AddSeconds(75); DateTime.UtcNow < until; await Task.Delay(200))
        {
            if (condition(await BoardVoiceAsync()))
            {
                return;
            }
        }
        Assert.Fail($"{what}: not within 75 s; the agent says {await BoardVoiceAsync()}");
    }

    [Test, Order(5)]
    public async Task The_admins_recorded_pack_volume_and_quiet_hours_reach_the_lobby_without_touching_the_display()
    {
        using var admin = await AdminHttpAsync();
        var manifest = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(Path.Combine(_pack, "manifest.json")))!;
        byte[] wav = [.. "RIFF"u8, 4, 0, 0, 0, .. "WAVE"u8, .. "data"u8, 0, 0, 0, 0];
        using var zipBytes = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(zipBytes, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in manifest.Values.Append("manifest.json"))
            {
                using var entry = zip.CreateEntry(file).Open();
                entry.Write(file == "manifest.json" ? JsonSerializer.SerializeToUtf8Bytes(manifest) : wav);
            }
        }
        using var form = new MultipartFormDataContent { { new ByteArrayContent(zipBytes.ToArray()), "file", "luyin.zip" } };
        var uploaded = await admin.PostAsync(new Uri("/api/admin/voice-pack", UriKind.Relative), form);
        Assert.That(uploaded.IsSuccessStatusCode, Is.True, await uploaded.Content.ReadAsStringAsync());
        var version = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(zipBytes.ToArray()))[..12];
        (await admin.PutAsJsonAsync(new Uri("/api/admin/display-settings", UriKind.Relative), new { volume = 0.5, repeat = 1 })).EnsureSuccessStatusCode();

        await WaitVoiceAsync(v => v.GetProperty("packUrl").GetString() == $"/voice/{version}/" && v.GetProperty("volume").GetDouble() == 0.5, "the uploaded pack and volume in use");
        await PageReadsBoardAsync();
        await using (var db = _server.Db())
        {
            for (var until = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < until && (await db.Devices.AsNoTracking().SingleAsync(d => d.HallId == _hall.HallId && d.Role == DeviceRole.Display)).Status != "Ready";)
            {
                await Task.Delay(300);
            }
            Assert.That((await db.Devices.AsNoTracking().SingleAsync(d => d.HallId == _hall.HallId && d.Role == DeviceRole.Display)).Status, Is.EqualTo("Ready"), "no more fallback alert");
        }
        var before = (await VoiceAsync()).Count;
        var call = await CallAgainAsync(4, "budongchan");
        await WaitHeardAsync((await HeardAsync()).Count + 1);
        var segments = (await VoiceAsync()).Skip(before).ToList();
        Assert.That(segments.Select(p => new Uri(new Uri("http://x"), p.Src).AbsolutePath), Has.All.StartsWith($"/voice/{version}/"), "spoken from the uploaded pack");
        Assert.That(segments.Select(p => p.Volume), Has.All.EqualTo(0.5), "at the admin's volume");
        Assert.That((await HeardAsync())[^1], Is.EqualTo($"{call.Ticket.Number}→4"));

        // Quiet hours around now (the hall's local time): the call shows but is not spoken.
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        var quiet = $"{local.AddHours(-1):HH:mm}-{local.AddHours(1):HH:mm}";
        (await admin.PutAsJsonAsync(new Uri("/api/admin/display-settings", UriKind.Relative), new { quietHours = new[] { quiet } })).EnsureSuccessStatusCode();
        await WaitVoiceAsync(v => v.GetProperty("source").GetString() == "none", "quiet hours");
        await PageReadsBoardAsync();
        var heard = (await HeardAsync()).Count;
        var silent = await CallAgainAsync(5, "budongchan");
        await Assertions.Expect(_page.Locator("[data-testid=\"newest-number\"]")).ToHaveTextAsync(silent.Ticket.Number, new() { Timeout = 10_000 });
        await Task.Delay(3000);
        Assert.That((await HeardAsync()).Count, Is.EqualTo(heard), "nothing said in quiet hours");
        (await admin.PutAsJsonAsync(new Uri("/api/admin/display-settings", UriKind.Relative), new { quietHours = Array.Empty<string>(), volume = 0.9 })).EnsureSuccessStatusCode();
        await WaitVoiceAsync(v => v.GetProperty("source").GetString() == "pack", "quiet hours over");
    }

    [Test, Order(6)]
    public async Task A_legal_video_plays_the_call_banner_overlays_it_its_sound_ducks_while_the_call_is_spoken_and_it_plays_on()
    {
        var clip = Path.Combine(Path.GetTempPath(), $"hall-xianfa-{Guid.NewGuid():N}.mp4");
        try
        {
            await MediaFiles.EncodeH264Async(clip, seconds: 30);
            using var admin = await AdminHttpAsync();
            using var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(await File.ReadAllBytesAsync(clip)), "file", "xianfa.mp4" }, { new StringContent("宪法宣传片"), "title" }, { new StringContent("true"), "legal" },
            };
            var uploaded = await admin.PostAsync(new Uri("/api/admin/media", UriKind.Relative), form);
            Assert.That(uploaded.IsSuccessStatusCode, Is.True, await uploaded.Content.ReadAsStringAsync());
            using var json = JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync());
            (await admin.PostAsJsonAsync(new Uri("/api/admin/playlists", UriKind.Relative), new { name = "宪法宣传周", mediaIds = new[] { json.RootElement.GetProperty("id").GetInt32() }, priority = 0 })).EnsureSuccessStatusCode();

            // Pushed to the display at once (no minute's wait), downloaded, verified, decoded by Debian's Chromium.
            var video = _page.Locator("video[data-testid=\"media\"]");
            await Assertions.Expect(video).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await _page.WaitForFunctionAsync("() => { const v = document.querySelector('video'); return v && v.videoWidth === 640 && v.currentTime > 1 && !v.paused; }", null, new() { Timeout = 30_000 });
            Assert.That(await video.EvaluateAsync<double>("v => v.volume"), Is.EqualTo(1), "full sound between calls");
            await Browser.Screenshot(_page, "display-5-video-playing");

            await _page.EvaluateAsync("window.__segmentMs = 700");
            var call = await CallAgainAsync(7, "shuiwu");
            await _page.WaitForFunctionAsync("() => window.__voice.some(e => e.end === null)", null, new() { Timeout = 15_000 });
            var during = await video.EvaluateAsync<JsonElement>("v => ({ volume: v.volume, paused: v.paused, t: v.currentTime })");
            Assert.That(during.GetProperty("volume").GetDouble(), Is.EqualTo(0.2).Within(0.001), "the video ducks while the call is spoken");
            Assert.That(during.GetProperty("paused").GetBoolean(), Is.False, "and keeps playing");
            await Assertions.Expect(_page.Locator("[data-testid=\"call-banner\"]")).ToBeVisibleAsync();
            await Assertions.Expect(_page.Locator("[data-testid=\"call-banner\"]")).ToContainTextAsync(call.Ticket.Number);
            await Browser.Screenshot(_page, "display-6-call-over-video");

            await _page.WaitForFunctionAsync("() => window.__voice.every(e => e.end !== null)", null, new() { Timeout = 30_000 });
            await _page.WaitForFunctionAsync("() => document.querySelector('video').volume === 1", null, new() { Timeout = 5_000 });
            var after = await video.EvaluateAsync<JsonElement>("v => ({ paused: v.paused, t: v.currentTime })");
            Assert.That(after.GetProperty("paused").GetBoolean(), Is.False, "the video plays on after the call");
            Assert.That(after.GetProperty("t").GetDouble(), Is.GreaterThan(during.GetProperty("t").GetDouble()), "and was never stopped");
        }
        finally
        {
            await _page.EvaluateAsync("window.__segmentMs = 40");
            File.Delete(clip);
        }
    }

    /// <summary>A window number as it is read, in the pack's segments: 3 → 3, 10 → 十, 12 → 十2, 20 → 2十.</summary>
    private static string ChineseNumber(int n) => n switch
    {
        < 10 => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        10 => "十",
        < 20 => "十" + (n - 10),
        _ => (n / 10) + "十" + (n % 10 == 0 ? "" : (n % 10).ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };
    [Test, Order(7)]
    public async Task The_newest_call_card_shows_only_a_citizen_still_being_called()
    {
        var supervisor = await _hall.StaffAsync("supervisor");
        var atSix = await CallAgainAsync(6, "huzheng");
        var atTen = await CallAgainAsync(10, "gongjijin");
        var newest = _page.Locator("[data-testid=\"newest-number\"]");
        await Assertions.Expect(newest).ToHaveTextAsync(atTen.Ticket.Number, new() { Timeout = 10_000 });

        // The citizen reached window 10: 正在叫号 goes back to the one still being called at window 6.
        (await supervisor.StartAsync(await _server.WindowIdAsync(_hall.HallId, 10), atTen.Ticket.TicketId)).Ok();
        await Assertions.Expect(newest).ToHaveTextAsync(atSix.Ticket.Number, new() { Timeout = 10_000 });
        await Assertions.Expect(_page.Locator("[data-testid=\"newest-window\"]")).ToContainTextAsync("6");

        // Window 6 finishes too: the card shows an older call still waiting for its citizen (other windows of the
        // earlier tests), never a finished one; the list keeps both calls.
        var six = await _server.WindowIdAsync(_hall.HallId, 6);
        (await supervisor.StartAsync(six, atSix.Ticket.TicketId)).Ok();
        (await supervisor.FinishAsync(six, atSix.Ticket.TicketId)).Ok();
        await Assertions.Expect(newest).Not.ToHaveTextAsync(atSix.Ticket.Number, new() { Timeout = 10_000 });
        var shown = await newest.TextContentAsync();
        await using (var db = _server.Db())
        {
            var states = await db.Tickets.AsNoTracking().Where(t => t.Number == shown && t.HallId == _hall.HallId).Select(t => t.State).ToListAsync();
            Assert.That(states, Does.Contain(TicketState.Called), $"{shown} is still being called");
        }
        await Assertions.Expect(_page.Locator("[data-testid=\"recent-calls\"]")).ToContainTextAsync(atSix.Ticket.Number);
        await Assertions.Expect(_page.Locator("[data-testid=\"recent-calls\"]")).ToContainTextAsync(atTen.Ticket.Number);
        await Browser.Screenshot(_page, "display-7-newest-still-called");
    }
}
