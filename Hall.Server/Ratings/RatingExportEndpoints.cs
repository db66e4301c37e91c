using System.Globalization;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Reports;
using Hall.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Ratings;

/// <summary><c>GET /api/ratings/xlsx</c>: the supervisor's (or admin's) export of individual ratings, the form on /ratings downloads it.</summary>
public static class RatingExportEndpoints
{
    public static void MapRatingExportEndpoints(this WebApplication app)
    {
        var staff = new AuthorizeAttribute { AuthenticationSchemes = HallAuth.SchemeName };
        app.MapGet("/api/ratings/xlsx", async (string? from, string? to, string? window, string? staff, string? level, string? channel, int? hall, HttpContext http,
            Admin.AdminStore admin, IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock, CancellationToken ct) =>
        {
            if (await ReportEndpoints.ActingAsync(http, hall, admin, ct) is not { } actor)
            {
                return Error(403, Refusal.Forbidden);
            }
            var (filter, refused) = RatingExport.Parse(from, to, window, staff, level, channel);
            if (filter is null)
            {
                return Error(400, refused!);
            }
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var site = await halls.GetAsync(db, actor.HallId, clock.GetUtcNow(), ct);
            var rows = await RatingExport.ReadAsync(db, actor.HallId, site.Zone, filter, ct);
            var text = await FilterTextAsync(db, actor.HallId, filter, ct);
            return Results.File(RatingExport.Write(site.Name, text, rows, site.Zone), ReportEndpoints.XlsxContentType, RatingExport.FileName(site.Name, filter));
        }).RequireAuthorization(staff);
    }

    /// <summary>The filter in words, for the sheet's caption: 2026-12-01 至 2026-12-04 · 3号窗口 · 张敏 · 不满意 · 手机.</summary>
    private static async Task<string> FilterTextAsync(HallDb db, int hallId, RatingFilter filter, CancellationToken ct)
    {
        List<string> parts = [string.Create(CultureInfo.InvariantCulture, $"{filter.From:yyyy-MM-dd} 至 {filter.To:yyyy-MM-dd}")];
        if (filter.WindowId is { } windowId)
        {
            parts.Add(await db.Windows.Where(w => w.Id == windowId && w.HallId == hallId).Select(w => w.Number + "号窗口").FirstOrDefaultAsync(ct) ?? "窗口（无）");
        }
        if (filter.StaffId is { } staffId)
        {
            parts.Add(await db.Staff.Where(m => m.Id == staffId && m.HallId == hallId).Select(m => m.Name).FirstOrDefaultAsync(ct) ?? "工作人员（无）");
        }
        if (filter.Level is { } level)
        {
            parts.Add(ReportFormat.Level(level));
        }
        if (filter.Channel is { } channel)
        {
            parts.Add(RatingExport.ChannelName(channel));
        }
        return string.Join(" · ", parts);
    }

    private static IResult Error(int status, Refusal refusal) =>
        Results.Json(new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn }, statusCode: status);
}
