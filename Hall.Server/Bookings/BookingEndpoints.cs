using Hall.Server.Contracts;
using System.Globalization;
using System.Threading.RateLimiting;
using Hall.Server.Data;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Bookings;

/// <summary>
/// The public booking API (no sign-in): what the booking page, the province's app or a WeChat mini program call. Every
/// refusal answers <c>{code, messageZh, messageEn}</c>; booking and looking up are rate-limited per address
/// (<c>Hall:Booking:BookPerMinute</c>, default 10; <c>Hall:Booking:LookupPerMinute</c>, default 60) and per person and per code
/// (<see cref="BookingPersonLimits"/>) with 429 <c>too_many_requests</c>. Its OpenAPI document: <see cref="BookingOpenApi"/>.
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

    /// <summary>A booking as answered: the code as printed (ABCD-EFGH), dates and times as people write them.</summary>
    public sealed record BookingAnswer(string Code, int ServiceId, string ServiceName, int? ServiceItemId, string? ItemName, string Date, string Start, string End, string NameMasked, string IdMasked, string MobileMasked, string State);

    /// <summary>线上取号: what the phone sends; the ID number and the mobile are required, kept as the tickets keep them.</summary>
    public sealed record RemoteTicketBody(string? RequestId, int? ServiceId, int? ServiceItemId, string? IdNumber, string? Mobile);

    /// <summary>The number taken, and its live page (<see cref="Tracking"/>, a path on this server).</summary>
    public sealed record RemoteTicketAnswer(string Number, string ServiceName, int PeopleAhead, int? EstimatedWaitMinutes, string TrackingCode, string Tracking, string? MobileMasked, string? IdMasked);

    /// <summary>A date's slots as answered.</summary>
    public sealed record SlotsAnswer(string Date, IReadOnlyList<SlotAnswer> Slots);

    /// <summary>One slot as answered; <see cref="State"/> is open, full, closed or not_released.</summary>
    public sealed record SlotAnswer(string Start, string End, int Capacity, int Left, string State);

    /// <summary>Every refusal's shape.</summary>
    public sealed record ErrorAnswer(string Code, string MessageZh, string MessageEn);

    /// <summary>The rate limits of the booking API, per client address.</summary>
    public static IServiceCollection AddBookingLimits(this IServiceCollection services, IConfiguration config)
    {
        var book = Math.Max(1, config.GetValue("Hall:Booking:BookPerMinute", 10));
        var lookup = Math.Max(1, config.GetValue("Hall:Booking:LookupPerMinute", 60));
        services.AddSingleton<BookingPersonLimits>();
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
        var api = app.MapGroup("/api/booking/{hall}").WithGroupName(BookingOpenApi.Document).WithTags("booking");

        api.MapGet("/services", async (string hall, IDbContextFactory<HallDb> dbFactory, BookingService bookings, CancellationToken ct) =>
            await HallIdAsync(dbFactory, hall, ct) is { } hallId ? Results.Json(await bookings.ServicesAsync(hallId, ct)) : Error(404, UnknownHall))
            .RequireRateLimiting(LookupPolicy)
            .Documented("The services that take bookings", "In the kiosk's order, each with its slot length and how many days ahead it can be booked.")
            .Answers<List<BookableService>>(200).Refuses(404, UnknownHall).Refuses(429, TooManyRequests);

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
                ? Results.Json(new SlotsAnswer(Date(day), [.. slots.Select(s => new SlotAnswer(Time(s.Start), Time(s.End), s.Capacity, s.Left, s.State))]))
                : Error(404, BookingRefusals.NotOffered);
        }).RequireRateLimiting(LookupPolicy)
            .Documented("A date's slots of a service with the places left", "state: open, full, closed (booking for it has closed) or not_released (the date is not released yet).")
            .Answers<SlotsAnswer>(200).Refuses(400, InvalidDate).Refuses(404, UnknownHall, BookingRefusals.NotOffered).Refuses(429, TooManyRequests);

        // The kiosk's item search over the bookable services: choosing an item books its service.
        api.MapGet("/items", async (string hall, string? q, IDbContextFactory<HallDb> dbFactory, BookingItems items, CancellationToken ct) =>
        {
            if (await HallIdAsync(dbFactory, hall, ct) is not { } hallId)
            {
                return Error(404, UnknownHall);
            }
            var (found, refused) = await items.SearchAsync(hallId, q, ct);
            return refused is null ? Results.Json(found) : Error(400, refused);
        }).RequireRateLimiting(LookupPolicy)
            .Documented("Service items of the bookable services matching a search", "q: 汉字, full pinyin or initials, as on the kiosk; at most 20 items. Choosing one books its service with serviceItemId.")
            .Answers<IReadOnlyList<BookableItem>>(200).Refuses(400, BookingItems.QueryTooLong).Refuses(404, UnknownHall).Refuses(429, TooManyRequests);

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
        }).RequireRateLimiting(BookPolicy).LimitedPerPerson()
            .Documented("Book a slot", "Every field is required but serviceItemId. The same requestId again answers the same booking (stored once). A slot never holds more than its capacity.")
            .Takes<BookBody>().Answers<BookingAnswer>(201)
            .Refuses(400, InvalidRequestId, InvalidDate, InvalidStart, BookingRefusals.InvalidName, BookingRefusals.InvalidIdNumber, Refusal.InvalidMobile,
                BookingRefusals.MobileRequired, BookingRefusals.UnknownSlot, BookingRefusals.NotReleased, BookingRefusals.SlotClosed, Refusal.UnknownServiceItem)
            .Refuses(404, UnknownHall, BookingRefusals.NotOffered)
            .Refuses(409, BookingRefusals.SlotFull, BookingRefusals.TooMany, BookingRefusals.SameSlot, BookingRefusals.Banned(new DateOnly(2026, 12, 31), 3, 90), BookingRefusals.RequestReused)
            .Refuses(429, TooManyRequests, BookingPersonLimits.TooManyForPerson);

        // 线上取号: a number in today's queue now, for the services the hall allows it, called like any other ticket.
        api.MapPost("/tickets", async (string hall, RemoteTicketBody? body, IDbContextFactory<HallDb> dbFactory, Queue.QueueService queue, CancellationToken ct) =>
        {
            if (await HallIdAsync(dbFactory, hall, ct) is not { } hallId)
            {
                return Error(404, UnknownHall);
            }
            if (!Guid.TryParse(body?.RequestId, out var requestId) || requestId == Guid.Empty)
            {
                return Error(400, InvalidRequestId);
            }
            if (string.IsNullOrWhiteSpace(body!.Mobile))
            {
                return Error(400, BookingRefusals.MobileRequired);
            }
            if (string.IsNullOrWhiteSpace(body.IdNumber))
            {
                return Error(400, BookingRefusals.InvalidIdNumber);
            }
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                if (!await db.SlotSchedules.AnyAsync(p => p.HallId == hallId && p.ServiceId == body.ServiceId && p.Active && p.RemoteTickets, ct))
                {
                    return Error(404, BookingRefusals.RemoteNotOffered);
                }
            }
            // The request id is the command id: the same request again answers the same ticket.
            var reply = await queue.IssueAsync(Queue.Actor.Phone(hallId),
                new IssueTicketCommand(requestId, body.ServiceId, null, body.ServiceItemId, PriorityClass.Normal, body.Mobile, body.IdNumber), ct);
            if (reply.Error is { } error)
            {
                return Results.Json(new ErrorAnswer(error.Code, error.MessageZh, error.MessageEn), statusCode: error.Code switch
                {
                    "too_many_open_tickets" or "daily_cap_reached" or "command_id_reused" => 409,
                    "unavailable" or "busy" => 503,
                    _ => 400,
                });
            }
            var issued = reply.Value!;
            return Results.Json(new RemoteTicketAnswer(issued.Ticket.Number, issued.Ticket.ServiceName, issued.PeopleAhead, issued.EstimatedWaitMinutes,
                issued.TrackingCode, $"/t/{issued.TrackingCode}", issued.MobileMasked, issued.IdMasked), statusCode: 201);
        }).RequireRateLimiting(BookPolicy).LimitedPerPerson()
            .Documented("Take a number in today's queue now (线上取号)",
                "For services whose schedule allows it, during opening hours. The ticket is called like any other (no-show rules apply). The same requestId again answers the same ticket. One ID or mobile holds at most the hall's open tickets per service and day (as at the kiosk). tracking is the ticket's live page.")
            .Takes<RemoteTicketBody>().Answers<RemoteTicketAnswer>(201)
            .Refuses(400, InvalidRequestId, BookingRefusals.MobileRequired, BookingRefusals.InvalidIdNumber, Refusal.InvalidMobile, Refusal.OutsideOpeningHours, Refusal.HallClosedToday, Refusal.UnknownServiceItem)
            .Refuses(404, UnknownHall, BookingRefusals.RemoteNotOffered)
            .Refuses(409, Refusal.TooManyOpenTickets, Refusal.DailyCapReached)
            .Refuses(429, TooManyRequests, BookingPersonLimits.TooManyForPerson);

        api.MapGet("/bookings/{code}", async (string hall, string code, IDbContextFactory<HallDb> dbFactory, BookingService bookings, CancellationToken ct) =>
            await HallIdAsync(dbFactory, hall, ct) is not { } hallId ? Error(404, UnknownHall)
            : await bookings.FindAsync(hallId, code, ct) is { } booking ? Results.Json(View(booking))
            : Error(404, BookingRefusals.UnknownBooking))
            .RequireRateLimiting(LookupPolicy).LimitedPerCode()
            .Documented("A booking by its code", "The code in any case, with or without its dash.")
            .Answers<BookingAnswer>(200).Refuses(404, UnknownHall, BookingRefusals.UnknownBooking).Refuses(429, TooManyRequests, BookingPersonLimits.TooManyForCode);

        api.MapDelete("/bookings/{code}", async (string hall, string code, IDbContextFactory<HallDb> dbFactory, BookingService bookings, CancellationToken ct) =>
        {
            if (await HallIdAsync(dbFactory, hall, ct) is not { } hallId)
            {
                return Error(404, UnknownHall);
            }
            var refused = await bookings.CancelAsync(hallId, code, ct);
            return refused is null ? Results.NoContent() : Error(refused == BookingRefusals.UnknownBooking ? 404 : 409, refused);
        }).RequireRateLimiting(LookupPolicy).LimitedPerCode()
            .Documented("Cancel a booking", "Its place is free again and the mobile number erased.")
            .Answers(204).Refuses(404, UnknownHall, BookingRefusals.UnknownBooking).Refuses(409, BookingRefusals.NotCancellable)
            .Refuses(429, TooManyRequests, BookingPersonLimits.TooManyForCode);
    }

    private static RouteHandlerBuilder LimitedPerPerson(this RouteHandlerBuilder endpoint) => endpoint.AddEndpointFilter(async (context, next) =>
        context.HttpContext.RequestServices.GetRequiredService<BookingPersonLimits>().MayBook(context.Arguments.OfType<BookBody>().FirstOrDefault()?.IdNumber ?? context.Arguments.OfType<RemoteTicketBody>().FirstOrDefault()?.IdNumber)
            ? await next(context) : TooMany(context.HttpContext, BookingPersonLimits.TooManyForPerson));

    private static RouteHandlerBuilder LimitedPerCode(this RouteHandlerBuilder endpoint) => endpoint.AddEndpointFilter(async (context, next) =>
        context.HttpContext.RequestServices.GetRequiredService<BookingPersonLimits>().MayLookUp(context.HttpContext.GetRouteValue("code") as string)
            ? await next(context) : TooMany(context.HttpContext, BookingPersonLimits.TooManyForCode));

    private static IResult TooMany(HttpContext http, Refusal refusal)
    {
        http.Response.Headers.RetryAfter = "60";
        return Error(429, refusal);
    }

    private static BookingAnswer View(BookingView b) =>
        new(BookingCodes.Display(b.Code), b.ServiceId, b.ServiceName, b.ServiceItemId, b.ItemName, Date(b.Date), Time(b.Start), Time(b.End), b.NameMasked, b.IdMasked, b.MobileMasked, b.State.ToString());

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

    private static ErrorAnswer Body(Refusal refusal) => new(refusal.Code, refusal.MessageZh, refusal.MessageEn);

    private static IResult Error(int status, Refusal refusal) => Results.Json(Body(refusal), statusCode: status);
}
