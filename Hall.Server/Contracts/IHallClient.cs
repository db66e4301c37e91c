namespace Hall.Server.Contracts;

/// <summary>What the server sends to every connected device and console of a hall.</summary>
public interface IHallClient
{
    /// <summary>The full state of the hall; sent on every (re)connect.</summary>
    Task Snapshot(HallSnapshot snapshot);

    /// <summary>A service's queue changed. Ignore it when its version is older than the one held.</summary>
    Task ServiceChanged(ServiceStateMessage service);

    /// <summary>A window changed. Ignore it when its version is older than the one held.</summary>
    Task WindowChanged(WindowStateMessage window);

    /// <summary>A ticket was called (or recalled) to a window. Displays acknowledge it with <see cref="IHallHub.AckCall"/>.</summary>
    Task Called(CallMessage call);

    /// <summary>The admin changed the scrolling notice line (滚动字幕) of the lobby screens; null = none.</summary>
    Task NoticeLineChanged(NoticeLineMessage notice);

    /// <summary>The admin changed the hall's playlists; displays fetch them again (<see cref="IHallHub.GetPlaylists"/>).</summary>
    Task PlaylistsChanged();

    /// <summary>The admin changed how the lobby screens speak, or uploaded a recorded voice pack.</summary>
    Task DisplaySettingsChanged(DisplaySettingsView settings);

    /// <summary>The hall's item catalogue or its search synonyms changed; kiosks fetch it again (<see cref="IHallHub.GetServiceItems"/>).</summary>
    Task ServiceItemsChanged();
}

/// <summary>The methods of <c>/hubs/hall</c>. Each checks the caller's role and hall.</summary>
public interface IHallHub
{
    /// <summary>Who the server takes the caller for.</summary>
    Task<Whoami> Whoami();

    /// <summary>The full state of the caller's hall.</summary>
    Task<HallSnapshot> GetSnapshot();

    /// <summary>Kiosk, supervisor: issue a ticket.</summary>
    Task<Reply<TicketIssued>> IssueTicket(IssueTicketCommand command);

    /// <summary>Clerk, supervisor, admin: open (签到) a window, as themselves.</summary>
    Task<Reply<WindowStateMessage>> OpenWindow(WindowCommand command);

    /// <summary>Clerk, supervisor, admin: take over a window another clerk left open (交接); recorded in the window sessions.</summary>
    Task<Reply<WindowStateMessage>> TakeOverWindow(WindowCommand command);

    /// <summary>Clerk (at a window they opened), supervisor, admin: pause the window with a reason.</summary>
    Task<Reply<WindowStateMessage>> PauseWindow(PauseWindowCommand command);

    /// <summary>Clerk (at a window they opened), supervisor, admin: resume a paused window.</summary>
    Task<Reply<WindowStateMessage>> ResumeWindow(WindowCommand command);

    /// <summary>Clerk (at a window they opened), supervisor, admin: close (签退) the window.</summary>
    Task<Reply<WindowStateMessage>> CloseWindow(WindowCommand command);

    /// <summary>Clerk (at a window they opened), supervisor, admin: call the next ticket for the window.</summary>
    Task<Reply<TicketCalled>> CallNext(WindowCommand command);

    /// <summary>Clerk, supervisor: call a specific waiting ticket to the window.</summary>
    Task<Reply<TicketCalled>> CallTicket(TicketCommand command);

    /// <summary>Clerk (at a window they opened), supervisor, admin: call the current ticket again.</summary>
    Task<Reply<TicketCalled>> Recall(TicketCommand command);

    /// <summary>Clerk (at a window they opened), supervisor, admin: mark the called ticket a no-show (过号).</summary>
    Task<Reply<TicketView>> NoShow(TicketCommand command);

    /// <summary>Clerk, supervisor, kiosk: a no-show citizen came back; requeue the ticket (顺延).</summary>
    Task<Reply<TicketView>> Requeue(RequeueCommand command);

    /// <summary>Clerk (at a window they opened), supervisor, admin: the citizen sat down.</summary>
    Task<Reply<TicketView>> StartService(TicketCommand command);

    /// <summary>Clerk (at a window they opened), supervisor, admin: finish with an outcome.</summary>
    Task<Reply<TicketView>> Finish(FinishCommand command);

    /// <summary>Clerk, supervisor: transfer to another service or window.</summary>
    Task<Reply<TicketView>> Transfer(TransferCommand command);

    /// <summary>Supervisor: cancel a ticket with a reason.</summary>
    Task<Reply<TicketView>> Cancel(CancelCommand command);

    /// <summary>Evaluator: the citizen rates a finished ticket of its window. Staff are refused: only the citizen rates.</summary>
    Task<Reply<TicketView>> Rate(RateCommand command);

    /// <summary>Clerk (邀评): ask the window's evaluator to offer the rating screen for the ticket just finished at the window.</summary>
    Task<Reply<TicketView>> InviteRating(TicketCommand command);

    /// <summary>Display: the call with this id has been shown and announced.</summary>
    Task AckCall(long callId);

    /// <summary>Kiosk: void a ticket it issued but could not print (only while nobody has called it).</summary>
    Task<Reply<TicketView>> VoidTicket(VoidTicketCommand command);

    /// <summary>Kiosk, display, evaluator: report the device's own status (printer, screen …) for the supervisor's wall.</summary>
    Task ReportStatus(DeviceStatusReport report);

    /// <summary>Kiosk and staff: the hall's active service items, for search at the kiosk.</summary>
    Task<List<ServiceItemView>> GetServiceItems();

    /// <summary>Display: the hall's playlists with their schedules and media (download each with the display's key, verify its SHA-256).</summary>
    Task<List<PlaylistView>> GetPlaylists();

    /// <summary>Display: how the hall's screens speak, and its recorded voice pack.</summary>
    Task<DisplaySettingsView> GetDisplaySettings();

    /// <summary>Display: proof of play. Returns how many plays were new (a play id sent again counts once).</summary>
    Task<int> ReportPlays(List<PlayReport> plays);
}
