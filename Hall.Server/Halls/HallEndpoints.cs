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
    public sealed record NoticeLineRequest(string? Text);

    public static void MapHallEndpoints(this WebApplication app)
    {
        // The lobby screens' scrolling line: stored, then pushed to every device of the hall at once.
        app.MapPut("/api/admin/notice-line", async (NoticeLineRequest request, HttpContext http, Media.LobbyScreens screens, CancellationToken ct) =>
        {
            var (text, refusal) = await screens.SetNoticeLineAsync(HallAuth.ActorOf(http.User), request.Text, ct);
            return refusal is null ? Results.Ok(new { text }) : Error(refusal == Refusal.Forbidden ? 403 : 400, refusal);
        }).RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = HallAuth.SchemeName });
    }

    private static IResult Error(int status, Refusal refusal) =>
        Results.Json(new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn }, statusCode: status);
}
