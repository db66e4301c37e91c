using System.Globalization;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Reports;

/// <summary>Supervisors' and admins' reports over HTTP: generate on demand, follow the job, list, download.</summary>
public static class ReportEndpoints
{
    public sealed record GenerateRequest(string? Kind, string? Date);

    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static readonly Refusal InvalidKind = new("invalid_report_kind", "报表类型应为 DailyPatrol、Weekly、MonthlyBulletin 或 Year", "The report kind is DailyPatrol, Weekly, MonthlyBulletin or Year.");

    public static readonly Refusal InvalidDate = new("invalid_report_date", "日期格式应为 yyyy-MM-dd", "The date is written yyyy-MM-dd.");

    public static readonly Refusal FutureDate = new("report_date_in_future", "不能生成未来日期的报表", "A report cannot be generated for a date still to come.");

    public static readonly Refusal InvalidYear = new("invalid_report_year", "年份应在 2000 年至今年之间", "The year is from 2000 to this year.");

    public static readonly Refusal UnknownReport = new("unknown_report", "没有这份报表", "No such report in this hall.");

    public static readonly Refusal UnknownJob = new("unknown_report_job", "没有这次报表生成", "No such report generation in this hall.");

    public static void MapReportEndpoints(this WebApplication app)
    {
        var staff = new AuthorizeAttribute { AuthenticationSchemes = HallAuth.SchemeName };

        app.MapPost("/api/reports", async (GenerateRequest? request, int? hall, HttpContext http, ReportJobs jobs, Pdf.ReportFont font, Admin.AdminStore admin, IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock, CancellationToken ct) =>
        {
            if (await ActingAsync(http, hall, admin, ct) is not { } actor)
            {
                return Error(403, Refusal.Forbidden);
            }
            // Without a Chinese font no report can be drawn: said before any job starts, so nothing is half made.
            if (font.Fonts is null)
            {
                return Error(503, Pdf.ReportFont.Missing);
            }
            if (ParseKind(request?.Kind) is not { } kind)
            {
                return Error(400, InvalidKind);
            }
            if (!DateOnly.TryParseExact(request?.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                return Error(400, InvalidDate);
            }
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var now = clock.GetUtcNow();
            var site = await halls.GetAsync(db, actor.HallId, now, ct);
            if (day > HallClock.BusinessDate(now, site.Zone))
            {
                return Error(400, FutureDate);
            }
            var (id, refused) = await jobs.StartAsync(actor, kind, day, ct);
            if (refused is not null)
            {
                if (refused == ReportJobs.QueueFull)
                {
                    http.Response.Headers.RetryAfter = "60";
                }
                return Error(refused == ReportJobs.QueueFull ? 429 : refused == ReportIssuing.AlreadyIssued ? 409 : 400, refused);
            }
            return Results.Json(new { id }, statusCode: 202);
        }).RequireAuthorization(staff);

        app.MapGet("/api/reports/jobs/{id:guid}", async (Guid id, int? hall, HttpContext http, ReportJobs jobs, Admin.AdminStore admin, CancellationToken ct) =>
        {
            if (await ActingAsync(http, hall, admin, ct) is not { } actor)
            {
                return Error(403, Refusal.Forbidden);
            }
            // Another hall's job is answered as unknown.
            return await jobs.ViewAsync(id, actor.HallId, ct) is { } job ? Results.Json(job) : Error(404, UnknownJob);
        }).RequireAuthorization(staff);

        app.MapGet("/api/reports", async (string? kind, int? year, int? hall, HttpContext http, ReportStore store, Admin.AdminStore admin, TimeProvider clock, CancellationToken ct) =>
        {
            if (await ActingAsync(http, hall, admin, ct) is not { } actor)
            {
                return Error(403, Refusal.Forbidden);
            }
            // A year no report can have is said so, not left to fail as a date (year 0 or 10000 is no DateOnly).
            if (year is { } y && (y < 2000 || y > clock.GetUtcNow().Year + 1))
            {
                return Error(400, InvalidYear);
            }
            ReportKind? k = null;
            if (!string.IsNullOrEmpty(kind))
            {
                if (ParseKind(kind) is not { } parsed)
                {
                    return Error(400, InvalidKind);
                }
                k = parsed;
            }
            return Results.Json(await store.ListAsync(actor.HallId, k, year, ct));
        }).RequireAuthorization(staff);

        app.MapGet("/api/reports/{id:long}/pdf", (long id, int? hall, HttpContext http, ReportStore store, Admin.AdminStore admin, CancellationToken ct) => FileAsync(id, pdf: true, hall, http, store, admin, ct))
            .RequireAuthorization(staff);
        app.MapGet("/api/reports/{id:long}/xlsx", (long id, int? hall, HttpContext http, ReportStore store, Admin.AdminStore admin, CancellationToken ct) => FileAsync(id, pdf: false, hall, http, store, admin, ct))
            .RequireAuthorization(staff);
    }

    /// <summary>
    /// The supervisor or admin, acting for their own hall — or, with <c>?hall=</c>, a county admin for a township site under
    /// their hall (as on the admin pages). Null when they may not.
    /// </summary>
    public static async Task<Actor?> ActingAsync(HttpContext http, int? hall, Admin.AdminStore admin, CancellationToken ct)
    {
        var actor = HallAuth.ActorOf(http.User);
        if (!actor.IsSupervisor)
        {
            return null;
        }
        if (hall is null || hall == actor.HallId)
        {
            return actor;
        }
        return actor.StaffRole == Contracts.StaffRole.Admin ? await admin.ActingForAsync(actor, hall, ct) : null;
    }

    private static async Task<IResult> FileAsync(long id, bool pdf, int? hall, HttpContext http, ReportStore store, Admin.AdminStore admin, CancellationToken ct)
    {
        if (await ActingAsync(http, hall, admin, ct) is not { } actor)
        {
            return Error(403, Refusal.Forbidden);
        }
        // A report of another hall is answered as unknown: its existence is not this supervisor's business.
        if (await store.FileAsync(actor.HallId, id, pdf, ct) is not { } file)
        {
            return Error(404, UnknownReport);
        }
        // Results.File writes the Chinese name as filename*=UTF-8''… with an ASCII fallback.
        return Results.File(file.Bytes, pdf ? "application/pdf" : XlsxContentType, file.FileName);
    }

    /// <summary>The kind by its name (DailyPatrol, Weekly, MonthlyBulletin, Year; any case), never by number.</summary>
    public static ReportKind? ParseKind(string? text) =>
        text is { Length: > 0 } && char.IsAsciiLetter(text[0]) && Enum.TryParse<ReportKind>(text, ignoreCase: true, out var kind) && Enum.IsDefined(kind) ? kind : null;

    private static IResult Error(int status, Refusal refusal) =>
        Results.Json(new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn }, statusCode: status);
}
