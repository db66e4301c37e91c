using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Media;

/// <summary>How the lobby speaks, set by the admin: the recorded voice pack (checked phrase by phrase) and the voice settings, pushed to the displays.</summary>
[TestFixture, NonParallelizable]
public sealed partial class VoicePackTests() : HallFixture("voice-pack")
{
    internal static readonly byte[] Wav = [.. "RIFF"u8, 36, 0, 0, 0, .. "WAVEfmt "u8, 16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0, .. "data"u8, 0, 0, 0, 0];

    /// <summary>A pack ZIP: every phrase to its own WAV, the phrases given; <paramref name="extra"/> adds or replaces entries.</summary>
    internal static byte[] Zip(IEnumerable<string> phrases, Dictionary<string, byte[]>? extra = null, Dictionary<string, string>? manifestOverride = null)
    {
        var manifest = phrases.Select((p, i) => (p, $"seg{i}.wav")).ToDictionary(x => x.p, x => x.Item2);
        foreach (var (k, v) in manifestOverride ?? [])
        {
            manifest[k] = v;
        }
        var files = manifest.Values.Distinct().ToDictionary(f => f, _ => Wav);
        foreach (var (k, v) in extra ?? [])
        {
            files[k] = v;
        }
        files.TryAdd("manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest));
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in files)
            {
                using var entry = zip.CreateEntry(name).Open();
                entry.Write(bytes);
            }
        }
        return memory.ToArray();
    }

    private Task<List<string>> PhrasesAsync() => PhrasesAsync(App, Seeded.HallId);

    /// <summary>Every phrase a pack of the hall must speak: the fixed ones and the hall's ticket prefixes.</summary>
    internal static async Task<List<string>> PhrasesAsync(HallApp app, int hallId)
    {
        await using var db = app.Db();
        var prefixes = await db.Services.Where(s => s.HallId == hallId).Select(s => s.Prefix).ToListAsync();
        return ["请", "号", "到", "号窗口", "办理", "十", .. "0123456789".Select(c => c.ToString()), .. prefixes.Distinct().Select(c => c.ToString())];
    }

    /// <summary>The hall's admin over HTTP.</summary>
    internal static async Task<HttpClient> AdminHttpAsync(HallApp app, SeededHall seeded)
    {
        var admin = seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-admin", StringComparison.Ordinal));
        var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await app.LoginAsync(admin, seeded.Credentials.Passwords[admin]));
        return http;
    }

    /// <summary>Serves <paramref name="bytes"/> as the hall's pack under <paramref name="sha"/>, as a server that stored it unchecked would (nothing pushed).</summary>
    internal static async Task ServeUncheckedPackAsync(HallApp app, int hallId, string sha, byte[] bytes)
    {
        await File.WriteAllBytesAsync(Path.Combine(app.MediaFolder, $"voice-{sha}.zip"), bytes);
        await using var db = app.Db();
        var hall = await db.Halls.SingleAsync(h => h.Id == hallId);
        var settings = hall.Display.With(new(null, null, null, null, null)).Settings!;
        settings.VoicePackSha256 = sha;
        settings.VoicePackSize = bytes.Length;
        hall.Display = settings;
        await db.SaveChangesAsync();
    }

    private async Task<HttpClient> StaffHttpAsync(string role)
    {
        var login = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));
        var http = new HttpClient { BaseAddress = App.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await App.LoginAsync(login, Seeded.Credentials.Passwords[login]));
        return http;
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient http, byte[] zip)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(zip), "file", "voice.zip" } };
        return await http.PostAsync(new Uri("/api/admin/voice-pack", UriKind.Relative), form);
    }

    private static async Task<(string Code, string Zh)> ErrorAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("code").GetString()!, json.RootElement.GetProperty("messageZh").GetString()!);
    }

    private HttpClient DeviceHttp(string device)
    {
        var http = new HttpClient { BaseAddress = App.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Seeded.Credentials.DeviceKeys[device]);
        return http;
    }

    [Test, Order(1)]
    public async Task A_broken_or_incomplete_pack_is_refused_saying_what_is_wrong_and_nothing_is_kept()
    {
        using var admin = await StaffHttpAsync("admin");
        var phrases = await PhrasesAsync();
        var cases = new (string What, byte[] Zip, string Says)[]
        {
            ("not a zip", Encoding.UTF8.GetBytes("请到窗口办理"), "不是 ZIP"),
            ("no manifest", Without(Zip(phrases), "manifest.json"), "manifest.json"),
            ("manifest not an object", Zip(phrases, extra: new() { ["manifest.json"] = "[1,2]"u8.ToArray() }), "JSON 对象"),
            ("办理 and a prefix missing", Zip(phrases.Where(p => p is not ("办理" or "A"))), "办理 A"),
            ("a file that is not audio", Zip(phrases, extra: new() { ["seg0.wav"] = Encoding.UTF8.GetBytes("<script>alert(1)</script>") }), "seg0.wav 不是"),
            ("a path in a file name", Zip(phrases, manifestOverride: new() { ["请"] = "../../etc/passwd" }), "不可用"),
            ("a file missing from the zip", Without(Zip(phrases, manifestOverride: new() { ["请"] = "nowhere.wav" }), "nowhere.wav"), "nowhere.wav"),
        };
        using var supervisor = await StaffHttpAsync("supervisor");
        var before = await TableDump.AllAsync(App.ConnectionString);
        var files = Directory.Exists(App.MediaFolder) ? Directory.GetFiles(App.MediaFolder).Length : 0;
        foreach (var (what, zip, says) in cases)
        {
            var response = await UploadAsync(admin, zip);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), what);
            var (code, zh) = await ErrorAsync(response);
            Assert.That(code, Is.EqualTo("invalid_voice_pack"), what);
            Assert.That(zh, Does.Contain(says), what);
        }
        Assert.That((await UploadAsync(supervisor, Zip(phrases))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "only the admin uploads");
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before), "the database unchanged");
        Assert.That(Directory.Exists(App.MediaFolder) ? Directory.GetFiles(App.MediaFolder).Length : 0, Is.EqualTo(files), "no file left behind");
        using var display = DeviceHttp("display");
        Assert.That((await display.GetAsync(new Uri("/api/voice-pack", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "no pack yet");
    }

    private static byte[] Without(byte[] pack, string entryName)
    {
        using var memory = new MemoryStream();
        memory.Write(pack);
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Update, leaveOpen: true))
        {
            zip.GetEntry(entryName)!.Delete();
        }
        return memory.ToArray();
    }

    [Test, Order(2)]
    public async Task A_complete_pack_is_stored_pushed_to_the_displays_and_downloaded_by_them_and_the_kiosks_only()
    {
        using var admin = await StaffHttpAsync("admin");
        var pack = Zip(await PhrasesAsync());
        var display = await Seeded.DeviceAsync("display");
        var pushed = new TaskCompletionSource<DisplaySettingsView>();
        display.Connection.On<DisplaySettingsView>(nameof(IHallClient.DisplaySettingsChanged), s => pushed.TrySetResult(s));

        var response = await UploadAsync(admin, pack);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var sha = Convert.ToHexStringLower(SHA256.HashData(pack));
        Assert.That((await pushed.Task.WaitAsync(TimeSpan.FromSeconds(10))).VoicePackSha256, Is.EqualTo(sha), "pushed to the hall's displays");
        var settings = await display.Connection.InvokeAsync<DisplaySettingsView>(nameof(IHallHub.GetDisplaySettings));
        Assert.That((settings.VoicePackSha256, settings.VoicePackSize, settings.Template, settings.Repeat), Is.EqualTo((sha, (long)pack.Length, (string?)null, (int?)null)), "what the admin never set stays each display's own");
        using var displayHttp = DeviceHttp("display");
        Assert.That(await displayHttp.GetByteArrayAsync(new Uri("/api/voice-pack", UriKind.Relative)), Is.EqualTo(pack));
        // The kiosks speak their guidance with it too; an evaluator has no voice.
        using var kiosk = DeviceHttp("kiosk");
        Assert.That(await kiosk.GetByteArrayAsync(new Uri("/api/voice-pack", UriKind.Relative)), Is.EqualTo(pack));
        var kioskHub = await Seeded.DeviceAsync("kiosk");
        Assert.That((await kioskHub.Connection.InvokeAsync<DisplaySettingsView>(nameof(IHallHub.GetDisplaySettings))).VoicePackSha256, Is.EqualTo(sha));
        var evaluatorKey = await App.CreateDeviceAsync(Seeded.HallId, "语音包测试评价器", DeviceRole.Evaluator, await App.WindowIdAsync(Seeded.HallId, 1));
        using var evaluator = new HttpClient { BaseAddress = App.BaseAddress };
        evaluator.DefaultRequestHeaders.Authorization = new("Bearer", evaluatorKey);
        Assert.That((await evaluator.GetAsync(new Uri("/api/voice-pack", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        await using var evaluatorHub = await App.ConnectAsync(evaluatorKey);
        Assert.That(async () => await evaluatorHub.Connection.InvokeAsync<DisplaySettingsView>(nameof(IHallHub.GetDisplaySettings)), Throws.InstanceOf<HubException>().With.Message.Contains("forbidden"));
    }

    [Test, Order(3)]
    public async Task The_voice_settings_are_checked_stored_and_pushed_and_bad_ones_change_nothing()
    {
        using var admin = await StaffHttpAsync("admin");
        var display = await Seeded.DeviceAsync("display");
        var pushed = new TaskCompletionSource<DisplaySettingsView>();
        display.Connection.On<DisplaySettingsView>(nameof(IHallClient.DisplaySettingsChanged), s => pushed.TrySetResult(s));
        // Each refusal names the one field at fault.
        var bad = new (object Body, string Field)[]
        {
            (new { template = "请到窗口办理" }, "播报模板须含 {number}"),
            (new { template = "请{number}号办理" }, "播报模板须含 {number}"),
            (new { repeat = 0 }, "播报次数须在 1–5 之间"),
            (new { repeat = 9 }, "播报次数须在 1–5 之间"),
            (new { volume = 1.5 }, "音量须在 0–1 之间"),
            (new { voiceSource = "robot" }, "语音来源须为"),
            (new { quietHours = new[] { "25:00-26:00" } }, "静音时段形如 12:00-13:30（“25:00-26:00”不是）"),
            (new { quietHours = new[] { "12:00-12:00" } }, "静音时段形如 12:00-13:30"),
            (new { quietHours = new[] { "'; DROP TABLE halls; --" } }, "静音时段形如 12:00-13:30"),
            (new { template = "请{number}号到{window}号窗口办理\u0007" }, ""),
        };
        using var supervisor = await StaffHttpAsync("supervisor");
        var before = await TableDump.AllAsync(App.ConnectionString);
        foreach (var (body, field) in bad)
        {
            var response = await admin.PutAsJsonAsync(new Uri("/api/admin/display-settings", UriKind.Relative), body);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), JsonSerializer.Serialize(body));
            // A control character is caught by the request's text check before the settings are read (issue 15).
            var (code, zh) = await ErrorAsync(response);
            Assert.That(code, Is.EqualTo(JsonSerializer.Serialize(body).Contains("\\u0007", StringComparison.Ordinal) ? "invalid_text" : "invalid_display_settings"));
            Assert.That(zh, Does.Contain(field), JsonSerializer.Serialize(body));
        }
        Assert.That((await supervisor.PutAsJsonAsync(new Uri("/api/admin/display-settings", UriKind.Relative), new { repeat = 1 })).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before), "nothing changed");

        var ok = await admin.PutAsJsonAsync(new Uri("/api/admin/display-settings", UriKind.Relative), new { repeat = 3, volume = 0.6, quietHours = new[] { "12:00-13:30", "22:00-07:00" } });

        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ok.Content.ReadAsStringAsync());
        var seen = await pushed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That((seen.Repeat, seen.Volume, seen.Template), Is.EqualTo(((int?)3, (double?)0.6, (string?)null)), "what was not sent is kept");
        Assert.That(seen.QuietHours, Is.EqualTo(new[] { "12:00-13:30", "22:00-07:00" }));
        Assert.That(seen.VoicePackSha256, Is.Not.Null, "the uploaded pack is kept");
        var read = await supervisor.GetFromJsonAsync<DisplaySettingsView>(new Uri("/api/admin/display-settings", UriKind.Relative));
        Assert.That(read!.Repeat, Is.EqualTo(3), "stored");
    }
}
