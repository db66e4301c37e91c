using static Hall.Server.Reports.ReportFormat;

namespace Hall.Server.Reports;

/// <summary>
/// 月通报, a 公文 (GB/T 9704): the body tells the month (总体情况, written from the figures) and carries the supervisor's sections;
/// annex 1 holds attendance, business, satisfaction and the ranking with the charts and the 普法 plays, annex 2 the bad ratings.
/// </summary>
public static class BulletinReport
{
    /// <param name="county">The county hall (first) and its township sites, for the roll-up; null for a hall without sites.</param>
    /// <param name="previous">The month before, for 环比; <paramref name="yearAgo"/> the same month a year before, for 同比.</param>
    /// <param name="issuer">The hall's 发文 settings; the hall's name and the default addressee when null.</param>
    /// <param name="sections">The supervisor's sections and, once issued, the number; none when null (a draft).</param>
    public static ReportDocument Build(ReportFigures f, IReadOnlyList<ReportFigures>? county = null, ReportFigures? previous = null, ReportFigures? yearAgo = null,
        DocumentIssuer? issuer = null, DocumentSections? sections = null)
    {
        var input = f.Input;
        var month = $"{input.From.Year}年{input.From.Month}月";
        var outcomes = Outcomes(f);
        sections ??= DocumentSections.None;
        var blocks = new List<ReportBlock>(OfficialDocument.Body(Narrative(f, previous, yearAgo), sections))
        {
            new ReportAnnex($"{input.Hall.Name}{month}各项指标统计表"),
            new ReportKeyFigures(
            [
                new("取号", Count(f.Hall.Issued).Text), new("办件量", Count(f.Hall.Served).Text), new("办结率", Percent(f.Hall.CompletionRate).Text),
                new("容缺受理", Count(f.Hall.MaterialsToFollow).Text), new("告知承诺", Count(f.Hall.OnPromise).Text), new("平均等候(分钟)", Minutes(f.Hall.Wait.Average).Text),
                new("平均办理(分钟)", Minutes(f.Hall.Handling.Average).Text), new("评价数", Count(f.Hall.Ratings.Total).Text), new("好评率", Percent(f.Hall.Ratings.Rate).Text),
                new("差评", Count(f.Hall.Ratings.Bad).Text), new("回访按期", $"{f.FollowUpsOnTime}/{f.FollowUps.Count}"),
            ]),
            new ReportHeading("一、考勤"),
            AttendanceTable(f),
            ClerkPauseTable(f),
            new ReportHeading("二、业务量"),
            WindowBusinessTable(f, outcomes),
            WindowEfficiencyTable(f),
            DailyPatrolReport.ServiceTable(f, "业务", "各业务办件"),
            ServiceOutcomeTable(f, outcomes),
            DepartmentTable(f, outcomes),
            new ReportHeading("三、好差评"),
            SatisfactionTable(f, "窗口好差评", "各窗口好差评及差评回访", [.. input.Windows.Select(w => (Window(w), f.Window(w.Id), f.FollowUps.Where(c => c.Case.WindowId == w.Id).ToList()))]),
            SatisfactionTable(f, "人员好差评", "各工作人员好差评及差评回访", [.. Clerks(f).Select(id => (input.Staff.GetValueOrDefault(id, $"#{id}"), f.Staff(id), f.FollowUps.Where(c => c.Case.StaffId == id).ToList()))]),
            RatingsBy(f, "业务好差评", "各业务好差评", "业务", input.Services.Select(s => (s.Value, f.Service(s.Key)))),
            RatingsBy(f, "部门好差评", "各部门好差评（按办结时登记的事项）", "部门", f.ByDepartment.OrderByDescending(kv => kv.Value.Served).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value))),
            new ReportParagraph(f.FollowUps.Count == 0 ? "本月无差评。"
                : $"本月差评 {f.FollowUps.Count} 件，按期办结 {f.FollowUpsOnTime} 件，逾期 {f.FollowUpsLate} 件，办理中 {f.FollowUps.Count(c => c.State == "办理中")} 件，明细见附件2。"),
            LoopTable(f),
            new ReportHeading("四、窗口排名"),
            new ReportParagraph($"评价不少于 {input.Hall.RankingMinRatings} 条的窗口按好评率、办件量、平均等候（短者在前）依次排名；评价不足的窗口不排名次，列于其后。定义见《报表口径说明》。"),
            RankingTable(f, "窗口排名", "窗口排名"),
            new ReportPageBreak(),
            new ReportHeading("五、图表"),
        };
        blocks.AddRange(Charts(f));
        blocks.Add(new ReportHeading("六、普法视频播放"));
        blocks.Add(LegalPlaysTable(f));
        blocks.Add(new ReportHeading("七、日常巡查"));
        blocks.AddRange(PatrolSheet.Summary(f, "日常巡查", "本月"));
        blocks.Add(new ReportHeading("八、预约"));
        blocks.AddRange(BookingSheet.Summary(f, "预约", "本月"));
        blocks.Add(new ReportHeading("九、有诉即办"));
        blocks.AddRange(ComplaintSheet.Summary(f, "有诉即办", "本月"));
        if (county is not null)
        {
            blocks.Add(new ReportHeading("十、全县汇总"));
            blocks.Add(SitesTable(county, "各站点", "县级大厅与乡镇（街道）便民服务中心"));
        }
        // Long lists go to an annex, not pages of body.
        blocks.Add(new ReportAnnex("差评及回访明细"));
        blocks.Add(DailyPatrolReport.FollowUpTable(f));
        return new ReportDocument($"关于{input.Hall.Name}{month}工作情况的通报", $"统计期间 {Period(input, "本月")}", blocks)
        {
            Footer = $"{input.Hall.Name} · 月通报 {input.From:yyyy-MM} · 生成于 {Stamp(input.Now, input.Hall.Zone)}",
            Form = OfficialDocument.Form(issuer ?? new DocumentIssuer(input.Hall.Name, Halls.HallSite.DefaultAddressee, null), sections, input.Today),
        };
    }

    /// <summary>
    /// 总体情况, written from the figures: volumes with 环比 and 同比, 办结 and the ways cases were accepted, waits, 好差评 and the
    /// bad ratings' closure, and the best and worst of the ranked windows.
    /// </summary>
    /// <param name="period">How the text names the period: 本月, 本年.</param>
    internal static string Narrative(ReportFigures f, ReportFigures? previous, ReportFigures? yearAgo, string period = "本月")
    {
        var h = f.Hall;
        static string Versus(int now, ReportFigures? then, string name) =>
            then is null ? "" : then.Hall.Served == 0 ? $"，{name}无可比（上期无办件）"
                : $"，{name}{(now >= then.Hall.Served ? "增长" : "下降")} {Percent(Math.Abs(now - then.Hall.Served) / (double)then.Hall.Served).Text}";
        var text = new System.Text.StringBuilder();
        text.Append($"{period}共取号 {h.Issued} 张，办件 {h.Served} 件{Versus(h.Served, previous, "环比")}{Versus(h.Served, yearAgo, "同比")}；");
        text.Append($"其中办结 {h.Outcomes.GetValueOrDefault(Queue.TicketRules.Completed)} 件，办结率 {Percent(h.CompletionRate).Text}；");
        text.Append($"容缺受理 {h.MaterialsToFollow} 件，告知承诺 {h.OnPromise} 件，咨询 {h.Consultations} 件。");
        text.Append($"平均等候 {Minutes(h.Wait.Average).Text} 分钟，平均办理 {Minutes(h.Handling.Average).Text} 分钟。");
        text.Append($"收到评价 {h.Ratings.Total} 条，好评率 {Percent(h.Ratings.Rate).Text}，评价率 {Percent(h.RatedShare).Text}；");
        text.Append(h.Ratings.Bad == 0 ? "无差评。" : $"差评 {h.Ratings.Bad} 条，已整改 {h.BadRemedied} 条，差评整改率 {Percent(h.RemedyRate).Text}。");
        text.Append(PatrolSheet.Sentence(f.Input, period));
        text.Append(BookingSheet.Sentence(f.Input, period));
        text.Append(ComplaintSheet.Sentence(f.Input, period));
        var ranked = f.Ranking().Where(x => x.Ranked).ToList();
        if (ranked.Count >= 2)
        {
            text.Append($"好评率最高的窗口为{Window(ranked[0].Window)}（{Percent(ranked[0].Stat.Ratings.Rate).Text}），最低的为{Window(ranked[^1].Window)}（{Percent(ranked[^1].Stat.Ratings.Rate).Text}）。");
        }
        if (f.Input.Windows.Where(w => f.Window(w.Id).Wait.Count > 0).MaxBy(w => f.Window(w.Id).Wait.Average) is { } slowest)
        {
            text.Append($"平均等候最长的窗口为{Window(slowest)}（{Minutes(f.Window(slowest.Id).Wait.Average).Text} 分钟）。");
        }
        return text.ToString();
    }

    /// <summary>The hall's outcomes of cases in its own order, then any other recorded in the period (咨询 has its own column).</summary>
    internal static List<string> Outcomes(ReportFigures f) =>
        [.. f.Input.Hall.Outcomes.Concat(f.Hall.Outcomes.Keys.Order(StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).Where(o => o != Queue.TicketRules.Consultation)];

    /// <summary>办件量, each outcome, 办结率, then how cases were accepted (容缺受理, 告知承诺) and the consultations (咨询).</summary>
    internal static IEnumerable<ReportColumn> CaseColumns(List<string> outcomes) =>
        [
            new("办件量", 1, CellAlign.Right), .. outcomes.Select(o => new ReportColumn(o, 1, CellAlign.Right)), new("办结率", 1.2, CellAlign.Right),
            new("容缺受理", 1, CellAlign.Right), new("告知承诺", 1, CellAlign.Right), new("咨询", 0.9, CellAlign.Right),
        ];

    internal static IEnumerable<ReportCell> CaseCells(WorkStat s, List<string> outcomes) =>
        [
            Count(s.Served), .. outcomes.Select(o => Count(s.Outcomes.GetValueOrDefault(o))), Percent(s.CompletionRate),
            Count(s.MaterialsToFollow), Count(s.OnPromise), Count(s.Consultations),
        ];

    /// <summary>
    /// Everyone who held a window or finished a ticket in the period, in the order of the windows they held (the lowest
    /// window number first; at one window, who held it first), as the hall's floor plan reads — not by the code points of names.
    /// </summary>
    internal static IEnumerable<int> Clerks(ReportFigures f)
    {
        var numbers = f.Input.Windows.ToDictionary(w => w.Id, w => w.Number);
        var held = f.Input.WindowEvents.GroupBy(e => e.StaffId).ToDictionary(g => g.Key,
            g => g.Select(e => (Number: numbers.GetValueOrDefault(e.WindowId, int.MaxValue), e.At)).Min());
        return f.ByStaff.Where(kv => kv.Value.Staffed > TimeSpan.Zero || kv.Value.Served + kv.Value.Consultations > 0 || kv.Value.Ratings.Total > 0 || kv.Value.Pauses.Count > 0)
            .Select(kv => kv.Key).Union(f.Attendance.Keys)
            .OrderBy(id => held.TryGetValue(id, out var h) ? h : (int.MaxValue, DateTimeOffset.MaxValue))
            .ThenBy(id => f.Input.Staff.GetValueOrDefault(id, ""), StringComparer.Ordinal).ThenBy(id => id);
    }

    /// <summary>
    /// 考勤 against the roster: 应出勤 (rostered days the hall opened), 实出勤 (days at a window), 请假, 公出, 缺勤, 迟到, 早退, 超时暂停;
    /// a clerk never rostered in the period has — where the roster decides.
    /// </summary>
    private static ReportTable AttendanceTable(ReportFigures f)
    {
        var rows = Clerks(f).Select(id =>
        {
            var s = f.Staff(id);
            var a = f.Attendance.GetValueOrDefault(id) ?? new AttendanceStat();
            ReportCell ByRoster(int n) => a.Rostered ? Count(n) : Text(None);
            return (IReadOnlyList<ReportCell>)
            [
                Text(f.Input.Staff.GetValueOrDefault(id, $"#{id}")), ByRoster(a.Due), Count(a.Present), Count(a.OnLeave), Count(a.OnBusiness),
                ByRoster(a.Absent) with { Alert = a.Absent > 0 }, ByRoster(a.Late) with { Alert = a.Late > 0 }, ByRoster(a.LeftEarly) with { Alert = a.LeftEarly > 0 },
                Count(a.LongPauses), Hours(s.Staffed), Count(s.Served),
            ];
        }).ToList();
        return new ReportTable("考勤", $"工作人员考勤（按排班；到岗、离岗前后 {ReportFigures.AttendanceGraceMinutes} 分钟内为正常；在岗时长计开放时间内，单位：小时）",
            [
                new("工作人员", 1.5), new("应出勤", 1, CellAlign.Right), new("实出勤", 1, CellAlign.Right), new("请假", 0.9, CellAlign.Right), new("公出", 0.9, CellAlign.Right),
                new("缺勤", 0.9, CellAlign.Right), new("迟到", 0.9, CellAlign.Right), new("早退", 0.9, CellAlign.Right), new("超时暂停", 1, CellAlign.Right),
                new("在岗(时)", 1.1, CellAlign.Right), new("办件量", 1, CellAlign.Right),
            ], rows);
    }

    /// <summary>Each clerk's pauses by reason (minutes within opening hours).</summary>
    private static ReportTable ClerkPauseTable(ReportFigures f)
    {
        var reasons = f.Input.Hall.PauseReasons.Concat(f.Hall.Pauses.Keys.Order(StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        return new ReportTable("人员暂停", "工作人员暂停（按原因，计开放时间内，单位：分钟）",
            [new("工作人员", 1.5), .. reasons.Select(r => new ReportColumn(r, 1, CellAlign.Right)), new("暂停合计", 1, CellAlign.Right)],
            [.. Clerks(f).Select(id => f.Staff(id) is var s ? (IReadOnlyList<ReportCell>)
                [Text(f.Input.Staff.GetValueOrDefault(id, $"#{id}")), .. reasons.Select(r => WholeMinutes(s.Pauses.GetValueOrDefault(r))), WholeMinutes(s.PauseTotal)] : [])]);
    }

    private static ReportTable WindowBusinessTable(ReportFigures f, List<string> outcomes) =>
        new("窗口业务量", "各窗口业务量、办理结果与受理方式",
            [new("窗口", 2.2), .. CaseColumns(outcomes)],
            [.. f.Input.Windows.Select(w => (IReadOnlyList<ReportCell>)[Text(Window(w)), .. CaseCells(f.Window(w.Id), outcomes)])])
        {
            Total = [Text("合计"), .. CaseCells(f.Hall, outcomes)],
        };

    /// <summary>Each window's waits, handling, no-shows, transfers and utilisation (分钟; 利用率 = 办理时长 ÷ 在岗时长).</summary>
    private static ReportTable WindowEfficiencyTable(ReportFigures f) =>
        new("窗口效率", "各窗口等候、办理与利用率（时长单位：分钟）",
            [
                new("窗口", 2.2), new("平均等候", 1, CellAlign.Right), new("平均办理", 1, CellAlign.Right), new("过号", 1, CellAlign.Right),
                new("转出", 1, CellAlign.Right), new("利用率", 1, CellAlign.Right),
            ],
            [.. f.Input.Windows.Select(w => f.Window(w.Id) is var s ? (IReadOnlyList<ReportCell>)
                [Text(Window(w)), Minutes(s.Wait.Average), Minutes(s.Handling.Average), Count(s.NoShows), Count(s.TransfersOut), Percent(s.Utilisation)] : [])])
        {
            Total = [Text("合计"), Minutes(f.Hall.Wait.Average), Minutes(f.Hall.Handling.Average), Count(f.Hall.NoShows), Count(f.Hall.TransfersOut), Percent(f.Hall.Utilisation)],
        };

    private static ReportTable DepartmentTable(ReportFigures f, List<string> outcomes)
    {
        var rows = f.ByDepartment.OrderByDescending(kv => kv.Value.Served).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (IReadOnlyList<ReportCell>)
        [
            Text(kv.Key), .. CaseCells(kv.Value, outcomes),
        ]).ToList();
        return new ReportTable("部门业务量", "各部门业务量（按办结时登记的事项；一件涉及多个部门的，各部门各计一件）",
            [new("部门", 2.5), .. CaseColumns(outcomes)], rows);
    }

    internal static ReportTable SatisfactionTable(ReportFigures f, string sheet, string caption, IReadOnlyList<(string Name, WorkStat Stat, List<FollowUpStatus> FollowUps)> subjects)
    {
        var rows = subjects.Select(x => (IReadOnlyList<ReportCell>)
        [
            Text(x.Name), Count(x.Stat.Ratings.Total), .. Levels.Select(l => Count(x.Stat.Ratings[l])), Percent(x.Stat.Ratings.Rate), Percent(x.Stat.RatedShare),
            Count(x.FollowUps.Count(c => c.State == "按期办结")), Count(x.FollowUps.Count(c => c.Late)) with { Alert = x.FollowUps.Any(c => c.Late) },
        ]).ToList();
        return new ReportTable(sheet, caption,
            [
                new(sheet.StartsWith('人') ? "工作人员" : "窗口", 2.0), new("评价数", 1, CellAlign.Right), .. Levels.Select(l => new ReportColumn(Level(l), 1, CellAlign.Right)),
                new("好评率", 1.1, CellAlign.Right), new("评价率", 1.1, CellAlign.Right), new("回访按期", 1, CellAlign.Right), new("回访逾期", 1, CellAlign.Right),
            ],
            rows)
        {
            Total =
            [
                Text("合计"), Count(f.Hall.Ratings.Total), .. Levels.Select(l => Count(f.Hall.Ratings[l])), Percent(f.Hall.Ratings.Rate), Percent(f.Hall.RatedShare),
                Count(f.FollowUpsOnTime), Count(f.FollowUpsLate),
            ],
        };
    }

    /// <summary>差评闭环: the bad ratings' 核实 · 整改 · 回访 · 申诉复核 of the month, one figure a row, as DEFINITIONS.md defines them.</summary>
    internal static ReportTable LoopTable(ReportFigures f) =>
        new("差评闭环", "差评闭环（核实、整改、回访、申诉复核）", [new("指标", 2.4), new("数值", 1, CellAlign.Right)],
            [.. LoopFigures.Select(x => (IReadOnlyList<ReportCell>)[Text(x.Name), x.Cell(f.Loop)])]);

    /// <summary>差评闭环's figures in the bulletin's order: the rows of the month's table, the columns of the year view's months.</summary>
    internal static readonly IReadOnlyList<(string Name, Func<BadRatingLoop, ReportCell> Cell)> LoopFigures =
        [
            ("差评件数", l => Count(l.Cases)),
            ("应办结", l => Count(l.Due)),
            ("按期办结", l => Count(l.OnTime)),
            ("按期办结率", l => Percent(l.OnTimeRate)),
            ("回访（已联系）", l => Count(l.CalledBack)),
            ("回访满意", l => Count(l.CallBackSatisfied)),
            ("回访满意率", l => Percent(l.CallBackRate)),
            ("未能联系", l => Count(l.Unreachable)),
            ("申诉提出", l => Count(l.AppealsFiled)),
            ("申诉采纳", l => Count(l.AppealsUpheld)),
            ("申诉驳回", l => Count(l.AppealsRejected)),
            ("待复核", l => Count(l.AppealsPending)),
        ];

    /// <summary>好差评 by service or department, by the national names: 评价率, 好评 and 差评, 好评率, 差评整改率.</summary>
    internal static ReportTable RatingsBy(ReportFigures f, string sheet, string caption, string subject, IEnumerable<(string Name, WorkStat Stat)> subjects) =>
        new(sheet, caption,
            [
                new(subject, 2.4), new("办件量", 1, CellAlign.Right), new("评价数", 1, CellAlign.Right), new("评价率", 1, CellAlign.Right), new("好评", 1, CellAlign.Right),
                new("差评", 1, CellAlign.Right), new("好评率", 1, CellAlign.Right), new("差评整改率", 1.1, CellAlign.Right),
            ],
            [.. subjects.Where(x => x.Stat.Served + x.Stat.Consultations + x.Stat.Ratings.Total > 0).Select(x => RatingCells(x.Name, x.Stat))])
        {
            Total = RatingCells("合计", f.Hall),
        };

    private static IReadOnlyList<ReportCell> RatingCells(string name, WorkStat s) =>
        [
            Text(name), Count(s.Served), Count(s.Ratings.Total), Percent(s.RatedShare), Count(s.Ratings.Satisfied), Count(s.Ratings.Bad),
            Percent(s.Ratings.Rate), Percent(s.RemedyRate),
        ];

    private static ReportTable ServiceOutcomeTable(ReportFigures f, List<string> outcomes)
    {
        var rows = f.Input.Services.Where(kv => f.Service(kv.Key).Served + f.Service(kv.Key).Consultations > 0).Select(kv => (IReadOnlyList<ReportCell>)
        [
            Text(kv.Value), .. CaseCells(f.Service(kv.Key), outcomes),
        ]).ToList();
        return new ReportTable("业务办理结果", "各业务办理结果与受理方式",
            [new("业务", 2.5), .. CaseColumns(outcomes)], rows);
    }

    internal static ReportTable RankingTable(ReportFigures f, string sheet, string caption)
    {
        var rows = f.Ranking().Select((x, i) => (IReadOnlyList<ReportCell>)
        [
            x.Ranked ? Count(i + 1) : Text(None), Text(Window(x.Window)), Percent(x.Stat.Ratings.Rate), Count(x.Stat.Ratings.Total), Count(x.Stat.Served), Minutes(x.Stat.Wait.Average),
        ]).ToList();
        return new ReportTable(sheet, caption,
            [new("名次", 0.7, CellAlign.Right), new("窗口", 2.4), new("好评率", 1, CellAlign.Right), new("评价数", 1, CellAlign.Right), new("办件量", 1, CellAlign.Right), new("平均等候", 1, CellAlign.Right)], rows);
    }

    private static IEnumerable<ReportBlock> Charts(ReportFigures f)
    {
        // Working days only (the days the hall opened, or worked): a weekend is not a day of zero business.
        var days = Enumerable.Range(0, f.Input.To.DayNumber - f.Input.From.DayNumber + 1).Select(i => f.Input.From.AddDays(i))
            .Where(d => f.OpeningByDay.ContainsKey(d) || f.Day(d).Issued > 0 || f.Day(d).Served > 0).ToList();
        yield return new ReportChart("每日取号与办件量", ChartKind.Lines, [.. days.Select(d => d.Day.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            [new("取号", [.. days.Select(d => (double)f.Day(d).Issued)]), new("办件量", [.. days.Select(d => (double)f.Day(d).Served)])])
        { XLabel = "日", YLabel = "张" };
        yield return new ReportTable("每日", "每日取号与办件量", [new("日期", 1.4), new("取号", 1, CellAlign.Right), new("办件量", 1, CellAlign.Right), new("平均等候", 1, CellAlign.Right), new("好评率", 1, CellAlign.Right)],
            [.. days.Where(d => f.Day(d).Issued > 0 || f.Day(d).Served > 0)
                .Select(d => (IReadOnlyList<ReportCell>)[Text(Date(d)), Count(f.Day(d).Issued), Count(f.Day(d).Served), Minutes(f.Day(d).Wait.Average), Percent(f.Day(d).Ratings.Rate)])]);

        var hours = DailyPatrolReport.OpenHours(f).ToList();
        string[] weekdays = ["一", "二", "三", "四", "五", "六", "日"];
        yield return new ReportChart("分时段取号（星期 × 小时）", ChartKind.Heatmap, [.. hours.Select(h => $"{h}")],
            [.. Enumerable.Range(0, 7).Select(d => new ChartSeries($"周{weekdays[d]}", [.. hours.Select(h => (double)f.IssuedByWeekdayHour[d, h])]))])
        { XLabel = "时", HeightMm = 60 };
        yield return new ReportTable("分时段", "分时段取号（星期 × 小时）", [new("星期", 1), .. hours.Select(h => new ReportColumn($"{h}时", 1, CellAlign.Right))],
            [.. Enumerable.Range(0, 7).Select(d => (IReadOnlyList<ReportCell>)[Text($"周{weekdays[d]}"), .. hours.Select(h => Count(f.IssuedByWeekdayHour[d, h]))])]);

        yield return new ReportChart("等候时长分布", ChartKind.Bars, [.. ReportFigures.WaitBuckets.Select(b => b.Label)],
            [new("叫号数", [.. f.WaitDistribution.Select(n => (double)n)])])
        { YLabel = "张", HeightMm = 55 };
        yield return new ReportTable("等候分布", "等候时长分布（取号至首次叫号）", [new("等候", 1.5), new("张数", 1, CellAlign.Right), new("占比", 1, CellAlign.Right)],
            [.. ReportFigures.WaitBuckets.Select((b, i) => (IReadOnlyList<ReportCell>)[Text(b.Label), Count(f.WaitDistribution[i]),
                Percent(f.Hall.Wait.Count == 0 ? null : (double)f.WaitDistribution[i] / f.Hall.Wait.Count)])]);

        var rated = f.Input.Windows.Where(w => f.Window(w.Id).Ratings.Total > 0).ToList();
        var rates = rated.Select(w => Math.Round((f.Window(w.Id).Ratings.Rate ?? 0) * 100, 1)).ToList();
        yield return new ReportChart("各窗口好评率", ChartKind.HorizontalBars, [.. rated.Select(Window)], [new("好评率(%)", rates)])
        {
            XLabel = "%",
            HeightMm = Math.Clamp(20 + (rated.Count * 6), 40, 150),
            // Rates all above 60 % start the axis a step below the lowest, so the differences show; it says where it starts.
            ValueFrom = rates.Count > 0 && rates.Min() >= 60 ? Math.Floor((rates.Min() - 5) / 10) * 10 : null,
        };
    }

    /// <summary>The county hall and its township sites side by side, and the county's total (全县合计) summed from them.</summary>
    internal static ReportTable SitesTable(IReadOnlyList<ReportFigures> sites, string sheet, string caption)
    {
        static IReadOnlyList<ReportCell> Cells(string name, WorkStat s) =>
            [
                Text(name), Count(s.Issued), Count(s.Served), Percent(s.CompletionRate), Count(s.MaterialsToFollow), Count(s.OnPromise), Minutes(s.Wait.Average),
                Count(s.Ratings.Total), Percent(s.Ratings.Rate), Percent(s.RatedShare), Count(s.Ratings.Bad), Percent(s.RemedyRate),
            ];
        return new ReportTable(sheet, caption,
            [
                new("站点", 2.6), new("取号", 0.9, CellAlign.Right), new("办件量", 1, CellAlign.Right), new("办结率", 1.1, CellAlign.Right),
                new("容缺受理", 1, CellAlign.Right), new("告知承诺", 1, CellAlign.Right), new("平均等候", 1, CellAlign.Right), new("评价数", 1, CellAlign.Right),
                new("好评率", 1.1, CellAlign.Right), new("评价率", 1.1, CellAlign.Right), new("差评", 0.9, CellAlign.Right), new("整改率", 1.1, CellAlign.Right),
            ],
            [.. sites.Select(s => Cells(s.Input.Hall.Name, s.Hall))])
        {
            Total = Cells("全县合计", WorkStat.Sum(sites.Select(s => s.Hall))),
        };
    }

    internal static ReportTable LegalPlaysTable(ReportFigures f)
    {
        var rows = f.Input.Media.Where(m => m.Legal).Select(m =>
        {
            var (plays, completed, shown) = f.LegalPlays.GetValueOrDefault(m.Id);
            return (IReadOnlyList<ReportCell>)[Text(m.Title), Count(plays), Count(completed), Hours(shown)];
        }).ToList();
        var total = f.LegalPlays.Values.Aggregate((Plays: 0, Completed: 0, Shown: TimeSpan.Zero), (a, b) => (a.Plays + b.Plays, a.Completed + b.Completed, a.Shown + b.Shown));
        return new ReportTable("普法播放", "普法视频播放（各大屏播放记录）",
            [new("视频", 3), new("播放次数", 1, CellAlign.Right), new("完整播放", 1, CellAlign.Right), new("播放时长(时)", 1.2, CellAlign.Right)], rows)
        {
            Total = [Text("合计"), Count(total.Plays), Count(total.Completed), Hours(total.Shown)],
        };
    }
}
