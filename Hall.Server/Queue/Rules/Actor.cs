using Hall.Server.Contracts;

namespace Hall.Server.Queue;

public enum ActorKind
{
    Staff,
    Device,
}

/// <summary>Who is giving a command: a staff member or a device, always of one hall.</summary>
public sealed record Actor(ActorKind Kind, int Id, int HallId, string Name, StaffRole? StaffRole, DeviceRole? DeviceRole, int? WindowId)
{
    public int? StaffId => Kind == ActorKind.Staff ? Id : null;
    public int? DeviceId => Kind == ActorKind.Device ? Id : null;
    public bool IsSupervisor => StaffRole is Contracts.StaffRole.Supervisor or Contracts.StaffRole.Admin;
    public override string ToString() => Kind == ActorKind.Staff ? $"staff:{Id}" : $"device:{Id}";
}
