using Hall.Server.Contracts;
using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Catalog;

/// <summary>Reads of the service-item catalogue.</summary>
public static class ServiceItems
{
    /// <summary>The items of a hall whose service is active, as the kiosk searches them.</summary>
    public static Task<List<ServiceItemView>> ForKioskAsync(HallDb db, int hallId, CancellationToken ct) =>
        (from i in db.ServiceItems.AsNoTracking()
         join s in db.Services on i.ServiceId equals s.Id
         where i.HallId == hallId && s.Active
         orderby i.Code
         select new ServiceItemView(i.Id, i.Code, i.Name, i.Initials, i.Department, s.Id, s.Name, i.Materials))
        .ToListAsync(ct);
}
