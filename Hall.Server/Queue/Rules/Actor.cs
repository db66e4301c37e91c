using Hall.Server.Contracts;

namespace Hall.Server.Queue;

public enum ActorKind
{
    Staff,
    Device,
    /// <summary>A citizen's phone taking a number (线上取号) through the public page: no account, so the hall and the person's limits are all there is.</summary>
    Phone,
}

/// <summary>Who is giving a command: a staff member or a device, always of one hall.</summary>
public sealed record Actor(ActorKind Kind, int Id, int HallId, string Name, StaffRole? StaffRole, DeviceRole? DeviceRole, int? WindowId)
{
    public int? StaffId => Kind == ActorKind.Staff ? Id : null;
    public int? DeviceId => Kind == ActorKind.Device ? Id : null;
    public bool IsSupervisor => StaffRole is Contracts.StaffRole.Supervisor or Contracts.StaffRole.Admin;
    public override string ToString() => Kind switch
    {
        ActorKind.Staff => $"staff:{Id}",
        ActorKind.Device => $"device:{Id}",
        _ => "phone",
    };

    /// <summary>The public booking page taking a number for a citizen of <paramref name="hallId"/>.</summary>
    public static Actor Phone(int hallId) => new(ActorKind.Phone, 0, hallId, "网上取号", null, null, null);

    /// <summary>The citizen rating on their own phone (掌上评价) through the ticket's tracking page.</summary>
    public static Actor CitizenPhone(int hallId) => new(ActorKind.Phone, 0, hallId, "手机评价", null, null, null);
}
