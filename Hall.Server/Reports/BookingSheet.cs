using Hall.Server.Bookings;
using static Hall.Server.Reports.ReportFormat;

namespace Hall.Server.Reports;

/// <summary>预约 of a service or the hall over a period, as DEFINITIONS.md (预约) counts them.</summary>
public sealed class BookingStat
{
    /// <summary>预约: not cancelled (签到 + 爽约 + 待签到).</summary>
    public int Booked { get; private set; }
    public int Cancelled { get; private set; }
    public int CheckedIn { get; private set; }
    public int Missed { get; private set; }
    /// <summary>待签到: still only booked when the report was made.</summary>
    public int Pending { get; private set; }
    /// <summary>已办理: checked in and the ticket started at a window.</summary>
    public int Started { get; private set; }
    /// <summary>准时办理: the ticket's first start at most <see cref="BookingSheet.OnTimeMinutes"/> after the slot's start.</summary>
    public int OnTime { get; private set; }
    /// <summary>签到未办理: checked in, the ticket not started.</summary>
    public int NotStarted => CheckedIn - Started;
    /// <summary>爽约率: 爽约 over the bookings whose check-in was decided.</summary>
    public double? MissedShare => CheckedIn + Missed == 0 ? null : (double)Missed / (CheckedIn + Missed);
    /// <summary>准时办理率: 准时办理 over 已办理.</summary>
    public double? OnTimeRate => Started == 0 ? null : (double)OnTime / Started;
    /// <summary>Whether any booking was made for the period (cancelled ones too).</summary>
    public bool Any => Booked + Cancelled > 0;

    public static BookingStat Of(IEnumerable<BookingRow> rows, TimeZoneInfo zone)
    {
        var s = new BookingStat();
        foreach (var b in rows)
        {
            if (b.State == BookingState.Cancelled)
            {
                s.Cancelled++;
                continue;
            }
            s.Booked++;
            switch (b.State)
            {
                case BookingState.CheckedIn:
                    s.CheckedIn++;
                    if (b.FirstStartedAt is not null)
                    {
                        s.Started++;
                        s.OnTime += BookingSheet.OnTime(b, zone) ? 1 : 0;
                    }
                    break;
                case BookingState.Missed:
                    s.Missed++;
                    break;
                case BookingState.Booked:
                    s.Pending++;
                    break;
                case BookingState.Cancelled:
                    break;
            }
        }
        return s;
    }
}

/// <summary>预约 in the reports: the figures by service, the day's bookings not served on time, and the story's sentence.</summary>
public static class BookingSheet
{
    /// <summary>A booked citizen is served on time when their ticket is first started at most this many minutes after the slot's start.</summary>
    public const int OnTimeMinutes = 10;

    public static DateTimeOffset SlotStart(BookingRow b, TimeZoneInfo zone) => SlotPlan.Local(b.Date, b.Start, zone);

    public static bool OnTime(BookingRow b, TimeZoneInfo zone) =>
        b.FirstStartedAt is { } started && started <= SlotStart(b, zone).AddMinutes(OnTimeMinutes);

    public static BookingStat Hall(ReportInput input) => BookingStat.Of(input.Bookings, input.Hall.Zone);

    /// <summary>The period's bookings in one sentence for a bulletin's or year view's story; nothing when the period had none.</summary>
    public static string Sentence(ReportInput input, string period)
    {
        var s = Hall(input);
        return !s.Any ? ""
            : $"{period}预约 {s.Booked} 个，签到 {s.CheckedIn} 个，爽约 {s.Missed} 个（爽约率 {Percent(s.MissedShare).Text}），取消 {s.Cancelled} 个；"
              + $"已办理 {s.Started} 个，其中准时办理 {s.OnTime} 个，准时办理率 {Percent(s.OnTimeRate).Text}。";
    }

