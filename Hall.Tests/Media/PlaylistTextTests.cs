using Hall.Server.Media;
using Hall.Server.Web;

namespace Hall.Tests.Media;

/// <summary>A playlist's schedule as the admin reads it in the list.</summary>
[TestFixture]
public sealed class PlaylistTextTests
{
    [TestCase(new int[0], "每天", "Every day")]
    [TestCase(new[] { 0, 1, 2, 3, 4, 5, 6 }, "每天", "Every day")]
    [TestCase(new[] { 1, 2, 3, 4, 5 }, "周一至周五", "Mon–Fri")]
    [TestCase(new[] { 3, 1 }, "周一、周三", "Mon, Wed")]
    [TestCase(new[] { 1, 2 }, "周一、周二", "Mon, Tue")]
    [TestCase(new[] { 6, 0 }, "周六、周日", "Sat, Sun")]
    [TestCase(new[] { 0, 1, 2, 3, 5 }, "周一至周三、周五、周日", "Mon–Wed, Fri, Sun")]
    [TestCase(new[] { 0, 1, 2, 3, 4 }, "周一至周四、周日", "Mon–Thu, Sun")]
    [TestCase(new[] { 5, 6, 0 }, "周五至周日", "Fri–Sun")]
    public void Days_are_read_as_names_with_runs_joined(int[] days, string zh, string en) =>
        Assert.That((PlaylistText.Days(days, Lang.Chinese), PlaylistText.Days(days, Lang.English)), Is.EqualTo((zh, en)));

    [Test]
    public void Dates_are_written_year_month_day_and_an_open_end_is_not_limited()
    {
        Assert.That(PlaylistText.Dates(new DateOnly(2026, 12, 3), new DateOnly(2026, 12, 9), Lang.Chinese), Is.EqualTo("2026-12-03 – 2026-12-09"));
        Assert.That(PlaylistText.Dates(new DateOnly(2026, 12, 3), null, Lang.Chinese), Is.EqualTo("2026-12-03 – 不限"));
        Assert.That(PlaylistText.Dates(null, null, Lang.Chinese), Is.EqualTo("不限"));
        Assert.That(PlaylistText.Dates(null, new DateOnly(2027, 1, 1), Lang.English), Is.EqualTo("open – 2027-01-01"));
    }
}
