using System.Text.Json;
using Hall.Server.Web;

namespace Hall.Server.Admin;

/// <summary>An audit entry as a person reads it: the action in words, and each changed field with its old and new value.</summary>
public static class AuditText
{
    /// <summary>One changed field: its name in words, the value before and after ("—" for none).</summary>
    public sealed record Change(string FieldZh, string FieldEn, string Before, string After);

    private static readonly Dictionary<string, (string Zh, string En)> Actions = new(StringComparer.Ordinal)
    {
        ["calendar.remove"] = ("删除日历日", "Remove calendar day"),
        ["calendar.set"] = ("设置日历日", "Set calendar day"),
        ["catalogue.import"] = ("导入事项目录", "Import catalogue"),
        ["device.create"] = ("新建设备", "Create device"),
        ["device.revoke"] = ("吊销设备", "Revoke device"),
        ["device.rotate"] = ("更换设备密钥", "Rotate device key"),
        ["display_settings.set"] = ("修改大屏设置", "Change display settings"),
        ["followup.appeal.decide"] = ("差评申诉复核", "Decide bad-rating appeal"),
        ["followup.appeal.file"] = ("差评申诉", "Appeal bad rating"),
        ["hall.update"] = ("修改大厅设置", "Change hall settings"),
        ["item.initials"] = ("修改事项简拼", "Change item initials"),
        ["leave.add"] = ("登记请假或公出", "Record leave"),
        ["leave.remove"] = ("删除请假或公出", "Delete leave"),
        ["media.delete"] = ("删除媒体", "Delete media"),
        ["media.upload"] = ("上传媒体", "Upload media"),
        ["notice_line.set"] = ("修改滚动通知", "Change notice line"),
        ["outbox.retry"] = ("重新上传", "Send again"),
        ["outbox.retry_all"] = ("全部重新上传", "Send all failed again"),
        ["patrol.check"] = ("巡查检查项目", "Patrol check"),
        ["patrol.finding.add"] = ("登记巡查问题", "Record patrol finding"),
        ["patrol.finding.close"] = ("巡查问题整改完毕", "Close patrol finding"),
        ["patrol.sign"] = ("巡查签字", "Sign patrol round"),
        ["patrol.start"] = ("开始巡查", "Start patrol round"),
        ["playlist.create"] = ("新建播放列表", "Create playlist"),
        ["playlist.delete"] = ("删除播放列表", "Delete playlist"),
        ["booking.rules"] = ("修改预约规则", "Change booking rules"),
        ["booking.schedule"] = ("修改号源", "Change slot schedule"),
        ["report.generate"] = ("生成报表", "Generate report"),
        ["report.issue"] = ("印发通报", "Issue bulletin"),
        ["report.sections"] = ("修改通报正文", "Edit bulletin text"),
        ["roster.remove"] = ("取消排班", "Take off the roster"),
        ["roster.set"] = ("排班", "Roster"),
        ["service.create"] = ("新增业务", "Add service"),
        ["service.update"] = ("修改业务", "Change service"),
        ["site.create"] = ("新建乡镇站点", "Create township site"),
        ["staff.create"] = ("新建账号", "Create account"),
        ["staff.password"] = ("重置密码", "Reset password"),
        ["staff.update"] = ("修改账号", "Change account"),
        ["synonym.create"] = ("新增搜索同义词", "Add search synonym"),
        ["synonym.delete"] = ("删除搜索同义词", "Delete search synonym"),
        ["synonym.update"] = ("修改搜索同义词", "Change search synonym"),
        ["ticket.case_number"] = ("关联办件编号", "Attach case number"),
        ["voice_pack.upload"] = ("上传语音包", "Upload voice pack"),
        ["webhook.create"] = ("登记事件推送地址", "Register webhook"),
        ["webhook.resume"] = ("恢复事件推送", "Resume webhook"),
        ["webhook.stop"] = ("停止事件推送", "Stop webhook"),
        ["window.create"] = ("新增窗口", "Add window"),
        ["window.update"] = ("修改窗口", "Change window"),
    };

