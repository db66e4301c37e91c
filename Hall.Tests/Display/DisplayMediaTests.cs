using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Display;

/// <summary>The display agent's media: downloaded from the real server with its key, scheduled, and its proof of play reaching the server once across an outage.</summary>
[TestFixture, NonParallelizable]
public sealed class DisplayMediaTests
{
    private static byte[] H264Mp4() =>
        [.. MediaFiles.Box("ftyp", Encoding.ASCII.GetBytes("isom"), [0, 0, 2, 0]), .. MediaFiles.Box("moov", MediaFiles.Box("trak", MediaFiles.Box("mdia", MediaFiles.Box("minf", MediaFiles.Box("stbl", MediaFiles.Box("stsd", [0, 0, 0, 0, 0, 0, 0, 1], MediaFiles.Box("avc1", new byte[78]))))))), .. MediaFiles.Box("mdat", new byte[30_000])];

    [Test]
    public async Task The_board_shows_the_scheduled_picture_and_each_showing_reaches_the_server_as_a_play()
    {
        // The page times its plays by the real clock, and the server refuses plays in its future: its clock a minute ahead.
        var app = await HallApp.StartAsync("display-board-media", DateTimeOffset.UtcNow.AddMinutes(1));
        var hall = await SeededHall.CreateAsync(app);
        var cacheFolder = Directory.CreateTempSubdirectory("hall-display-cache-").FullName;
        var (playwright, browser) = await Browser.LaunchAsync();
        AgentProcess? display = null;
        try
        {
            var admin = hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-admin", StringComparison.Ordinal));
            using var adminHttp = new HttpClient { BaseAddress = app.BaseAddress };
            adminHttp.DefaultRequestHeaders.Authorization = new("Bearer", await app.LoginAsync(admin, hall.Credentials.Passwords[admin]));
            using var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(MediaFiles.Png()), "file", "fazhi.png" }, { new StringContent("法治宣传海报"), "title" }, { new StringContent("true"), "legal" }, { new StringContent("3"), "seconds" },
            };
            var uploaded = await adminHttp.PostAsync(new Uri("/api/admin/media", UriKind.Relative), form);
            Assert.That(uploaded.IsSuccessStatusCode, Is.True, await uploaded.Content.ReadAsStringAsync());
            using var uploadJson = JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync());
            var mediaId = uploadJson.RootElement.GetProperty("id").GetInt32();
            (await adminHttp.PostAsJsonAsync(new Uri("/api/admin/playlists", UriKind.Relative), new { name = "法治宣传", mediaIds = new[] { mediaId }, priority = 0 })).EnsureSuccessStatusCode();
            display = await AgentProcess.StartAsync("Hall.Display", new Dictionary<string, string>
            {
                ["Display__Server"] = app.BaseAddress.ToString(),
                ["Display__DeviceKey"] = hall.Credentials.DeviceKeys["display"],
                ["Display__MediaCacheFolder"] = cacheFolder,
            });

            var page = await Browser.OpenAsync(browser, display.BaseAddress.ToString(), new Microsoft.Playwright.ViewportSize { Width = 1920, Height = 1080 });
            var picture = page.Locator("img[data-testid=\"media\"]");
            await Microsoft.Playwright.Assertions.Expect(picture).ToBeVisibleAsync(new() { Timeout = 30_000 });
            Assert.That(await picture.EvaluateAsync<int>("img => img.naturalWidth"), Is.EqualTo(320), "decoded from the local cache");
            await Browser.Screenshot(page, "display-3-playlist-picture");

            await using var db = app.Db();
            for (var until = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < until && await db.MediaPlays.CountAsync() < 2; await Task.Delay(300))
            {
            }
            var plays = await db.MediaPlays.AsNoTracking().OrderBy(p => p.StartedAt).ToListAsync();
            Assert.That(plays, Has.Count.GreaterThanOrEqualTo(2), "each showing of the picture is a play");
            Assert.That(plays.Select(p => (p.MediaId, p.Completed)), Has.All.EqualTo((mediaId, true)));
            Assert.That(plays.Select(p => (p.EndedAt - p.StartedAt).TotalSeconds), Has.All.InRange(2.5, 6), "shown for its 3 seconds");
        }
        finally
        {
            if (display is not null)
            {
                await display.DisposeAsync();
            }
            await browser.DisposeAsync();
            playwright.Dispose();
            await hall.DisposeAsync();
            await app.DisposeAsync();
            Directory.Delete(cacheFolder, recursive: true);
        }
    }

    [Test]
    public async Task The_display_downloads_its_playlist_and_plays_recorded_while_the_server_was_away_are_stored_once()
    {
        var app = await HallApp.StartAsync("display-media");
        var hall = await SeededHall.CreateAsync(app);
        var cacheFolder = Directory.CreateTempSubdirectory("hall-display-cache-").FullName;
        AgentProcess? display = null;
        try
        {
            var admin = hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-admin", StringComparison.Ordinal));
            using var adminHttp = new HttpClient { BaseAddress = app.BaseAddress };
            adminHttp.DefaultRequestHeaders.Authorization = new("Bearer", await app.LoginAsync(admin, hall.Credentials.Passwords[admin]));
            using var form = new MultipartFormDataContent { { new ByteArrayContent(H264Mp4()), "file", "xianfa.mp4" }, { new StringContent("宪法宣传片"), "title" }, { new StringContent("true"), "legal" } };
            var uploaded = await adminHttp.PostAsync(new Uri("/api/admin/media", UriKind.Relative), form);
            using var uploadJson = JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync());
            var mediaId = uploadJson.RootElement.GetProperty("id").GetInt32();
            (await adminHttp.PostAsJsonAsync(new Uri("/api/admin/playlists", UriKind.Relative), new { name = "日常普法", mediaIds = new[] { mediaId }, priority = 0 })).EnsureSuccessStatusCode();

            display = await AgentProcess.StartAsync("Hall.Display", new Dictionary<string, string>
            {
                ["Display__Server"] = app.BaseAddress.ToString(),
                ["Display__DeviceKey"] = hall.Credentials.DeviceKeys["display"],
                ["Display__MediaCacheFolder"] = cacheFolder,
            });
            using var agent = new HttpClient { BaseAddress = display.BaseAddress };
            JsonElement item = default;
            for (var until = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < until; await Task.Delay(300))
            {
                using var board = JsonDocument.Parse(await agent.GetStringAsync(new Uri("/api/board", UriKind.Relative)));
                if (board.RootElement.GetProperty("playlist").GetArrayLength() == 1)
                {
                    item = board.RootElement.GetProperty("playlist")[0].Clone();
                    break;
                }
            }
            Assert.That(item.ValueKind, Is.EqualTo(JsonValueKind.Object), "the playlist's video downloaded, verified and scheduled");
            Assert.That(await agent.GetByteArrayAsync(new Uri(item.GetProperty("url").GetString()!, UriKind.Relative)), Is.EqualTo(H264Mp4()), "played from the local cache");

            // Plays of the last minutes by the server's clock: neither in its future nor before the display existed.
            app.Clock.Advance(TimeSpan.FromMinutes(10));
            await app.DisposeAsync();
            var start = app.Clock.GetUtcNow().AddMinutes(-5);
            for (var i = 0; i < 3; i++)
            {
                var play = new { mediaId, startedAt = start.AddMinutes(i), endedAt = start.AddMinutes(i).AddSeconds(50), completed = i != 1 };
                (await agent.PostAsJsonAsync(new Uri("/api/plays", UriKind.Relative), play)).EnsureSuccessStatusCode();
                if (i == 0)
                {
                    // A play of media the server does not know (deleted meanwhile): refused for good, it must hold up nothing.
                    (await agent.PostAsJsonAsync(new Uri("/api/plays", UriKind.Relative), new { mediaId = 999_999, startedAt = start, endedAt = start.AddSeconds(5), completed = true })).EnsureSuccessStatusCode();
                }
            }
            using (var board = JsonDocument.Parse(await agent.GetStringAsync(new Uri("/api/board", UriKind.Relative))))
            {
                Assert.That(board.RootElement.GetProperty("playlist").GetArrayLength(), Is.EqualTo(1), "still playing while the server is away");
            }

            app = HallApp.Restart(app);
            await using var db = app.Db();
            for (var until = DateTime.UtcNow.AddSeconds(40); DateTime.UtcNow < until && await db.MediaPlays.CountAsync() < 3; await Task.Delay(300))
            {
            }
            await Task.Delay(5000);
            var plays = await db.MediaPlays.AsNoTracking().OrderBy(p => p.StartedAt).ToListAsync();
            Assert.That(plays.Select(p => (p.MediaId, p.Completed)), Is.EqualTo(new[] { (mediaId, true), (mediaId, false), (mediaId, true) }), "all three, once each");
            Assert.That(File.ReadAllText(Path.Combine(cacheFolder, "plays-outbox.jsonl")).Trim(), Is.Empty, "nothing left to send");
            Assert.That(File.ReadAllText(Path.Combine(cacheFolder, "plays-rejected.jsonl")), Does.Contain("999999"), "the refused play set aside, for a person to look at");
        }
        finally
        {
            if (display is not null)
            {
                await display.DisposeAsync();
            }
            await hall.DisposeAsync();
            await app.DisposeAsync();
            Directory.Delete(cacheFolder, recursive: true);
        }
    }
}
