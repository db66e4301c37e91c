namespace Hall.Server.Contracts;

/// <summary>A refusal: a stable code for programs and a message in Chinese and English for people.</summary>
public sealed record HallError(string Code, string MessageZh, string MessageEn);

/// <summary>The answer to every hub command: either a value or an error, never both.</summary>
public sealed record Reply<T>(bool Ok, T? Value, HallError? Error)
{
    /// <summary>A successful reply.</summary>
    public static Reply<T> Success(T value) => new(true, value, null);

    /// <summary>A refused command; nothing was changed.</summary>
    public static Reply<T> Refused(HallError error) => new(false, default, error);
}

/// <summary>Take a ticket for a service (by id or code), optionally for a service item, with a declared priority.</summary>
/// <param name="Mobile">Optional: 11 digits, for the "almost your turn" notice. Kept encrypted until the ticket closes.</param>
/// <param name="CheckIn">预约签到: the ticket is for a booking, found by <paramref name="BookingCode"/> (as typed, or the booking page's
/// link as a scanner types it) or else by <paramref name="IdNumber"/> (today's booking of that person); the service comes from
/// the booking and <paramref name="ServiceId"/>, <paramref name="ServiceCode"/> and <paramref name="ServiceItemId"/> are not read.</param>
public sealed record IssueTicketCommand(Guid CommandId, int? ServiceId, string? ServiceCode, int? ServiceItemId, PriorityClass Priority, string? Mobile = null, string? IdNumber = null, string? BookingCode = null, bool CheckIn = false)
{
    /// <summary>Written without the citizen's numbers: SignalR logs a hub call's arguments at Debug level, and loggers print records.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append(System.Globalization.CultureInfo.InvariantCulture,
            $"CommandId = {CommandId}, ServiceId = {ServiceId}, ServiceCode = {ServiceCode}, ServiceItemId = {ServiceItemId}, Priority = {Priority}, Mobile = {(Mobile is null ? "" : "(withheld)")}, IdNumber = {(IdNumber is null ? "" : "(withheld)")}, BookingCode = {(BookingCode is null ? "" : "(withheld)")}, CheckIn = {CheckIn}");
        return true;
    }
}

/// <summary>Kiosk: a ticket it issued could not be printed; the server voids it with the reason.</summary>
public sealed record VoidTicketCommand(Guid CommandId, long TicketId, string Reason);

/// <summary>A device's own status, e.g. a kiosk's printer: Ready / PaperOut / CoverOpen / Offline / Disabled.</summary>
public sealed record DeviceStatusReport(string Status, string? Detail);

/// <summary>A media item as a display downloads it: verify the file against <see cref="Sha256"/>.</summary>
public sealed record MediaView(int Id, string Title, MediaKind Kind, string Url, string Sha256, long Size, int DisplaySeconds, bool Legal);

/// <summary>A playlist with its schedule (local dates, days 0 = Sunday, "HH:mm-HH:mm" times); the highest priority that applies plays.</summary>
public sealed record PlaylistView(int Id, string Name, int Priority, DateOnly? From, DateOnly? To, IReadOnlyList<int> Days, IReadOnlyList<string> Times, IReadOnlyList<MediaView> Items);

/// <summary>
/// How the hall's lobby screens speak, set by the admin: voice source (<c>pack</c> = the recorded phrase pack,
/// <c>speech</c> = the browser's zh-CN voice), the template with {number} and {window}, repeats, volume 0–1, quiet
/// hours ("HH:mm-HH:mm", local time), and the uploaded recorded pack (download it from <c>/api/voice-pack</c> and
/// verify its SHA-256). Null = not set by the hall: the display's own setting applies.
/// </summary>
/// <param name="ClosedShow">What the board shows outside opening hours: <c>dim</c>, <c>image</c>, <c>blank</c>; null = the board as usual.</param>
/// <param name="ClosedMediaId">The still picture's media id for <c>image</c>.</param>
/// <param name="ClosedLeadMinutes">Minutes the board wakes before opening and stays awake after closing (null: 30).</param>
/// <param name="Bilingual">Calls shown in Chinese and English in turn.</param>
/// <param name="ClosedNow">Sent to displays only: the hall is outside its opening hours (lead time applied) now, by the server's clock and calendar.</param>
/// <param name="ClosedImage">Sent to displays only: the still picture to download (verify its SHA-256).</param>
public sealed record DisplaySettingsView(string? VoiceSource, string? Template, int? Repeat, double? Volume, IReadOnlyList<string>? QuietHours, string? VoicePackSha256, long VoicePackSize,
    string? ClosedShow = null, int? ClosedMediaId = null, int? ClosedLeadMinutes = null, bool? Bilingual = null, bool ClosedNow = false, MediaView? ClosedImage = null);

