using Hall.Server.Alerts;
using Hall.Server.Queue;
using static Hall.Server.Reports.ReportFormat;

namespace Hall.Server.Reports;

/// <summary>日巡查: one business day of the hall — every window, every service, the hours, the alerts, the devices and the bad ratings.</summary>
public static class DailyPatrolReport
{
    public static ReportDocument Build(ReportFigures f)
    {
        var input = f.Input;
        var zone = input.Hall.Zone;
        var day = input.From;
        var ranges = input.Hall.RangesOn(day);
        var hours = ranges.Count == 0 ? "闭厅" : string.Join("，", ranges.Select(r => $"{r.From:HH\\:mm}–{r.To:HH\\:mm}"));
        var blocks = new List<ReportBlock>
        {
            new ReportKeyFigures(
            [
                new("取号", Count(f.Hall.Issued).Text), new("办件量", Count(f.Hall.Served).Text), new("过号", Count(f.Hall.NoShows).Text),
                new("平均等候(分钟)", Minutes(f.Hall.Wait.Average).Text), new("最长等候(分钟)", Minutes(f.Hall.Wait.Count == 0 ? null : f.Hall.Wait.MaxMinutes).Text),
                new("好评率", Percent(f.Hall.Ratings.Rate).Text), new("告警", Count(input.Alerts.Count).Text),
            ]),
            new ReportHeading("一、窗口"),
            WindowTable(f),
            AttendanceTable(f),
            new ReportHeading("二、暂停"),
            PauseTable(f),
            LongPauseTable(f),
            new ReportHeading("三、业务"),
            ServiceTable(f),
            new ReportChart("分时段取号与叫号", ChartKind.Bars, [.. OpenHours(f).Select(h => $"{h}时")],
                [new("取号", [.. OpenHours(f).Select(h => (double)f.IssuedByHour[h])]), new("叫号", [.. OpenHours(f).Select(h => (double)f.CalledByHour[h])])])
            { YLabel = "张", HeightMm = 60 },
            HourTable(f),
            PendingTable(f),
            new ReportHeading("四、评价与差评回访"),
            RatingTable(f),
            FollowUpTable(f),
            new ReportHeading("五、告警与设备"),
            AlertTable(f),
            DeviceTable(f),
        };
        blocks.AddRange(PatrolSheet.Blocks(f));
        blocks.AddRange(BookingSheet.Blocks(f, "七、预约"));
        return new ReportDocument($"{input.Hall.Name} 日巡查表", $"{ChineseDate(day)}（{Weekday(day)}）  开放时间 {hours}", blocks)
        {
            Footer = $"{input.Hall.Name} · 日巡查 {Date(day)} · 生成于 {Stamp(input.Now, zone)}",
        };
    }

    /// <summary>The hours of the day with any ticket or any opening: 8–18 at least.</summary>
    internal static IEnumerable<int> OpenHours(ReportFigures f)
    {
        var used = Enumerable.Range(0, 24).Where(h => f.IssuedByHour[h] > 0 || f.CalledByHour[h] > 0).ToList();
        var first = Math.Min(8, used.Count > 0 ? used.Min() : 8);
        var last = Math.Max(18, used.Count > 0 ? used.Max() : 18);
        return Enumerable.Range(first, last - first + 1);
    }

