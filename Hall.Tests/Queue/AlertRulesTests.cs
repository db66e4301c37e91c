using Hall.Server.Alerts;
using Hall.Server.Contracts;

namespace Hall.Tests.Queue;

/// <summary>The supervisor's alerts as a pure function of the hall's state: each kind at its threshold and not before.</summary>
public sealed class AlertRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateTimeOffset OpenedAt = Now.AddHours(-1);
    private static readonly AlertLimits Limits = new(PauseLimitMinutes: 30, UnstaffedGraceMinutes: 15, DeviceOfflineMinutes: 3);

    private static List<AlertCondition> Evaluate(
        IEnumerable<ServiceLoad>? services = null, IEnumerable<WindowWatch>? windows = null, IEnumerable<DeviceWatch>? devices = null,
        IEnumerable<OpenBadRating>? bad = null, DateTimeOffset? openSince = null, bool closed = false) =>
        AlertRules.Evaluate(Now, closed ? null : openSince ?? OpenedAt, Limits, services ?? [], windows ?? [], devices ?? [], bad ?? []);

    private static ServiceLoad Service(int waiting, int oldestMinutesAgo, int target = 30, int limit = 30) =>
        new(1, "社保业务", waiting, waiting == 0 ? null : Now.AddMinutes(-oldestMinutesAgo), target, limit);

    [TestCase(30, false, TestName = "A wait of exactly the target is not late")]
    [TestCase(31, true, TestName = "A minute over the target raises LongWait")]
    public void Long_wait(int minutes, bool raised) =>
        Assert.That(Evaluate([Service(1, minutes)]).Any(c => c.Kind == AlertKind.LongWait && c.Subject == "service:1"), Is.EqualTo(raised));

    [TestCase(30, false)]
    [TestCase(31, true)]
    public void Long_queue_above_the_services_threshold(int waiting, bool raised) =>
        Assert.That(Evaluate([Service(waiting, 1)]).Any(c => c.Kind == AlertKind.QueueLong), Is.EqualTo(raised));

    [Test]
    public void A_closed_window_is_unstaffed_only_after_the_grace_at_opening_and_only_while_the_hall_is_open()
    {
        WindowWatch[] windows =
        [
            new(5, 5, "不动产窗口", WindowStatus.Closed, null, null, true),
            new(6, 6, "停用窗口", WindowStatus.Closed, null, null, false),
            new(14, 14, "办不成事反映窗口", WindowStatus.Closed, null, null, true, ExpectStaffed: false),
        ];
        Assert.That(Evaluate(windows: windows).Select(c => c.Subject), Is.EqualTo(new[] { "window:5" }), "an inactive window, or one no clerk is due at, never alerts");
        Assert.That(Evaluate(windows: windows, openSince: Now.AddMinutes(-14)), Is.Empty, "14 minutes after opening: grace");
        Assert.That(Evaluate(windows: windows, closed: true), Is.Empty, "the hall is closed");
    }

    [TestCase(30, false)]
    [TestCase(31, true)]
    public void A_pause_beyond_the_limit(int minutes, bool raised) =>
        Assert.That(Evaluate(windows: [new(3, 3, "医保窗口", WindowStatus.Paused, "休息", Now.AddMinutes(-minutes), true)]).Any(c => c.Kind == AlertKind.LongPause && c.TextZh.Contains("休息")), Is.EqualTo(raised));

    [Test]
    public void Devices_offline_beyond_the_limit_in_opening_hours_and_faults_while_online()
    {
        DeviceWatch[] devices =
        [
            new(1, "1号取号机", DeviceRole.Kiosk, false, Now.AddMinutes(-4), null, null),
            new(2, "2号取号机", DeviceRole.Kiosk, false, Now.AddMinutes(-2), null, null),
            new(3, "3号取号机", DeviceRole.Kiosk, true, Now, "PaperOut", "缺纸"),
            new(4, "大厅大屏", DeviceRole.Display, true, Now, "VoiceFallback", null),
            new(5, "4号取号机", DeviceRole.Kiosk, true, Now, "Ready", null),
            // Registered, never connected: not installed yet, so not "offline".
            new(6, "5号窗口评价器", DeviceRole.Evaluator, false, null, null, null),
        ];
        var found = Evaluate(devices: devices);
        Assert.That(found.Select(c => (c.Kind, c.Subject)), Is.EquivalentTo(new[]
        {
            (AlertKind.DeviceOffline, "device:1"), (AlertKind.DeviceFault, "device:3:PaperOut"), (AlertKind.DeviceFault, "device:4:VoiceFallback"),
        }));
        Assert.That(found.Single(c => c.Subject == "device:3:PaperOut").TextZh, Does.Contain("打印机缺纸"));
        Assert.That(Evaluate(devices: devices, closed: true).Select(c => c.Kind), Has.None.EqualTo(AlertKind.DeviceOffline), "a device off at night is no alert");
    }

    [Test]
    public void Every_open_bad_rating_is_an_alert() =>
        Assert.That(Evaluate(bad: [new(77, "A012", "3号窗口", RatingLevel.VeryDissatisfied)]).Single(), Is.EqualTo(
            new AlertCondition(AlertKind.BadRating, "ticket:77", "差评：A012（3号窗口）非常不满意", "Bad rating: A012 (3号窗口) very dissatisfied")));
}
