using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Security;
using Hall.Server.Queue;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Catalog;

/// <summary>The admin's edits of the item catalogue over HTTP (the admin pages use them too).</summary>
public static class CatalogEndpoints
{
    public sealed record InitialsRequest(string? Initials);

    public static void MapCatalogEndpoints(this WebApplication app)
    {
        // The computed initials are a guess where a character has several readings (重 / 行 / 长): the admin sets them right.
        app.MapPut("/api/admin/items/{id:int}/initials", async (int id, InitialsRequest request, HttpContext http, IDbContextFactory<HallDb> dbFactory, Admin.AdminStore audit, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.StaffRole != StaffRole.Admin)
            {
                return Error(403, "forbidden", "无权执行此操作", "Only an admin may edit the catalogue.");
            }
            var initials = request.Initials?.Trim() ?? "";
            if (initials.Length is 0 or > 64 || !initials.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
            {
                return Error(400, "invalid_initials", "拼音首字母只能是 1 到 64 个小写字母或数字", "Initials are 1 to 64 lower-case letters or digits.");
            }
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var item = await db.ServiceItems.FirstOrDefaultAsync(i => i.Id == id, ct);
            if (item is null || item.HallId != actor.HallId)
            {
                return Error(404, "unknown_service_item", "没有这个办理事项", "No such service item in this hall.");
            }
            var before = item.Initials;
            item.Initials = initials;
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(actor, "item.initials", $"item:{item.Id}", new { initials = before }, new { initials }, ct);
            return Results.Ok(new { item.Id, item.Code, item.Name, item.Initials });
        }).RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = HallAuth.SchemeName });

        // A county list has ~2,224 rows: the import runs in the background and the admin's page polls its progress.
        app.MapPost("/api/admin/catalogue/import", async (HttpContext http, CatalogImportJobs jobs, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.StaffRole != StaffRole.Admin)
            {
                return Error(403, Refusal.Forbidden);
            }
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
            {
                body.MaxRequestBodySize = CatalogFile.MaxBytes + 64 * 1024;
            }
            if (!http.Request.HasFormContentType)
            {
                return Error(400, Refusal.InvalidCommand);
            }
            var form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = CatalogFile.MaxBytes + 64 * 1024 }, ct);
            if (form.Files.GetFile("file") is not { } file)
            {
                return Error(400, Refusal.InvalidCommand);
            }
            if (file.Length > CatalogFile.MaxBytes)
            {
                return Error(400, CatalogFile.TooLarge);
            }
            var bytes = new byte[file.Length];
            await using (var stream = file.OpenReadStream())
            {
                await stream.ReadExactlyAsync(bytes, ct);
            }
            var (kind, refusal) = CatalogFile.KindOf(bytes, file.FileName);
            if (refusal is not null)
            {
                return Error(400, refusal);
            }
            return await jobs.StartAsync(actor, bytes, kind, ct) is { } job
                ? Results.Json(new { id = job.Id }, statusCode: 202)
                : Error(409, CatalogImportJobs.AlreadyRunning);
        }).RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = HallAuth.SchemeName });

        // The workbook to fill in: the hall's items as they are, under the header the import reads.
        app.MapGet("/api/admin/catalogue/template", async (HttpContext http, IDbContextFactory<HallDb> dbFactory, TimeProvider clock, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.StaffRole != StaffRole.Admin)
            {
                return Error(403, Refusal.Forbidden);
            }
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var hall = await db.Halls.AsNoTracking().SingleAsync(h => h.Id == actor.HallId, ct);
            var today = HallClock.BusinessDate(clock.GetUtcNow(), hall.Zone);
            var bytes = await CatalogTemplate.WriteAsync(db, hall.Id, hall.Name, today, ct);
            return Results.File(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", CatalogTemplate.FileName(hall.Name, today));
        }).RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = HallAuth.SchemeName });

        app.MapGet("/api/admin/catalogue/import/{id:guid}", async (Guid id, HttpContext http, CatalogImportJobs jobs, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.StaffRole != StaffRole.Admin)
            {
                return Error(403, Refusal.Forbidden);
            }
            // Another hall's job is answered as unknown: its existence is not this admin's business.
            return await jobs.ViewAsync(id, actor.HallId, ct) is { } job
                ? Results.Json(job)
                : Error(404, UnknownImport);
        }).RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = HallAuth.SchemeName });
    }

    private static readonly Refusal UnknownImport = new("unknown_catalogue_import", "没有这次导入", "No such catalogue import in this hall.");

    private static IResult Error(int status, Refusal refusal) => Error(status, refusal.Code, refusal.MessageZh, refusal.MessageEn);

    private static IResult Error(int status, string code, string zh, string en) =>
        Results.Json(new { code, messageZh = zh, messageEn = en }, statusCode: status);
}