    private static ReportTable WindowTable(ReportFigures f)
    {
        var rows = new List<IReadOnlyList<ReportCell>>();
        foreach (var w in f.Input.Windows)
        {
            var s = f.Window(w.Id);
            rows.Add(
            [
                Text(Window(w)), Text(Clerks(f, w.Id)), Hours(s.Staffed), Hours(f.OpeningTime), WholeMinutes(s.PauseTotal),
                Count(s.Served), Minutes(s.Wait.Average), Minutes(s.Wait.Count == 0 ? null : s.Wait.MaxMinutes),
                Minutes(s.Handling.Average), Minutes(s.Handling.Count == 0 ? null : s.Handling.MaxMinutes),
                Count(s.NoShows), Count(s.TransfersOut), Count(s.Ratings.Total), Percent(s.Ratings.Rate),
            ]);
        }
        return new ReportTable("窗口", "各窗口在岗与办件（时长单位：在岗、开放为小时，其余为分钟）",
            [
                new("窗口", 2.05), new("工作人员", 1.1), new("在岗", 0.95, CellAlign.Right), new("开放", 0.8, CellAlign.Right), new("暂停", 0.8, CellAlign.Right),
                new("办件量", 1, CellAlign.Right), new("平均等候", 0.9, CellAlign.Right), new("最长等候", 0.9, CellAlign.Right),
                new("平均办理", 0.9, CellAlign.Right), new("最长办理", 0.9, CellAlign.Right), new("过号", 0.85, CellAlign.Right),
                new("转出", 0.85, CellAlign.Right), new("评价", 0.85, CellAlign.Right), new("好评率", 1.15, CellAlign.Right),
            ], rows)
        {
            Total =
            [
                Text("合计"), Text(""), Hours(f.Hall.Staffed), Text(""), WholeMinutes(f.Hall.PauseTotal), Count(f.Hall.Served),
                Minutes(f.Hall.Wait.Average), Minutes(f.Hall.Wait.Count == 0 ? null : f.Hall.Wait.MaxMinutes),
                Minutes(f.Hall.Handling.Average), Minutes(f.Hall.Handling.Count == 0 ? null : f.Hall.Handling.MaxMinutes),
                Count(f.Hall.NoShows), Count(f.Hall.TransfersOut), Count(f.Hall.Ratings.Total), Percent(f.Hall.Ratings.Rate),
            ],
        };
    }

    /// <summary>到岗: each clerk due today or at a window today — where rostered, when they came and left, and how it counts.</summary>
    private static ReportTable AttendanceTable(ReportFigures f)
    {
        var zone = f.Input.Hall.Zone;
        var windows = f.Input.Windows.ToDictionary(w => w.Id);
        var order = BulletinReport.Clerks(f).Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var rows = f.ClerkDays.OrderBy(d => order.GetValueOrDefault(d.StaffId, int.MaxValue)).Select(d => (IReadOnlyList<ReportCell>)
        [
            Text(f.Input.Staff.GetValueOrDefault(d.StaffId, $"#{d.StaffId}")),
            Text(!d.Due ? "未排班" : d.RosterWindowId is { } w && windows.TryGetValue(w, out var win) ? Window(win) : "不定窗口"),
            Text(d.First is { } first ? Time(first, zone) : None), Text(d.Last is { } last ? Time(last, zone) : None),
            Text(AttendanceName(d.State), d.State is DayAttendance.Absent or DayAttendance.Late or DayAttendance.LeftEarly or DayAttendance.LateAndLeftEarly),
        ]).ToList();
        return new ReportTable("到岗", $"工作人员到岗（按排班；开放前后 {ReportFigures.AttendanceGraceMinutes} 分钟内到岗、离岗为正常）",
            [new("工作人员", 1.3), new("排班窗口", 2.2), new("到岗", 1, CellAlign.Right), new("离岗", 1, CellAlign.Right), new("情况", 1.4)], rows);
    }

    internal static string AttendanceName(DayAttendance state) => state switch
    {
        DayAttendance.OnTime => "正常",
        DayAttendance.Late => "迟到",
        DayAttendance.LeftEarly => "早退",
        DayAttendance.LateAndLeftEarly => "迟到、早退",
        DayAttendance.Absent => "缺勤",
        DayAttendance.OnLeave => "请假",
        DayAttendance.OnBusiness => "公出",
        _ => "排班外出勤",
    };

    /// <summary>The clerks who held the window in the period, by the window-session log.</summary>
    internal static string Clerks(ReportFigures f, int windowId)
    {
        var ids = f.Input.WindowEvents.Where(e => e.WindowId == windowId).Select(e => e.StaffId).Distinct();
        var names = ids.Select(id => f.Input.Staff.GetValueOrDefault(id, $"#{id}")).ToList();
        return names.Count == 0 ? "未开窗" : string.Join("、", names);
    }

    private static ReportTable PauseTable(ReportFigures f)
    {
        var rows = new List<IReadOnlyList<ReportCell>>();
        foreach (var w in f.Input.Windows)
        {
            foreach (var (reason, span) in f.Window(w.Id).Pauses.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var count = f.PauseSpans.Count(p => p.WindowId == w.Id && p.Reason == reason);
                rows.Add([Text(Window(w)), Text(reason), Count(count), WholeMinutes(span)]);
            }
        }
        return new ReportTable("暂停", "暂停（按原因，计开放时间内）", [new("窗口", 2), new("原因", 1.5), new("次数", 1, CellAlign.Right), new("分钟", 1, CellAlign.Right)], rows);
    }

