using Hall.Server.Patrol;
using Hall.Server.Queue;
using static Hall.Server.Reports.ReportFormat;

namespace Hall.Server.Reports;

/// <summary>A patrol finding as the sheet of a date sees it: its state at the end of that date (DEFINITIONS.md, 巡查).</summary>
public sealed record PatrolFindingState(PatrolFindingRow Finding, string State, bool Closed, bool Overdue);

/// <summary>日巡查's 巡查记录: the rounds of the date as the supervisors recorded them, the day's findings and the earlier ones followed up.</summary>
public static class PatrolSheet
{
    /// <summary>The state of each finding at the end of the period (or when the report was made, if earlier).</summary>
    public static IReadOnlyList<PatrolFindingState> States(ReportInput input)
    {
        var end = ReportData.LocalMidnight(input.To.AddDays(1), input.Hall.Zone);
        var asOf = input.Now < end ? input.Now : end;
        var day = HallClock.BusinessDate(asOf, input.Hall.Zone) is var d && d > input.To ? input.To : d;
        return [.. input.PatrolFindings.Select(f =>
        {
            var closed = f.ClosedAt is { } c && c <= asOf;
            return closed
                ? HallClock.BusinessDate(f.ClosedAt!.Value, input.Hall.Zone) <= f.DueDate ? new PatrolFindingState(f, "已整改", true, false) : new PatrolFindingState(f, "逾期整改", true, false)
                : day > f.DueDate ? new PatrolFindingState(f, "逾期未整改", false, true) : new PatrolFindingState(f, "整改中", false, false);
        })];
    }

    public static IEnumerable<ReportBlock> Blocks(ReportFigures f)
    {
        var input = f.Input;
        var zone = input.Hall.Zone;
        var states = States(input);
        var today = states.Where(s => s.Finding.BusinessDate >= input.From).ToList();
        var earlier = states.Where(s => s.Finding.BusinessDate < input.From)
            .Where(s => !s.Closed || HallClock.BusinessDate(s.Finding.ClosedAt!.Value, zone) >= input.From)
            .OrderByDescending(s => s.Overdue).ThenBy(s => s.Closed).ThenBy(s => s.Finding.DueDate).ThenBy(s => s.Finding.Id).ToList();
        yield return new ReportHeading("六、巡查记录");
        if (input.PatrolRounds.Count == 0)
        {
            yield return new ReportParagraph("当日无巡查记录。");
        }
        else
        {
            yield return new ReportParagraph($"当日巡查 {input.PatrolRounds.Count} 次，发现问题 {today.Count} 个，已整改 {today.Count(s => s.Closed)} 个，逾期未整改 {today.Count(s => s.Overdue)} 个。");
        }
        var number = 0;
        foreach (var round in input.PatrolRounds)
        {
            number++;
            var signed = round.SignedAt is { } at ? $"签字：{round.SignedBy} {Time(at, zone)}" : "签字：未签字";
            var line = $"第{number}次巡查 巡查人：{round.Inspector}，开始：{Time(round.StartedAt, zone)}，{signed}";
            var checks = round.Checks.ToDictionary(c => c.Category);
            yield return new ReportTable($"第{number}次巡查", line,
                [new("检查项目", 1), new("结果", 1), new("说明", 4)],
                [.. PatrolCategories.All.Select(c => (IReadOnlyList<ReportCell>)(checks.TryGetValue(c, out var check)
                    ? [Text(PatrolCategories.Zh(c)), Text(check.Problem ? "有问题" : "正常", check.Problem), Text(check.Note ?? None)]
                    : [Text(PatrolCategories.Zh(c)), Text("未检查", true), Text(None)]))]);
        }
        if (input.PatrolRounds.Count > 0)
        {
            yield return FindingTable("巡查发现问题", "当日巡查发现的问题及整改", f, today);
        }
        yield return FindingTable("整改跟踪", "整改跟踪（以前巡查发现、当日仍未整改或当日整改完毕的问题）", f, earlier, found: true);
    }

    /// <summary>The period's rounds and findings in one sentence, for a bulletin's or year view's story.</summary>
    public static string Sentence(ReportInput input, string period)
    {
        if (input.PatrolRounds.Count == 0)
        {
            return $"{period}无巡查记录。";
        }
        var found = States(input).Where(s => s.Finding.BusinessDate >= input.From).ToList();
        return $"{period}巡查 {input.PatrolRounds.Count} 次，发现问题 {found.Count} 个，已整改 {found.Count(s => s.Closed)} 个，逾期未整改 {found.Count(s => s.Overdue)} 个。";
    }

    /// <summary>日常巡查 of a month or year: the rounds, and the findings of the period by category with their state at its end.</summary>
    public static IEnumerable<ReportBlock> Summary(ReportFigures f, string sheet, string period)
    {
        var input = f.Input;
        var found = States(input).Where(s => s.Finding.BusinessDate >= input.From).ToList();
        yield return new ReportParagraph(input.PatrolRounds.Count == 0 ? $"{period}无巡查记录。"
            : $"{period}巡查 {input.PatrolRounds.Count} 次，签字确认 {input.PatrolRounds.Count(r => r.SignedAt is not null)} 次，巡查日数 {input.PatrolRounds.Select(r => r.BusinessDate).Distinct().Count()} 天。");
        IReadOnlyList<ReportCell> Cells(string name, IReadOnlyList<PatrolFindingState> rows) =>
        [
            Text(name), Count(rows.Count), Count(rows.Count(s => s.State == "已整改")), Count(rows.Count(s => s.State == "逾期整改")),
            Count(rows.Count(s => s.Overdue)), Count(rows.Count(s => s.State == "整改中")),
        ];
        yield return new ReportTable(sheet, $"巡查发现问题及整改（按类别，状态截至{period}末）",
            [new("类别", 1.4), new("发现问题", 1, CellAlign.Right), new("已整改", 1, CellAlign.Right), new("逾期整改", 1, CellAlign.Right),
             new("逾期未整改", 1, CellAlign.Right), new("整改中", 1, CellAlign.Right)],
            [.. PatrolCategories.All.Select(c => Cells(PatrolCategories.Zh(c), [.. found.Where(s => s.Finding.Category == c)]))])
        {
            Total = Cells("合计", found),
        };
    }

    private static ReportTable FindingTable(string sheet, string caption, ReportFigures f, IReadOnlyList<PatrolFindingState> rows, bool found = false)
    {
        var windows = f.Input.Windows.ToDictionary(w => w.Id);
        IReadOnlyList<ReportColumn> columns =
        [
            .. found ? [new ReportColumn("发现日期", 1.25)] : Array.Empty<ReportColumn>(),
            new("类别", 0.9), new("窗口", 1.5), new("问题描述", 2.2), new("整改要求", 2), new("整改期限", 1.25), new("整改结果", 2), new("状态", 1.1),
        ];
        return new ReportTable(sheet, caption, columns,
            [.. rows.Select(s => (IReadOnlyList<ReportCell>)
            [
                .. found ? [Text(Date(s.Finding.BusinessDate))] : Array.Empty<ReportCell>(),
                Text(PatrolCategories.Zh(s.Finding.Category)),
                Text(s.Finding.WindowId is { } w ? windows.TryGetValue(w, out var win) ? Window(win) : $"#{w}" : "不涉及窗口"),
                Text(s.Finding.Description), Text(s.Finding.Requirement), Text(Date(s.Finding.DueDate)),
                Text(s.Closed ? s.Finding.Result ?? None : None), Text(s.State, s.Overdue),
            ])]);
    }
}
