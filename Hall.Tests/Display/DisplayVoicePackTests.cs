using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Hall.Tests.Media;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Display;

/// <summary>
/// Voice packs that hurt (issue 15), seen from the display agent: a pack the server hands out is checked again before it
/// is unpacked; a bad one is refused and reported, the previous pack stays in use and the playlists still sync.
/// The bad packs are put in the server's store by hand, as a server that did not check (or a damaged file) would serve them.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class DisplayVoicePackTests() : HallFixture("display-voice-pack")
{
    private byte[] _goodPack = null!;
    private int _priority;

    [OneTimeSetUp]
    public async Task BuildGoodPackAsync() => _goodPack = VoicePackTests.Zip(await VoicePackTests.PhrasesAsync(App, Seeded.HallId));

    private Task<HttpClient> AdminAsync() => VoicePackTests.AdminHttpAsync(App, Seeded);

    private Task ServeUncheckedPackAsync(string sha, byte[] bytes) => VoicePackTests.ServeUncheckedPackAsync(App, Seeded.HallId, sha, bytes);

    private static async Task<JsonElement> BoardAsync(HttpClient agent)
    {
        using var board = JsonDocument.Parse(await agent.GetStringAsync(new Uri("/api/board", UriKind.Relative)));
        return board.RootElement.Clone();
    }

    private static async Task<JsonElement> WaitBoardAsync(HttpClient agent, Func<JsonElement, bool> condition, string what, int seconds = 40)
    {
        var board = await BoardAsync(agent);
        for (var until = DateTime.UtcNow.AddSeconds(seconds); !condition(board) && DateTime.UtcNow < until; board = await BoardAsync(agent))
        {
            await Task.Delay(300);
        }
        Assert.That(condition(board), Is.True, $"{what}: not within {seconds} s; the board says {board}");
        return board;
    }

    /// <summary>
    /// The agent with the hall's good pack in use; then <paramref name="badSha"/> with <paramref name="badBytes"/> is
    /// served and a new playlist (a picture) pushed: the playlist must arrive, whatever the pack does.
    /// </summary>
    private async Task<(AgentProcess Agent, string Cache, JsonElement Board, int MediaId)> ServeBadPackAsync(string badSha, byte[] badBytes)
    {
        using var admin = await AdminAsync();
        using (var form = new MultipartFormDataContent { { new ByteArrayContent(_goodPack), "file", "voice.zip" } })
        {
            var uploaded = await admin.PostAsync(new Uri("/api/admin/voice-pack", UriKind.Relative), form);
            Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.OK), await uploaded.Content.ReadAsStringAsync());
        }
        var cache = Directory.CreateTempSubdirectory("hall-display-cache-").FullName;
        var agent = await AgentProcess.StartAsync("Hall.Display", new Dictionary<string, string>
        {
            ["Display__Server"] = App.BaseAddress.ToString(),
            ["Display__DeviceKey"] = Seeded.Credentials.DeviceKeys["display"],
            ["Display__MediaCacheFolder"] = cache,
            ["Display__Voice__PackFolder"] = Path.Combine(cache, "no-own-pack"),
            ["Display__Voice__FallbackFolder"] = Path.Combine(cache, "no-fallback"),
        });
        using var http = new HttpClient { BaseAddress = agent.BaseAddress };
        var good = GoodVersion;
        await WaitBoardAsync(http, b => b.GetProperty("voice").GetProperty("packUrl").GetString() == $"/voice/{good}/", "the hall's good pack in use");

        await ServeUncheckedPackAsync(badSha, badBytes);
        using var picture = new MultipartFormDataContent
        {
            { new ByteArrayContent(MediaFiles.Png()), "file", "notice.png" }, { new StringContent("办事指南"), "title" }, { new StringContent("3"), "seconds" },
        };
        var media = await admin.PostAsync(new Uri("/api/admin/media", UriKind.Relative), picture);
        using var mediaJson = JsonDocument.Parse(await media.Content.ReadAsStringAsync());
        var mediaId = mediaJson.RootElement.GetProperty("id").GetInt32();
        _priority += 10;
        (await admin.PostAsJsonAsync(new Uri("/api/admin/playlists", UriKind.Relative), new { name = $"办事指南{_priority}", mediaIds = new[] { mediaId }, priority = _priority })).EnsureSuccessStatusCode();

        var board = await WaitBoardAsync(http, b => b.GetProperty("playlist").EnumerateArray().Any(m => m.GetProperty("mediaId").GetInt32() == mediaId),
            "the new playlist synced although the pack is bad");
        return (agent, cache, board, mediaId);
    }

    /// <summary>The display's device id, from its key (hd_{id}_{secret}).</summary>
    private int DisplayId => int.Parse(Seeded.Credentials.DeviceKeys["display"].Split('_')[1], System.Globalization.CultureInfo.InvariantCulture);

    private string GoodVersion => Convert.ToHexStringLower(SHA256.HashData(_goodPack))[..12];

    private async Task AssertRefusedAndReportedAsync(string cache, JsonElement board, string badSha)
    {
        Assert.That(board.GetProperty("voice").GetProperty("packUrl").GetString(), Is.EqualTo($"/voice/{GoodVersion}/"), "the previous pack stays in use");
        Assert.That(Directory.Exists(Path.Combine(cache, "voice-settings", "pack-" + badSha)), Is.False, "nothing of the bad pack unpacked");
        Assert.That(Directory.GetDirectories(Path.Combine(cache, "voice-settings"), "pack-*").Select(Path.GetFileName), Is.EqualTo(new[] { "pack-" + Convert.ToHexStringLower(SHA256.HashData(_goodPack)) }), "only the good pack kept");
        await using var db = App.Db();
        var status = "";
        string? detail = null;
        for (var until = DateTime.UtcNow.AddSeconds(20); status != "VoicePackRefused" && DateTime.UtcNow < until; await Task.Delay(300))
        {
            var device = await db.Devices.AsNoTracking().SingleAsync(d => d.Id == DisplayId);
            (status, detail) = (device.Status ?? "", device.StatusDetail);
        }
        Assert.That(status, Is.EqualTo("VoicePackRefused"), "reported for the supervisor's wall");
        Assert.That(detail, Does.Contain("语音包无效").And.Contain("仍用之前的语音包"));
    }

    [Test]
    public async Task A_pack_with_a_file_its_manifest_does_not_name_is_refused_by_the_display_and_the_old_pack_kept()
    {
        // A page beside the recordings: unpacked, the display would serve it from its own origin.
        var entries = VoicePackTests.EntriesOf(_goodPack);
        var bad = VoicePackTests.ZipOf([.. entries, ("index.html", "<script>fetch('/api/plays')</script>"u8.ToArray())]);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bad));
        var (agent, cache, board, _) = await ServeBadPackAsync(sha, bad);
        try
        {
            using var http = new HttpClient { BaseAddress = agent.BaseAddress };
            Assert.That((await http.GetAsync(new Uri($"/voice/{sha[..12]}/index.html", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the extra file is never served");
            await AssertRefusedAndReportedAsync(cache, board, sha);
        }
        finally
        {
            await agent.DisposeAsync();
            Directory.Delete(cache, recursive: true);
        }
    }

    [Test]
    public async Task A_pack_that_is_not_what_the_server_says_is_refused_and_the_playlists_still_sync()
    {
        // Damaged on the server's disk (or on the way): its bytes are not those of its SHA-256.
        var bad = VoicePackTests.Zip(await VoicePackTests.PhrasesAsync(App, Seeded.HallId), extra: new() { ["seg1.wav"] = VoicePackTests.WavOf(3_000, i => (byte)i) });
        var sha = Convert.ToHexStringLower(SHA256.HashData(bad));
        bad[^30] ^= 0xFF;
        var (agent, cache, board, _) = await ServeBadPackAsync(sha, bad);
        try
        {
            await AssertRefusedAndReportedAsync(cache, board, sha);
        }
        finally
        {
            await agent.DisposeAsync();
            Directory.Delete(cache, recursive: true);
        }
    }
}