/// <summary>Proof of play: one play of a media item, with the display's own id for it (a resend counts once).</summary>
public sealed record PlayReport(Guid PlayId, int MediaId, DateTimeOffset StartedAt, DateTimeOffset EndedAt, bool Completed);

/// <summary>The lobby screens' scrolling notice line (滚动字幕), as the admin set it.</summary>
public sealed record NoticeLineMessage(string? Text);

/// <summary>A service item (政务服务事项) as a kiosk shows it.</summary>
/// <param name="SearchNames">What the kiosk search matches the item by: its name, its service's name, then the admin's search synonyms that lead to it; each with the pinyin of its characters.</param>
public sealed record ServiceItemView(int Id, string Code, string Name, string Initials, string Department, int ServiceId, string ServiceName, IReadOnlyList<string> Materials, IReadOnlyList<SearchName>? SearchNames = null);

/// <summary>A name the kiosk search matches: its text (NFKC) and one toneless pinyin syllable per character ("" for punctuation; ü as v; Latin letters and digits as themselves, lower-cased).</summary>
public sealed record SearchName(string Text, IReadOnlyList<string> Syllables);

/// <summary>A command on a window: open, close, resume, call next.</summary>
public sealed record WindowCommand(Guid CommandId, int WindowId);

/// <summary>Pause a window with a reason from the hall's list.</summary>
public sealed record PauseWindowCommand(Guid CommandId, int WindowId, string Reason);

/// <summary>A command on a ticket at a window: call this ticket, recall, no-show, start.</summary>
public sealed record TicketCommand(Guid CommandId, int WindowId, long TicketId);

/// <summary>
/// Finish a ticket with an outcome, the service items actually handled (empty: the item chosen at the kiosk) and how the case
/// was accepted. <see cref="AcceptanceMode.MaterialsToFollow"/> (容缺受理) and <see cref="AcceptanceMode.OnPromise"/> (告知承诺)
/// need <paramref name="Details"/>: the missing materials (容缺受理) and the deadline (补正 or 承诺), not before today; they
/// cannot go with an outcome that accepts no case (咨询, 退回补正, 不予受理). <paramref name="CaseNumber"/> is the 办件编号 of the
/// province's 一窗受理 system, typed or scanned: 1–64 letters, digits, '-', '_' or '/'; required by a service that says so
/// (except with an outcome that accepts no case).
/// </summary>
public sealed record FinishCommand(Guid CommandId, int WindowId, long TicketId, string Outcome, IReadOnlyList<int>? ServiceItemIds, FinishDetails? Details = null,
    AcceptanceMode Acceptance = AcceptanceMode.Normal, string? CaseNumber = null);

/// <summary>What a case accepted with materials to follow (容缺受理) or on a written promise (告知承诺) still owes, and by when.</summary>
/// <param name="MissingMaterials">The materials still to come (required for 容缺受理).</param>
/// <param name="Deadline">The 补正 deadline (容缺受理) or the 承诺 deadline (告知承诺), in the hall's calendar; not before today.</param>
/// <param name="Note">The clerk's note, optional.</param>
public sealed record FinishDetails(string? MissingMaterials, DateOnly? Deadline, string? Note);

/// <summary>Transfer a ticket to another service or to a specific window (exactly one of the two), with an optional note the next window reads.</summary>
public sealed record TransferCommand(Guid CommandId, int? FromWindowId, long TicketId, int? ToServiceId, int? ToWindowId, string? Note = null);

/// <summary>Put a no-show ticket back in the queue, a configured number of places back (顺延).</summary>
public sealed record RequeueCommand(Guid CommandId, long TicketId);

/// <summary>Cancel a ticket, with the reason recorded.</summary>
public sealed record CancelCommand(Guid CommandId, long TicketId, string Reason);

