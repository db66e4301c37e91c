using Hall.Server.Queue;

namespace Hall.Server.Catalog;

/// <summary>A queue category (业务) with its ticket prefix letter.</summary>
public sealed class Service
{
    public int Id { get; set; }
    public int HallId { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? NameEn { get; set; }
    public char Prefix { get; set; }
    public int DailyCap { get; set; } = 999;
    /// <summary>The service's own hours; null means the hall's.</summary>
    public WeeklyHours? Hours { get; set; }
    public int TargetWaitMinutes { get; set; } = 30;
    /// <summary>The supervisor's wall raises an alert when more than this many wait.</summary>
    public int AlertWaitingCount { get; set; } = 30;
    public int DefaultHandlingMinutes { get; set; } = 10;
    public bool AcceptsPriority { get; set; } = true;
    public bool Active { get; set; } = true;
    /// <summary>Whether the clerk must record the 办件编号 when finishing a ticket of this service.</summary>
    public bool CaseNumberRequired { get; set; }
    public int SortOrder { get; set; }
    /// <summary>The event-log id of the last change to this service's queue, written under the service's lock: the version clients compare.</summary>
    public long QueueVersion { get; set; }

    public ServiceFacts ToFacts() => new(Id, Prefix, DailyCap, Active, AcceptsPriority, DefaultHandlingMinutes, Hours);
}

/// <summary>政务服务事项: one catalogued item, owned by a department, queued in a service.</summary>
public sealed class ServiceItem
{
    public int Id { get; set; }
    public int HallId { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required string Department { get; set; }
    public int ServiceId { get; set; }
    public List<string> Materials { get; set; } = [];
    /// <summary>Pinyin initials for the kiosk search (不动产登记 → bdcdj): computed when the item is created or imported, editable by the admin.</summary>
    public string Initials { get; set; } = "";
}
