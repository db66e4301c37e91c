namespace Hall.Server.Complaints;

/// <summary>How the complaint reached the hall.</summary>
public enum ComplaintChannel
{
    /// <summary>窗口: at the 办不成事反映 window (or another window, registered there).</summary>
    Window = 1,
    /// <summary>电话: by telephone.</summary>
    Phone = 2,
    /// <summary>现场: in person elsewhere in the hall (to the supervisor on the floor).</summary>
    OnSite = 3,
}

/// <summary>What the complaint is about: the fixed list of DEFINITIONS.md (有诉即办).</summary>
public enum ComplaintCategory
{
    /// <summary>办事不便.</summary>
    Inconvenience = 1,
    /// <summary>材料繁琐.</summary>
    Materials = 2,
    /// <summary>服务态度.</summary>
    Attitude = 3,
    /// <summary>等候时间.</summary>
    Waiting = 4,
    /// <summary>政策咨询.</summary>
    Policy = 5,
    /// <summary>办不成事.</summary>
    CouldNotGetDone = 6,
    /// <summary>其他.</summary>
    Other = 7,
}

/// <summary>The citizen's own verdict at the call-back (回访).</summary>
public enum CallBackVerdict
{
    /// <summary>满意.</summary>
    Satisfied = 1,
    /// <summary>基本满意.</summary>
    Basic = 2,
    /// <summary>不满意.</summary>
    Dissatisfied = 3,
}

/// <summary>Where a complaint is on its way to closure: 登记 → 交办 → 答复 → 回访 → 办结, one step at a time.</summary>
public enum ComplaintState
{
    Registered = 1,
    Assigned = 2,
    Answered = 3,
    CalledBack = 4,
    Closed = 5,
}

/// <summary>
/// 有诉即办 / 办不成事反映: a citizen's complaint, registered by the clerk of a special window or a supervisor and tracked to
/// closure within the hall's deadline in working days. The citizen's name is kept masked only; the contact mobile is kept
/// encrypted until the complaint is closed (then only its masked form stays). Every step is timed and in the audit log.
/// </summary>
public sealed class Complaint
{
    public long Id { get; set; }
    public int HallId { get; set; }
    /// <summary>TS-20261205-001: the hall-local date of receipt and the complaint's place in that day, unique per hall.</summary>
    public string Number { get; set; } = "";
    /// <summary>The hall-local date it was received (the number's date; the month it counts in).</summary>
    public DateOnly BusinessDate { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public int RegisteredByStaffId { get; set; }
    public string RegisteredByName { get; set; } = "";
    /// <summary>The special window the registering clerk held, if a clerk registered it.</summary>
    public int? WindowId { get; set; }
    public ComplaintChannel Channel { get; set; }
    /// <summary>张*: the name as the citizen gave it, masked; the full name is never kept.</summary>
    public string? CitizenMasked { get; set; }
    /// <summary>The contact mobile, encrypted (<see cref="Security.MobileNumbers.ProtectContact"/>); erased when the complaint is closed.</summary>
    public string? MobileCipher { get; set; }
    public string? MobileMasked { get; set; }
    public ComplaintCategory Category { get; set; }
    /// <summary>What happened, in the citizen's words as the clerk wrote them.</summary>
    public string Description { get; set; } = "";
    /// <summary>The department responsible, as the hall's catalogue names it (ServiceItem.Department).</summary>
    public string? Department { get; set; }
    public long? TicketId { get; set; }
    public string? TicketNumber { get; set; }
    public DateOnly? TicketDate { get; set; }
    /// <summary>The last working day (hall-local) on which closing is on time.</summary>
    public DateOnly DueDate { get; set; }
    public ComplaintState State { get; set; } = ComplaintState.Registered;
    public int? AssigneeStaffId { get; set; }
    public string? AssigneeName { get; set; }
    public DateTimeOffset? AssignedAt { get; set; }
    public string? AssignedByName { get; set; }
    /// <summary>答复: what was done about it.</summary>
    public string? Answer { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public string? AnsweredByName { get; set; }
    public CallBackVerdict? Verdict { get; set; }
    public string? CallBackNote { get; set; }
    public DateTimeOffset? CalledBackAt { get; set; }
    public string? CalledBackByName { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? ClosedByName { get; set; }

    public bool IsOverdue(DateOnly today) => ClosedAt is null && today > DueDate;
}

/// <summary>The names of the fixed lists, as pages, reports and exports print them.</summary>
public static class ComplaintNames
{
    public static readonly IReadOnlyList<ComplaintCategory> Categories = Enum.GetValues<ComplaintCategory>();
    public static readonly IReadOnlyList<ComplaintChannel> Channels = Enum.GetValues<ComplaintChannel>();
    public static readonly IReadOnlyList<CallBackVerdict> Verdicts = Enum.GetValues<CallBackVerdict>();

    public static string Zh(ComplaintCategory c) => c switch
    {
        ComplaintCategory.Inconvenience => "办事不便",
        ComplaintCategory.Materials => "材料繁琐",
        ComplaintCategory.Attitude => "服务态度",
        ComplaintCategory.Waiting => "等候时间",
        ComplaintCategory.Policy => "政策咨询",
        ComplaintCategory.CouldNotGetDone => "办不成事",
        ComplaintCategory.Other => "其他",
    };

    public static string En(ComplaintCategory c) => c switch
    {
        ComplaintCategory.Inconvenience => "Inconvenient",
        ComplaintCategory.Materials => "Too many documents",
        ComplaintCategory.Attitude => "Attitude",
        ComplaintCategory.Waiting => "Waiting time",
        ComplaintCategory.Policy => "Policy question",
        ComplaintCategory.CouldNotGetDone => "Could not get it done",
        ComplaintCategory.Other => "Other",
    };

    public static string Zh(ComplaintChannel c) => c switch
    {
        ComplaintChannel.Window => "窗口",
        ComplaintChannel.Phone => "电话",
        ComplaintChannel.OnSite => "现场",
    };

    public static string En(ComplaintChannel c) => c switch
    {
        ComplaintChannel.Window => "Window",
        ComplaintChannel.Phone => "Phone",
        ComplaintChannel.OnSite => "In person",
    };

    public static string Zh(CallBackVerdict v) => v switch
    {
        CallBackVerdict.Satisfied => "满意",
        CallBackVerdict.Basic => "基本满意",
        CallBackVerdict.Dissatisfied => "不满意",
    };

    public static string En(CallBackVerdict v) => v switch
    {
        CallBackVerdict.Satisfied => "Satisfied",
        CallBackVerdict.Basic => "Basically satisfied",
        CallBackVerdict.Dissatisfied => "Dissatisfied",
    };

    public static string Zh(ComplaintState s) => s switch
    {
        ComplaintState.Registered => "已登记",
        ComplaintState.Assigned => "已交办",
        ComplaintState.Answered => "已答复",
        ComplaintState.CalledBack => "已回访",
        ComplaintState.Closed => "已办结",
    };

    public static string En(ComplaintState s) => s switch
    {
        ComplaintState.Registered => "Registered",
        ComplaintState.Assigned => "Assigned",
        ComplaintState.Answered => "Answered",
        ComplaintState.CalledBack => "Called back",
        ComplaintState.Closed => "Closed",
    };
}
