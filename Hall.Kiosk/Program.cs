using Hall.Server.Contracts;
using Hall.Server.Contracts.Agents;
using System.Text.Json.Serialization;
using Hall.Kiosk.Agent;
using Hall.Kiosk.IdCard;
using Hall.Kiosk.Printing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Options;

// Hall.Kiosk: the agent on a kiosk PC. Serves the touch page to the kiosk browser on loopback, holds the kiosk's one
// connection to Hall.Server, prints tickets on the ESC/POS printer on its serial port and reads resident ID cards on its reader.
var builder = WebApplication.CreateBuilder(args);
builder.Services.Configure<KioskOptions>(builder.Configuration.GetSection("Kiosk"));
builder.Services.Configure<PrinterOptions>(builder.Configuration.GetSection("Kiosk:Printer"));
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
builder.Services.AddSingleton<KioskState>();
builder.Services.AddSingleton<ServerLink>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ServerLink>());
builder.Services.AddSingleton<ITicketPrinter, SerialTicketPrinter>();
builder.Services.AddSingleton<TicketDesk>();
builder.Services.AddHostedService<StatusReporter>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<IIdCardReader, SerialIdCardReader>();
builder.Services.AddSingleton<IdCardWatch>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<IdCardWatch>());
// The hall's voice pack for the page's spoken guidance, kept as the lobby display keeps it.
builder.Services.AddSingleton(sp =>
{
    var folder = sp.GetRequiredService<IOptions<KioskOptions>>().Value.Voice.Folder;
    var root = sp.GetRequiredService<IHostEnvironment>().ContentRootPath;
    return new HallVoice(Path.GetFullPath(string.IsNullOrWhiteSpace(folder) ? Path.Combine(root, "voice") : folder, root), sp.GetRequiredService<ILogger<HallVoice>>());
});
builder.Services.AddSingleton<KioskVoice>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<KioskVoice>());

var app = builder.Build();
app.UsePageSecurity();
app.UseDefaultFiles();
app.UseStaticFiles(new StaticFileOptions
{
    // The kiosk browser runs for weeks: always take the page the agent has now.
    OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
});
app.MapGet("/api/state", (KioskState state, ServerLink link, ITicketPrinter printer, TicketDesk desk, KioskVoice voice, HallVoice hallVoice, IdCardWatch idCards, IOptions<KioskOptions> options) =>
{
    var o = options.Value;
    var reason = link.State != LinkState.Online ? TicketDesk.ServerDown : desk.PrinterStop(printer.LastStatus);
    return Results.Json(new
    {
        hallName = string.IsNullOrWhiteSpace(o.HallName) ? state.HallName : o.HallName,
        link = link.State.ToString().ToLowerInvariant(),
        printer = printer.LastStatus.ToString(),
        outOfService = reason is not null,
        reason = reason is null ? null : new { zh = reason.Zh, en = reason.En },
        noticeEnabled = o.NoticeEnabled,
        // 预约签到 offered on the home screen.
        checkIn = o.BookingCheckIn,
        idleSeconds = o.IdleSeconds,
        resultSeconds = o.ResultSeconds,
        // No printer, or one that cannot print while the hall issues without paper: tickets are shown on the screen only.
        screenTickets = reason is null && printer.LastStatus != PrinterStatus.Ready,
        screenTicketSeconds = o.ScreenTicketSeconds,
        // Spoken guidance: whether the 语音引导 switch starts on, the hall's pack (null: none here yet) and its volume.
        voice = new { guidance = o.Voice.Guidance, packUrl = voice.PackUrl, volume = hallVoice.Settings?.Volume ?? 1.0 },
        idCardReader = idCards.Status.ToString(),
        // A card laid on the reader: the page puts its number on the next ticket, as if typed on the keypad, once per seq.
        idCard = idCards.Offer is { } card ? new { seq = card.Seq, idNumber = card.IdNumber, masked = ResidentIdNumber.Mask(card.IdNumber) } : null,
        services = state.Services.Select(s => new
        {
            id = s.ServiceId,
            code = s.Code,
            name = s.Name,
            // The English name for the page's English mode; null where the hall has not set one (the page shows name).
            nameEn = s.NameEn,
            prefix = s.Prefix.ToString(),
            waiting = s.Waiting,
            estimatedWaitMinutes = s.EstimatedWaitMinutes,
            openNow = s.OpenNow,
            capReached = s.CapReached,
            acceptsPriority = s.AcceptsPriority,
        }),
    });
});
app.MapGet("/api/items", (string? q, KioskState state) => Results.Json(state.Search(q).Select(i => new
{
    id = i.Id,
    code = i.Code,
    name = i.Name,
    department = i.Department,
    serviceId = i.ServiceId,
    serviceName = i.ServiceName,
    materials = i.Materials,
})));
app.MapGet("/api/candidates", (string? q, KioskState state) => Results.Json(state.Candidates(q)));
app.MapPost("/api/tickets", async (TicketRequest request, TicketDesk desk, IdCardWatch idCards, CancellationToken ct) =>
{
    var answer = await desk.IssueAsync(request with { BookingCode = null, CheckIn = false }, ct);
    if (answer.Ticket is not null)
    {
        idCards.Taken(request.IdNumber);
    }
    return answer.Ticket is { } ticket
        ? Results.Json(ticket)
        : Results.Json(new { error = new { code = answer.Error!.Code, zh = answer.Error.Zh, en = answer.Error.En } }, statusCode: answer.Status);
});
// 预约签到: the booking code typed or scanned, or the ID number (typed, or the card on the reader); the server finds the booking.
app.MapPost("/api/checkin", async (CheckInRequest request, TicketDesk desk, IdCardWatch idCards, CancellationToken ct) =>
{
    var answer = await desk.IssueAsync(new TicketRequest(null, null, PriorityClass.Normal, null, request.IdNumber, request.Code, CheckIn: true), ct);
    if (answer.Ticket is not null)
    {
        idCards.Taken(request.IdNumber);
    }
    return answer.Ticket is { } ticket
        ? Results.Json(ticket)
        : Results.Json(new { error = new { code = answer.Error!.Code, zh = answer.Error.Zh, en = answer.Error.En } }, statusCode: answer.Status);
});
// The pack in use: its manifest and the files it names, nothing else.
var contentTypes = new FileExtensionContentTypeProvider();
app.MapGet(KioskVoice.PackPath + "/{version}/{file}", (string version, string file, KioskVoice voice) =>
    voice.FileOf(version, file) is { } path
        ? Results.File(path, contentTypes.TryGetContentType(file, out var type) ? type : "application/octet-stream")
        : Results.NotFound());
app.MapGet("/health", (ServerLink link, ITicketPrinter printer, KioskVoice voice, HallVoice hallVoice, IdCardWatch idCards, IOptions<KioskOptions> options) =>
    Results.Json(new
    {
        agent = "Hall.Kiosk",
        server = options.Value.Server,
        link = link.State.ToString(),
        printer = printer.LastStatus.ToString(),
        idCardReader = idCards.Status.ToString(),
        voicePack = voice.PackUrl,
        // Why the hall's newest pack was refused here (its checksum or contents); the previous one stays in use.
        voicePackRefused = hallVoice.RefusedPack,
    }));
app.Run();
