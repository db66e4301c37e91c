using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Tests.Support;

namespace Hall.Tests.Media;

/// <summary>Voice packs that hurt (issue 15): the ZIP is checked whole at upload, and a refused one changes nothing.</summary>
public sealed partial class VoicePackTests
{
    /// <summary>A ZIP of exactly these entries, in this order (duplicates and odd names included).</summary>
    internal static byte[] ZipOf(IEnumerable<(string Name, byte[] Bytes)> entries, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var entry = zip.CreateEntry(name, level).Open();
                entry.Write(bytes);
            }
        }
        return memory.ToArray();
    }

    /// <summary>The entries of a pack ZIP, to build a hostile one from a good one.</summary>
    internal static List<(string Name, byte[] Bytes)> EntriesOf(byte[] pack)
    {
        using var zip = new ZipArchive(new MemoryStream(pack), ZipArchiveMode.Read);
        return [.. zip.Entries.Select(e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return (e.FullName, copy.ToArray());
        })];
    }

    /// <summary>A WAV of <paramref name="bytes"/> bytes: its header, then <paramref name="fill"/>'s samples.</summary>
    internal static byte[] WavOf(int bytes, Func<int, byte> fill)
    {
        var wav = new byte[bytes];
        Wav.CopyTo(wav, 0);
        for (var i = Wav.Length; i < bytes; i++)
        {
            wav[i] = fill(i);
        }
        return wav;
    }

    private async Task AssertRefusedAndNothingChangedAsync(params (string What, byte[] Zip, string Says)[] cases)
    {
        using var admin = await StaffHttpAsync("admin");
        var before = await TableDump.AllAsync(App.ConnectionString);
        var files = Directory.Exists(App.MediaFolder) ? Directory.GetFiles(App.MediaFolder).Length : 0;
        foreach (var (what, zip, says) in cases)
        {
            var response = await UploadAsync(admin, zip);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), $"{what}: {body}");
            using var json = JsonDocument.Parse(body);
            Assert.That(json.RootElement.GetProperty("code").GetString(), Is.EqualTo("invalid_voice_pack"), what);
            Assert.That(json.RootElement.GetProperty("messageZh").GetString(), Does.Contain(says), what);
            Assert.That(json.RootElement.GetProperty("messageEn").GetString(), Does.StartWith("The voice pack is not valid: "), what);
        }
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before), "the database unchanged");
        Assert.That(Directory.Exists(App.MediaFolder) ? Directory.GetFiles(App.MediaFolder).Length : 0, Is.EqualTo(files), "no file left behind");
    }

    [Test]
    public async Task A_pack_with_files_its_manifest_does_not_name_is_refused()
    {
        var good = EntriesOf(Zip(await PhrasesAsync()));
        await AssertRefusedAndNothingChangedAsync(
            ("a page beside the recordings", ZipOf([.. good, ("index.html", "<script>alert(1)</script>"u8.ToArray())]), "清单未列出的文件：index.html"),
            ("a script going up the folders", ZipOf([.. good, ("../../tmp/evil.sh", "rm -rf /"u8.ToArray())]), "带有路径"),
            ("a folder of extras", ZipOf([.. good, ("__MACOSX/._seg0.wav", Wav)]), "带有路径"));
    }

    [Test]
    public async Task A_pack_naming_a_file_twice_is_refused()
    {
        var good = EntriesOf(Zip(await PhrasesAsync()));
        var first = good.First(e => e.Name != "manifest.json");
        await AssertRefusedAndNothingChangedAsync(
            ("the same name twice, different sounds", ZipOf([.. good, (first.Name, WavOf(2_000, i => (byte)i))]), $"“{first.Name}”出现了不止一次"),
            ("the same name in another case", ZipOf([.. good, (first.Name.ToUpperInvariant(), Wav)]), "出现了不止一次"));
    }

    [Test]
    public async Task A_zip_bomb_is_refused_before_it_is_unpacked()
    {
        // 4.9 MB of silence under each of the first phrases: under the 5 MB a file may have, but a thousand to one.
        var phrases = await PhrasesAsync();
        var bomb = Zip(phrases, extra: new() { ["seg0.wav"] = WavOf(4_900_000, _ => 0) });
        await AssertRefusedAndNothingChangedAsync(("a thousand to one", bomb, "ZIP 炸弹"));
    }

    [Test]
    public async Task A_pack_too_large_once_unpacked_or_of_too_many_entries_is_refused()
    {
        var phrases = await PhrasesAsync();
        // 22 files of 4.9 MB that compress about 8:1 (no bomb): 108 MB unpacked from a ZIP of a few MB.
        var random = new Random(15);
        var big = Enumerable.Range(0, 22).ToDictionary(i => $"seg{i}.wav", _ => WavOf(4_900_000, i => i % 32 == 0 ? (byte)random.Next(256) : (byte)0));
        var tooMany = EntriesOf(Zip(phrases));
        var manifest = JsonSerializer.Deserialize<Dictionary<string, string>>(tooMany.Single(e => e.Name == "manifest.json").Bytes)!;
        for (var i = 0; i < VoicePackFormat.MaxEntries; i++)
        {
            manifest[$"extra{i}"] = $"extra{i}.wav";
            tooMany.Add(($"extra{i}.wav", Wav));
        }
        tooMany.RemoveAll(e => e.Name == "manifest.json");
        tooMany.Add(("manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest)));
        Assert.That(phrases, Has.Count.GreaterThanOrEqualTo(22), "enough phrases for 22 files");
        await AssertRefusedAndNothingChangedAsync(
            ("108 MB unpacked", Zip(phrases, extra: big), $"超过 {VoicePackFormat.MaxUnpackedBytes / 1024 / 1024} MB"),
            ("every file named, too many of them", ZipOf(tooMany), "文件过多"));
    }
}
