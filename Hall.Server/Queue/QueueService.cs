using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Security;
using Hall.Server.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Queue;

/// <summary>
/// The queue commands, one file (or one small family) each under <c>Queue/Commands/</c>: decide with the pure rules
/// (<c>Queue/Rules/</c>), then write. Everything around a command — the role table, the command id, retries, the commit and
/// the notification — is <see cref="CommandRunner"/>'s. Locks are taken in one order (window → ticket → services by id), so
/// commands never deadlock each other, and only per service and per window.
/// </summary>
public sealed partial class QueueService(CommandRunner runner, IDbContextFactory<HallDb> dbFactory, TimeProvider clock, HallSettings halls, MobileNumbers mobiles, IConfiguration config)
{
    /// <summary>The first key of the advisory locks that serialise one kiosk's issues (the second is the device id).</summary>
    private const int KioskLockSpace = 0x4B494F53;

    /// <summary><c>Hall:Ratings:LimitHours</c> (default 24): how long after finishing a ticket may still be rated.</summary>
    public TimeSpan RatingLimit => TimeSpan.FromHours(Math.Max(1, config.GetValue("Hall:Ratings:LimitHours", 24)));

    private int KioskTicketsPerMinute => Math.Max(1, config.GetValue("Hall:Limits:KioskTicketsPerMinute", 30));

    private int OpenTicketsPerPersonPerService => Math.Max(1, config.GetValue("Hall:Limits:OpenTicketsPerPersonPerService", 2));

    private TimeSpan IdleLogin => TimeSpan.FromMinutes(Math.Max(1, config.GetValue("Hall:Login:IdleMinutes", 30)));

    private string? TrackingUrl(string code) =>
        config["Hall:PublicBaseUrl"] is { Length: > 0 } baseUrl ? $"{baseUrl.TrimEnd('/')}/t/{code}" : null;

    internal static TicketView View(Ticket t, Service s, long version) =>
        new(t.Id, t.Number, t.ServiceId, s.Name, t.Priority, t.State, t.BusinessDate, t.IssuedAt, t.WindowId, t.CallCount, version, t.CaseNumber);
}
