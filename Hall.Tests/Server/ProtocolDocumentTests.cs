using System.Reflection;
using System.Text.RegularExpressions;
using Hall.Server.Contracts;
using Hall.Server.Queue;

namespace Hall.Tests.Server;

/// <summary>
/// PROTOCOL.md is what a kiosk or display maker writes a client from, so it is kept in step with the code: every hub
/// method and every event has its section, and §7 lists exactly the hub's refusal codes with their exact texts.
/// </summary>
public sealed partial class ProtocolDocumentTests
{
    private static readonly string Protocol = File.ReadAllText(Path.Combine(RepositoryRoot(), "Hall.Server", "Hub", "PROTOCOL.md"));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hall.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Hall.sln not found above the test's folder");
    }

    /// <summary>The text of a section: from its "## n." heading to the next heading of that level.</summary>
    private static string Section(string number)
    {
        var start = Protocol.IndexOf($"\n## {number}. ", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThan(0), $"PROTOCOL.md has a section {number}");
        var end = Protocol.IndexOf("\n## ", start + 5, StringComparison.Ordinal);
        return Protocol[start..(end < 0 ? Protocol.Length : end)];
    }

    private static IEnumerable<string> MethodsOf(Type contract) =>
        contract.GetMethods().Select(m => m.Name).Distinct().Order(StringComparer.Ordinal);

    [Test]
    public void Every_hub_method_has_its_section()
    {
        var methods = Section("5");
        var missing = MethodsOf(typeof(IHallHub)).Where(m => !Regex.IsMatch(methods, $@"\n### 5\.\d+a? `{m}\(")).ToList();
        Assert.That(missing, Is.Empty, "hub methods without a \"### 5.n `Name(…)`\" section");
    }

    [Test]
    public void Every_event_has_its_section_and_its_row_in_the_events_table()
    {
        var events = Section("4");
        var names = MethodsOf(typeof(IHallClient)).ToList();
        Assert.That(names.Where(e => !Regex.IsMatch(events, $@"\n### 4\.\d+ `{e}`")), Is.Empty, "events without a \"### 4.n `Name`\" section");
        Assert.That(names.Where(e => !events.Contains($"\n| `{e}` |", StringComparison.Ordinal)), Is.Empty, "events without a row in §4's table");
        Assert.That(events, Does.Not.Match(@"all (four|five|six|seven) events"), "the count of events is not written out (it drifts)");
    }

    /// <summary>Every refusal the hub returns: <see cref="Refusal"/>'s.</summary>
    private static Dictionary<string, Refusal> HubRefusals() =>
        typeof(Refusal).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(Refusal)).Select(f => (Refusal)f.GetValue(null)!)
            .ToDictionary(r => r.Code, StringComparer.Ordinal);

    /// <summary>The rows of §7's table: code, messageZh, messageEn.</summary>
    private static List<(string Code, string Zh, string En)> ErrorTable() =>
        [.. TableRow().Matches(Section("7")).Select(m => (m.Groups["code"].Value, m.Groups["zh"].Value.Trim(), m.Groups["en"].Value.Trim()))];

    [GeneratedRegex(@"^\| `(?<code>[a-z_]+)` \| (?<zh>[^|]+) \| (?<en>[^|]+) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [Test]
    public void Every_refusal_code_of_the_hub_is_in_section_7_with_its_exact_texts()
    {
        var table = ErrorTable().ToDictionary(r => r.Code, StringComparer.Ordinal);
        var missing = HubRefusals().Keys.Where(c => !table.ContainsKey(c)).Order(StringComparer.Ordinal).ToList();
        Assert.That(missing, Is.Empty, "refusal codes the hub returns that §7 does not list");
        foreach (var refusal in HubRefusals().Values)
        {
            var row = table[refusal.Code];
            Assert.That((row.Zh, row.En), Is.EqualTo((refusal.MessageZh, refusal.MessageEn)), $"§7's texts of {refusal.Code}");
        }
    }

    [Test]
    public void Section_7_lists_no_code_the_hub_does_not_return()
    {
        var rows = ErrorTable();
        Assert.That(rows, Has.Count.GreaterThan(40), "§7's table is read");
        Assert.That(rows.Select(r => r.Code).Where(c => !HubRefusals().ContainsKey(c)), Is.Empty);
        Assert.That(rows.Select(r => r.Code), Is.Unique);
    }

    // The hub methods by the command kind the role table knows them by; Whoami and GetSnapshot are everyone's.
    private static readonly Dictionary<string, string> KindOfMethod = new()
    {
        [nameof(IHallHub.IssueTicket)] = "issue",
        [nameof(IHallHub.OpenWindow)] = "open",
        [nameof(IHallHub.TakeOverWindow)] = "take_over",
        [nameof(IHallHub.PauseWindow)] = "pause",
        [nameof(IHallHub.ResumeWindow)] = "resume",
        [nameof(IHallHub.CloseWindow)] = "close",
        [nameof(IHallHub.CallNext)] = "call_next",
        [nameof(IHallHub.CallTicket)] = "call_ticket",
        [nameof(IHallHub.Recall)] = "recall",
        [nameof(IHallHub.NoShow)] = "no_show",
        [nameof(IHallHub.Requeue)] = "requeue",
        [nameof(IHallHub.StartService)] = "start",
        [nameof(IHallHub.Finish)] = "finish",
        [nameof(IHallHub.Transfer)] = "transfer",
        [nameof(IHallHub.Cancel)] = "cancel",
        [nameof(IHallHub.Rate)] = "rate",
        [nameof(IHallHub.InviteRating)] = "invite_rating",
        [nameof(IHallHub.VoidTicket)] = "void",
        [nameof(IHallHub.AckCall)] = "ack_call",
        [nameof(IHallHub.ReportStatus)] = "report_status",
        [nameof(IHallHub.GetServiceItems)] = "get_service_items",
        [nameof(IHallHub.GetPlaylists)] = "get_playlists",
        [nameof(IHallHub.GetDisplaySettings)] = "get_display_settings",
        [nameof(IHallHub.ReportPlays)] = "report_plays",
    };

    [GeneratedRegex(@"^\| (?<methods>`[^|]+) \|(?<marks>(?:[^|\n]*\|){5})\s*$", RegexOptions.Multiline)]
    private static partial Regex RoleRow();

    [Test]
    public void Section_5_1_says_who_may_call_what_as_the_role_table_does()
    {
        // One actor of each column of §5.1's table, in its order.
        Actor[] columns =
        [
            new(ActorKind.Device, 1, 1, "kiosk", null, DeviceRole.Kiosk, null),
            new(ActorKind.Device, 2, 1, "display", null, DeviceRole.Display, null),
            new(ActorKind.Device, 3, 1, "evaluator", null, DeviceRole.Evaluator, 1),
            new(ActorKind.Staff, 4, 1, "clerk", StaffRole.Clerk, null, null),
            new(ActorKind.Staff, 5, 1, "supervisor", StaffRole.Supervisor, null, null),
        ];
        var documented = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        foreach (Match row in RoleRow().Matches(Section("5")))
        {
            var marks = row.Groups["marks"].Value.Split('|')[..5].Select(m => m.Trim() == "✓").ToArray();
            foreach (Match method in Regex.Matches(row.Groups["methods"].Value, "`(\\w+)`"))
            {
                documented.Add(method.Groups[1].Value, marks);
            }
        }
        Assert.That(documented.Keys, Is.EquivalentTo(MethodsOf(typeof(IHallHub))), "§5.1 has a row for every hub method, once");
        Assert.That(KindOfMethod.Values, Is.EquivalentTo(CommandRoles.All.Keys), "every kind of the role table is a hub method");
        foreach (var (method, marks) in documented)
        {
            var code = columns.Select(a => KindOfMethod.TryGetValue(method, out var kind) ? CommandRoles.Allows(kind, a) : true).ToArray();
            Assert.That(marks, Is.EqualTo(code), $"who may call {method}: kiosk, display, evaluator, clerk, supervisor");
        }
        // The admin is the supervisor's column.
        var admin = columns[4] with { StaffRole = StaffRole.Admin };
        Assert.That(CommandRoles.All.Keys.Where(k => CommandRoles.Allows(k, admin) != CommandRoles.Allows(k, columns[4])), Is.Empty);
    }
}
