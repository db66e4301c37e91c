using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Media;

/// <summary>Uploads and playlists for the admin; downloads for the hall's displays.</summary>
public static class MediaEndpoints
{
    private static readonly AuthorizeAttribute Hall = new() { AuthenticationSchemes = HallAuth.SchemeName };

    public static void MapMediaEndpoints(this WebApplication app)
    {
        app.MapPost("/api/admin/media", async (HttpContext http, LobbyScreens screens, IConfiguration config, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.StaffRole != StaffRole.Admin)
            {
                return Error(403, Refusal.Forbidden);
            }
            var limit = config.GetValue("Hall:Media:MaxUploadMegabytes", 2048) * 1024L * 1024L;
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
            {
                body.MaxRequestBodySize = limit;
            }
            if (!http.Request.HasFormContentType)
            {
                return Error(400, Refusal.InvalidCommand);
            }
            var form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit }, ct);
            if (form.Files.GetFile("file") is not { } file)
            {
                return Error(400, Refusal.InvalidCommand);
            }
            _ = int.TryParse(form["seconds"], out var seconds);
            await using var stream = file.OpenReadStream();
            var (item, refusal) = await screens.UploadMediaAsync(actor, stream, form["title"], form["legal"] == "true", seconds, ct);
            return item is null ? Error(400, refusal!) : Results.Ok(new { item.Id, item.Title, Kind = item.Kind.ToString(), item.Sha256, item.Size, item.DisplaySeconds, item.Legal });
        }).RequireAuthorization(Hall);

        app.MapPost("/api/admin/playlists", async (MediaLibrary.PlaylistRequest request, HttpContext http, LobbyScreens screens, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.StaffRole != StaffRole.Admin)
            {
                return Error(403, Refusal.Forbidden);
            }
            var (playlist, refusal) = await screens.CreatePlaylistAsync(actor, request, ct);
            return playlist is null ? Error(400, refusal!) : Results.Ok(new { playlist.Id, playlist.Name });
        }).RequireAuthorization(Hall);

        // Deleting a media item: refused while a playlist shows it; its plays stay in the reports.
        app.MapDelete("/api/admin/media/{id:int}", async (int id, HttpContext http, LobbyScreens screens, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.StaffRole != StaffRole.Admin)
            {
                return Error(403, Refusal.Forbidden);
            }
            return await screens.DeleteMediaAsync(actor, id, ct) is { } refusal
                ? Error(refusal == Admin.AdminStore.NotFound ? 404 : refusal.Code == "media_in_use" ? 409 : 400, refusal)
                : Results.NoContent();
        }).RequireAuthorization(Hall);

        // The admin's preview of a media item: of their hall or a township site they run.
        app.MapGet("/api/admin/media/{id:int}", async (int id, HttpContext http, IDbContextFactory<HallDb> dbFactory, MediaLibrary library, Admin.AdminStore store, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.StaffRole != StaffRole.Admin)
            {
                return Error(403, Refusal.Forbidden);
            }
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var item = await db.MediaItems.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id && m.DeletedAt == null, ct);
            if (item is null || await store.ActingForAsync(actor, item.HallId, ct) is null || !File.Exists(library.PathOf(item)))
            {
                return Results.NotFound();
            }
            return Results.File(library.PathOf(item), item.ContentType, enableRangeProcessing: true, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{item.Sha256}\""));
        }).RequireAuthorization(Hall);

        // How the lobby screens speak: read and set by the admin, pushed to the hall's displays at once.
        app.MapGet("/api/admin/display-settings", async (HttpContext http, MediaLibrary library, CancellationToken ct) =>
            HallAuth.ActorOf(http.User).StaffRole is StaffRole.Admin or StaffRole.Supervisor
                ? Results.Ok((await library.DisplaySettingsAsync(HallAuth.ActorOf(http.User).HallId, ct)).ToView())
                : Error(403, Refusal.Forbidden)).RequireAuthorization(Hall);

        app.MapPut("/api/admin/display-settings", async (DisplaySettings.Request request, HttpContext http, LobbyScreens screens, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.StaffRole != StaffRole.Admin)
            {
                return Error(403, Refusal.Forbidden);
            }
            var (settings, refusal) = await screens.SetVoiceAsync(actor, request, ct);
            return settings is null ? Error(400, refusal!) : Results.Ok(settings.ToView());
        }).RequireAuthorization(Hall);

        // The recorded voice pack: a ZIP checked phrase by phrase, then offered to the hall's displays.
        app.MapPost("/api/admin/voice-pack", async (HttpContext http, LobbyScreens screens, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.StaffRole != StaffRole.Admin)
            {
                return Error(403, Refusal.Forbidden);
            }
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
            {
                body.MaxRequestBodySize = VoicePack.MaxBytes + 64 * 1024;
            }
            if (!http.Request.HasFormContentType)
            {
                return Error(400, Refusal.InvalidCommand);
            }
            var form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = VoicePack.MaxBytes }, ct);
            if (form.Files.GetFile("file") is not { } file)
            {
                return Error(400, Refusal.InvalidCommand);
            }
            await using var stream = file.OpenReadStream();
            var (settings, refusal) = await screens.UploadVoicePackAsync(actor, stream, ct);
            return settings is null ? Error(400, refusal!) : Results.Ok(settings.ToView());
        }).RequireAuthorization(Hall);

        // The displays (calls) and the kiosks (spoken guidance) speak with the hall's pack.
        app.MapGet("/api/voice-pack", async (HttpContext http, MediaLibrary library, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (actor.DeviceRole is not (DeviceRole.Display or DeviceRole.Kiosk or null))
            {
                return Error(403, Refusal.Forbidden);
            }
            var settings = await library.DisplaySettingsAsync(actor.HallId, ct);
            return settings.VoicePackSha256 is { } sha && File.Exists(library.VoicePackPath(sha))
                ? Results.File(library.VoicePackPath(sha), "application/zip", enableRangeProcessing: true, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{sha}\""))
                : Results.NotFound();
        }).RequireAuthorization(Hall);

        // Displays download with their key; Range requests resume a broken download.
        app.MapGet("/api/media/{id:int}", async (int id, HttpContext http, IDbContextFactory<HallDb> dbFactory, MediaLibrary library, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var item = await db.MediaItems.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id && m.DeletedAt == null, ct);
            if (item is null || item.HallId != actor.HallId || !File.Exists(library.PathOf(item)))
            {
                return Results.NotFound();
            }
            if (actor.DeviceRole is not (DeviceRole.Display or null))
            {
                return Error(403, Refusal.Forbidden);
            }
            return Results.File(library.PathOf(item), item.ContentType, enableRangeProcessing: true, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{item.Sha256}\""));
        }).RequireAuthorization(Hall);
    }

    private static IResult Error(int status, Refusal refusal) =>
        Results.Json(new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn }, statusCode: status);
}
