using System.Text.Encodings.Web;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Tracking;

/// <summary>
/// The citizen's phone page behind the QR on the ticket: <c>/t/{code}</c>. Light (plain HTML, polling a small JSON
/// endpoint every few seconds, no circuit per phone), nothing personal on it, and only an unguessable code opens it.
/// Once the ticket is finished the page offers 好差评 (掌上评价) for the hall's time limit, unless the citizen already rated
/// on the window's evaluator: the first rating stands, whichever way it came.
/// </summary>
public static class TrackingPage
{
    public static void MapTrackingPage(this WebApplication app)
    {
        app.MapGet("/t/{code}", async (string code, HttpContext http, IDbContextFactory<HallDb> dbFactory, HallSettings halls, QueuePositions positions, QueueService queue, TimeProvider clock, CancellationToken ct) =>
        {
            NoStore(http);
            var state = await ReadAsync(code, dbFactory, halls, positions, queue, clock, ct);
            return state is null
                ? Results.Content(NotFoundHtml, "text/html; charset=utf-8", statusCode: 404)
                : Results.Content(PageHtml(code, state), "text/html; charset=utf-8");
        });
        app.MapGet("/t/{code}/state", async (string code, HttpContext http, IDbContextFactory<HallDb> dbFactory, HallSettings halls, QueuePositions positions, QueueService queue, TimeProvider clock, CancellationToken ct) =>
        {
            NoStore(http);
            var state = await ReadAsync(code, dbFactory, halls, positions, queue, clock, ct);
            return state is null ? UnknownTicket() : Results.Json(state);
        });
        // 掌上评价: the citizen rates from the phone. The tracking code is the only key; the request id makes a resend harmless.
        app.MapPost("/t/{code}/rating", async (string code, PhoneRating? body, HttpContext http, IDbContextFactory<HallDb> dbFactory, QueueService queue, CancellationToken ct) =>
        {
            NoStore(http);
            if (!TrackingCodes.LooksValid(code))
            {
                return UnknownTicket();
            }
            if (body is null || !Guid.TryParse(body.RequestId, out var requestId) || requestId == Guid.Empty)
            {
                return Error(400, Security.ApiErrors.InvalidRequest);
            }
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var ticket = await db.Tickets.AsNoTracking().Where(t => t.TrackingCode == code).Select(t => new { t.Id, t.HallId }).FirstOrDefaultAsync(ct);
            if (ticket is null)
            {
                return UnknownTicket();
            }
            var reply = await queue.RateAsync(Actor.CitizenPhone(ticket.HallId), new RateCommand(requestId, ticket.Id, (RatingLevel)body.Level, body.Reasons ?? []), ct);
            return reply.Error is { } error
                ? Error(error.Code switch { "already_rated" or "command_id_reused" => 409, "unavailable" or "busy" => 503, _ => 400 }, new Refusal(error.Code, error.MessageZh, error.MessageEn))
                : Results.Json(new { rated = body.Level });
        });
    }

    /// <summary>What the phone sends to rate: a fresh request id, the level 1–5, and for 1–2 any of the national reasons.</summary>
    public sealed record PhoneRating(string? RequestId, int Level, IReadOnlyList<string>? Reasons);

    private static IResult UnknownTicket() => Results.Json(new { error = new { code = "unknown_ticket", zh = "未找到该号票", en = "No such ticket." } }, statusCode: 404);

    private static IResult Error(int status, Refusal refusal) => Results.Json(new { error = new { code = refusal.Code, zh = refusal.MessageZh, en = refusal.MessageEn } }, statusCode: status);

    /// <summary>
    /// What the phone shows; the same record is the JSON the page polls. While waiting, <see cref="EstimatedWaitMinutes"/> is null
    /// when no window can take the ticket now. Once finished: <see cref="Rating"/>.
    /// </summary>
    public sealed record TrackedTicket(string Hall, string Number, string Service, string State, string StatusZh, string StatusEn, int? PeopleAhead, int? EstimatedWaitMinutes, int? WindowNumber, bool Final,
        TrackedRating? Rating = null);

    /// <summary>
    /// 好差评 on the phone, for a finished ticket: <see cref="CanRate"/> while nobody has rated it and the time limit has not passed
    /// (<see cref="Reasons"/>: the national reasons for a bad level); else what was rated and where (<see cref="RatedZh"/>), or
    /// that the time is over.
    /// </summary>
    public sealed record TrackedRating(bool CanRate, string? RatedZh, string? RatedEn, IReadOnlyList<RatingReason>? Reasons);

    private static void NoStore(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        // The code in the address must not leak to other sites through the Referer header.
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers["X-Robots-Tag"] = "noindex";
    }

