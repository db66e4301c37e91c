using Hall.Server.Complaints;
using static Hall.Server.Reports.ReportFormat;

namespace Hall.Server.Reports;

/// <summary>有诉即办 of a category or the hall over a period, as DEFINITIONS.md (有诉即办) counts them.</summary>
public sealed class ComplaintStat
{
    /// <summary>受理: received in the period.</summary>
    public int Received { get; private set; }
    /// <summary>办结: of those, closed when the report was made.</summary>
    public int Closed { get; private set; }
    /// <summary>按期办结: closed on or before the due date.</summary>
    public int OnTime { get; private set; }
    /// <summary>逾期未办结: not closed and past the due date.</summary>
    public int Overdue { get; private set; }
    /// <summary>已回访: a call-back verdict recorded.</summary>
    public int CalledBack { get; private set; }
    /// <summary>回访满意: 满意 or 基本满意 at the call-back.</summary>
    public int Satisfied { get; private set; }
    public int ClosedLate => Closed - OnTime;
    /// <summary>办理中: not closed, not yet due.</summary>
    public int Open => Received - Closed - Overdue;
    /// <summary>办结率: 办结 over 受理.</summary>
    public double? ClosedRate => Received == 0 ? null : (double)Closed / Received;
    /// <summary>按期办结率: 按期办结 over the complaints whose timeliness is decided (办结 + 逾期未办结).</summary>
    public double? OnTimeRate => Closed + Overdue == 0 ? null : (double)OnTime / (Closed + Overdue);
    /// <summary>回访满意率: 回访满意 over 已回访.</summary>
    public double? SatisfiedRate => CalledBack == 0 ? null : (double)Satisfied / CalledBack;

    public static ComplaintStat Of(IEnumerable<ComplaintReportRow> rows, DateOnly today, TimeZoneInfo zone)
    {
        var s = new ComplaintStat();
        foreach (var c in rows)
        {
            s.Received++;
            if (c.ClosedAt is { } closed)
            {
                s.Closed++;
                s.OnTime += Queue.HallClock.BusinessDate(closed, zone) <= c.DueDate ? 1 : 0;
            }
            else if (today > c.DueDate)
            {
                s.Overdue++;
            }
            if (c.Verdict is { } verdict)
            {
                s.CalledBack++;
                s.Satisfied += verdict is CallBackVerdict.Satisfied or CallBackVerdict.Basic ? 1 : 0;
            }
        }
        return s;
    }
}

/// <summary>有诉即办 in the bulletin: the story's sentence and the table by category (a section of its own).</summary>
public static class ComplaintSheet
{
    public static ComplaintStat Hall(ReportInput input) => ComplaintStat.Of(input.Complaints, input.Today, input.Hall.Zone);

    /// <summary>The period's complaints in one sentence for the bulletin's story; nothing when none was received.</summary>
    public static string Sentence(ReportInput input, string period) => Hall(input).Received == 0 ? "" : Line(input, period);

    private static string Line(ReportInput input, string period)
    {
        var s = Hall(input);
        return s.Received == 0 ? $"{period}未收到群众诉求（有诉即办）。"
            : $"{period}受理群众诉求（有诉即办） {s.Received} 件，办结 {s.Closed} 件，办结率 {Percent(s.ClosedRate).Text}；"
              + $"按期办结 {s.OnTime} 件，按期办结率 {Percent(s.OnTimeRate).Text}；回访满意 {s.Satisfied} 件，回访满意率 {Percent(s.SatisfiedRate).Text}。";
    }

    /// <summary>The section: the sentence, then the figures by category with the total (and, for a year, by month with the year's).</summary>
    /// <param name="months">The year's months, each counting the complaints received in it; null for a month.</param>
    public static IEnumerable<ReportBlock> Summary(ReportFigures f, string sheet, string period, IReadOnlyList<ReportFigures>? months = null)
    {
        var input = f.Input;
        yield return new ReportParagraph(Line(input, period));
        var rows = ComplaintNames.Categories.Where(c => input.Complaints.Any(x => x.Category == c))
            .Select(c => Cells(ComplaintNames.Zh(c), ComplaintStat.Of(input.Complaints.Where(x => x.Category == c), input.Today, input.Hall.Zone))).ToList();
        yield return new ReportTable(sheet, $"群众诉求（有诉即办）按类别（{period}受理）", Columns("类别"), rows) { Total = Cells("合计", Hall(input)) };
        if (months is not null)
        {
            // A complaint counts in the one month it was received: the months add up to the year.
            yield return new ReportTable(sheet + "逐月", "群众诉求（有诉即办）逐月（按受理月份）", Columns("月份"),
                [.. months.Select(m => Cells($"{m.Input.From.Month}月", Hall(m.Input)))])
            {
                Total = Cells("全年", Hall(input)),
            };
        }
    }

    private static IReadOnlyList<ReportColumn> Columns(string subject) =>
        [
            new(subject, 1.6), new("受理", 0.8, CellAlign.Right), new("办结", 0.8, CellAlign.Right), new("办结率", 1, CellAlign.Right),
            new("按期办结", 1, CellAlign.Right), new("逾期办结", 1, CellAlign.Right), new("逾期未办结", 1.1, CellAlign.Right), new("办理中", 0.9, CellAlign.Right),
            new("按期办结率", 1.1, CellAlign.Right), new("已回访", 0.9, CellAlign.Right), new("回访满意", 1, CellAlign.Right), new("回访满意率", 1.1, CellAlign.Right),
        ];

    private static IReadOnlyList<ReportCell> Cells(string name, ComplaintStat s) =>
        [
            Text(name), Count(s.Received), Count(s.Closed), Percent(s.ClosedRate), Count(s.OnTime), Count(s.ClosedLate), Count(s.Overdue) with { Alert = s.Overdue > 0 },
            Count(s.Open), Percent(s.OnTimeRate), Count(s.CalledBack), Count(s.Satisfied), Percent(s.SatisfiedRate),
        ];
}
