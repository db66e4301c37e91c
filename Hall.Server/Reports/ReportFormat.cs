using System.Globalization;
using Hall.Server.Contracts;

namespace Hall.Server.Reports;

/// <summary>How figures are printed (and typed in the workbook): one format per kind of figure, used by every report.</summary>
public static class ReportFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public const string None = "—";

    public static ReportCell Count(int n) => new(n.ToString(Invariant), n);

    /// <summary>Minutes with one decimal (averages and longest waits).</summary>
    public static ReportCell Minutes(double? minutes) =>
        minutes is { } m ? new(Math.Round(m, 1, MidpointRounding.AwayFromZero).ToString("0.0", Invariant), Math.Round(m, 1, MidpointRounding.AwayFromZero)) : new(None, null);

    /// <summary>Whole minutes (pauses).</summary>
    public static ReportCell WholeMinutes(TimeSpan span) =>
        new(Math.Round(span.TotalMinutes, MidpointRounding.AwayFromZero).ToString("0", Invariant), Math.Round(span.TotalMinutes, MidpointRounding.AwayFromZero));

    /// <summary>Hours with two decimals (staffed time, opening time, hours shown).</summary>
    public static ReportCell Hours(TimeSpan span) =>
        new(Math.Round(span.TotalHours, 2, MidpointRounding.AwayFromZero).ToString("0.00", Invariant), Math.Round(span.TotalHours, 2, MidpointRounding.AwayFromZero));

    /// <summary>A share with one decimal: 95.0%.</summary>
    public static ReportCell Percent(double? share) =>
        share is { } s ? new((Math.Round(s * 100, 1, MidpointRounding.AwayFromZero)).ToString("0.0", Invariant) + "%", Math.Round(s * 100, 1, MidpointRounding.AwayFromZero)) : new(None, null);

    public static ReportCell Text(string text, bool alert = false) => new(text, text, alert);

    public static string Time(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).ToString("HH:mm", Invariant);

    public static string DateTime(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).ToString("MM-dd HH:mm", Invariant);

    /// <summary>A moment with its year, for footers and stamps: 2026-10-01 09:00.</summary>
    public static string Stamp(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm", Invariant);

    /// <summary>What an empty table shows in the PDF.</summary>
    public const string Nothing = "无";

    public static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", Invariant);

    public static string ChineseDate(DateOnly day) => $"{day.Year}年{day.Month}月{day.Day}日";

    /// <summary>
    /// The period a report covers, as its reader must take it: "2026年11月1日 至 2026年11月30日"; for a period not over
    /// when the report was made, up to today and said so — "2026年12月1日 至 2026年12月4日（本月尚未结束，数据截至 12月4日 10:15）".
    /// </summary>
    public static string Period(ReportInput input, string unit)
    {
        if (input.To < input.Today)
        {
            return $"{ChineseDate(input.From)} 至 {ChineseDate(input.To)}";
        }
        var at = TimeZoneInfo.ConvertTime(input.Now, input.Hall.Zone);
        return $"{ChineseDate(input.From)} 至 {ChineseDate(input.Today)}（{unit}尚未结束，数据截至 {at.Month}月{at.Day}日 {at:HH:mm}）";
    }

    public static string Weekday(DateOnly day) => "星期" + "日一二三四五六"[(int)day.DayOfWeek];

    public static readonly IReadOnlyList<RatingLevel> Levels =
        [RatingLevel.VerySatisfied, RatingLevel.Satisfied, RatingLevel.Basic, RatingLevel.Dissatisfied, RatingLevel.VeryDissatisfied];

    public static string Level(RatingLevel level) => level switch
    {
        RatingLevel.VerySatisfied => "非常满意",
        RatingLevel.Satisfied => "满意",
        RatingLevel.Basic => "基本满意",
        RatingLevel.Dissatisfied => "不满意",
        RatingLevel.VeryDissatisfied => "非常不满意",
    };

    public static string LevelEn(RatingLevel level) => level switch
    {
        RatingLevel.VerySatisfied => "very satisfied",
        RatingLevel.Satisfied => "satisfied",
        RatingLevel.Basic => "fairly satisfied",
        RatingLevel.Dissatisfied => "dissatisfied",
        RatingLevel.VeryDissatisfied => "very dissatisfied",
    };

    public static string Window(WindowInfo w) => $"{w.Number}号{w.Name}";
}
