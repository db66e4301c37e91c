using Hall.Server.Contracts;

namespace Hall.Server.Queue;

/// <summary>
/// Who may run which command: the one table the hub and the staff pages both go through (the queue commands check it in
/// <see cref="CommandRunner"/>; the hub's other methods through <see cref="Allows"/>). Keyed by the command's kind, as the
/// command log records it.
/// </summary>
public static class CommandRoles
{
    private static readonly Dictionary<string, Roles> Table = new()
    {
        ["issue"] = Roles.Kiosk | Roles.Supervisor | Roles.Phone,
        ["open"] = Roles.Staff,
        ["take_over"] = Roles.Staff,
        ["pause"] = Roles.Staff,
        ["resume"] = Roles.Staff,
        ["close"] = Roles.Staff,
        ["call_next"] = Roles.Staff,
        ["call_ticket"] = Roles.Staff,
        ["recall"] = Roles.Staff,
        ["no_show"] = Roles.Staff,
        ["requeue"] = Roles.Staff | Roles.Kiosk,
        ["start"] = Roles.Staff,
        ["finish"] = Roles.Staff,
        ["transfer"] = Roles.Staff,
        ["cancel"] = Roles.Supervisor,
        // Only the citizen rates: on the window's evaluator or their own phone. A clerk may only invite (邀评).
        ["rate"] = Roles.Evaluator | Roles.Phone,
        ["invite_rating"] = Roles.Staff,
        ["void"] = Roles.Kiosk,
        // The hub's reads and device reports.
        ["ack_call"] = Roles.Display,
        ["report_status"] = Roles.Device,
        ["get_service_items"] = Roles.Kiosk | Roles.Staff,
        ["get_playlists"] = Roles.Display,
        // The kiosks take the voice settings and pack too, for their spoken guidance.
        ["get_display_settings"] = Roles.Display | Roles.Kiosk,
        ["report_plays"] = Roles.Display,
    };

    /// <summary>Every command kind with the roles that may run it.</summary>
    public static IReadOnlyDictionary<string, Roles> All => Table;

    /// <summary>Whether the actor may run the command; an unknown kind is nobody's.</summary>
    public static bool Allows(string kind, Actor actor) => Table.TryGetValue(kind, out var roles) && Roles.Of(actor).Overlaps(roles);
}

/// <summary>Role sets for <see cref="CommandRoles"/>.</summary>
public readonly record struct Roles(int Bits)
{
    public static readonly Roles Kiosk = new(1);
    public static readonly Roles Display = new(2);
    public static readonly Roles Evaluator = new(4);
    public static readonly Roles Clerk = new(8);
    public static readonly Roles Supervisor = new(16);
    /// <summary>线上取号 from the public page: issue only.</summary>
    public static readonly Roles Phone = new(32);
    public static readonly Roles Staff = Clerk | Supervisor;
    public static readonly Roles Device = Kiosk | Display | Evaluator;

    public static Roles operator |(Roles a, Roles b) => new(a.Bits | b.Bits);

    public bool Overlaps(Roles other) => (Bits & other.Bits) != 0;

    public static Roles Of(Actor actor) => actor switch
    {
        { DeviceRole: DeviceRole.Kiosk } => Kiosk,
        { DeviceRole: DeviceRole.Display } => Display,
        { DeviceRole: DeviceRole.Evaluator } => Evaluator,
        { StaffRole: StaffRole.Clerk } => Clerk,
        { StaffRole: StaffRole.Supervisor or StaffRole.Admin } => Supervisor,
        { Kind: ActorKind.Phone } => Phone,
        _ => new(0),
    };
}
