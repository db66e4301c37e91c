using System.Net;
using System.Net.Http.Headers;
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

/// <summary>The 普法 media library: uploads checked by their bytes, playlists, downloads for displays, proof of play counted once.</summary>
[TestFixture]
public sealed class MediaLibraryTests() : HallFixture("media")
{
    /// <summary>An ISO-BMFF file with one video track whose sample entry is <paramref name="codec"/>; the movie box after the media data, as cameras write it.</summary>
    private static byte[] Mp4(string codec)
    {
        var ftyp = MediaFiles.Box("ftyp", Encoding.ASCII.GetBytes("isom"), [0, 0, 2, 0], Encoding.ASCII.GetBytes("isomavc1mp41"));
        var mdat = MediaFiles.Box("mdat", RandomNumberGenerator.GetBytes(4000));
        var entry = MediaFiles.Box(codec, new byte[78]);
        var stsd = MediaFiles.Box("stsd", [0, 0, 0, 0, 0, 0, 0, 1], entry);
        var moov = MediaFiles.Box("moov", MediaFiles.Box("mvhd", new byte[100]), MediaFiles.Box("trak", MediaFiles.Box("tkhd", new byte[84]), MediaFiles.Box("mdia", MediaFiles.Box("hdlr", new byte[25]), MediaFiles.Box("minf", MediaFiles.Box("stbl", stsd)))));
        return [.. ftyp, .. mdat, .. moov];
    }

