using System.Globalization;
using System.Threading.RateLimiting;
using Hall.Server.Data;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Bookings;

/// <summary>
/// The public booking API (no sign-in): what the booking page, the province's app or a WeChat mini program call. Every
/// refusal answers <c>{code, messageZh, messageEn}</c>; booking and looking up are rate-limited per address
/// (<c>Hall:Booking:BookPerMinute</c>, default 10; <c>Hall:Booking:LookupPerMinute</c>, default 60) with 429 <c>too_many_requests</c>.
/// </summary>
public static class BookingEndpoints
{
    public const string BookPolicy = "booking";
    public const string LookupPolicy = "booking-lookup";

    public static readonly Refusal UnknownHall = new("unknown_hall", "没有这个大厅", "No such hall.");
    public static readonly Refusal InvalidDate = new("invalid_date", "日期格式应为 yyyy-MM-dd", "The date is written yyyy-MM-dd.");
    public static readonly Refusal InvalidStart = new("invalid_start", "时段开始时间格式应为 HH:mm", "The slot's start is written HH:mm.");
    public static readonly Refusal InvalidRequestId = new("invalid_request_id", "请求编号应为 GUID", "The request id is a GUID.");
    public static readonly Refusal TooManyRequests = new("too_many_requests", "操作过于频繁，请稍后再试", "Too many requests from this address: try again in a minute.");

    /// <summary>What a booking request carries; every field a string or number so a wrong one is refused by name, not as a broken body.</summary>
    public sealed record BookBody(string? RequestId, int? ServiceId, int? ServiceItemId, string? Date, string? Start, string? Name, string? IdNumber, string? Mobile);

    /// <summary>The rate limits of the booking API, per client address.</summary>
    public static IServiceCollection AddBookingLimits(this IServiceCollection services, IConfiguration config)
    {
        var book = Math.Max(1, config.GetValue("Hall:Booking:BookPerMinute", 10));
        var lookup = Math.Max(1, config.GetValue("Hall:Booking:LookupPerMinute", 60));
        return services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await context.HttpContext.Response.WriteAsJsonAsync(Body(TooManyRequests), ct);
            };
            o.AddPolicy(BookPolicy, http => PerAddress(http, book));
            o.AddPolicy(LookupPolicy, http => PerAddress(http, lookup));
        });
    }

    private static RateLimitPartition<string> PerAddress(HttpContext http, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });

    public static void MapBookingEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api/booking/{hall}");

        api.MapGet("/services", async (string hall, IDbContextFactory<HallDb> dbFactory, BookingService bookings, CancellationToken ct) =>
            await HallIdAsync(dbFactory, hall, ct) is { } hallId ? Results.Json(await bookings.ServicesAsync(hallId, ct)) : Error(404, UnknownHall))
            .RequireRateLimiting(LookupPolicy);

        api.MapGet("/slots", async (string hall, int? service, string? date, IDbContextFactory<HallDb> dbFactory, BookingService bookings, CancellationToken ct) =>
        {
            if (await HallIdAsync(dbFactory, hall, ct) is not { } hallId)
            {
                return Error(404, UnknownHall);
            }
            if (ParseDate(date) is not { } day)
            {
                return Error(400, InvalidDate);
            }
            return await bookings.SlotsAsync(hallId, service ?? 0, day, ct) is { } slots
                ? Results.Json(new { date = Date(day), slots = slots.Select(s => new { start = Time(s.Start), end = Time(s.End), s.Capacity, s.Left, s.State }) })
                : Error(404, BookingRefusals.NotOffered);
        }).RequireRateLimiting(LookupPolicy);

        // The kiosk's item search over the bookable services: choosing an item books its service.
        api.MapGet("/items", async (string hall, string? q, IDbContextFactory<HallDb> dbFactory, BookingItems items, CancellationToken ct) =>
        {
            if (await HallIdAsync(dbFactory, hall, ct) is not { } hallId)
            {
                return Error(404, UnknownHall);
            }
            var (found, refused) = await items.SearchAsync(hallId, q, ct);
            return refused is null ? Results.Json(found) : Error(400, refused);
        }).RequireRateLimiting(LookupPolicy);

        api.MapPost("/bookings", async (string hall, BookBody? body, IDbContextFactory<HallDb> dbFactory, BookingService bookings, CancellationToken ct) =>
        {
            if (await HallIdAsync(dbFactory, hall, ct) is not { } hallId)
            {
                return Error(404, UnknownHall);
            }
            if (!Guid.TryParse(body?.RequestId, out var requestId) || requestId == Guid.Empty)
            {
                return Error(400, InvalidRequestId);
            }
            if (ParseDate(body!.Date) is not { } day)
            {
                return Error(400, InvalidDate);
            }
            if (!TimeOnly.TryParseExact(body.Start, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
            {
                return Error(400, InvalidStart);
            }
            var (booking, refused) = await bookings.BookAsync(hallId, new BookRequest(requestId, body.ServiceId ?? 0, body.ServiceItemId, day, start, body.Name, body.IdNumber, body.Mobile), ct);
            return refused is not null ? Error(Status(refused), refused) : Results.Json(View(booking!), statusCode: 201);
        }).RequireRateLimiting(BookPolicy);

        api.MapGet("/bookings/{code}", async (string hall, string code, IDbContextFactory<HallDb> dbFactory, BookingService bookings, CancellationToken ct) =>
            await HallIdAsync(dbFactory, hall, ct) is not { } hallId ? Error(404, UnknownHall)
            : await bookings.FindAsync(hallId, code, ct) is { } booking ? Results.Json(View(booking))
            : Error(404, BookingRefusals.UnknownBooking))
            .RequireRateLimiting(LookupPolicy);

        api.MapDelete("/bookings/{code}", async (string hall, string code, IDbContextFactory<HallDb> dbFactory, BookingService bookings, CancellationToken ct) =>
        {
            if (await HallIdAsync(dbFactory, hall, ct) is not { } hallId)
            {
                return Error(404, UnknownHall);
            }
            var refused = await bookings.CancelAsync(hallId, code, ct);
            return refused is null ? Results.NoContent() : Error(refused == BookingRefusals.UnknownBooking ? 404 : 409, refused);
        }).RequireRateLimiting(LookupPolicy);
    }

    /// <summary>The booking as answered: the code as printed (ABCD-EFGH), dates and times as people write them.</summary>
    private static object View(BookingView b) => new
    {
        code = BookingCodes.Display(b.Code),
        b.ServiceId,
        b.ServiceName,
        b.ServiceItemId,
        b.ItemName,
        date = Date(b.Date),
        start = Time(b.Start),
        end = Time(b.End),
        b.NameMasked,
        b.IdMasked,
        b.MobileMasked,
        state = b.State.ToString(),
    };

    /// <summary>Capacity and the person's own limits are conflicts (409); the rest is bad input (400).</summary>
    private static int Status(Refusal refused) => refused.Code switch
    {
        "slot_full" or "too_many_bookings" or "already_booked" or "booking_banned" or "request_id_reused" => 409,
        "booking_not_offered" => 404,
        _ => 400,
    };

    private static async Task<int?> HallIdAsync(IDbContextFactory<HallDb> dbFactory, string code, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Halls.Where(h => h.Code == code).Select(h => (int?)h.Id).FirstOrDefaultAsync(ct);
    }

    private static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Time(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static object Body(Refusal refusal) => new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn };

    private static IResult Error(int status, Refusal refusal) => Results.Json(Body(refusal), statusCode: status);
}
