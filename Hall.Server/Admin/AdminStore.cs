using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Devices;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Security;
using Hall.Server.Staff;
using Hall.Server.Windows;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Admin;

public sealed record HallForm(string Name, string HoursText, int AgeingMinutes, int NormalPerPriority, int MaxRecalls, int AutoNoShowAfterCalls, int RequeuePlacesBack,
    string OutcomesText, string PauseReasonsText, int FollowUpWorkingDays, int PauseLimitMinutes, int UnstaffedGraceMinutes, int DeviceOfflineMinutes, int NoticePeopleAhead,
    int RankingMinRatings = HallSite.DefaultRankingMinRatings, string? IssuingAuthority = null, string? DocumentPrefix = null, string? Addressee = null,
    int ComplaintWorkingDays = HallSite.DefaultComplaintWorkingDays);

public sealed record CalendarForm(DateOnly Date, bool Open, string? Note);

public sealed record ServiceForm(int Id, string Code, string Name, string Prefix, int DailyCap, int TargetWaitMinutes, int AlertWaitingCount, int DefaultHandlingMinutes, bool AcceptsPriority, bool Active, int SortOrder,
    bool CaseNumberRequired = false);

public sealed record WindowForm(int Id, int Number, string Name, WindowKind Kind, int? LedAddress, bool Active, IReadOnlyList<int> ServiceIds, bool ExpectStaffed = true);

public sealed record StaffRow(int Id, string Login, string Name, StaffRole Role, bool Active);

public sealed record DeviceAdminRow(int Id, string Name, DeviceRole Role, int? WindowId, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, bool Online, DateTimeOffset? LastSeenAt);

/// <summary>
/// The admin's changes to a hall's configuration. Each is checked first (a refusal changes nothing and says why in
/// both languages), then written with its audit entry — who, what, when, before and after — in one transaction.
/// </summary>
public sealed partial class AdminStore(IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock, Security.ConnectionGuard connections)
{
    public static readonly Refusal InvalidHall = new("invalid_hall_settings", "大厅设置有误：名称必填；营业时间形如“周一 09:00-12:00 13:30-17:30”；数值须在合理范围内；办理结果和暂停原因各至少一项",
        "Invalid hall settings: a name; hours like \"周一 09:00-12:00 13:30-17:30\"; numbers in range; at least one outcome and one pause reason.");
    private static FieldRules ServiceRules() => new(InvalidService.Code, "业务设置有误", "Invalid service");
    private static FieldRules WindowRules() => new(InvalidWindow.Code, "窗口设置有误", "Invalid window");
    private static FieldRules StaffRules() => new(InvalidStaff.Code, "账号有误", "Invalid account");
    private static FieldRules DeviceRules() => new(InvalidDevice.Code, "设备有误", "Invalid device");