    private static async Task<TrackedTicket?> ReadAsync(string code, IDbContextFactory<HallDb> dbFactory, HallSettings halls, QueuePositions positions, QueueService queue, TimeProvider clock, CancellationToken ct)
    {
        if (!TrackingCodes.LooksValid(code))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // The ticket and how far its hall's queues and windows have moved, in one statement on every poll: a call must show at once.
        var row = await (
            from t in db.Tickets.AsNoTracking()
            join s in db.Services on t.ServiceId equals s.Id
            join w in db.Windows on t.WindowId equals w.Id into windows
            from w in windows.DefaultIfEmpty()
            where t.TrackingCode == code
            select new
            {
                t.Id,
                t.HallId,
                t.ServiceId,
                t.Number,
                t.State,
                t.FinishedAt,
                Service = s.Name,
                Window = (int?)w.Number,
                Version = db.Services.Where(o => o.HallId == t.HallId).Sum(o => o.QueueVersion) + db.Windows.Where(o => o.HallId == t.HallId).Sum(o => o.StateVersion),
            })
            .FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, row.HallId, now, ct);
        int? ahead = null, wait = null;
        // The people ahead and the estimate from the real call order, as the ticket was told at the kiosk and as the notice counts.
        if (row.State == TicketState.Waiting && (await positions.GetAsync(hall, row.Version, now, ct)).Wait(row.Id, row.ServiceId) is { } position)
        {
            (ahead, wait) = position;
        }
        var (zh, en) = row.State switch
        {
            TicketState.Waiting => ("等候中", "Waiting"),
            TicketState.Called => ($"请到{row.Window}号窗口", $"Please go to window {row.Window}"),
            TicketState.Serving => ($"正在{row.Window}号窗口办理", $"Being served at window {row.Window}"),
            TicketState.Finished => ("已办结", "Finished"),
            TicketState.NoShow => ("已过号，请到服务台咨询", "Missed; please ask at the service desk"),
            TicketState.Cancelled => ("已取消", "Cancelled"),
            TicketState.Voided => ("已作废", "Void"),
        };
        var final = row.State is TicketState.Finished or TicketState.Cancelled or TicketState.Voided;
        TrackedRating? rating = null;
        if (row.State == TicketState.Finished)
        {
            var rated = await db.Ratings.AsNoTracking().Where(r => r.TicketId == row.Id).Select(r => new { r.Level, r.Channel }).FirstOrDefaultAsync(ct);
            rating = rated is not null
                ? new TrackedRating(false, $"您已评价：{Reports.ReportFormat.Level(rated.Level)}（{(rated.Channel == RatingChannel.Phone ? "手机评价" : "窗口评价器")}）",
                    $"Rated: {Reports.ReportFormat.LevelEn(rated.Level)} ({(rated.Channel == RatingChannel.Phone ? "on the phone" : "at the window")})", null)
                : TicketRules.RatingInTime(row.FinishedAt, now, queue.RatingLimit) is null
                    ? new TrackedRating(true, null, null, RatingReasons.National)
                    : new TrackedRating(false, "评价时限已过", "The time for rating is over", null);
        }
        return new TrackedTicket(hall.Name, row.Number, row.Service, row.State.ToString(), zh, en, ahead, wait, row.Window, final, rating);
    }

    private static string PageHtml(string code, TrackedTicket t)
    {
        var h = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
        return $$"""
            <!doctype html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{{h.Encode(t.Number)}} · {{h.Encode(t.Hall)}}</title>
            <link rel="stylesheet" href="/track.css">
            <script src="/track.js" defer></script>
            </head>
            <body data-code="{{h.Encode(code)}}">
            <header>{{h.Encode(t.Hall)}} · 排队进度</header>
            <main>
              <div class="card">
                <div class="number" data-testid="number">{{h.Encode(t.Number)}}</div>
                <div class="service" data-testid="service">{{h.Encode(t.Service)}}</div>
                <div class="status" data-testid="status" data-state="{{t.State}}">{{h.Encode(t.StatusZh)}}</div>
                <div class="en" data-testid="status-en">{{h.Encode(t.StatusEn)}}</div>
                <div class="facts" data-testid="facts">{{Facts(t)}}</div>
              </div>
              <section class="card rate" data-testid="rate" hidden></section>
              <footer>页面自动刷新 · 过号请到服务台咨询</footer>
            </main>
            </body>
            </html>
            """;
    }

    private static string Facts(TrackedTicket t) => t.PeopleAhead is not { } ahead ? ""
        : $"前面还有 {ahead} 人<br>" + t.EstimatedWaitMinutes switch
        {
            null => "暂无窗口办理",
            > 0 => $"预计等候约 {t.EstimatedWaitMinutes} 分钟",
            _ => "请留意叫号",
        };

    private const string NotFoundHtml = """
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>未找到号票</title>
        <link rel="stylesheet" href="/track.css"></head>
        <body class="not-found">
        <h1 data-testid="not-found">未找到该号票</h1>
        <p>No such ticket. 请核对号票上的二维码，或到服务台咨询。</p>
        </body></html>
        """;
}
