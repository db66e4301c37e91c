using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Hall.Server.Data;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;
using QRCoder;

namespace Hall.Server.Bookings;

/// <summary>
/// The citizen's booking page on the phone: <c>/book/{hall}</c> (pick service, date, slot; give name, ID number and mobile;
/// get the code and its QR) and <c>/book/{hall}/b/{code}</c> (see or cancel a booking — the link the SMS carries). Plain
/// HTML and a small script over the public booking API: no app, no sign-in, large type.
/// </summary>
public static class BookingPage
{
    public static void MapBookingPage(this WebApplication app)
    {
        app.MapGet("/book/{hall}", (string hall, HttpContext http, IDbContextFactory<HallDb> dbFactory, TimeProvider clock, Halls.HallSettings halls, CancellationToken ct) =>
            PageAsync(hall, null, http, dbFactory, clock, halls, ct));
        app.MapGet("/book/{hall}/b/{code}", (string hall, string code, HttpContext http, IDbContextFactory<HallDb> dbFactory, TimeProvider clock, Halls.HallSettings halls, CancellationToken ct) =>
            PageAsync(hall, BookingCodes.Normalize(code) ?? "-", http, dbFactory, clock, halls, ct));
        app.MapGet("/api/booking/{hall}/bookings/{code}/qr.svg", (string code) =>
        {
            // The QR holds only the code, as the kiosk's scanner types it; nothing personal.
            if (BookingCodes.Normalize(code) is not { } normal)
            {
                return Results.NotFound();
            }
            using var generator = new QRCodeGenerator();
            using var data = generator.CreateQrCode(BookingCodes.Display(normal), QRCodeGenerator.ECCLevel.M);
            using var svg = new SvgQRCode(data);
            return Results.Content(svg.GetGraphic(10, "#000000", "#ffffff", drawQuietZones: true, SvgQRCode.SizingMode.ViewBoxAttribute), "image/svg+xml");
        }).RequireRateLimiting(BookingEndpoints.LookupPolicy).WithGroupName(BookingOpenApi.Document).WithTags("booking")
            .Documented("The booking code as a QR code (SVG)", "It holds the code as printed (ABCD-EFGH), which the kiosk's scanner types; nothing personal.")
            .Produces(200, contentType: "image/svg+xml").Produces(404);
    }

    private static async Task<IResult> PageAsync(string hall, string? code, HttpContext http, IDbContextFactory<HallDb> dbFactory, TimeProvider clock, Halls.HallSettings halls, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        // A booking's code in the address must not leak to other sites.
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers["X-Robots-Tag"] = "noindex";
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var id = await db.Halls.Where(h => h.Code == hall).Select(h => (int?)h.Id).FirstOrDefaultAsync(ct);
        if (id is null)
        {
            return Results.Content("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>没有这个大厅</title><body><h1>没有这个大厅</h1><p>No such hall.</p></body></html>",
                "text/html; charset=utf-8", statusCode: 404);
        }
        var site = await halls.GetAsync(db, id.Value, clock.GetUtcNow(), ct);
        var today = HallClock.BusinessDate(clock.GetUtcNow(), site.Zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var h = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
        var page = new StringBuilder();
        page.Append(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{{h.Encode(site.Name)}} · 网上预约</title>
            <link rel="stylesheet" href="/book.css">
            <script src="/book.js" defer></script>
            </head>
            <body data-hall="{{h.Encode(hall)}}" data-today="{{today}}" data-code="{{h.Encode(code ?? "")}}">
            <header><span data-testid="hall-name">{{h.Encode(site.Name)}}</span> · {{(code is null ? "网上预约" : "我的预约")}}</header>
            <main id="main" aria-live="polite"><p class="hint">正在加载…</p></main>
            <noscript><p class="hint">请允许浏览器运行脚本后再预约。</p></noscript>
            </body>
            </html>
            """);
        return Results.Content(page.ToString(), "text/html; charset=utf-8");
    }
}