    public static readonly Refusal InvalidService = new("invalid_service", "业务设置有误：编码（字母数字）、名称必填，号码前缀为一个大写字母且不与其他业务重复，号源 1–999，时限 1–600 分钟",
        "Invalid service: a code (letters and digits), a name, a one-letter prefix not used by another service, 1–999 tickets a day, limits of 1–600 minutes.");
    public static readonly Refusal InvalidWindow = new("invalid_window", "窗口设置有误：窗口号 1–999 且不重复，名称必填，LED 地址 1–254，所办业务须为本大厅的业务",
        "Invalid window: a number 1–999 not used by another window, a name, an LED address 1–254, services of this hall.");
    public static readonly Refusal InvalidStaff = new("invalid_staff", "账号有误：登录名 3–32 位字母数字且不重复，姓名必填", "Invalid account: a login of 3–32 letters or digits not used yet, and a name.");
    public static readonly Refusal InvalidDevice = new("invalid_device", "设备有误：名称必填；评价器须绑定本大厅的窗口", "Invalid device: a name; an evaluator needs a window of this hall.");
    public static readonly Refusal InvalidCalendar = new("invalid_calendar", "日历有误：日期必填，备注最多 100 字", "Invalid calendar day: a date, and a note of at most 100 characters.");
    public static readonly Refusal NotFound = new("not_found", "没有这条记录", "No such record in this hall.");
    public static readonly Refusal LastAdmin = new("last_admin", "不能停用或降级最后一个管理员", "The last admin cannot be deactivated or demoted.");

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, DefaultIgnoreCondition = JsonIgnoreCondition.Never, ReferenceHandler = ReferenceHandler.IgnoreCycles };

    private static readonly string[] DayNames = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

    public static readonly Refusal CountyOnly = new("county_admin_only", "只有县级大厅（市民之家）的管理员可以新建乡镇站点", "Only an admin of the county hall can add township sites. Nothing was changed.");

    private static FieldRules SiteRules() => new("invalid_site", "乡镇站点有误", "Invalid site");

    // ---- halls the admin manages: their own, and the township sites under it ----

    public async Task<List<(int Id, string Name)>> ManagedHallsAsync(Actor actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var halls = await db.Halls.AsNoTracking().Where(h => h.Id == actor.HallId || h.ParentId == actor.HallId).OrderBy(h => h.ParentId != null).ThenBy(h => h.Id)
            .Select(h => new { h.Id, h.Name }).ToListAsync(ct);
        return [.. halls.Select(h => (h.Id, h.Name))];
    }

    /// <summary>A county admin acts for a township site under their hall; anyone else only for their own hall.</summary>
    public async Task<Actor?> ActingForAsync(Actor actor, int? hallId, CancellationToken ct) =>
        hallId is not { } id || id == actor.HallId ? actor
        : (await ManagedHallsAsync(actor, ct)).Any(h => h.Id == id) ? actor with { HallId = id } : null;

    /// <summary>A new township service centre under the admin's hall, with the county's hours and lists to start from.</summary>
    public async Task<Refusal?> CreateSiteAsync(Actor actor, string code, string name, CancellationToken ct)
    {
        if (Unclean(code, name) is { } bad)
        {
            return bad;
        }
        code = code?.Trim() ?? "";
        if (SiteRules().Check(code.Length is >= 2 and <= 32 && code.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'), "编码", "code", "须为 2–32 位字母、数字或连字符", "must be 2–32 letters, digits or hyphens")
            .Check(TicketRules.CheckText(name, required: true) is null && name.Trim().Length <= 100, "名称", "name", "必填，最多 100 字", "is required, at most 100 characters").Refusal is { } invalid)
        {
            return invalid;
        }
        return await ChangeAsync(actor, "site.create", $"site:{code}", async db =>
        {
            if (await db.Halls.AnyAsync(h => h.Code == code, ct))
            {
                throw new Refused(SiteRules().Of("编码", "code", $" {code} 已被使用", $"{code} is taken"));
            }
            var county = await db.Halls.AsNoTracking().SingleAsync(h => h.Id == actor.HallId, ct);
            // A township centre's admin runs their own centre; only the county hall adds sites under itself.
            if (county.ParentId is not null)
            {
                throw new Refused(CountyOnly);
            }
            db.Halls.Add(new HallSite
            {
                Code = code,
                Name = name.Trim(),
                ParentId = county.Id,
                TimeZoneId = county.TimeZoneId,
                Hours = county.Hours,
                Outcomes = [.. county.Outcomes],
                PauseReasons = [.. county.PauseReasons],
            });
            return (null, new { code, name = name.Trim() });
        }, ct);
    }

    // ---- hall ----

    public async Task<HallSite> HallAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Halls.AsNoTracking().Include(h => h.Calendar).SingleAsync(h => h.Id == hallId, ct);
    }

    public static HallForm FormOf(HallSite h) => new(h.Name, HoursText(h.Hours), h.AgeingMinutes, h.NormalPerPriority, h.MaxRecalls, h.AutoNoShowAfterCalls, h.RequeuePlacesBack,
        string.Join("\n", h.Outcomes), string.Join("\n", h.PauseReasons), h.FollowUpWorkingDays, h.PauseLimitMinutes, h.UnstaffedGraceMinutes, h.DeviceOfflineMinutes, h.NoticePeopleAhead,
        h.RankingMinRatings, h.IssuingAuthority, h.DocumentPrefix, h.Addressee, h.ComplaintWorkingDays);

    /// <summary>One line per open weekday: "周一 09:00-12:00 13:30-17:30".</summary>
    public static string HoursText(WeeklyHours hours) => string.Join("\n", Enumerable.Range(1, 7).Select(i => (DayOfWeek)(i % 7))
        .Where(d => hours.On(d).Count > 0)
        .Select(d => DayNames[(int)d] + " " + string.Join(" ", hours.On(d).Select(r => $"{r.From:HH\\:mm}-{r.To:HH\\:mm}"))));

    /// <summary>The first line of an hours text that is not a day's hours on its own (or repeats a day), numbered from 1.</summary>
    private static (int Number, string Text)? BadLine(string? text)
    {
        var lines = (text ?? "").Split('\n', StringSplitOptions.TrimEntries);
        var seen = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }
            seen.Add(lines[i]);
            if (ParseHours(string.Join("\n", seen)) is null)
            {
                return (i + 1, lines[i]);
            }
        }
        return null;
    }

    public static WeeklyHours? ParseHours(string? text)
    {
        var days = new List<DayHours>();
        foreach (var line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var day = Array.IndexOf(DayNames, parts[0]);
            if (day < 0 || parts.Length < 2 || days.Any(d => (int)d.Day == day))
            {
                return null;
            }
            var ranges = new List<TimeRange>();
            foreach (var range in parts[1..])
            {
                if (DisplayRange(range) is not { } r || ranges.Any(x => x.To > r.From))
                {
                    return null;
                }
                ranges.Add(r);
            }
            days.Add(new DayHours((DayOfWeek)day, ranges));
        }
        return days.Count == 0 ? null : new WeeklyHours([.. days.OrderBy(d => d.Day)]);
    }

    private static TimeRange? DisplayRange(string range)
    {
        var p = range.Split('-');
        return p.Length == 2
            && TimeOnly.TryParseExact(p[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            && TimeOnly.TryParseExact(p[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to) && from < to
            ? new TimeRange(from, to) : null;
    }

    private static List<string>? Lines(string? text, int max)
    {
        var lines = (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        return lines.Count is > 0 and <= 20 && lines.All(l => l.Length <= max && TicketRules.CheckText(l, required: true) is null) ? lines : null;
    }

    public async Task<Refusal?> SaveHallAsync(Actor actor, HallForm form, CancellationToken ct)
    {
        // The lists are written a line each: newlines there, nowhere else.
        if (Unclean(form.Name, form.IssuingAuthority, form.DocumentPrefix, form.Addressee) is not null || !new[] { form.HoursText, form.OutcomesText, form.PauseReasonsText }.All(t => FreeText.IsClean(t, multiline: true)))
        {
            return Refusal.InvalidText;
        }
        var hours = ParseHours(form.HoursText);
        var outcomes = Lines(form.OutcomesText, 20);
        var reasons = Lines(form.PauseReasonsText, 20);
        var rules = new FieldRules(InvalidHall.Code, "大厅设置有误", "Invalid hall settings")
            .Check(TicketRules.CheckText(form.Name, required: true) is null && form.Name.Trim().Length <= 100, "名称", "name", "必填，最多 100 字", "is required, at most 100 characters")
            .Check(hours is not null, "办公时间", "hours", BadLine(form.HoursText) is { } line ? $"第 {line.Number} 行“{line.Text}”须形如“周一 09:00-12:00 13:30-17:30”" : "须每行一天，形如“周一 09:00-12:00 13:30-17:30”",
                BadLine(form.HoursText) is { } lineEn ? $"line {lineEn.Number} \"{lineEn.Text}\" must be like \"周一 09:00-12:00 13:30-17:30\"" : "must be a line a day like \"周一 09:00-12:00 13:30-17:30\"")
            .Check(form.AgeingMinutes is >= 5 and <= 600, "优先老化（分钟）", "ageing (minutes)", "须在 5–600 之间", "must be 5–600")
            .Check(form.NormalPerPriority is >= 0 and <= 20, "每几位普通叫一位优先", "normal per priority", "须在 0–20 之间", "must be 0–20")
            .Check(form.MaxRecalls is >= 0 and <= 10, "最多重呼次数", "max recalls", "须在 0–10 之间", "must be 0–10")
            .Check(form.AutoNoShowAfterCalls is >= 1 and <= 10, "呼叫几次后记未到", "no-show after calls", "须在 1–10 之间", "must be 1–10")
            .Check(form.RequeuePlacesBack is >= 0 and <= 50, "过号重排后退位数", "requeue places back", "须在 0–50 之间", "must be 0–50")
            .Check(outcomes is not null, "办理结果", "outcomes", "每行一项，1–20 项，每项最多 20 字", "must be 1–20 lines of at most 20 characters")
            .Check(reasons is not null, "暂停原因", "pause reasons", "每行一项，1–20 项，每项最多 20 字", "must be 1–20 lines of at most 20 characters")
            .Check(form.FollowUpWorkingDays is >= 1 and <= 30, "补件期限（工作日）", "follow-up (working days)", "须在 1–30 之间", "must be 1–30")
            .Check(form.ComplaintWorkingDays is >= 1 and <= 30, "有诉即办办理期限（工作日）", "complaint deadline (working days)", "须在 1–30 之间", "must be 1–30")
            .Check(form.PauseLimitMinutes is >= 1 and <= 600, "暂停上限（分钟）", "pause limit (minutes)", "须在 1–600 之间", "must be 1–600")
            .Check(form.RankingMinRatings is >= 0 and <= 1000, "参与排名最少评价数", "ratings to be ranked", "须在 0–1000 之间", "must be 0–1000")
            .Check(form.UnstaffedGraceMinutes is >= 0 and <= 240, "无人值守宽限（分钟）", "unstaffed grace (minutes)", "须在 0–240 之间", "must be 0–240")
            .Check(form.DeviceOfflineMinutes is >= 1 and <= 240, "设备离线判定（分钟）", "device offline (minutes)", "须在 1–240 之间", "must be 1–240")
            .Check(form.NoticePeopleAhead is >= 1 and <= 20, "提前通知人数", "notice people ahead", "须在 1–20 之间", "must be 1–20")
            .Check((form.IssuingAuthority?.Trim().Length ?? 0) <= 40, "发文机关", "issuing authority", "最多 40 字", "at most 40 characters")
            .Check(form.DocumentPrefix is null || form.DocumentPrefix.Trim() is var prefix && prefix.Length <= 10 && !prefix.Any(c => c is '〔' or '〕' or '[' or ']' or '号' || char.IsWhiteSpace(c) || char.IsDigit(c)),
                "发文字号代字", "document prefix", "最多 10 字，不含数字、括号、空格和“号”（如“新政数”）", "at most 10 characters, without digits, brackets, spaces or 号 (e.g. 新政数)")
            .Check((form.Addressee?.Trim().Length ?? 0) <= 100, "主送机关", "addressee", "最多 100 字", "at most 100 characters");
        if (rules.Refusal is { } invalid)
        {
            return invalid;
        }
        return await ChangeAsync(actor, "hall.update", $"hall:{actor.HallId}", async db =>
        {
            var h = await db.Halls.SingleAsync(x => x.Id == actor.HallId, ct);
            var before = FormOf(h);
            await KeepHoursHistoryAsync(db, h, hours!, ct);
            (h.Name, h.Hours, h.AgeingMinutes, h.NormalPerPriority, h.MaxRecalls, h.AutoNoShowAfterCalls, h.RequeuePlacesBack) =
                (form.Name.Trim(), hours!, form.AgeingMinutes, form.NormalPerPriority, form.MaxRecalls, form.AutoNoShowAfterCalls, form.RequeuePlacesBack);
            (h.Outcomes, h.PauseReasons, h.FollowUpWorkingDays, h.PauseLimitMinutes, h.UnstaffedGraceMinutes, h.DeviceOfflineMinutes, h.NoticePeopleAhead) =
                (outcomes!, reasons!, form.FollowUpWorkingDays, form.PauseLimitMinutes, form.UnstaffedGraceMinutes, form.DeviceOfflineMinutes, form.NoticePeopleAhead);
            (h.RankingMinRatings, h.ComplaintWorkingDays) = (form.RankingMinRatings, form.ComplaintWorkingDays);
            (h.IssuingAuthority, h.DocumentPrefix, h.Addressee) = (Blank(form.IssuingAuthority), Blank(form.DocumentPrefix), Blank(form.Addressee));
            return (before, FormOf(h));
        }, ct);
    }

    /// <summary>
    /// New weekly hours apply from today's business date on; the dates before keep the hours they had (the first change also
    /// records the hours the hall had until then), so a past report made again counts the hours of its own dates.
    /// </summary>
    private async Task KeepHoursHistoryAsync(HallDb db, HallSite h, WeeklyHours hours, CancellationToken ct)
    {
        if (JsonSerializer.Serialize(h.Hours) == JsonSerializer.Serialize(hours))
        {
            return;
        }
        var now = clock.GetUtcNow();
        var today = HallClock.BusinessDate(now, h.Zone);
        var history = await db.HoursHistory.Where(v => v.HallId == h.Id).ToListAsync(ct);
        if (history.Count == 0)
        {
            db.HoursHistory.Add(new HallHoursVersion { HallId = h.Id, EffectiveFrom = DateOnly.MinValue, Hours = h.Hours, ChangedAt = now });
        }
        if (history.FirstOrDefault(v => v.EffectiveFrom == today) is { } same)
        {
            (same.Hours, same.ChangedAt) = (hours, now);
        }
        else
        {
            db.HoursHistory.Add(new HallHoursVersion { HallId = h.Id, EffectiveFrom = today, Hours = hours, ChangedAt = now });
        }
    }

    public async Task<Refusal?> SetCalendarDayAsync(Actor actor, CalendarForm day, bool remove, CancellationToken ct)
    {
        if (Unclean(day.Note) is { } bad)
        {
            return bad;
        }
        if (day.Note is { Length: > 100 } || (day.Note is { Length: > 0 } && TicketRules.CheckText(day.Note, required: false) is not null))
        {
            return InvalidCalendar;
        }
        return await ChangeAsync(actor, remove ? "calendar.remove" : "calendar.set", $"calendar:{day.Date:yyyy-MM-dd}", async db =>
        {
            var existing = await db.CalendarDays.FirstOrDefaultAsync(c => c.HallId == actor.HallId && c.Date == day.Date, ct);
            object? before = existing is null ? null : new CalendarForm(existing.Date, existing.Open, existing.Note);
            if (remove)
            {
                if (existing is null)
                {
                    return null;
                }
                db.CalendarDays.Remove(existing);
                return (before, null);
            }
            if (existing is null)
            {
                db.CalendarDays.Add(new HallCalendarDay { HallId = actor.HallId, Date = day.Date, Open = day.Open, Note = day.Note?.Trim() });
            }
            else
            {
                (existing.Open, existing.Note) = (day.Open, day.Note?.Trim());
            }
            return (before, day);
        }, ct);
    }

    // ---- services ----

    public async Task<List<ServiceForm>> ServicesAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Services.AsNoTracking().Where(s => s.HallId == hallId).OrderBy(s => s.SortOrder).ThenBy(s => s.Id)
            .Select(s => new ServiceForm(s.Id, s.Code, s.Name, s.Prefix.ToString(), s.DailyCap, s.TargetWaitMinutes, s.AlertWaitingCount, s.DefaultHandlingMinutes, s.AcceptsPriority, s.Active, s.SortOrder, s.CaseNumberRequired))
            .ToListAsync(ct);
    }

    private static ServiceForm FormOf(Service s) => new(s.Id, s.Code, s.Name, s.Prefix.ToString(), s.DailyCap, s.TargetWaitMinutes, s.AlertWaitingCount, s.DefaultHandlingMinutes, s.AcceptsPriority, s.Active, s.SortOrder,
        s.CaseNumberRequired);

    public async Task<Refusal?> SaveServiceAsync(Actor actor, ServiceForm form, CancellationToken ct)
    {
        if (Unclean(form.Code, form.Name, form.Prefix) is { } bad)
        {
            return bad;
        }
        var code = form.Code?.Trim() ?? "";
        var prefix = form.Prefix?.Trim() ?? "";
        var rules = ServiceRules()
            .Check(code.Length is >= 1 and <= 32 && code.All(char.IsAsciiLetterOrDigit), "编码", "code", "须为 1–32 位字母或数字", "must be 1–32 letters or digits")
            .Check(TicketRules.CheckText(form.Name, required: true) is null && form.Name.Trim().Length <= 100, "名称", "name", "必填，最多 100 字", "is required, at most 100 characters")
            .Check(prefix.Length == 1 && char.IsAsciiLetterUpper(prefix[0]), "号码前缀", "prefix", "须为一个大写字母（A–Z）", "must be one capital letter (A–Z)")
            .Check(form.DailyCap is >= 1 and <= 999, "每日限号", "daily cap", "须在 1–999 之间", "must be 1–999")
            .Check(form.TargetWaitMinutes is >= 1 and <= 600, "目标等候（分钟）", "target wait (minutes)", "须在 1–600 之间", "must be 1–600")
            .Check(form.AlertWaitingCount is >= 1 and <= 999, "排队报警人数", "alert at waiting", "须在 1–999 之间", "must be 1–999")
            .Check(form.DefaultHandlingMinutes is >= 1 and <= 600, "默认办理时长（分钟）", "handling time (minutes)", "须在 1–600 之间", "must be 1–600")
            .Check(form.SortOrder is >= 0 and <= 9999, "排序", "order", "须在 0–9999 之间", "must be 0–9999");
        if (rules.Refusal is { } invalid)
        {
            return invalid;
        }
        return await ChangeAsync(actor, form.Id == 0 ? "service.create" : "service.update", $"service:{(form.Id == 0 ? "new" : form.Id)}", async db =>
        {
            var clash = await db.Services.AsNoTracking().Where(s => s.HallId == actor.HallId && s.Id != form.Id && (s.Prefix == prefix[0] || s.Code == code))
                .Select(s => new { s.Name, s.Code, s.Prefix }).FirstOrDefaultAsync(ct);
            if (clash is not null)
            {
                throw new Refused(clash.Code == code
                    ? ServiceRules().Of("编码", "code", $" {code} 已被「{clash.Name}」使用", $"{code} is used by {clash.Name}")
                    : ServiceRules().Of("号码前缀", "prefix", $" {prefix} 已被「{clash.Name}」使用，不能与其他业务重复", $"{prefix} is used by {clash.Name}; each service needs its own"));
            }
            Service s;
            ServiceForm? before = null;
            if (form.Id == 0)
            {
                s = new Service { HallId = actor.HallId, Code = code, Name = form.Name.Trim() };
                db.Services.Add(s);
            }
            else
            {
                s = await db.Services.FirstOrDefaultAsync(x => x.Id == form.Id && x.HallId == actor.HallId, ct) ?? throw new Refused(NotFound);
                before = FormOf(s);
            }
            (s.Code, s.Name, s.Prefix, s.DailyCap, s.TargetWaitMinutes, s.AlertWaitingCount, s.DefaultHandlingMinutes, s.AcceptsPriority, s.Active, s.SortOrder, s.CaseNumberRequired) =
                (code, form.Name.Trim(), prefix[0], form.DailyCap, form.TargetWaitMinutes, form.AlertWaitingCount, form.DefaultHandlingMinutes, form.AcceptsPriority, form.Active, form.SortOrder,
                    form.CaseNumberRequired);
            return (before, s);
        }, ct, after => after is Service s ? FormOf(s) : after);
    }

    // ---- windows ----

    public async Task<List<WindowForm>> WindowsAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var windows = await db.Windows.AsNoTracking().Include(w => w.Services).Where(w => w.HallId == hallId).OrderBy(w => w.Number).ToListAsync(ct);
        return [.. windows.Select(FormOf)];
    }

    private static WindowForm FormOf(Window w) => new(w.Id, w.Number, w.Name, w.Kind, w.LedAddress, w.Active, [.. w.Services.OrderBy(s => s.Rank).Select(s => s.ServiceId)], w.ExpectStaffed);

    public async Task<Refusal?> SaveWindowAsync(Actor actor, WindowForm form, CancellationToken ct)
    {
        if (Unclean(form.Name) is { } bad)
        {
            return bad;
        }
        var rules = WindowRules()
            .Check(form.Number is >= 1 and <= 999, "窗口号", "window number", "须在 1–999 之间", "must be 1–999")
            .Check(TicketRules.CheckText(form.Name, required: true) is null && form.Name.Trim().Length <= 100, "名称", "name", "必填，最多 100 字", "is required, at most 100 characters")
            .Check(form.LedAddress is null or (>= 1 and <= 254), "LED 地址", "LED address", "须在 1–254 之间，或留空", "must be 1–254, or empty")
            .Check(Enum.IsDefined(form.Kind), "类型", "kind", "须为列表中的一种", "must be one of the list")
            .Check(form.ServiceIds.Distinct().Count() == form.ServiceIds.Count && form.ServiceIds.Count <= 100, "所办业务", "services", "不能重复，最多 100 项", "must not repeat, at most 100");
        if (rules.Refusal is { } invalid)
        {
            return invalid;
        }
        return await ChangeAsync(actor, form.Id == 0 ? "window.create" : "window.update", $"window:{(form.Id == 0 ? "new" : form.Id)}", async db =>
        {
            var known = await db.Services.Where(s => s.HallId == actor.HallId && form.ServiceIds.Contains(s.Id)).CountAsync(ct);
            if (known != form.ServiceIds.Count)
            {
                throw new Refused(WindowRules().Of("所办业务", "services", "须为本大厅的业务", "must be services of this hall"));
            }
            if (await db.Windows.AsNoTracking().Where(w => w.HallId == actor.HallId && w.Id != form.Id && w.Number == form.Number).Select(w => w.Name).FirstOrDefaultAsync(ct) is { } taken)
            {
                throw new Refused(WindowRules().Of("窗口号", "window number", $" {form.Number} 已是「{taken}」的窗口号", $"{form.Number} is already {taken}'s"));
            }
            Window w;
            WindowForm? before = null;
            if (form.Id == 0)
            {
                w = new Window { HallId = actor.HallId, Name = form.Name.Trim() };
                db.Windows.Add(w);
            }
            else
            {
                w = await db.Windows.Include(x => x.Services).FirstOrDefaultAsync(x => x.Id == form.Id && x.HallId == actor.HallId, ct) ?? throw new Refused(NotFound);
                before = FormOf(w);
            }
            (w.Number, w.Name, w.Kind, w.LedAddress, w.Active, w.ExpectStaffed) = (form.Number, form.Name.Trim(), form.Kind, form.LedAddress, form.Active, form.ExpectStaffed);
            w.Services.Clear();
            w.Services.AddRange(form.ServiceIds.Select((id, rank) => new WindowService { ServiceId = id, Rank = rank }));
            return (before, w);
        }, ct, after => after is Window w ? FormOf(w) : after);
    }

    // ---- staff ----

    public async Task<List<StaffRow>> StaffAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Ordered here, not in SQL: the role is stored as text (clerks first, as the enum says), and clerk2 before clerk10.
        return [.. (await db.Staff.AsNoTracking().Where(s => s.HallId == hallId).Select(s => new StaffRow(s.Id, s.Login, s.Name, s.Role, s.Active)).ToListAsync(ct))
            .OrderBy(s => s.Role).ThenBy(s => s.Login, Web.DisplayOrder.Names)];
    }

    /// <summary>A new account with a generated password, returned once.</summary>
    public async Task<(string? Password, Refusal? Refusal)> CreateStaffAsync(Actor actor, string login, string name, StaffRole role, CancellationToken ct)
    {
        if (Unclean(login, name) is { } bad)
        {
            return (null, bad);
        }
        login = login?.Trim() ?? "";
        var rules = StaffRules()
            .Check(login.Length is >= 3 and <= 32 && login.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'), "登录名", "login", "须为 3–32 位字母、数字或 - _ .", "must be 3–32 letters, digits or - _ .")
            .Check(TicketRules.CheckText(name, required: true) is null && name.Trim().Length <= 50, "姓名", "name", "必填，最多 50 字", "is required, at most 50 characters")
            .Check(Enum.IsDefined(role), "角色", "role", "须为列表中的一种", "must be one of the list");
        if (rules.Refusal is { } invalid)
        {
            return (null, invalid);
        }
        var password = NewPassword();
        var refusal = await ChangeAsync(actor, "staff.create", $"staff:{login}", async db =>
        {
            if (await db.Staff.AnyAsync(s => s.Login == login, ct))
            {
                throw new Refused(StaffRules().Of("登录名", "login", $" {login} 已被使用", $"{login} is taken"));
            }
            var member = new StaffMember { HallId = actor.HallId, Login = login, Name = name.Trim(), Role = role, PasswordHash = StaffLogin.HashPassword(password) };
            db.Staff.Add(member);
            return (null, new StaffRow(0, login, member.Name, role, true));
        }, ct);
        return refusal is null ? (password, null) : (null, refusal);
    }

    public async Task<Refusal?> UpdateStaffAsync(Actor actor, int staffId, StaffRole role, bool active, CancellationToken ct) =>
        !Enum.IsDefined(role) ? InvalidStaff : await EndingAsync(await ChangeAsync(actor, "staff.update", $"staff:{staffId}", async db =>
        {
            var s = await db.Staff.FirstOrDefaultAsync(x => x.Id == staffId && x.HallId == actor.HallId, ct) ?? throw new Refused(NotFound);
            var before = new StaffRow(s.Id, s.Login, s.Name, s.Role, s.Active);
            if (s.Role == StaffRole.Admin && (role != StaffRole.Admin || !active)
                && !await db.Staff.AnyAsync(x => x.HallId == actor.HallId && x.Id != s.Id && x.Role == StaffRole.Admin && x.Active, ct))
            {
                throw new Refused(LastAdmin);
            }
            (s.Role, s.Active) = (role, active);
            if (!active)
            {
                // Signed out everywhere at once.
                await db.StaffSessions.Where(x => x.StaffId == s.Id && x.RevokedAt == null).ExecuteUpdateAsync(u => u.SetProperty(x => x.RevokedAt, clock.GetUtcNow()), ct);
            }
            return (before, new StaffRow(s.Id, s.Login, s.Name, s.Role, s.Active));
        }, ct));

    /// <summary>After a change that may end sessions or keys: the connections resting on them are closed on every server.</summary>
    private async Task<Refusal?> EndingAsync(Refusal? refusal)
    {
        if (refusal is null)
        {
            await connections.EndedAsync();
        }
        return refusal;
    }

    public async Task<(string? Password, Refusal? Refusal)> ResetPasswordAsync(Actor actor, int staffId, CancellationToken ct)
    {
        var password = NewPassword();
        var refusal = await ChangeAsync(actor, "staff.password", $"staff:{staffId}", async db =>
        {
            var s = await db.Staff.FirstOrDefaultAsync(x => x.Id == staffId && x.HallId == actor.HallId, ct) ?? throw new Refused(NotFound);
            s.PasswordHash = StaffLogin.HashPassword(password);
            await db.StaffSessions.Where(x => x.StaffId == s.Id && x.RevokedAt == null).ExecuteUpdateAsync(u => u.SetProperty(x => x.RevokedAt, clock.GetUtcNow()), ct);
            return (null, "password reset");
        }, ct);
        return await EndingAsync(refusal) is null ? (password, null) : (null, refusal);
    }

    /// <summary>12 characters from an alphabet without look-alikes (no 0/O, 1/l/I), with a digit and both cases.</summary>
    public static string NewPassword()
    {
        const string lower = "abcdefghijkmnpqrstuvwxyz", upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", digits = "23456789";
        const string all = lower + upper + digits;
        for (; ; )
        {
            var p = new string([.. Enumerable.Range(0, 12).Select(_ => all[RandomNumberGenerator.GetInt32(all.Length)])]);
            if (p.Any(lower.Contains) && p.Any(upper.Contains) && p.Any(digits.Contains))
            {
                return p;
            }
        }
    }

    // ---- devices ----

    public async Task<List<DeviceAdminRow>> DevicesAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return [.. (await db.Devices.AsNoTracking().Where(d => d.HallId == hallId)
            .Select(d => new DeviceAdminRow(d.Id, d.Name, d.Role, d.WindowId, d.CreatedAt, d.RevokedAt, d.Online, d.LastSeenAt)).ToListAsync(ct))
            .OrderBy(d => d.RevokedAt != null).ThenBy(d => d.Role).ThenBy(d => d.Name, Web.DisplayOrder.Names)];
    }

    /// <summary>A new device; its key is returned once (only its hash is kept).</summary>
    public async Task<(string? Key, Refusal? Refusal)> CreateDeviceAsync(Actor actor, string name, DeviceRole role, int? windowId, CancellationToken ct)
    {
        if (Unclean(name) is { } bad)
        {
            return (null, bad);
        }
        var rules = DeviceRules()
            .Check(TicketRules.CheckText(name, required: true) is null && name.Trim().Length <= 100, "名称", "name", "必填，最多 100 字", "is required, at most 100 characters")
            .Check(Enum.IsDefined(role), "类型", "kind", "须为列表中的一种", "must be one of the list")
            .Check(role != DeviceRole.Evaluator || windowId is not null, "窗口", "window", "评价器须选择它所在的窗口", "must be chosen for an evaluator")
            .Check(role == DeviceRole.Evaluator || windowId is null, "窗口", "window", "只有评价器绑定窗口", "is only for an evaluator");
        if (rules.Refusal is { } invalid)
        {
            return (null, invalid);
        }
        string? key = null;
        var refusal = await ChangeAsync(actor, "device.create", $"device:{name.Trim()}", async db =>
        {
            if (windowId is { } w && !await db.Windows.AnyAsync(x => x.Id == w && x.HallId == actor.HallId, ct))
            {
                throw new Refused(DeviceRules().Of("窗口", "window", "须为本大厅的窗口", "must be a window of this hall"));
            }
            var (device, created) = await DeviceKeys.CreateAsync(db, actor.HallId, name.Trim(), role, windowId, clock.GetUtcNow(), ct);
            key = created;
            return (null, new { device.Id, device.Name, device.Role, device.WindowId });
        }, ct);
        return refusal is null ? (key, null) : (null, refusal);
    }

    public async Task<Refusal?> RevokeDeviceAsync(Actor actor, int deviceId, CancellationToken ct) =>
        await EndingAsync(await ChangeAsync(actor, "device.revoke", $"device:{deviceId}", async db =>
        {
            var d = await db.Devices.FirstOrDefaultAsync(x => x.Id == deviceId && x.HallId == actor.HallId && x.RevokedAt == null, ct) ?? throw new Refused(NotFound);
            d.RevokedAt = clock.GetUtcNow();
            return (new { d.Id, d.Name, Revoked = false }, new { d.Id, d.Name, Revoked = true });
        }, ct));

    /// <summary>A new key for the same device; the old one stops working at once.</summary>
    public async Task<(string? Key, Refusal? Refusal)> RotateDeviceAsync(Actor actor, int deviceId, CancellationToken ct)
    {
        string? key = null;
        var refusal = await ChangeAsync(actor, "device.rotate", $"device:{deviceId}", async db =>
        {
            var d = await db.Devices.FirstOrDefaultAsync(x => x.Id == deviceId && x.HallId == actor.HallId && x.RevokedAt == null, ct) ?? throw new Refused(NotFound);
            var secret = Secrets.New();
            d.KeyHash = Secrets.Hash(secret);
            key = Secrets.Token(HallAuth.DevicePrefix, d.Id, secret);
            return (null, new { d.Id, d.Name, Rotated = true });
        }, ct);
        return await EndingAsync(refusal) is null ? (key, null) : (null, refusal);
    }

    // ---- audit ----

    /// <summary>Page <paramref name="page"/> (from 1) of the hall's audit log, newest first, and whether older entries follow.</summary>
    public async Task<(List<AuditEntry> Rows, bool Older)> AuditPageAsync(int hallId, int page, int pageSize, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.AuditEntries.AsNoTracking().Where(a => a.HallId == hallId).OrderByDescending(a => a.Id)
            .Skip((Math.Clamp(page, 1, MaxAuditPage) - 1) * pageSize).Take(pageSize + 1).ToListAsync(ct);
        return (rows.Count > pageSize ? rows[..pageSize] : rows, rows.Count > pageSize);
    }

    /// <summary>The audit subjects (<c>service:2</c> …) of hall <paramref name="hallId"/> in words.</summary>
    public async Task<Dictionary<string, AuditSubjects.Name>> AuditSubjectNamesAsync(int hallId, IEnumerable<string> subjects, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await AuditSubjects.NamesAsync(db, hallId, subjects, ct);
    }

    /// <summary>Far beyond any hall's log at 100 entries a page; keeps the offset from overflowing.</summary>
    public const int MaxAuditPage = 1_000_000;

    /// <summary>Records a change made elsewhere (notice line, media, import …) in the audit log.</summary>
    public async Task RecordAsync(Actor actor, string action, string subject, object? before, object? after, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.AuditEntries.Add(Entry(actor, action, subject, before, after));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>An audit entry for a change another part writes in its own transaction (the catalogue import).</summary>
    public AuditEntry EntryFor(Actor actor, string action, string subject, object? before, object? after) => Entry(actor, action, subject, before, after);

    private AuditEntry Entry(Actor actor, string action, string subject, object? before, object? after) => new()
    {
        HallId = actor.HallId,
        StaffId = actor.Id,
        StaffName = actor.Name,
        At = clock.GetUtcNow(),
        Action = action,
        Subject = subject,
        Before = before is null ? null : JsonSerializer.Serialize(before, Json),
        After = after is null ? null : JsonSerializer.Serialize(after, Json),
    };

    private sealed class Refused(Refusal refusal) : Exception(refusal.Code)
    {
        public Refusal Refusal { get; } = refusal;
    }

    /// <summary><see cref="Refusal.InvalidText"/> when any of the texts has a control character or a bidirectional override.</summary>
    /// <summary>A setting left empty is unset (null), trimmed otherwise.</summary>
    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static Refusal? Unclean(params string?[] texts) => texts.All(t => FreeText.IsClean(t)) ? null : Refusal.InvalidText;

    /// <summary>Only the admin changes configuration; the change and its audit entry commit together, or neither does.</summary>
    private async Task<Refusal?> ChangeAsync(Actor actor, string action, string subject, Func<HallDb, Task<(object? Before, object? After)?>> change, CancellationToken ct, Func<object?, object?>? afterView = null)
    {
        if (actor.StaffRole != StaffRole.Admin)
        {
            return Refusal.Forbidden;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            if (await change(db) is not { } result)
            {
                return null;
            }
            await db.SaveChangesAsync(ct);
            var after = afterView is null ? result.After : afterView(result.After);
            db.AuditEntries.Add(Entry(actor, action, subject.EndsWith(":new", StringComparison.Ordinal) && after is ServiceForm sf ? $"service:{sf.Id}"
                : subject.EndsWith(":new", StringComparison.Ordinal) && after is WindowForm wf ? $"window:{wf.Id}" : subject, result.Before, after));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (Refused refused)
        {
            return refused.Refusal;
        }
        halls.Invalidate(actor.HallId);
        return null;
    }
}
