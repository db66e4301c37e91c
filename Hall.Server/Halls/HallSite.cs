using Hall.Server.Queue;

namespace Hall.Server.Halls;

/// <summary>A hall: the county hall (市民之家) or a township service centre. Named HallSite because "Hall" is the root namespace.</summary>
public sealed class HallSite
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public int? ParentId { get; set; }
    public string TimeZoneId { get; set; } = "Asia/Shanghai";
    public WeeklyHours Hours { get; set; } = WeeklyHours.CountyDefault;
    public int AgeingMinutes { get; set; } = 60;
    public int NormalPerPriority { get; set; } = 2;
    public int MaxRecalls { get; set; } = 2;
    public int AutoNoShowAfterCalls { get; set; } = 3;
    public int RequeuePlacesBack { get; set; } = 3;
    public List<string> Outcomes { get; set; } = [.. DefaultOutcomes];
    public List<string> PauseReasons { get; set; } = [.. DefaultPauseReasons];
    public string? NoticeLine { get; set; }
    /// <summary>The "almost your turn" notice goes out when this many people or fewer are ahead.</summary>
    public int NoticePeopleAhead { get; set; } = 3;
    /// <summary>A bad rating's follow-up case (差评回访) is due this many working days after the rating.</summary>
    public int FollowUpWorkingDays { get; set; } = 3;
    /// <summary>Alert thresholds of the supervisor's wall.</summary>
    public int PauseLimitMinutes { get; set; } = 30;
    public int UnstaffedGraceMinutes { get; set; } = 15;
    public int DeviceOfflineMinutes { get; set; } = 3;

    public Alerts.AlertLimits AlertLimits => new(PauseLimitMinutes, UnstaffedGraceMinutes, DeviceOfflineMinutes);
    public List<HallCalendarDay> Calendar { get; set; } = [];
    /// <summary>How the lobby screens speak, and the recorded voice pack.</summary>
    public Media.DisplaySettings Display { get; set; } = new();

    public static readonly string[] DefaultOutcomes = ["办结", "容缺受理", "告知承诺", "咨询", "退回补正"];
    public static readonly string[] DefaultPauseReasons = ["休息", "会议", "临时离开", "后台办件"];

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);

    public CallPolicy Policy => new(TimeSpan.FromMinutes(AgeingMinutes), NormalPerPriority, MaxRecalls, AutoNoShowAfterCalls, RequeuePlacesBack);

    public HallCalendar ToCalendar() => new(Zone, Hours, [.. Calendar.Select(c => c.ToCalendarDay())]);
}

/// <summary>A date that overrides the weekday rule: a holiday, or a 调休 make-up working day.</summary>
public sealed class HallCalendarDay
{
    public int HallId { get; set; }
    public DateOnly Date { get; set; }
    public bool Open { get; set; }
    public string? Note { get; set; }

    public CalendarDay ToCalendarDay() => new(Date, Open, Note);
}

/// <summary>
/// The hall's weekly hours as they were from a business date on: a report of a past date uses the hours of that date,
/// not today's. Written when the admin changes the hours (effective from that day); a hall never changed has none and
/// its current hours apply to every date.
/// </summary>
public sealed class HallHoursVersion
{
    public int HallId { get; set; }
    public DateOnly EffectiveFrom { get; set; }
    public required WeeklyHours Hours { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}
