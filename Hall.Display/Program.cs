using Hall.Display.Agent;
using Hall.Display.Media;
using Hall.Server.Contracts;
using Hall.Server.Contracts.Agents;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

// Hall.Display: the agent behind a lobby screen. Serves the call board to the screen's browser on loopback, holds the
// display's connection to Hall.Server, queues the calls to be announced and acknowledges each once it was spoken.
var builder = WebApplication.CreateBuilder(args);
builder.Services.Configure<DisplayOptions>(builder.Configuration.GetSection("Display"));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp => new Board(sp.GetRequiredService<IOptions<DisplayOptions>>().Value.RecentCalls));
builder.Services.AddSingleton<DisplayLink>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<DisplayLink>());
builder.Services.AddSingleton<SyncSignal>();
builder.Services.AddSingleton(sp => new HallVoice(Path.Combine(sp.GetRequiredService<MediaCache>().Folder, "voice-settings"), sp.GetRequiredService<ILogger<HallVoice>>()));
builder.Services.AddSingleton<Voice>();
builder.Services.AddHostedService<VoiceReporter>();
builder.Services.AddHostedService<Hall.Display.Led.LedDriver>();
builder.Services.AddSingleton<MediaCache>();
builder.Services.AddSingleton<NowPlaying>();
builder.Services.AddSingleton<PlayOutbox>();
builder.Services.AddHostedService<MediaSync>();

var app = builder.Build();
app.UsePageSecurity();
var voice = app.Services.GetRequiredService<Voice>();
var cache = app.Services.GetRequiredService<MediaCache>();
Directory.CreateDirectory(cache.Folder);
app.UseDefaultFiles();
app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache" });
if (Directory.Exists(voice.FallbackFolder))
{
    app.UseStaticFiles(new StaticFileOptions { RequestPath = Voice.FallbackPath, FileProvider = new PhysicalFileProvider(voice.FallbackFolder) });
}
// The recorded pack in use: the hall's upload (it changes while running) or the display's own folder.
app.MapGet(Voice.PackPath + "/{version}/{file}", (string version, string file) =>
    voice.RecordedPack is { } pack && pack.Version == version && file == Path.GetFileName(file) && !file.StartsWith('.') && File.Exists(Path.Combine(pack.Folder, file))
        ? Results.File(Path.Combine(pack.Folder, file), ContentTypes.TryGetContentType(file, out var type) ? type : "application/octet-stream")
        : Results.NotFound());
app.UseStaticFiles(new StaticFileOptions
{
    RequestPath = "/media",
    FileProvider = new PhysicalFileProvider(cache.Folder),
    ServeUnknownFileTypes = true,
    DefaultContentType = "application/octet-stream",
});
app.MapGet("/api/board", (Board board, DisplayLink link, IOptions<DisplayOptions> options, NowPlaying nowPlaying, HallVoice hall) =>
{
    var o = options.Value;
    var choice = voice.Choose();
    var speaking = voice.Speaking();
    var screen = hall.Settings;
    var services = board.Services;
    // A call names its service in Chinese; the English name comes from the service's state.
    string? EnglishOf(string name) => services.FirstOrDefault(s => s.Name == name)?.NameEn;
    return Results.Json(new
    {
        hallName = board.HallName,
        noticeLine = board.NoticeLine,
        link = link.State.ToString().ToLowerInvariant(),
        recentCount = o.RecentCalls,
        services = services.Select(s => new { id = s.ServiceId, name = s.Name, nameEn = s.NameEn, prefix = s.Prefix.ToString(), waiting = s.Waiting, estimatedWaitMinutes = s.EstimatedWaitMinutes }),
        calls = board.RecentCalls.Select(c => CallJson(c, EnglishOf(c.ServiceName))),
        calling = board.Calling is { } calling ? CallJson(calling, EnglishOf(calling.ServiceName)) : null,
        bilingual = screen?.Bilingual == true,
        // Outside opening hours (the server's clock and calendar, refreshed every minute): dim, a still picture or blank.
        closed = screen is { ClosedNow: true, ClosedShow: { } show }
            ? new { show, imageUrl = screen.ClosedImage is { } image && cache.Has(image) ? "/media/" + MediaCache.FileName(image) : null }
            : null,
        voice = new { source = choice.Source, template = speaking.Template, repeat = speaking.Repeat, volume = speaking.Volume, packUrl = choice.PackUrl },
        playlist = nowPlaying.Items().Select(m => new
        {
            mediaId = m.Id,
            url = "/media/" + MediaCache.FileName(m),
            kind = m.Kind == MediaKind.Video ? "video" : "image",
            seconds = m.DisplaySeconds,
            title = m.Title,
        }),
    });
});
app.MapGet("/api/announcements", (long? after, Board board) => Results.Json(board.PendingAfter(after ?? 0).Select(a => new
{
    seq = a.Seq,
    callId = a.Call.CallId,
    ticketNumber = a.Call.TicketNumber,
    windowNumber = a.Call.WindowNumber,
    serviceName = a.Call.ServiceName,
    isRecall = a.Call.IsRecall,
})));
app.MapPost("/api/announcements/{seq:long}/done", async (long seq, Board board, DisplayLink link, CancellationToken ct) =>
{
    if (board.Done(seq) is { } callId)
    {
        await link.AcknowledgeAsync(callId, ct);
    }
    return Results.NoContent();
});
// Proof of play from the page: kept on disk at once, sent to the server when it is reachable.
app.MapPost("/api/plays", async (PlayRequest play, PlayOutbox outbox, CancellationToken ct) =>
{
    if (play.EndedAt < play.StartedAt)
    {
        return Results.BadRequest();
    }
    await outbox.AddAsync(new PlayReport(Guid.NewGuid(), play.MediaId, play.StartedAt, play.EndedAt, play.Completed), ct);
    return Results.NoContent();
});
app.MapGet("/health", (DisplayLink link, IOptions<DisplayOptions> options) =>
    Results.Json(new { agent = "Hall.Display", server = options.Value.Server, link = link.State.ToString(), voice = voice.Choose().Status }));
app.Run();

internal static partial class Program
{
    private static readonly Microsoft.AspNetCore.StaticFiles.FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>A call as the page reads it.</summary>
    private static object CallJson(CallMessage c, string? serviceNameEn) => new { callId = c.CallId, ticketNumber = c.TicketNumber, windowNumber = c.WindowNumber, windowName = c.WindowName, serviceName = c.ServiceName, serviceNameEn, isRecall = c.IsRecall, at = c.At };
}

/// <summary>One play as the page reports it.</summary>
internal sealed record PlayRequest(int MediaId, DateTimeOffset StartedAt, DateTimeOffset EndedAt, bool Completed);
