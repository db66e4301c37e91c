using Hall.Server.Contracts;
using Hall.Server.Security;
using Hall.Tests.Operations;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>
/// A copy of the database alone (a dump, a backup, a replica) gives back no ID number and no mobile, not even by trying
/// every candidate: the key that would let it lives outside the database (PIPL; issue 15).
/// </summary>
[TestFixture]
[NonParallelizable]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivacyKeyTests
{
    private static readonly (string Mobile, string Id) Finished = ("13800138000", "410102199001011234");
    private static readonly (string Mobile, string Id) MobileOnly = ("15912345678", "");
    private static readonly (string Mobile, string Id) IdOnly = ("", "11010519491231002X");
    private static readonly (string Mobile, string Id) Both = ("18688886666", "412725199206308815");

    private string _folder = "";

    [SetUp]
    public void MakeFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), $"hall-keys-{Guid.NewGuid():N}"));

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    private string KeyFile(string name = "privacy.key") => Path.Combine(_folder, name);

    private static Task<Reply<TicketIssued>> IssueAsync(HubClient kiosk, int serviceId, (string Mobile, string Id) person, Guid? commandId = null) =>
        kiosk.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(commandId ?? Guid.NewGuid(), serviceId, null, null, PriorityClass.Normal,
            person.Mobile is "" ? null : person.Mobile, person.Id is "" ? null : person.Id));

    [Test]
    public async Task A_dump_after_a_day_with_IDs_and_mobiles_gives_back_none_by_trying_every_candidate_and_the_key_file_would()
    {
        await using var app = await HallApp.StartAsync("privacy-dump", settings: new Dictionary<string, string?> { [PrivacyKeys.KeyFileSetting] = KeyFile() });
        await using var hall = await SeededHall.CreateAsync(app);
        var kiosk = await hall.DeviceAsync("kiosk");
        var clerk = await hall.ClerkAsync(6);
        var service = await app.ServiceIdAsync(hall.HallId, "huzheng");
        var window = await app.WindowIdAsync(hall.HallId, 6);
        var first = Guid.NewGuid();
        var finished = (await IssueAsync(kiosk, service, Finished, first)).Ok();
        var mobileOnly = (await IssueAsync(kiosk, service, MobileOnly)).Ok();
        (await IssueAsync(kiosk, service, IdOnly)).Ok();
        var both = Guid.NewGuid();
        Assert.That((await IssueAsync(kiosk, service, Both, both)).Ok().MobileMasked, Is.EqualTo("186****6666"));
        (await clerk.OpenAsync(window)).Ok();
        var called = (await clerk.CallNextAsync(window)).Ok();
        Assert.That(called.Ticket.TicketId, Is.EqualTo(finished.Ticket.TicketId));
        (await clerk.StartAsync(window, called.Ticket.TicketId)).Ok();
        (await clerk.FinishAsync(window, called.Ticket.TicketId)).Ok();

        // A kiosk that lost the answer asks again: while the ticket is open it reprints the masked numbers; once closed, none.
        var again = (await IssueAsync(kiosk, service, Both, both)).Ok();
        Assert.That((again.MobileMasked, again.IdMasked), Is.EqualTo(("186****6666", "4127**********8815")));
        var closedAgain = (await IssueAsync(kiosk, service, Finished, first)).Ok();
        Assert.That((closedAgain.Ticket.TicketId, closedAgain.MobileMasked, closedAgain.IdMasked), Is.EqualTo((finished.Ticket.TicketId, (string?)null, "4101**********1234")));

        await using (var db = app.Db())
        {
            var results = await db.Commands.AsNoTracking().Where(c => c.Kind == "issue").Select(c => c.Result).ToListAsync();
            Assert.That(results, Has.Count.EqualTo(4));
            Assert.That(results, Has.All.Not.Contains("****"), "the command log keeps no masked number");
        }

        var dump = await DumpAttack.PgDumpAsync(app.ConnectionString);
        Assert.That(dump, Does.Not.Contain("138****8000"), "a closed ticket's mobile is gone in every form");
        var attack = DumpAttack.Run(dump);
        TestContext.Progress.WriteLine($"Dump alone: {attack}");
        Assert.Multiple(() =>
        {
            // What the attack had to work with: the masks of the open tickets' mobiles and of every ID, the HMACs, the encrypted mobiles and the key ring.
            Assert.That((attack.MobileMasks, attack.IdMasks), Is.EqualTo((2, 3)));
            Assert.That(attack.Targets, Is.GreaterThanOrEqualTo(5));
            // The two open tickets' notice ciphers, and the three 回访 contact ciphers (kept for the retention days, under a key outside the database).
            Assert.That(attack.Ciphers, Is.EqualTo(5));
            Assert.That(attack.KeyRingEntries, Is.GreaterThanOrEqualTo(1));
            Assert.That(attack.Recovered, Is.Empty, "numbers recovered from the dump alone");
        });

        // The same program with the key file as well gets back every number the database still holds: the attack is real.
        var key = Convert.FromBase64String(await File.ReadAllTextAsync(KeyFile()));
        var withKey = DumpAttack.Run(dump, key);
        TestContext.Progress.WriteLine($"Dump and key file: {withKey}");
        Assert.That(withKey.Recovered, Is.EquivalentTo(new[] { Finished.Id, MobileOnly.Mobile, IdOnly.Id, Both.Mobile, Both.Id }));
        Assert.That(mobileOnly.MobileMasked, Is.EqualTo("159****5678"));
    }

    [Test]
    public async Task Outside_production_the_key_file_is_made_at_first_start_readable_by_the_service_user_only()
    {
        await using var app = await HallApp.StartAsync("privacy-keyfile", settings: new Dictionary<string, string?> { [PrivacyKeys.KeyFileSetting] = KeyFile() });
        Assert.That(File.Exists(KeyFile()));
        Assert.That(File.GetUnixFileMode(KeyFile()), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(Convert.FromBase64String(await File.ReadAllTextAsync(KeyFile())), Has.Length.EqualTo(32));
        // A second server of the database reads the same file, and the key ring in the database is wrapped with it.
        await using var second = HallApp.StartAlongside(app);
        Assert.That(second.Services.GetRequiredService<PrivacyKeys>().Current.Id, Is.EqualTo(app.Services.GetRequiredService<PrivacyKeys>().Current.Id));
        await using var db = app.Db();
        var ring = await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync();
        Assert.That(ring, Is.Not.Empty);
        Assert.That(ring, Has.All.Contains("privacyKeyWrapped").And.All.Not.Contains("<value>"), "no key of the ring is stored in clear");
    }

    [Test]
    public async Task Production_refuses_to_start_without_a_key_or_with_a_key_file_every_user_can_read()
    {
        var connection = await PostgresCluster.NewDatabaseAsync("privacy-production");
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Hall"] = connection,
            ["Hall__Demo__Seed"] = "false",
            ["Hall__DataFolder"] = _folder,
        };
        var (code, _, err) = await RunServerAsync(settings);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain("No privacy key").And.Contain("未配置隐私密钥"));
        Assert.That(Directory.GetFiles(_folder), Is.Empty, "Production makes no key of its own");

        settings["Hall__Privacy__KeyFile"] = KeyFile();
        (code, _, err) = await RunServerAsync(settings);
        Assert.That((code, err), Is.EqualTo((1, err)));
        Assert.That(err, Does.Contain($"{KeyFile()} does not exist"));

        await File.WriteAllTextAsync(KeyFile(), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(KeyFile(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        (code, _, err) = await RunServerAsync(settings);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain("can be read or written by every user"));

        File.SetUnixFileMode(KeyFile(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        await using var server = await ServerProcess.StartAsync(settings, environment: "Production");
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        Assert.That((await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode);
    }

    private static Task<(int Code, string Out, string Err)> RunServerAsync(Dictionary<string, string> settings, string environment = "Production") =>
        Tools.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Hall.Server.dll"), "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--environment", environment], settings);

    [Test]
    public async Task A_server_with_another_key_than_its_database_refuses_to_start_and_says_why()
    {
        await using var app = await HallApp.StartAsync("privacy-mismatch", settings: new Dictionary<string, string?> { [PrivacyKeys.KeyFileSetting] = KeyFile() });
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Hall"] = app.ConnectionString,
            ["Hall__Demo__Seed"] = "false",
            ["Hall__Privacy__KeyFile"] = KeyFile("other.key"),
        };
        var (code, _, err) = await RunServerAsync(settings, "Testing");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain("wrapped with another privacy key").And.Contain("ForgetUnreadable").And.Contain("不一致"));

        // Its key lost for good, the operator lets it forget what only that key could read: it starts, and a new ring is wrapped with its key.
        settings["Hall__Privacy__ForgetUnreadable"] = "true";
        await using var server = await ServerProcess.StartAsync(settings);
        await using var db = app.Db();
        var otherId = Hall.Server.Security.PrivacyKeys.Of(Convert.FromBase64String(await File.ReadAllTextAsync(KeyFile("other.key")))).Current.Id;
        Assert.That(await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync(), Has.All.Contains($"keyId=\"{otherId}\""));
    }

    [Test]
    public async Task A_rotated_key_rewraps_the_key_ring_keeps_todays_notices_and_matches_and_the_old_key_is_then_not_needed()
    {
        var settings = new Dictionary<string, string?> { [PrivacyKeys.KeyFileSetting] = KeyFile(), ["Hall:Limits:OpenTicketsPerPersonPerService"] = "1" };
        await using var app = await HallApp.StartAsync("privacy-rotate", settings: settings);
        await using var hall = await SeededHall.CreateAsync(app);
        var service = await app.ServiceIdAsync(hall.HallId, "huzheng");
        long ticketId;
        await using (var kiosk = await hall.DeviceAsync("kiosk"))
        {
            ticketId = (await IssueAsync(kiosk, service, MobileOnly)).Ok().Ticket.TicketId;
        }
        var oldId = app.Services.GetRequiredService<PrivacyKeys>().Current.Id;
        await app.DisposeAsync();

        // The operator makes a new key and names the old one as previous for one start.
        File.Move(KeyFile(), KeyFile("previous.key"));
        var rotated = new Dictionary<string, string?>(settings) { [PrivacyKeys.PreviousKeyFileSetting] = KeyFile("previous.key") };
        await using (var during = HallApp.Restart(app, rotated))
        {
            Assert.That(during.Services.GetRequiredService<PrivacyKeys>().Current.Id, Is.Not.EqualTo(oldId));
        }
        await using var after = HallApp.Restart(app, settings);
        var newId = after.Services.GetRequiredService<PrivacyKeys>().Current.Id;
        await using (var db = after.Db())
        {
            var ring = await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync();
            Assert.That(ring, Has.All.Contains($"keyId=\"{newId}\"").And.All.Not.Contains(oldId), "every key of the ring is wrapped with the new key");
        }
        await using var hallAfter = new SeededHall { App = after, Credentials = hall.Credentials };
        var kioskAfter = await hallAfter.DeviceAsync("kiosk");
        var refused = await IssueAsync(kioskAfter, service, MobileOnly);
        Assert.That(refused.Error?.Code, Is.EqualTo("too_many_open_tickets"), "the citizen's open ticket from before the rotation still counts");
        // The mobile of the ticket from before the rotation still decrypts, for its notice.
        await using var db2 = after.Db();
        var cipher = await db2.Tickets.Where(t => t.Id == ticketId).Select(t => t.MobileCipher).SingleAsync();
        Assert.That(after.Services.GetRequiredService<MobileNumbers>().Unprotect(cipher!), Is.EqualTo(MobileOnly.Mobile));
    }
}