    private async Task<HttpClient> AdminAsync()
    {
        var admin = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-admin", StringComparison.Ordinal));
        var http = new HttpClient { BaseAddress = App.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await App.LoginAsync(admin, Seeded.Credentials.Passwords[admin]));
        return http;
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient http, byte[] bytes, string fileName, string title = "宪法宣传片", bool legal = true)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(bytes), "file", fileName },
            { new StringContent(title), "title" },
            { new StringContent(legal ? "true" : "false"), "legal" },
            { new StringContent("12"), "seconds" },
        };
        return await http.PostAsync(new Uri("/api/admin/media", UriKind.Relative), form);
    }

    private static async Task<int> IdOfAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("id").GetInt32();
    }

    [Test]
    public async Task An_H264_video_is_stored_by_its_checksum_and_a_display_downloads_it_whole_or_from_where_it_stopped()
    {
        using var admin = await AdminAsync();
        var video = Mp4("avc1");

        var uploaded = await UploadAsync(admin, video, "xianfa.mp4");

        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.OK), await uploaded.Content.ReadAsStringAsync());
        var id = await IdOfAsync(uploaded);
        await using (var db = App.Db())
        {
            var item = await db.MediaItems.AsNoTracking().SingleAsync(m => m.Id == id);
            Assert.That((item.Kind, item.ContentType, item.Size, item.Sha256, item.Legal), Is.EqualTo((MediaKind.Video, "video/mp4", (long)video.Length, Convert.ToHexStringLower(SHA256.HashData(video)), true)));
        }
        using var display = new HttpClient { BaseAddress = App.BaseAddress };
        display.DefaultRequestHeaders.Authorization = new("Bearer", Seeded.Credentials.DeviceKeys["display"]);
        Assert.That(await display.GetByteArrayAsync(new Uri($"/api/media/{id}", UriKind.Relative)), Is.EqualTo(video));
        using var resume = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/media/{id}", UriKind.Relative));
        resume.Headers.Range = new RangeHeaderValue(1000, null);
        var rest = await display.SendAsync(resume);
        Assert.That(rest.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(await rest.Content.ReadAsByteArrayAsync(), Is.EqualTo(video[1000..]));

        using var kiosk = new HttpClient { BaseAddress = App.BaseAddress };
        kiosk.DefaultRequestHeaders.Authorization = new("Bearer", Seeded.Credentials.DeviceKeys["kiosk"]);
        Assert.That((await kiosk.GetAsync(new Uri($"/api/media/{id}", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [TestCase("hvc1", "h265.mp4", TestName = "An H.265 MP4 is refused")]
    [TestCase("mp4v", "mpeg4.mp4", TestName = "An MPEG-4 Part 2 MP4 is refused")]
    [TestCase(null, "video.avi", TestName = "A file that is no MP4 is refused, whatever its name")]
    public async Task Other_formats_are_refused_with_a_clear_message_and_nothing_is_kept(string? codec, string name)
    {
        using var admin = await AdminAsync();
        var before = await TableDump.AllAsync(App.ConnectionString);
        var files = Directory.Exists(App.MediaFolder) ? Directory.GetFiles(App.MediaFolder).Length : 0;
        var bytes = codec is null ? Encoding.ASCII.GetBytes("RIFF....AVI LIST" + new string('x', 500)) : Mp4(codec);

        var refused = await UploadAsync(admin, bytes, name);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var body = await refused.Content.ReadAsStringAsync();
        Assert.That(body, Does.Contain("unsupported_media").And.Contain("H.264"));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
        Assert.That(Directory.Exists(App.MediaFolder) ? Directory.GetFiles(App.MediaFolder).Length : 0, Is.EqualTo(files), "no file left behind");
    }

    [Test]
    public async Task Only_the_admin_uploads()
    {
        var supervisor = Seeded.Credentials.Passwords.Keys.Single(k => k.EndsWith("-supervisor", StringComparison.Ordinal));
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        Assert.That((await UploadAsync(http, [0xFF, 0xD8, 0xFF, 0xE0], "a.jpg")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        http.DefaultRequestHeaders.Authorization = new("Bearer", await App.LoginAsync(supervisor, Seeded.Credentials.Passwords[supervisor]));
        Assert.That((await UploadAsync(http, [0xFF, 0xD8, 0xFF, 0xE0], "a.jpg")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task A_display_gets_the_scheduled_playlists_and_its_plays_are_counted_once_however_often_they_are_sent()
    {
        using var admin = await AdminAsync();
        var video = await IdOfAsync(await UploadAsync(admin, Mp4("avc1"), "fadian.mp4", "民法典宣传片"));
        var image = await IdOfAsync(await UploadAsync(admin, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0], "notice.png", "办事指南", legal: false));
        var week = new { name = "国家宪法日宣传周", mediaIds = new[] { video, image }, from = "2026-12-01", to = "2026-12-07", days = Array.Empty<int>(), times = new[] { "09:00-12:00", "13:30-17:30" }, priority = 10 };
        Assert.That((await admin.PostAsJsonAsync(new Uri("/api/admin/playlists", UriKind.Relative), week)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        foreach (var bad in new object[]
        {
            week with { mediaIds = new[] { video, 999_999 } },
            week with { times = new[] { "25:00-26:00" } },
            week with { days = new[] { 7 } },
            week with { from = "2026-12-08" },
            week with { name = "" },
        })
        {
            var refused = await admin.PostAsJsonAsync(new Uri("/api/admin/playlists", UriKind.Relative), bad);
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("invalid_playlist"), JsonSerializer.Serialize(bad));
        }

        // Plays of the last hour (a play can neither be in the future nor before the display existed); connected after the jump.
        App.Clock.Advance(TimeSpan.FromHours(1));
        var display = await Seeded.DeviceAsync("display");
        var playlists = await display.Connection.InvokeAsync<List<PlaylistView>>(nameof(IHallHub.GetPlaylists));
        var list = playlists.Single(p => p.Name == "国家宪法日宣传周");
        Assert.That(list.Items.Select(i => (i.Id, i.Kind, i.Url)), Is.EqualTo(new[] { (video, MediaKind.Video, $"/api/media/{video}"), (image, MediaKind.Image, $"/api/media/{image}") }));
        Assert.That((list.From, list.To, list.Times), Is.EqualTo(((DateOnly?)new DateOnly(2026, 12, 1), (DateOnly?)new DateOnly(2026, 12, 7), (IReadOnlyList<string>)["09:00-12:00", "13:30-17:30"])));
        var kiosk = await Seeded.DeviceAsync("kiosk");
        Assert.ThrowsAsync<HubException>(() => kiosk.Connection.InvokeAsync<List<PlaylistView>>(nameof(IHallHub.GetPlaylists)));

        var start = App.Clock.GetUtcNow().AddMinutes(-50);
        var plays = Enumerable.Range(0, 3).Select(i => new PlayReport(Guid.NewGuid(), video, start.AddMinutes(i * 5), start.AddMinutes(i * 5 + 4), i != 2)).ToList();
        Assert.That(await display.Connection.InvokeAsync<int>(nameof(IHallHub.ReportPlays), plays), Is.EqualTo(3));
        Assert.That(await display.Connection.InvokeAsync<int>(nameof(IHallHub.ReportPlays), plays), Is.Zero, "sent again after a lost answer: counted once");
        Assert.That(await display.Connection.InvokeAsync<int>(nameof(IHallHub.ReportPlays), plays.Append(new PlayReport(Guid.NewGuid(), image, start.AddMinutes(4), start.AddMinutes(4).AddSeconds(12), true)).ToList()), Is.EqualTo(1));
        var foreign = plays.Append(new PlayReport(Guid.NewGuid(), 999_999, start, start.AddMinutes(1), true)).ToList();
        Assert.ThrowsAsync<HubException>(() => display.Connection.InvokeAsync<int>(nameof(IHallHub.ReportPlays), foreign));
        Assert.ThrowsAsync<HubException>(() => kiosk.Connection.InvokeAsync<int>(nameof(IHallHub.ReportPlays), plays));

        await using var db = App.Db();
        Assert.That(await db.MediaPlays.CountAsync(p => p.MediaId == video), Is.EqualTo(3));
        Assert.That(await db.MediaPlays.CountAsync(p => p.MediaId == video && p.Completed), Is.EqualTo(2));
        Assert.That(await db.MediaPlays.CountAsync(p => p.MediaId == image), Is.EqualTo(1));
    }

    private static async Task<string> MessageZhAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("messageZh").GetString()!;
    }

    private static object Playlist(string name, params int[] mediaIds) =>
        new { name, mediaIds, from = (string?)null, to = (string?)null, days = Array.Empty<int>(), times = Array.Empty<string>(), priority = 0 };

    [Test]
    public async Task A_media_item_a_playlist_shows_is_not_deleted_and_the_refusal_names_the_playlists()
    {
        using var admin = await AdminAsync();
        var video = await IdOfAsync(await UploadAsync(admin, Mp4("avc1"), "jiaotong.mp4", "交通安全宣传片"));
        Assert.That((await admin.PostAsJsonAsync(new Uri("/api/admin/playlists", UriKind.Relative), Playlist("午间循环", video))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await admin.PostAsJsonAsync(new Uri("/api/admin/playlists", UriKind.Relative), Playlist("周末循环", video))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var before = await TableDump.AllAsync(App.ConnectionString);
        var files = Directory.GetFiles(App.MediaFolder).Length;

        var refused = await admin.DeleteAsync(new Uri($"/api/admin/media/{video}", UriKind.Relative));

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await MessageZhAsync(refused), Is.EqualTo("被播放列表「午间循环」「周末循环」使用，请先从列表中移除"));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before), "nothing changed");
        Assert.That(Directory.GetFiles(App.MediaFolder).Length, Is.EqualTo(files), "the file stays");
        using var display = new HttpClient { BaseAddress = App.BaseAddress };
        display.DefaultRequestHeaders.Authorization = new("Bearer", Seeded.Credentials.DeviceKeys["display"]);
        Assert.That((await display.GetAsync(new Uri($"/api/media/{video}", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_still_picture_shown_outside_opening_hours_is_not_deleted()
    {
        using var admin = await AdminAsync();
        var picture = await IdOfAsync(await UploadAsync(admin, MediaFiles.Png(90), "closed.png", "下班提示", legal: false));
        var set = await admin.PutAsJsonAsync(new Uri("/api/admin/display-settings", UriKind.Relative), new { closedShow = "image", closedMediaId = picture });
        Assert.That(set.StatusCode, Is.EqualTo(HttpStatusCode.OK), await set.Content.ReadAsStringAsync());

        var refused = await admin.DeleteAsync(new Uri($"/api/admin/media/{picture}", UriKind.Relative));

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await MessageZhAsync(refused), Does.StartWith("该图片是下班后大屏显示的静态图片"));
        await using var db = App.Db();
        Assert.That(await db.MediaItems.Where(m => m.Id == picture).Select(m => m.DeletedAt).SingleAsync(), Is.Null);
    }

    [Test]
    public async Task A_deleted_media_item_leaves_the_library_but_its_plays_stay_and_the_bulletin_still_names_it()
    {
        // Plays of the last half hour: the clock moved on first (a play can neither be in the future nor before the display existed).
        App.Clock.Advance(TimeSpan.FromHours(1));
        using var admin = await AdminAsync();
        var bytes = Mp4("avc1");
        var video = await IdOfAsync(await UploadAsync(admin, bytes, "fanzha.mp4", "反诈宣传片"));
        var twin = await IdOfAsync(await UploadAsync(admin, bytes, "fanzha2.mp4", "反诈宣传片（副本）"));
        var display = await Seeded.DeviceAsync("display");
        var start = App.Clock.GetUtcNow().AddMinutes(-30);
        var plays = Enumerable.Range(0, 3).Select(i => new PlayReport(Guid.NewGuid(), video, start.AddMinutes(i * 5), start.AddMinutes(i * 5 + 4), true)).ToList();
        Assert.That(await display.Connection.InvokeAsync<int>(nameof(IHallHub.ReportPlays), plays), Is.EqualTo(3));
        var changed = 0;
        display.Connection.On(nameof(IHallClient.PlaylistsChanged), () => Interlocked.Increment(ref changed));
        var file = Path.Combine(App.MediaFolder, $"{Convert.ToHexStringLower(SHA256.HashData(bytes))}.mp4");

        var deleted = await admin.DeleteAsync(new Uri($"/api/admin/media/{video}", UriKind.Relative));

        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await deleted.Content.ReadAsStringAsync());
        Assert.That(File.Exists(file), Is.True, "the other item with the same bytes still needs the file");
        Assert.That((await admin.DeleteAsync(new Uri($"/api/admin/media/{video}", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "deleted once");
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Seeded.Credentials.DeviceKeys["display"]);
        Assert.That((await http.GetAsync(new Uri($"/api/media/{video}", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var refused = await admin.PostAsJsonAsync(new Uri("/api/admin/playlists", UriKind.Relative), Playlist("新列表", video));
        Assert.That(await MessageZhAsync(refused), Does.StartWith("媒体："), "a deleted item cannot be put in a playlist");

        Assert.That((await admin.DeleteAsync(new Uri($"/api/admin/media/{twin}", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(File.Exists(file), Is.False, "no item needs the file any more");
        Assert.That(() => Volatile.Read(ref changed), Is.EqualTo(2).After(5000, 50), "the displays are told at once");

        // A play of the deleted item reported late (the display was offline) still counts.
        var late = new PlayReport(Guid.NewGuid(), video, start.AddMinutes(20), start.AddMinutes(24), false);
        Assert.That(await display.Connection.InvokeAsync<int>(nameof(IHallHub.ReportPlays), new List<PlayReport> { late }), Is.EqualTo(1));
        await using var db = App.Db();
        Assert.That(await db.MediaPlays.CountAsync(p => p.MediaId == video), Is.EqualTo(4));
        Assert.That(await db.MediaItems.Where(m => m.Id == video).Select(m => m.DeletedAt).SingleAsync(), Is.Not.Null, "kept, marked deleted");
        var today = DateOnly.FromDateTime(App.Clock.GetUtcNow().UtcDateTime);
        var input = await Hall.Server.Reports.ReportData.ReadAsync(db, Seeded.HallId, today.AddDays(-1), today.AddDays(1), App.Clock.GetUtcNow(), default);
        var figures = Hall.Server.Reports.ReportFigures.Compute(input);
        var table = Hall.Server.Reports.BulletinReport.LegalPlaysTable(figures);
        Assert.That(table.Rows.Select(r => string.Join(" | ", r.Select(c => c.Text))), Has.Some.StartWith("反诈宣传片 | 4 | 3"));
        Assert.That(await db.AuditEntries.CountAsync(a => a.Action == "media.delete" && a.Subject == $"media:{video}"), Is.EqualTo(1));
    }
}
