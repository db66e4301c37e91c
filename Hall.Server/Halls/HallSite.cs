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
    /// <summary>A complaint (有诉即办) is to be closed within this many working days after it was received.</summary>
    public int ComplaintWorkingDays { get; set; } = DefaultComplaintWorkingDays;
    public const int DefaultComplaintWorkingDays = 3;
    /// <summary>Alert thresholds of the supervisor's wall.</summary>
    public int PauseLimitMinutes { get; set; } = 30;
    public int UnstaffedGraceMinutes { get; set; } = 15;
    public int DeviceOfflineMinutes { get; set; } = 3;
    /// <summary>A window is ranked among the others (月通报, 年考核) only with at least this many ratings in the period.</summary>
    public int RankingMinRatings { get; set; } = DefaultRankingMinRatings;

    public const int DefaultRankingMinRatings = 10;

    /// <summary>发文机关: the authority whose 红头 the bulletin and the year view carry (新县政务服务和数据管理局); the hall's name when unset.</summary>
    public string? IssuingAuthority { get; set; }

    /// <summary>发文字号's 机关代字 (新政数): an issued document is numbered 新政数〔2026〕12号, per year. Needed to issue.</summary>
    public string? DocumentPrefix { get; set; }

    /// <summary>主送机关 of the hall's bulletins; <see cref="DefaultAddressee"/> when unset.</summary>
    public string? Addressee { get; set; }

    public const string DefaultAddressee = "各进驻部门、各窗口";

    /// <summary>网上预约's rules: open bookings per person, closing before the slot, the 爽约 ban, the check-in window.</summary>
    public Bookings.BookingRules Booking { get; set; } = new();

    public Alerts.AlertLimits AlertLimits => new(PauseLimitMinutes, UnstaffedGraceMinutes, DeviceOfflineMinutes);
    public List<HallCalendarDay> Calendar { get; set; } = [];
    /// <summary>How the lobby screens speak, and the recorded voice pack.</summary>
    public Media.DisplaySettings Display { get; set; } = new();

    /// <summary>
    /// How a case ended at the window. 办结: finished on the spot; 已受理: accepted, to be finished later; 退回补正, 不予受理 and
    /// 咨询 accept no case. How it was accepted (容缺受理, 告知承诺) is recorded apart (<see cref="Contracts.AcceptanceMode"/>).
    /// </summary>
    public static readonly string[] DefaultOutcomes = ["办结", "已受理", "退回补正", "不予受理", "咨询"];
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
