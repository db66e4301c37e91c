namespace Hall.Server.Contracts;

/// <summary>Where a ticket is in its life. Waiting → Called → Serving → Finished; Called → NoShow → Waiting (requeue).</summary>
public enum TicketState
{
    /// <summary>In the queue (also after a transfer or a requeue).</summary>
    Waiting,
    /// <summary>Called to a window, the citizen not yet seated.</summary>
    Called,
    /// <summary>Being served at a window.</summary>
    Serving,
    /// <summary>Finished with an outcome.</summary>
    Finished,
    /// <summary>过号: the citizen did not come.</summary>
    NoShow,
    /// <summary>Cancelled by staff, with a reason.</summary>
    Cancelled,
    /// <summary>Voided: issued but never handed to the citizen (e.g. the printer failed).</summary>
    Voided,
}

/// <summary>优先号: declared by the citizen at the kiosk.</summary>
public enum PriorityClass
{
    /// <summary>No priority.</summary>
    Normal,
    /// <summary>70 years and older.</summary>
    Elderly,
    /// <summary>Disabled.</summary>
    Disabled,
    /// <summary>Military and veterans.</summary>
    Military,
    /// <summary>Pregnant.</summary>
    Pregnant,
}

/// <summary>A window's session state.</summary>
public enum WindowStatus
{
    /// <summary>签退 / not opened.</summary>
    Closed,
    /// <summary>Open and able to call.</summary>
    Open,
    /// <summary>Paused with a reason; cannot call.</summary>
    Paused,
}

/// <summary>The kind of a window.</summary>
public enum WindowKind
{
    /// <summary>A department's window.</summary>
    Regular,
    /// <summary>综合受理: accepts many departments' items.</summary>
    Comprehensive,
    /// <summary>办不成事反映, 有诉即办, 企业家会客厅 …</summary>
    Special,
}

/// <summary>What a device is.</summary>
public enum DeviceRole
{
    /// <summary>取号机.</summary>
    Kiosk,
    /// <summary>Lobby screen agent.</summary>
    Display,
    /// <summary>好差评 evaluator at a window.</summary>
    Evaluator,
    /// <summary>
    /// 对接系统: an outside system of the hall (the province's 一窗受理 case-handling system) calling Hall's API with this key. It
    /// may only attach 办件编号 to finished tickets (PUT /api/halls/{hall}/tickets/{ticketId}/case-number); it cannot join the hub.
    /// </summary>
    CaseSystem,
}

/// <summary>What a staff member may do.</summary>
public enum StaffRole
{
    /// <summary>Window clerk.</summary>
    Clerk,
    /// <summary>Hall supervisor.</summary>
    Supervisor,
    /// <summary>Administrator.</summary>
    Admin,
}

/// <summary>
/// How a case was accepted (受理方式), recorded at finish apart from its outcome: 容缺受理 and 告知承诺 accept a case whose
/// materials are not all there; the case can still be 办结 on the spot or accepted to be finished later.
/// </summary>
public enum AcceptanceMode
{
    /// <summary>正常受理: all materials were there.</summary>
    Normal = 0,
    /// <summary>容缺受理: accepted with materials to follow by a deadline.</summary>
    MaterialsToFollow = 1,
    /// <summary>告知承诺: accepted on the citizen's written promise, kept by a deadline.</summary>
    OnPromise = 2,
}

/// <summary>Where a 好差评 rating came from: 现场 on the window's evaluator, or 掌上 on the citizen's phone (the ticket's tracking page).</summary>
public enum RatingChannel
{
    Evaluator = 1,
    Phone = 2,
}

/// <summary>The five national 好差评 levels (GB/T 39734), 5 best.</summary>
public enum RatingLevel
{
    /// <summary>非常不满意.</summary>
    VeryDissatisfied = 1,
    /// <summary>不满意.</summary>
    Dissatisfied = 2,
    /// <summary>基本满意.</summary>
    Basic = 3,
    /// <summary>满意.</summary>
    Satisfied = 4,
    /// <summary>非常满意.</summary>
    VerySatisfied = 5,
}

/// <summary>
/// The national grouping of the five levels. Enums are stored as text, so a query must never compare them with &lt; or
/// &gt; (that compares the words): it asks for the set instead, which becomes <c>IN (…)</c>.
/// </summary>
public static class RatingLevels
{
    /// <summary>Counted as satisfied (满意率, 好评率): 基本满意 and better.</summary>
    public static readonly RatingLevel[] Satisfied = [RatingLevel.Basic, RatingLevel.Satisfied, RatingLevel.VerySatisfied];

    /// <summary>A bad rating (差评): 不满意 and 非常不满意.</summary>
    public static readonly RatingLevel[] Bad = [RatingLevel.Dissatisfied, RatingLevel.VeryDissatisfied];
}

/// <summary>Why call-next chose the ticket it chose.</summary>
public enum CallReason
{
    /// <summary>Transferred to this window or one of its services.</summary>
    Transferred,
    /// <summary>Waited past the ageing bound.</summary>
    Aged,
    /// <summary>A priority ticket's turn in the interleave.</summary>
    Priority,
    /// <summary>Next in the window's services, first come first served.</summary>
    InOrder,
    /// <summary>Called by number.</summary>
    Specific,
    /// <summary>Called again.</summary>
    Recall,
    /// <summary>A booking whose slot has begun, in the priority turn of the interleave (last, so the older values keep their numbers).</summary>
    Booked,
}

/// <summary>What a media item of the lobby screens' rotation is.</summary>
public enum MediaKind
{
    Video,
    Image,
}