    private static ReportTable LongPauseTable(ReportFigures f)
    {
        var zone = f.Input.Hall.Zone;
        var windows = f.Input.Windows.ToDictionary(w => w.Id);
        var rows = f.PauseSpans.Where(p => p.Long).OrderBy(p => p.From)
            .Select(p => (IReadOnlyList<ReportCell>)
            [
                Text(windows.TryGetValue(p.WindowId, out var w) ? Window(w) : $"#{p.WindowId}"), Text(f.Input.Staff.GetValueOrDefault(p.StaffId, $"#{p.StaffId}")),
                Text(p.Reason), Text(Time(p.From, zone)), Text(Time(p.To, zone)), WholeMinutes(p.WithinHours) with { Alert = true },
            ]).ToList();
        return new ReportTable("超时暂停", $"超过 {f.Input.Hall.PauseLimitMinutes} 分钟的暂停",
            [new("窗口", 2), new("工作人员", 1.5), new("原因", 1.5), new("开始", 1), new("结束", 1), new("分钟", 1, CellAlign.Right)], rows);
    }

    internal static ReportTable ServiceTable(ReportFigures f, string sheet = "业务", string caption = "各业务办件")
    {
        var rows = f.Input.Services.Select(kv =>
        {
            var s = f.Service(kv.Key);
            return (IReadOnlyList<ReportCell>)
            [
                Text(kv.Value), Count(s.Issued), Count(s.Served), Count(s.NoShows), Count(s.TransfersIn), Count(s.TransfersOut), Count(s.Cancelled),
                Minutes(s.Wait.Average), Minutes(s.Wait.Count == 0 ? null : s.Wait.MaxMinutes), Minutes(s.Handling.Average),
            ];
        }).Where(r => r.Skip(1).Any(c => c.Value is int n && n > 0)).ToList();
        return new ReportTable(sheet, caption,
            [
                new("业务", 2.2), new("取号", 1, CellAlign.Right), new("办件量", 1, CellAlign.Right), new("过号", 1, CellAlign.Right), new("转入", 1, CellAlign.Right),
                new("转出", 1, CellAlign.Right), new("取消", 1, CellAlign.Right), new("平均等候", 1, CellAlign.Right), new("最长等候", 1, CellAlign.Right), new("平均办理", 1, CellAlign.Right),
            ], rows)
        {
            Total =
            [
                Text("合计"), Count(f.Hall.Issued), Count(f.Hall.Served), Count(f.Hall.NoShows), Text(""), Count(f.Hall.TransfersOut), Count(f.Hall.Cancelled),
                Minutes(f.Hall.Wait.Average), Minutes(f.Hall.Wait.Count == 0 ? null : f.Hall.Wait.MaxMinutes), Minutes(f.Hall.Handling.Average),
            ],
        };
    }

    private static ReportTable HourTable(ReportFigures f) =>
        new("时段", "分时段取号与叫号",
            [new("时段", 1.5), new("取号", 1, CellAlign.Right), new("叫号", 1, CellAlign.Right)],
            [.. OpenHours(f).Select(h => (IReadOnlyList<ReportCell>)[Text($"{h:00}:00–{h + 1:00}:00"), Count(f.IssuedByHour[h]), Count(f.CalledByHour[h])])]);

    internal static ReportTable RatingTable(ReportFigures f) =>
        new("评价", "好差评（按五级）",
            [.. Levels.Select(l => new ReportColumn(Level(l), 1, CellAlign.Right)), new("评价数", 1, CellAlign.Right), new("好评率", 1, CellAlign.Right)],
            [[.. Levels.Select(l => Count(f.Hall.Ratings[l])), Count(f.Hall.Ratings.Total), Percent(f.Hall.Ratings.Rate)]]);

