using System.Globalization;
using Hall.Server.Contracts;
using Hall.Server.Media;
using Hall.Tests.Support;
using Hall.Tests.Web;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Hall.Tests.Server;

/// <summary>
/// Figures that can be inflated (issue 15): a display's proof of play counts only plays that can have happened — never
/// two at once on one screen, none in the future, none before the display existed. The rest are refused, counted on
/// the display for the supervisor, and not stored.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class PlayReportTests() : HallFixture("play-report")
{
    private HubClient _display = null!;
    private int _mediaId;
    private DateTimeOffset _created;

    /// <summary>The display's device id, from its key (hd_{id}_{secret}).</summary>
    private int DisplayId => int.Parse(Seeded.Credentials.DeviceKeys["display"].Split('_')[1], CultureInfo.InvariantCulture);

    [OneTimeSetUp]
    public async Task PrepareAsync()
    {
        await using var db = App.Db();
        var item = new MediaItem { HallId = Seeded.HallId, Title = "民法典宣传片", Kind = MediaKind.Video, ContentType = "video/mp4", Size = 1, Sha256 = new string('a', 64), Legal = true, UploadedAt = App.Clock.GetUtcNow() };
        db.MediaItems.Add(item);
        await db.SaveChangesAsync();
        _mediaId = item.Id;
        _created = await db.Devices.Where(d => d.Id == DisplayId).Select(d => d.CreatedAt).SingleAsync();
        // A working day after the display was registered.
        App.Clock.Advance(TimeSpan.FromHours(8));
        _display = await Seeded.DeviceAsync("display");
    }

    private PlayReport Play(DateTimeOffset from, TimeSpan length) => new(Guid.NewGuid(), _mediaId, from, from + length, true);

    private Task<int> ReportAsync(params PlayReport[] plays) => _display.Connection.InvokeAsync<int>(nameof(IHallHub.ReportPlays), plays.ToList());

    private async Task<(int Stored, int Refused)> FiguresAsync()
    {
        await using var db = App.Db();
        return (await db.MediaPlays.CountAsync(p => p.DeviceId == DisplayId), await db.Devices.Where(d => d.Id == DisplayId).Select(d => d.RefusedPlays).SingleAsync());
    }

    [Test, Order(1)]
    public async Task A_screen_playing_the_same_five_minutes_a_hundred_times_counts_them_once()
    {
        var (stored, refused) = await FiguresAsync();
        var at = _created.AddHours(1);
        var copies = Enumerable.Range(0, 100).Select(_ => Play(at, TimeSpan.FromMinutes(5))).ToArray();

        Assert.That(await ReportAsync(copies), Is.EqualTo(1), "one screen shows one thing at a time");
        Assert.That(await FiguresAsync(), Is.EqualTo((stored + 1, refused + 99)), "the other 99 refused, counted, not stored");
        Assert.That(await ReportAsync(copies), Is.Zero, "sent again after a lost answer: nothing new");
        Assert.That((await FiguresAsync()).Stored, Is.EqualTo(stored + 1), "still one play stored (the counter counts each refusal, a resend's too)");
    }

    [Test, Order(2)]
    public async Task A_play_overlapping_one_already_stored_is_refused_and_plays_end_to_end_are_kept()
    {
        var (stored, refused) = await FiguresAsync();
        var at = _created.AddHours(2);
        Assert.That(await ReportAsync(Play(at, TimeSpan.FromMinutes(5)), Play(at.AddMinutes(5), TimeSpan.FromMinutes(5))), Is.EqualTo(2), "end to end");

        Assert.That(await ReportAsync(Play(at.AddMinutes(3), TimeSpan.FromMinutes(4)), Play(at.AddMinutes(10), TimeSpan.FromSeconds(30))), Is.EqualTo(1), "the one inside stored plays refused");
        Assert.That(await FiguresAsync(), Is.EqualTo((stored + 3, refused + 1)));
    }

    [Test, Order(3)]
    public async Task Plays_in_the_future_or_from_before_the_display_existed_are_refused()
    {
        var (stored, refused) = await FiguresAsync();
        var now = App.Clock.GetUtcNow();

        var added = await ReportAsync(
            Play(now.AddMinutes(-1), TimeSpan.FromMinutes(2)),
            Play(now.AddMinutes(30), TimeSpan.FromMinutes(5)),
            Play(now.AddDays(3), TimeSpan.FromHours(6)),
            Play(_created.AddDays(-10), TimeSpan.FromMinutes(5)),
            Play(_created.AddMinutes(-30), TimeSpan.FromMinutes(5)));

        Assert.That(added, Is.EqualTo(1), "only the play that ends within the clocks' two minutes of each other");
        Assert.That(await FiguresAsync(), Is.EqualTo((stored + 1, refused + 4)));
        await using var db = App.Db();
        var total = await db.MediaPlays.Where(p => p.DeviceId == DisplayId).SumAsync(p => (p.EndedAt - p.StartedAt).TotalSeconds);
        Assert.That(total, Is.LessThanOrEqualTo((App.Clock.GetUtcNow() - _created).TotalSeconds + TimeSpan.FromMinutes(2).TotalSeconds), "never more play time than wall-clock time");
    }

    [TestCase(false, TestName = "ReportPlays with a null array is refused as invalid_request")]
    [TestCase(true, TestName = "ReportPlays with a null play is refused as invalid_request")]
    public async Task A_null_report_is_a_clear_refusal(bool nullElement)
    {
        var before = await FiguresAsync();
        object?[] args = nullElement ? [new List<PlayReport?> { Play(_created.AddHours(5), TimeSpan.FromMinutes(1)), null }] : [null];

        var refused = Assert.ThrowsAsync<HubException>(() => _display.Connection.InvokeCoreAsync<int>(nameof(IHallHub.ReportPlays), args));

        Assert.That(refused!.Message, Does.EndWith("invalid_request"));
        Assert.That(await FiguresAsync(), Is.EqualTo(before), "nothing stored, nothing counted");
        Assert.That(await ReportAsync(Play(_created.AddHours(6).AddMinutes(nullElement ? 10 : 0), TimeSpan.FromMinutes(1))), Is.EqualTo(1), "the connection goes on");
    }

    [Test, Order(4)]
    public async Task The_supervisor_sees_on_the_wall_how_many_plays_a_display_had_refused()
    {
        var (_, refused) = await FiguresAsync();
        Assert.That(refused, Is.GreaterThan(0), "refused plays from the tests before");
        var (playwright, browser) = await Browser.LaunchAsync();
        try
        {
            var wall = await StaffPages.SignInAsync(browser, App, Seeded, "supervisor", "/wall");
            var row = wall.Locator($"[data-testid=\"devices\"] [data-testid=\"device-{DisplayId}\"]");
            await Assertions.Expect(row.Locator("[data-testid=\"refused-plays\"]")).ToHaveTextAsync($"拒收播放记录 {refused} 条（时间重叠、在未来或早于设备登记）", new() { Timeout = 20_000 });
            await Browser.Screenshot(wall, "wall-refused-plays");
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
