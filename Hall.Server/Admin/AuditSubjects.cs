using System.Globalization;
using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Admin;

/// <summary>
/// What an audit entry was done to, as a person reads it: <c>service:2</c> is 业务「医保」, <c>window:3</c> is 3号窗口（社保）.
/// Names are read as they are now; a record since removed keeps its code with "（已删除）".
/// </summary>
public static class AuditSubjects
{
    /// <summary>A subject in words, Chinese and English.</summary>
    public sealed record Name(string Zh, string En);

    /// <summary>The names of <paramref name="subjects"/> (codes such as <c>service:2</c>) in hall <paramref name="hallId"/>; also of the ids a field such as <c>ServiceIds</c> lists.</summary>
    public static async Task<Dictionary<string, Name>> NamesAsync(HallDb db, int hallId, IEnumerable<string> subjects, CancellationToken ct)
    {
        var byKind = subjects.Distinct(StringComparer.Ordinal)
            .Select(s => s.Split(':', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0], p => p[1], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var names = new Dictionary<string, Name>(StringComparer.Ordinal);
        List<int> Ids(string kind) => byKind.TryGetValue(kind, out var keys)
            ? [.. keys.Select(k => int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0).Where(id => id > 0)]
            : [];
        List<long> LongIds(string kind) => [.. Ids(kind).Select(i => (long)i)];

        var services = Ids("service");
        foreach (var s in await db.Services.AsNoTracking().Where(s => s.HallId == hallId && services.Contains(s.Id)).Select(s => new { s.Id, s.Name, s.NameEn }).ToListAsync(ct))
            names[$"service:{s.Id}"] = new($"业务「{s.Name}」", $"service {s.NameEn ?? s.Name}");
        var windows = Ids("window");
        foreach (var w in await db.Windows.AsNoTracking().Where(w => w.HallId == hallId && windows.Contains(w.Id)).Select(w => new { w.Id, w.Number, w.Name }).ToListAsync(ct))
            names[$"window:{w.Id}"] = new($"{w.Number}号窗口（{w.Name}）", $"window {w.Number} ({w.Name})");
        var staffIds = Ids("staff");
        var logins = byKind.GetValueOrDefault("staff")?.Where(k => !k.All(char.IsAsciiDigit)).ToList() ?? [];
        foreach (var m in await db.Staff.AsNoTracking().Where(m => m.HallId == hallId && (staffIds.Contains(m.Id) || logins.Contains(m.Login))).Select(m => new { m.Id, m.Login, m.Name }).ToListAsync(ct))
        {
            var name = new Name($"{m.Name}（{m.Login}）", $"{m.Name} ({m.Login})");
            names[$"staff:{m.Id}"] = name;
            names[$"staff:{m.Login}"] = name;
        }
        var devices = Ids("device");
        var deviceNames = byKind.GetValueOrDefault("device")?.Where(k => !k.All(char.IsAsciiDigit)).ToList() ?? [];
        foreach (var d in await db.Devices.AsNoTracking().Where(d => d.HallId == hallId && (devices.Contains(d.Id) || deviceNames.Contains(d.Name))).Select(d => new { d.Id, d.Name }).ToListAsync(ct))
        {
            names[$"device:{d.Id}"] = new($"设备「{d.Name}」", $"device {d.Name}");
            names[$"device:{d.Name}"] = names[$"device:{d.Id}"];
        }
        var media = Ids("media");
        foreach (var m in await db.MediaItems.AsNoTracking().Where(m => m.HallId == hallId && media.Contains(m.Id)).Select(m => new { m.Id, m.Title }).ToListAsync(ct))
            names[$"media:{m.Id}"] = new($"媒体「{m.Title}」", $"media {m.Title}");
        var playlists = Ids("playlist");
        foreach (var p in await db.Playlists.AsNoTracking().Where(p => p.HallId == hallId && playlists.Contains(p.Id)).Select(p => new { p.Id, p.Name }).ToListAsync(ct))
            names[$"playlist:{p.Id}"] = new($"播放列表「{p.Name}」", $"playlist {p.Name}");
        var items = Ids("item");
        foreach (var i in await db.ServiceItems.AsNoTracking().Where(i => i.HallId == hallId && items.Contains(i.Id)).Select(i => new { i.Id, i.Code, i.Name }).ToListAsync(ct))
            names[$"item:{i.Id}"] = new($"事项「{i.Name}」（{i.Code}）", $"item {i.Name} ({i.Code})");
        var reports = LongIds("report");
        foreach (var r in await db.Reports.AsNoTracking().Where(r => r.HallId == hallId && reports.Contains(r.Id)).Select(r => new { r.Id, r.Title }).ToListAsync(ct))
            names[$"report:{r.Id}"] = new($"报表「{r.Title}」", $"report {r.Title}");
        var cases = LongIds("followup");
        foreach (var c in await db.FollowUpCases.AsNoTracking().Where(c => c.HallId == hallId && cases.Contains(c.Id)).Select(c => new { c.Id, c.TicketNumber }).ToListAsync(ct))
            names[$"followup:{c.Id}"] = new($"回访（号票 {c.TicketNumber}）", $"follow-up (ticket {c.TicketNumber})");
        var rounds = LongIds("patrol");
        foreach (var r in await db.PatrolRounds.AsNoTracking().Where(r => r.HallId == hallId && rounds.Contains(r.Id)).Select(r => new { r.Id, r.BusinessDate, r.InspectorName }).ToListAsync(ct))
            names[$"patrol:{r.Id}"] = new($"巡查（{r.BusinessDate:yyyy-MM-dd} {r.InspectorName}）", $"patrol round ({r.BusinessDate:yyyy-MM-dd} {r.InspectorName})");
        var findings = LongIds("patrolfinding");
        foreach (var f in await db.PatrolFindings.AsNoTracking().Where(f => f.HallId == hallId && findings.Contains(f.Id)).Select(f => new { f.Id, f.BusinessDate, f.Description }).ToListAsync(ct))
            names[$"patrolfinding:{f.Id}"] = new($"巡查问题（{f.BusinessDate:yyyy-MM-dd}：{f.Description}）", $"patrol finding ({f.BusinessDate:yyyy-MM-dd}: {f.Description})");
        var halls = Ids("hall");
        foreach (var h in await db.Halls.AsNoTracking().Where(h => halls.Contains(h.Id) && (h.Id == hallId || h.ParentId == hallId)).Select(h => new { h.Id, h.Name }).ToListAsync(ct))
            names[$"hall:{h.Id}"] = new(h.Name, h.Name);
        foreach (var code in byKind.GetValueOrDefault("site") ?? [])
            names[$"site:{code}"] = new($"乡镇站点 {code}", $"township site {code}");
        foreach (var day in byKind.GetValueOrDefault("calendar") ?? [])
            names[$"calendar:{day}"] = new($"日历 {day}", $"calendar {day}");

        // A record of a kind read above that is no longer there; a kind not read here stays as its code.
        foreach (var (kind, keys) in byKind.Where(k => Named.Contains(k.Key)))
        {
            foreach (var key in keys.Where(k => !names.ContainsKey($"{kind}:{k}")))
                names[$"{kind}:{key}"] = new($"{kind}:{key}（已删除）", $"{kind}:{key} (removed)");
        }
        return names;
    }

    private static readonly HashSet<string> Named = new(StringComparer.Ordinal) { "service", "window", "staff", "device", "media", "playlist", "item", "report", "followup", "patrol", "patrolfinding", "hall" };

    /// <summary>The subjects the ids of a changed field stand for, e.g. <c>ServiceIds</c> 2，5 → service:2, service:5.</summary>
    public static IEnumerable<string> OfField(string field, string value) => field switch
    {
        "ServiceIds" => value.Split('，', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(id => $"service:{id}"),
        "WindowId" when value != "—" => [$"window:{value}"],
        _ => [],
    };
}