/// <summary>Rate a finished ticket on the five national levels; at most once.</summary>
public sealed record RateCommand(Guid CommandId, long TicketId, RatingLevel Level, IReadOnlyList<string>? Reasons);

/// <summary>A ticket as the parties see it.</summary>
public sealed record TicketView(
    long TicketId,
    string Number,
    int ServiceId,
    string ServiceName,
    PriorityClass Priority,
    TicketState State,
    DateOnly BusinessDate,
    DateTimeOffset IssuedAt,
    int? WindowId,
    int CallCount,
    long Version,
    string? CaseNumber = null);

/// <summary>The answer to an issue: the ticket, the people ahead and an estimated wait.</summary>
/// <param name="PeopleAhead">The calls that come before this ticket's in the real call order (priority interleave, transfers, windows serving several services).</param>
/// <param name="EstimatedWaitMinutes">Null when no open window can take the ticket: show 暂无窗口办理 / No window is serving this now, not minutes.</param>
/// <param name="TrackingCode">The unguessable code of the phone tracking page.</param>
/// <param name="TrackingUrl">The page's public address for the ticket's QR code, when the server has a public base URL.</param>
/// <param name="MobileMasked">The notice number as shown (138****5678), when one was given.</param>
/// <param name="IdMasked">The resident ID number the ticket was taken with, as shown (4101**********1234), when one was given.</param>
/// <param name="Booking">The booking the ticket was issued for at check-in; null for a walk-in.</param>
public sealed record TicketIssued(TicketView Ticket, int PeopleAhead, int? EstimatedWaitMinutes, string TrackingCode = "", string? TrackingUrl = null, string? MobileMasked = null, string? IdMasked = null, BookedSlot? Booking = null);

/// <summary>The booked slot a ticket was issued for (hall-local). <see cref="Late"/>: checked in after the check-in window, so taken as a walk-in.</summary>
public sealed record BookedSlot(string Code, DateOnly Date, TimeOnly Start, TimeOnly End, bool Late);

/// <summary>The answer to a call: the ticket, the call id and why it was chosen.</summary>
public sealed record TicketCalled(TicketView Ticket, long CallId, CallReason Reason);

/// <summary>One service's queue, as state (not a delta). <see cref="EstimatedWaitMinutes"/> is null when no open window serves it (暂无窗口办理).</summary>
/// <param name="NameEn">The service's English name for screens shown in English; null when the hall has none (show <see cref="Name"/>).</param>
public sealed record ServiceStateMessage(
    int ServiceId,
    string Code,
    string Name,
    char Prefix,
    int Waiting,
    int? EstimatedWaitMinutes,
    bool OpenNow,
    bool CapReached,
    long Version,
    bool AcceptsPriority = true,
    string? NameEn = null);

/// <summary>One window, as state (not a delta).</summary>
/// <param name="ServiceIds">The services the window takes, in the window's own order (call-next serves them in it).</param>
public sealed record WindowStateMessage(
    int WindowId,
    int Number,
    string Name,
    WindowStatus Status,
    string? PauseReason,
    string? StaffName,
    long? CurrentTicketId,
    string? CurrentTicketNumber,
    TicketState? CurrentTicketState,
    long Version,
    int? LedAddress = null,
    IReadOnlyList<int>? ServiceIds = null);

/// <summary>A call for the lobby: acknowledged by each display by <see cref="CallId"/>.</summary>
public sealed record CallMessage(
    long CallId,
    long TicketId,
    string TicketNumber,
    int WindowId,
    int WindowNumber,
    string WindowName,
    string ServiceName,
    bool IsRecall,
    DateTimeOffset At);

/// <summary>The full state of a hall, sent on every (re)connect.</summary>
public sealed record HallSnapshot(
    int HallId,
    string HallName,
    DateOnly BusinessDate,
    IReadOnlyList<ServiceStateMessage> Services,
    IReadOnlyList<WindowStateMessage> Windows,
    IReadOnlyList<CallMessage> RecentCalls,
    long Version,
    string? NoticeLine = null);

/// <summary>What the server knows about the connected caller.</summary>
public sealed record Whoami(string Kind, int HallId, string Name, string Role, int? WindowId);