    /// <summary>日巡查's 预约: the day's figures by service and each checked-in booking not served on time.</summary>
    public static IEnumerable<ReportBlock> Blocks(ReportFigures f, string heading)
    {
        var input = f.Input;
        var zone = input.Hall.Zone;
        var s = Hall(input);
        yield return new ReportHeading(heading);
        foreach (var line in Lines(s, "当日"))
        {
            yield return line;
        }
        yield return ServiceTable(input, "预约", "各业务预约、签到与准时办理");
        var late = input.Bookings.Where(b => b.State == BookingState.CheckedIn && !OnTime(b, zone)).ToList();
        yield return new ReportTable("预约未准时办理", $"已签到但未在时段开始后 {OnTimeMinutes} 分钟内开始办理的预约",
            [new("时段", 1.3), new("业务", 1.6), new("预约码", 1.2), new("号码", 0.9), new("签到", 0.9), new("开始办理", 1), new("超出时段开始(分钟)", 1.4, CellAlign.Right)],
            [.. late.Select(b => (IReadOnlyList<ReportCell>)
            [
                Text(Slot(b)), Text(input.Services.GetValueOrDefault(b.ServiceId, $"#{b.ServiceId}")), Text(BookingCodes.Display(b.Code)), Text(b.TicketNumber ?? None),
                Text(b.CheckedInAt is { } c ? Time(c, zone) : None), Text(b.FirstStartedAt is { } st ? Time(st, zone) : "未办理", b.FirstStartedAt is null),
                b.FirstStartedAt is { } at ? Minutes((at - SlotStart(b, zone)).TotalMinutes) with { Alert = true } : Text(None),
            ])]);
    }

    /// <summary>预约 of a month or a year: the figures by service (and, for a year, by month).</summary>
    public static IEnumerable<ReportBlock> Summary(ReportFigures f, string sheet, string period, IReadOnlyList<ReportFigures>? months = null)
    {
        var s = Hall(f.Input);
        foreach (var line in Lines(s, period))
        {
            yield return line;
        }
        yield return ServiceTable(f.Input, sheet, $"各业务预约、签到与准时办理（{period}）");
        if (months is not null)
        {
            yield return new ReportTable(sheet + "逐月", "逐月预约、签到与准时办理", Columns("月份"),
                [.. months.Select(m => Cells($"{m.Input.From.Month}月", Hall(m.Input)))])
            {
                Total = Cells("全年", s),
            };
        }
    }

    /// <summary>The period's figures in two short paragraphs (each fits a line of the page).</summary>
    private static IEnumerable<ReportBlock> Lines(BookingStat s, string period)
    {
        if (!s.Any)
        {
            yield return new ReportParagraph($"{period}无预约。");
            yield break;
        }
        yield return new ReportParagraph($"{period}预约 {s.Booked} 个（签到 {s.CheckedIn}，爽约 {s.Missed}，待签到 {s.Pending}），取消 {s.Cancelled} 个。");
        yield return new ReportParagraph($"签到后已办理 {s.Started} 个，准时办理 {s.OnTime} 个，准时办理率 {Percent(s.OnTimeRate).Text}，签到未办理 {s.NotStarted} 个。");
    }

    private static ReportTable ServiceTable(ReportInput input, string sheet, string caption)
    {
        var zone = input.Hall.Zone;
        var rows = input.Services.Where(kv => input.Bookings.Any(b => b.ServiceId == kv.Key))
            .Select(kv => Cells(kv.Value, BookingStat.Of(input.Bookings.Where(b => b.ServiceId == kv.Key), zone))).ToList();
        return new ReportTable(sheet, caption, Columns("业务"), rows) { Total = Cells("合计", Hall(input)) };
    }

    private static IReadOnlyList<ReportColumn> Columns(string subject) =>
        [
            new(subject, 2), new("预约", 0.8, CellAlign.Right), new("签到", 0.8, CellAlign.Right), new("爽约", 0.8, CellAlign.Right), new("待签到", 0.9, CellAlign.Right),
            new("取消", 0.8, CellAlign.Right), new("爽约率", 1, CellAlign.Right), new("已办理", 0.9, CellAlign.Right), new("准时办理", 1, CellAlign.Right),
            new("准时办理率", 1.1, CellAlign.Right), new("签到未办理", 1.1, CellAlign.Right),
        ];

    private static IReadOnlyList<ReportCell> Cells(string name, BookingStat s) =>
        [
            Text(name), Count(s.Booked), Count(s.CheckedIn), Count(s.Missed), Count(s.Pending), Count(s.Cancelled), Percent(s.MissedShare),
            Count(s.Started), Count(s.OnTime), Percent(s.OnTimeRate), Count(s.NotStarted),
        ];

    private static string Slot(BookingRow b) => $"{b.Start:HH\\:mm}–{b.End:HH\\:mm}";
}
