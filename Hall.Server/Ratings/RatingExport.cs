using System.Globalization;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Reports;
using Hall.Server.Reports.Excel;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Ratings;

/// <summary>What the supervisor asks for: the days (the hall's calendar, both included) and optionally one window, clerk, level, channel.</summary>
public sealed record RatingFilter(DateOnly From, DateOnly To, int? WindowId = null, int? StaffId = null, RatingLevel? Level = null, RatingChannel? Channel = null);

/// <summary>One rating as the export lists it.</summary>
public sealed record RatingExportRow(DateTimeOffset At, string Number, string Service, string? Window, string? Staff, RatingLevel Level, IReadOnlyList<string> Reasons,
    RatingChannel Channel, string? CaseNumber, bool AppealUpheld);

/// <summary>
/// The supervisor's export of individual 好差评 ratings as an .xlsx sheet: when, which ticket, service (and item), window, clerk
/// (name and 工号), level, reasons, channel, 办件编号 and whether an appeal against it was upheld (such a rating stays here,
/// marked, though it no longer counts in the figures). Nothing personal beyond what the console shows: no mobile, no ID.
/// </summary>
public static class RatingExport
{
    /// <summary>The longest period one export covers.</summary>
    public const int MaxDays = 366;

    public const string SheetName = "评价明细";

    public const string AppealUpheldMark = "申诉已采纳（不计入统计）";

    public static readonly IReadOnlyList<string> Headers = ["评价时间", "号码", "事项/业务", "窗口", "工作人员", "评价等级", "原因", "渠道", "办件编号", "申诉"];

    public static readonly Refusal InvalidPeriod = new("invalid_rating_period", $"请填写起止日期（yyyy-MM-dd），起始不晚于截止，最长 {MaxDays} 天",
        $"Give the first and last day (yyyy-MM-dd), the first not after the last, at most {MaxDays} days.");

    public static readonly Refusal InvalidFilter = new("invalid_rating_filter", "筛选条件有误（窗口、工作人员、评价等级或渠道）", "A filter (window, clerk, level or channel) is not valid.");

    /// <summary>The channel as the sheet names it.</summary>
    public static string ChannelName(RatingChannel channel) => channel switch
    {
        RatingChannel.Evaluator => "现场评价器",
        RatingChannel.Phone => "手机",
        _ => channel.ToString(),
    };

    /// <summary>The file name offered, e.g. 市民之家-评价明细-2026-12-01至2026-12-04.xlsx.</summary>
    public static string FileName(string hallName, RatingFilter filter) =>
        string.Create(CultureInfo.InvariantCulture, $"{hallName}-{SheetName}-{filter.From:yyyy-MM-dd}至{filter.To:yyyy-MM-dd}.xlsx");

