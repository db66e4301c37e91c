extern alias display;
using display::Hall.Display.Agent;
using display::Hall.Server.Contracts.Agents;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hall.Tests.Display;

/// <summary>Which voice the lobby uses: the recorded pack, the generated fallback (reported), the browser's, or silence in quiet hours.</summary>
public sealed class VoiceChoiceTests
{
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("hall-voice-choice-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    // 03:00 UTC is 11:00 in the hall.
    private Voice VoiceAt(VoiceOptions voice, int utcHour = 3) => new(
        Options.Create(new DisplayOptions { Voice = voice }),
        new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = _root },
        new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, utcHour, 0, 0, TimeSpan.Zero)),
        new HallVoice(Path.Combine(_root, "hall"), Microsoft.Extensions.Logging.Abstractions.NullLogger<HallVoice>.Instance));

    private void Pack(string folder)
    {
        Directory.CreateDirectory(Path.Combine(_root, folder));
        File.WriteAllText(Path.Combine(_root, folder, "manifest.json"), "{}");
    }

    [Test]
    public void The_recorded_pack_comes_first()
    {
        Pack("voice");
        Pack("voice-fallback");
        Assert.That(VoiceAt(new VoiceOptions()).Choose(), Is.EqualTo(new VoiceChoice("pack", "/voice/local/", "Ready", null)));
    }

    [Test]
    public void Without_a_recorded_pack_the_fallback_is_used_and_reported()
    {
        Pack("voice-fallback");
        var choice = VoiceAt(new VoiceOptions()).Choose();
        Assert.That((choice.Source, choice.PackUrl, choice.Status), Is.EqualTo(("pack", "/voice-fallback/", "VoiceFallback")));
        Assert.That(choice.Detail, Does.Contain("备用"));
    }

    [Test]
    public void Without_any_pack_the_browser_speaks_and_the_supervisor_is_told() =>
        Assert.That(VoiceAt(new VoiceOptions()).Choose().Status, Is.EqualTo("VoiceMissing"));

    [Test]
    public void A_hall_that_chose_the_browsers_voice_gets_it_even_with_a_pack()
    {
        Pack("voice");
        Assert.That(VoiceAt(new VoiceOptions { Source = "speech" }).Choose().Source, Is.EqualTo("speech"));
    }

    [TestCase(3, "none", TestName = "11:00 local is inside 10:30-12:00: silent")]
    [TestCase(5, "pack", TestName = "13:00 local is outside: spoken")]
    public void Quiet_hours_are_local_time(int utcHour, string source)
    {
        Pack("voice");
        Assert.That(VoiceAt(new VoiceOptions { QuietHours = ["10:30-12:00"] }, utcHour).Choose().Source, Is.EqualTo(source));
    }

    [Test]
    public void What_the_admin_set_on_the_server_wins_over_the_displays_own_settings()
    {
        Pack("voice");
        var sha = new string('a', 64);
        Pack(Path.Combine("hall", "pack-" + sha));
        var set = new display::Hall.Server.Contracts.DisplaySettingsView("pack", "{number}号请到{window}号窗口", 3, 0.5, ["10:30-12:00"], sha, 1234);
        File.WriteAllText(Path.Combine(_root, "hall", "display-settings.json"), System.Text.Json.JsonSerializer.Serialize(set));
        var own = new VoiceOptions { Template = "请{number}号到{window}号窗口办理", Repeat = 1, Volume = 1 };

        Assert.That(VoiceAt(own, utcHour: 5).Choose(), Is.EqualTo(new VoiceChoice("pack", "/voice/aaaaaaaaaaaa/", "Ready", null)), "the uploaded pack, its version in the URL");
        Assert.That(VoiceAt(own, utcHour: 5).Speaking(), Is.EqualTo(new Speaking("{number}号请到{window}号窗口", 3, 0.5)));
        Assert.That(VoiceAt(own, utcHour: 3).Choose().Source, Is.EqualTo("none"), "the hall's quiet hours");
        Directory.Delete(Path.Combine(_root, "hall", "pack-" + sha), recursive: true);
        Assert.That(VoiceAt(own, utcHour: 5).Choose().PackUrl, Is.EqualTo("/voice/local/"), "until the hall's pack is here, the display's own");
    }
}
