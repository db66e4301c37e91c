using System.Text.Json.Serialization;

namespace Hall.Server.Patrol;

/// <summary>The five things a patrol looks at (日巡查检查项目), in the order the sheet lists them.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PatrolCategory>))]
public enum PatrolCategory
{
    /// <summary>纪律: at the window, on time, no phone games, no leaving without a pause.</summary>
    Discipline,
    /// <summary>着装: uniform and badge.</summary>
    Dress,
    /// <summary>环境: the hall and the windows clean and in order.</summary>
    Environment,
    /// <summary>设备: kiosks, screens, evaluators, computers working.</summary>
    Equipment,
    /// <summary>告知公示: the notices, item guides and staff cards on show.</summary>
    Notices,
}

/// <summary>
/// 巡查: one round a supervisor (巡查人) walks through the hall, checklist in hand; several a day are allowed (morning,
/// afternoon). Each category is marked 正常 or 有问题 with a note; what is wrong becomes a <see cref="PatrolFinding"/>.
/// Once signed, the round is frozen; its findings still open and close like follow-up cases.
/// </summary>
public sealed class PatrolRound
{
    public long Id { get; set; }
    public int HallId { get; set; }
    /// <summary>The hall-local date of the round.</summary>
    public DateOnly BusinessDate { get; set; }
    public int InspectorStaffId { get; set; }
    /// <summary>巡查人 as named when the round was walked.</summary>
    public string InspectorName { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public List<PatrolCheck> Checks { get; set; } = [];
    public DateTimeOffset? SignedAt { get; set; }
    public int? SignedByStaffId { get; set; }
    public string? SignedByName { get; set; }

    public PatrolCheck? CheckOf(PatrolCategory category) => Checks.LastOrDefault(c => c.Category == category);
}

/// <summary>The result of one category of a round: 正常, or 有问题 with what was seen.</summary>
public sealed record PatrolCheck(PatrolCategory Category, bool Problem, string? Note, DateTimeOffset At);

/// <summary>
/// 整改: a problem found on a round — what, where (a window or the hall), what must be done and by when (a number of the
/// hall's working days ahead, like a follow-up case's due date); closed with its result (整改结果).
/// </summary>
public sealed class PatrolFinding
{
    public long Id { get; set; }
    public int HallId { get; set; }
    public long RoundId { get; set; }
    /// <summary>The date of the round that found it.</summary>
    public DateOnly BusinessDate { get; set; }
    public PatrolCategory Category { get; set; }
    public int? WindowId { get; set; }
    public string Description { get; set; } = "";
    /// <summary>整改要求: what must be done.</summary>
    public string Requirement { get; set; } = "";
    /// <summary>The last working day (hall-local) on which closing is on time.</summary>
    public DateOnly DueDate { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public int OpenedByStaffId { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public int? ClosedByStaffId { get; set; }
    public string? ClosedByName { get; set; }
    /// <summary>整改结果.</summary>
    public string? Result { get; set; }

    public bool IsOverdue(DateOnly today) => ClosedAt is null && today > DueDate;
}

/// <summary>The categories in the sheet's order, with their names.</summary>
public static class PatrolCategories
{
    public static readonly IReadOnlyList<PatrolCategory> All = Enum.GetValues<PatrolCategory>();

    public static string Zh(PatrolCategory category) => category switch
    {
        PatrolCategory.Discipline => "纪律",
        PatrolCategory.Dress => "着装",
        PatrolCategory.Environment => "环境",
        PatrolCategory.Equipment => "设备",
        PatrolCategory.Notices => "告知公示",
    };

    public static string En(PatrolCategory category) => category switch
    {
        PatrolCategory.Discipline => "Discipline",
        PatrolCategory.Dress => "Dress",
        PatrolCategory.Environment => "Environment",
        PatrolCategory.Equipment => "Equipment",
        PatrolCategory.Notices => "Notices on show",
    };
}