    /// <summary>容缺受理 and 告知承诺 of the day: what is still owed and by when, so the patrol can follow them up.</summary>
    internal static ReportTable PendingTable(ReportFigures f)
    {
        var windows = f.Input.Windows.ToDictionary(w => w.Id);
        var finished = f.Input.Events.Where(e => e.Kind == Tickets.TicketEventKind.Finished).GroupBy(e => e.TicketId).ToDictionary(g => g.Key, g => g.Last());
        var rows = f.Input.Tickets.Where(t => t.Deadline is not null || t.MissingMaterials is not null).OrderBy(t => t.Deadline).ThenBy(t => t.Number, StringComparer.Ordinal)
            .Select(t =>
            {
                var at = finished.GetValueOrDefault(t.Id);
                return (IReadOnlyList<ReportCell>)
                [
                    Text(t.Number), Text(at?.WindowId is { } w && windows.TryGetValue(w, out var win) ? Window(win) : None),
                    Text(at?.StaffId is { } s ? f.Input.Staff.GetValueOrDefault(s, $"#{s}") : None), Text(t.Acceptance is { } a ? TicketRules.Name(a) : None), Text(t.Outcome ?? None),
                    Text(t.MissingMaterials ?? None), Text(t.Deadline is { } d ? Date(d) : None), Text(t.Note ?? None),
                ];
            }).ToList();
        return new ReportTable("容缺与承诺", "容缺受理与告知承诺（待补正材料及期限）",
            [new("号码", 0.9), new("窗口", 1.8), new("工作人员", 1.1), new("受理方式", 1.2), new("办理结果", 1.1), new("缺少材料", 2.4), new("期限", 1.2), new("说明", 1.8)], rows);
    }

    internal static ReportTable FollowUpTable(ReportFigures f)
    {
        var zone = f.Input.Hall.Zone;
        var windows = f.Input.Windows.ToDictionary(w => w.Id);
        var rows = f.FollowUps.Select(x => (IReadOnlyList<ReportCell>)
        [
            Text(x.Case.TicketNumber), Text(x.Case.WindowId is { } w && windows.TryGetValue(w, out var win) ? Window(win) : None),
            Text(x.Case.StaffId is { } s ? f.Input.Staff.GetValueOrDefault(s, $"#{s}") : None), Text(Level(x.Case.Level)),
            Text(x.Case.Reasons.Count == 0 ? None : string.Join("、", x.Case.Reasons)), Text(Date(x.Case.DueDate)),
            Text(x.Case.ClosedAt is { } c ? DateTime(c, zone) : None), Text(x.State, x.Late),
        ]).ToList();
        return new ReportTable("差评回访", "差评及回访",
            [new("号码", 1), new("窗口", 2), new("工作人员", 1.2), new("评价", 1.2), new("原因", 2.2), new("回访期限", 1.4), new("办结时间", 1.4), new("状态", 1.3)], rows);
    }

    private static ReportTable AlertTable(ReportFigures f)
    {
        var zone = f.Input.Hall.Zone;
        var day = f.Input.From;
        string When(DateTimeOffset at) => HallClock.BusinessDate(at, zone) == day ? Time(at, zone) : DateTime(at, zone);
        var rows = f.Input.Alerts.OrderBy(a => a.RaisedAt).ThenBy(a => a.Subject, StringComparer.Ordinal).Select(a => (IReadOnlyList<ReportCell>)
        [
            Text(Time(a.RaisedAt, zone)), Text(a.Text), Text(a.ClearedAt is { } c ? When(c) : "未解除"),
            a.AcknowledgedBy is { } by ? Text($"已确认 {by} {When(a.AcknowledgedAt!.Value)}") : a.ClearedAt is not null ? Text("已解除") : Text("未处理", alert: true),
        ]).ToList();
        return new ReportTable("告警", "当日告警及处理（确认或条件解除即为已处理）", [new("发生", 0.8), new("内容", 3.5), new("解除", 1.1), new("处理", 1.8)], rows);
    }

    private static ReportTable DeviceTable(ReportFigures f)
    {
        var zone = f.Input.Hall.Zone;
        var rows = f.DeviceOffline.Select(a => (IReadOnlyList<ReportCell>)
        [
            Text(a.Text), Text(Time(a.RaisedAt, zone)), Text(a.ClearedAt is { } c ? (HallClock.BusinessDate(c, zone) == f.Input.From ? Time(c, zone) : DateTime(c, zone)) : "未恢复", a.ClearedAt is null),
        ]).ToList();
        return new ReportTable("设备离线", "离线设备", [new("设备", 3), new("离线告警", 1), new("恢复", 1)], rows);
    }
}