    /// <summary>Reads the filter from the query (from, to, window, staff, level, channel); a refusal when a value is not valid.</summary>
    public static (RatingFilter? Filter, Refusal? Refusal) Parse(string? from, string? to, string? window, string? staff, string? level, string? channel)
    {
        if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
            || !DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var last)
            || first > last || last.DayNumber - first.DayNumber >= MaxDays)
        {
            return (null, InvalidPeriod);
        }
        int? windowId = null, staffId = null;
        RatingLevel? wantedLevel = null;
        RatingChannel? wantedChannel = null;
        if (!string.IsNullOrEmpty(window))
        {
            if (!int.TryParse(window, NumberStyles.None, CultureInfo.InvariantCulture, out var w))
            {
                return (null, InvalidFilter);
            }
            windowId = w;
        }
        if (!string.IsNullOrEmpty(staff))
        {
            if (!int.TryParse(staff, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            {
                return (null, InvalidFilter);
            }
            staffId = s;
        }
        if (!string.IsNullOrEmpty(level))
        {
            if (!char.IsAsciiLetter(level[0]) || !Enum.TryParse<RatingLevel>(level, ignoreCase: true, out var l) || !Enum.IsDefined(l))
            {
                return (null, InvalidFilter);
            }
            wantedLevel = l;
        }
        if (!string.IsNullOrEmpty(channel))
        {
            if (!char.IsAsciiLetter(channel[0]) || !Enum.TryParse<RatingChannel>(channel, ignoreCase: true, out var c) || !Enum.IsDefined(c))
            {
                return (null, InvalidFilter);
            }
            wantedChannel = c;
        }
        return (new RatingFilter(first, last, windowId, staffId, wantedLevel, wantedChannel), null);
    }

    /// <summary>The hall's ratings that match, oldest first.</summary>
    public static async Task<List<RatingExportRow>> ReadAsync(HallDb db, int hallId, TimeZoneInfo zone, RatingFilter filter, CancellationToken ct)
    {
        var start = ReportData.LocalMidnight(filter.From, zone);
        var end = ReportData.LocalMidnight(filter.To.AddDays(1), zone);
        var ratings = db.Ratings.AsNoTracking().Where(r => r.HallId == hallId && r.At >= start && r.At < end);
        if (filter.WindowId is { } windowId)
        {
            ratings = ratings.Where(r => r.WindowId == windowId);
        }
        if (filter.StaffId is { } staffId)
        {
            ratings = ratings.Where(r => r.StaffId == staffId);
        }
        if (filter.Level is { } level)
        {
            ratings = ratings.Where(r => r.Level == level);
        }
        if (filter.Channel is { } channel)
        {
            ratings = ratings.Where(r => r.Channel == channel);
        }
        var rows = await (
            from r in ratings
            join t in db.Tickets on r.TicketId equals t.Id
            join s in db.Services on t.ServiceId equals s.Id
            join i in db.ServiceItems on t.ServiceItemId equals i.Id into items
            from i in items.DefaultIfEmpty()
            join w in db.Windows on r.WindowId equals w.Id into windows
            from w in windows.DefaultIfEmpty()
            join m in db.Staff on r.StaffId equals m.Id into staff
            from m in staff.DefaultIfEmpty()
            orderby r.At, r.Id
            select new
            {
                r.At,
                t.Number,
                Service = s.Name,
                Item = i == null ? null : i.Name,
                WindowNumber = w == null ? (int?)null : w.Number,
                WindowName = w == null ? null : w.Name,
                StaffName = m == null ? null : m.Name,
                StaffCode = m == null ? null : m.StaffCode,
                r.Level,
                r.Reasons,
                r.Channel,
                t.CaseNumber,
                r.AppealUpheldAt,
            }).ToListAsync(ct);
        return [.. rows.Select(r => new RatingExportRow(
            r.At,
            r.Number,
            r.Item is null ? r.Service : $"{r.Service} · {r.Item}",
            r.WindowNumber is { } number ? $"{number}号{r.WindowName}" : null,
            r.StaffName is null ? null : r.StaffCode is null ? r.StaffName : $"{r.StaffName}（{r.StaffCode}）",
            r.Level,
            r.Reasons,
            r.Channel,
            r.CaseNumber,
            r.AppealUpheldAt is not null))];
    }

    /// <summary>The workbook: a caption saying the hall, the period and the filters, the headers, one row per rating.</summary>
    public static byte[] Write(string hallName, string filterText, IReadOnlyList<RatingExportRow> rows, TimeZoneInfo zone)
    {
        var header = new XlsxStyle(XlsxRole.Header);
        var data = new XlsxStyle(XlsxRole.Data);
        List<XlsxRow> sheet =
        [
            new([XlsxCell.String($"{hallName} 好差评评价明细（{filterText}，共 {rows.Count} 条）", new XlsxStyle(XlsxRole.Caption))]),
            new([.. Headers.Select(h => XlsxCell.String(h, header))]),
            .. rows.Select(r => new XlsxRow(
            [
                XlsxCell.Numeric(TimeZoneInfo.ConvertTime(r.At, zone).DateTime.ToOADate(), data with { NumberFormat = "yyyy-mm-dd hh:mm" }),
                XlsxCell.String(r.Number, data),
                XlsxCell.String(r.Service, data),
                XlsxCell.String(r.Window ?? "", data),
                XlsxCell.String(r.Staff ?? "", data),
                XlsxCell.String(ReportFormat.Level(r.Level), data),
                XlsxCell.String(string.Join("、", r.Reasons), data),
                XlsxCell.String(ChannelName(r.Channel), data),
                XlsxCell.String(r.CaseNumber ?? "", data),
                XlsxCell.String(r.AppealUpheld ? AppealUpheldMark : "", data),
            ])),
        ];
        double[] widths = [18, 8, 28, 16, 16, 10, 30, 12, 22, 24];
        var last = Headers.Count - 1;
        return XlsxBook.Write($"{hallName} 好差评评价明细", [new XlsxSheet(SheetName, sheet, widths)
        {
            FrozenRows = 2,
            Merged = [new XlsxRange(0, 0, 0, last)],
            Filter = rows.Count > 0 ? new XlsxRange(1, 0, 1 + rows.Count, last) : null,
        }]);
    }
}
