using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Halls;

/// <summary>The admin's settings of a hall over HTTP (the admin pages use them too).</summary>
public static class HallEndpoints
{
    public const int MaxNoticeLineLength = 200;

    public sealed record NoticeLineRequest(string? Text);

    public static void MapHallEndpoints(this WebApplication app)
    {
        // The lobby screens' scrolling line: stored, then pushed to every device of the hall at once.
        app.MapPut("/api/admin/notice-line", async (NoticeLineRequest request, HttpContext http, IDbContextFactory<HallDb> dbFactory, HallSettings halls,
            IHubContext<HallHub, IHallClient> hub, Admin.AdminStore audit, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.StaffRole != StaffRole.Admin)
            {
                return Error(403, Refusal.Forbidden);
            }
            var text = string.IsNullOrWhiteSpace(request.Text) ? null : request.Text.Trim();
            if (text is { Length: > MaxNoticeLineLength } || (text?.Any(char.IsControl) ?? false))
            {
                return Error(400, Refusal.TextTooLong with { Code = "invalid_notice_line", MessageZh = "滚动字幕最多 200 字，且不能含控制字符", MessageEn = "The notice line is at most 200 characters, without control characters." });
            }
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var before = await db.Halls.Where(h => h.Id == actor.HallId).Select(h => h.NoticeLine).SingleAsync(ct);
            await db.Halls.Where(h => h.Id == actor.HallId).ExecuteUpdateAsync(s => s.SetProperty(h => h.NoticeLine, text), ct);
            await audit.RecordAsync(actor, "notice_line.set", $"hall:{actor.HallId}", new { text = before }, new { text }, ct);
            halls.Invalidate(actor.HallId);
            await hub.Clients.Group(HubGroups.Hall(actor.HallId)).NoticeLineChanged(new NoticeLineMessage(text));
            return Results.Ok(new { text });
        }).RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = HallAuth.SchemeName });
    }

    private static IResult Error(int status, Refusal refusal) =>
        Results.Json(new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn }, statusCode: status);
}
