extern alias display;
using System.Security.Cryptography;
using display::Hall.Display.Agent;
using display::Hall.Display.Media;
using display::Hall.Server.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hall.Tests.Display;

/// <summary>The display's media cache and playlist schedule.</summary>
public sealed class MediaCacheTests
{
    private static MediaView Media(byte[] bytes, int id = 1) =>
        new(id, "宪法宣传片", MediaKind.Video, $"/m/{id}", Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, 0, true);

    private static PlaylistView Playlist(int id, int priority, DateOnly? from = null, DateOnly? to = null, int[]? days = null, string[]? times = null) =>
        new(id, $"list {id}", priority, from, to, days ?? [], times ?? [], []);

    [Test]
    public void The_highest_priority_playlist_whose_dates_days_and_times_apply_plays()
    {
        var everyday = Playlist(1, 0);
        var constitutionWeek = Playlist(2, 10, new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 7), times: ["09:00-12:00", "13:30-17:30"]);
        var mondays = Playlist(3, 5, days: [1]);
        var lists = new[] { everyday, constitutionWeek, mondays };

        Assert.That(PlaylistSchedule.Active(lists, new DateTime(2026, 11, 30, 10, 0, 0))!.Id, Is.EqualTo(3), "a Monday before the week");
        Assert.That(PlaylistSchedule.Active(lists, new DateTime(2026, 11, 29, 10, 0, 0))!.Id, Is.EqualTo(1), "a Sunday");
        Assert.That(PlaylistSchedule.Active(lists, new DateTime(2026, 12, 4, 9, 0, 0))!.Id, Is.EqualTo(2), "12·4 at opening: the week's list starts");
        Assert.That(PlaylistSchedule.Active(lists, new DateTime(2026, 12, 4, 12, 30, 0))!.Id, Is.EqualTo(1), "the lunch break is outside the week's times");
        Assert.That(PlaylistSchedule.Active(lists, new DateTime(2026, 12, 8, 10, 0, 0))!.Id, Is.EqualTo(1), "the week is over");
        Assert.That(PlaylistSchedule.Active([constitutionWeek], new DateTime(2026, 11, 30, 10, 0, 0)), Is.Null);
    }

    [Test]
    public void The_screen_switches_to_the_scheduled_playlist_at_its_start_time_and_back_at_its_end()
    {
        var folder = Directory.CreateTempSubdirectory("hall-now-playing-").FullName;
        try
        {
            var daily = Media([1, 2, 3], 1);
            var constitution = Media([4, 5, 6], 2);
            var lists = new List<PlaylistView>
            {
                Playlist(1, 0) with { Items = [daily] },
                Playlist(2, 10, new DateOnly(2026, 12, 4), new DateOnly(2026, 12, 4), times: ["14:00-15:00"]) with { Items = [constitution] },
            };
            // As the cache left them: the playlists on disk (what a restart without the server reads) and both files.
            File.WriteAllText(Path.Combine(folder, "playlists.json"), System.Text.Json.JsonSerializer.Serialize(lists));
            File.WriteAllBytes(Path.Combine(folder, MediaCache.FileName(daily)), [1, 2, 3]);
            File.WriteAllBytes(Path.Combine(folder, MediaCache.FileName(constitution)), [4, 5, 6]);
            var options = Options.Create(new DisplayOptions { MediaCacheFolder = folder });
            var cache = new MediaCache(options, new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = folder }, NullLogger<MediaCache>.Instance);
            // 13:59:59 in the hall (UTC+8) on 12·4.
            var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 5, 59, 59, TimeSpan.Zero));
            var now = new NowPlaying(cache, options, clock);

            Assert.That(now.Items().Select(m => m.Id), Is.EqualTo(new[] { 1 }), "13:59:59: the everyday list");
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.That(now.Items().Select(m => m.Id), Is.EqualTo(new[] { 2 }), "14:00:00: the Constitution Day list, on the second");
            clock.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(59));
            Assert.That(now.Items().Select(m => m.Id), Is.EqualTo(new[] { 2 }), "14:59:59: still");
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.That(now.Items().Select(m => m.Id), Is.EqualTo(new[] { 1 }), "15:00: back to everyday");
            File.Delete(Path.Combine(folder, MediaCache.FileName(daily)));
            Assert.That(now.Items(), Is.Empty, "an item not in the cache is not offered to the page");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task A_corrupted_download_is_thrown_away_and_fetched_again_and_a_broken_one_resumes_where_it_stopped()
    {
        var content = RandomNumberGenerator.GetBytes(200_000);
        var corruptOnce = true;
        var ranges = new List<string?>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var server = builder.Build();
        server.MapGet("/m/1", (HttpContext http) =>
        {
            ranges.Add(http.Request.Headers.Range.FirstOrDefault());
            if (corruptOnce)
            {
                corruptOnce = false;
                var bad = content.ToArray();
                bad[100_000] ^= 0xFF;
                return Results.Bytes(bad, "video/mp4");
            }
            return Results.Bytes(content, "video/mp4", enableRangeProcessing: true);
        });
        await server.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        var folder = Directory.CreateTempSubdirectory("hall-cache-").FullName;
        try
        {
            var cache = new MediaCache(Options.Create(new DisplayOptions { MediaCacheFolder = folder }),
                new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = folder }, NullLogger<MediaCache>.Instance);
            var media = Media(content);

            Assert.That(await cache.DownloadAsync(media, http, CancellationToken.None), Is.False, "a flipped byte fails the checksum");
            Assert.That(cache.Has(media), Is.False);
            Assert.That(Directory.GetFiles(folder), Is.Empty, "the corrupted file is not kept");
            Assert.That(await cache.DownloadAsync(media, http, CancellationToken.None), Is.True, "fetched again and verified");
            Assert.That(await File.ReadAllBytesAsync(Path.Combine(folder, MediaCache.FileName(media))), Is.EqualTo(content));

            // A download broken after 120,000 bytes: the next one asks for the rest only.
            var other = Media(content, 2) with { Url = "/m/1", Sha256 = media.Sha256 + "" };
            File.Delete(Path.Combine(folder, MediaCache.FileName(media)));
            await File.WriteAllBytesAsync(Path.Combine(folder, MediaCache.FileName(other) + ".part"), content[..120_000]);
            ranges.Clear();
            Assert.That(await cache.DownloadAsync(other, http, CancellationToken.None), Is.True);
            Assert.That(ranges, Is.EqualTo(new[] { "bytes=120000-" }));
            Assert.That(await File.ReadAllBytesAsync(Path.Combine(folder, MediaCache.FileName(other))), Is.EqualTo(content));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