    private static readonly Dictionary<string, (string Zh, string En)> Fields = new(StringComparer.Ordinal)
    {
        ["Id"] = ("编号", "Id"),
        ["Code"] = ("编码", "Code"),
        ["Name"] = ("名称", "Name"),
        ["Title"] = ("标题", "Title"),
        ["Prefix"] = ("号码前缀", "Prefix"),
        ["DailyCap"] = ("每日限号", "Daily cap"),
        ["TargetWaitMinutes"] = ("目标等候（分钟）", "Target wait (min)"),
        ["AlertWaitingCount"] = ("排队报警人数", "Alert at waiting"),
        ["DefaultHandlingMinutes"] = ("默认办理时长（分钟）", "Handling time (min)"),
        ["AcceptsPriority"] = ("接受优先", "Priority"),
        ["CaseNumberRequired"] = ("必须录入办件编号", "Case number required"),
        ["CaseNumber"] = ("办件编号", "Case number"),
        ["TicketNumber"] = ("号码", "Ticket"),
        ["BusinessDate"] = ("业务日期", "Business date"),
        ["Active"] = ("启用", "Active"),
        ["SortOrder"] = ("排序", "Order"),
        ["Number"] = ("窗口号", "Window no."),
        ["Kind"] = ("类型", "Kind"),
        ["LedAddress"] = ("LED 地址", "LED address"),
        ["ServiceIds"] = ("所办业务", "Services"),
        ["ExpectStaffed"] = ("应值守", "Staffed all day"),
        ["Login"] = ("登录名", "Login"),
        ["Role"] = ("角色", "Role"),
        ["WindowId"] = ("窗口", "Window"),
        ["HoursText"] = ("办公时间", "Hours"),
        ["AgeingMinutes"] = ("优先老化（分钟）", "Ageing (min)"),
        ["NormalPerPriority"] = ("每几位普通叫一位优先", "Normal per priority"),
        ["MaxRecalls"] = ("最多重呼次数", "Max recalls"),
        ["AutoNoShowAfterCalls"] = ("呼叫几次后记未到", "No-show after calls"),
        ["RequeuePlacesBack"] = ("过号重排后退位数", "Requeue places back"),
        ["OutcomesText"] = ("办理结果", "Outcomes"),
        ["PauseReasonsText"] = ("暂停原因", "Pause reasons"),
        ["FollowUpWorkingDays"] = ("补件期限（工作日）", "Follow-up (working days)"),
        ["ComplaintWorkingDays"] = ("有诉即办办理期限（工作日）", "Complaint deadline (working days)"),
        ["PauseLimitMinutes"] = ("暂停上限（分钟）", "Pause limit (min)"),
        ["RankingMinRatings"] = ("参与排名最少评价数", "Ratings to be ranked"),
        ["UnstaffedGraceMinutes"] = ("无人值守宽限（分钟）", "Unstaffed grace (min)"),
        ["DeviceOfflineMinutes"] = ("设备离线判定（分钟）", "Device offline (min)"),
        ["NoticePeopleAhead"] = ("提前通知人数", "Notice people ahead"),
        ["Date"] = ("日期", "Date"),
        ["Category"] = ("检查项目", "Category"),
        ["Result"] = ("结果", "Result"),
        ["Description"] = ("问题描述", "Description"),
        ["Requirement"] = ("整改要求", "Remedy required"),
        ["DueDate"] = ("整改期限", "Due"),
        ["Inspector"] = ("巡查人", "Inspector"),
        ["SignedBy"] = ("签字人", "Signed by"),
        ["Open"] = ("开放", "Open"),
        ["Note"] = ("说明", "Note"),
        ["Word"] = ("同义词", "Synonym"),
        ["Items"] = ("事项", "Items"),
        ["WholeServices"] = ("业务（全部事项）", "Services (all items)"),
        ["Ticket"] = ("号码", "Ticket"),
        ["Appeal"] = ("申诉理由", "Appeal"),
        ["Decision"] = ("复核决定", "Decision"),
        ["Reason"] = ("理由", "Reason"),
    };

    /// <summary>The action in words, e.g. 重置密码 for <c>staff.password</c>; an unknown code as it is.</summary>
    public static string Action(string code, Lang l) =>
        Actions.TryGetValue(code, out var a) ? l.T(a.Zh, a.En) : code;

    /// <summary>
    /// The fields that differ between the record before and after (all of them when one side is missing, as for a
    /// creation), in the order they were written; a record that is not a JSON object is one row with the whole value.
    /// </summary>
    public static List<Change> Changes(string? before, string? after, Func<string, string, string>? value = null)
    {
        var b = Fields_(before);
        var a = Fields_(after);
        var names = b.Keys.Concat(a.Keys).Distinct(StringComparer.Ordinal).ToList();
        var changes = new List<Change>();
        foreach (var name in names)
        {
            var old = b.GetValueOrDefault(name);
            var @new = a.GetValueOrDefault(name);
            if (before is not null && after is not null && old == @new)
            {
                continue;
            }
            var (zh, en) = Fields.TryGetValue(name, out var f) ? f : (name, name);
            changes.Add(new Change(zh, en, Shown(name, old ?? "—", value), Shown(name, @new ?? "—", value)));
        }
        return changes;
    }

    private static string Shown(string field, string value, Func<string, string, string>? shown) =>
        shown is null || value == "—" ? value : shown(field, value);

    /// <summary>The names of all fields of <paramref name="json"/> with their values as shown before naming (for <see cref="AuditSubjects.OfField"/>).</summary>
    public static IEnumerable<(string Field, string Value)> Values(string? json) => Fields_(json).Select(f => (f.Key, f.Value));

    private static Dictionary<string, string> Fields_(string? json)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json))
        {
            return fields;
        }
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                fields[""] = Value(doc.RootElement);
                return fields;
            }
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                fields[p.Name] = Value(p.Value);
            }
        }
        catch (JsonException)
        {
            fields[""] = json;
        }
        return fields;
    }

    private static string Value(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString() ?? "",
        JsonValueKind.Null or JsonValueKind.Undefined => "—",
        JsonValueKind.True => "✓",
        JsonValueKind.False => "✗",
        JsonValueKind.Array => string.Join("，", e.EnumerateArray().Select(Value)),
        JsonValueKind.Object => string.Join("；", e.EnumerateObject().Select(p => $"{p.Name}={Value(p.Value)}")),
        _ => e.GetRawText(),
    };
}
