using Hall.Server.Alerts;
using Hall.Server.Contracts;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Hall.Server.Web.Components.Pages;

/// <summary>
/// The supervisor's live wall: every window as a tile, every queue with its longest wait and trend, the devices,
/// and the alerts (live, kept, acknowledged). The supervisor can transfer, call or cancel a waiting ticket.
/// </summary>
public sealed partial class Wall
{
    [CascadingParameter]
    private Lang L { get; set; } = Lang.Chinese;

    [Inject]
    private WallData Data { get; set; } = null!;

    [Inject]
    private AlertMonitor Alerts { get; set; } = null!;

    [Inject]
    private QueueService Queue { get; set; } = null!;

    [Inject]
    private ChangeFeed Feed { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Auth { get; set; } = null!;

    [Inject]
    private TimeProvider Clock { get; set; } = null!;

    [Inject]
    private ILogger<Wall> Log { get; set; } = null!;

    private Actor _actor = null!;
    private WallView? _view;
    private int? _service;
    private List<WaitingTicket> _tickets = [];
    // What the supervisor chose on each ticket's own row (a choice on one row never acts on another).
    private readonly Dictionary<long, RowChoice> _choices = [];

    private sealed class RowChoice
    {
        public int ToService { get; set; }
        public int ToWindow { get; set; }
        public string? Reason { get; set; }
    }

    private RowChoice Choice(long ticketId) => _choices.TryGetValue(ticketId, out var c) ? c : _choices[ticketId] = new();
    private string? _message;
    private bool _error;
    private ITimer? _tick;
    private int _reloading;

    // The command id of each press still waiting for an answer, by what was pressed (see PressAsync).
    private readonly Dictionary<string, Guid> _pressIds = [];

    private DateTimeOffset Now => Clock.GetUtcNow();

    protected override async Task OnInitializedAsync()
    {
        _actor = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        Feed.QueueChanged += OnHallChanged;
        Feed.AlertsChanged += OnAlertsChanged;
        // Serving times move, and devices and alerts change without a queue command: read again every 5 s.
        _tick = Clock.CreateTimer(_ => Reload(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        _view = await Data.ReadAsync(_actor.HallId, CancellationToken.None);
        if (_service is { } id)
        {
            _tickets = await Data.WaitingAsync(_actor.HallId, id, CancellationToken.None);
        }
    }

    private void OnHallChanged(int hallId, HallChanges changes)
    {
        if (hallId == _actor.HallId)
        {
            Reload();
        }
    }

    private void OnAlertsChanged(int hallId)
    {
        if (hallId == _actor.HallId)
        {
            Reload();
        }
    }

    private void Reload()
    {
        if (Interlocked.Exchange(ref _reloading, 1) == 1)
        {
            return;
        }
        _ = InvokeAsync(async () =>
        {
            Interlocked.Exchange(ref _reloading, 0);
            await ReloadAsync();
            StateHasChanged();
        });
    }

    private async Task AcknowledgeAsync(List<long> alertIds)
    {
        await Alerts.AcknowledgeAsync(_actor, alertIds, CancellationToken.None);
        await ReloadAsync();
    }

    // What needs a person first: citizens waiting, then windows, then devices and ratings.
    private static int GroupRank(AlertKind kind) => kind switch
    {
        AlertKind.LongWait => 0,
        AlertKind.QueueLong => 1,
        AlertKind.WindowUnstaffed => 2,
        AlertKind.LongPause => 3,
        AlertKind.BadRating => 4,
        AlertKind.FollowUpLate => 4,
        AlertKind.DeviceFault => 5,
        AlertKind.DeviceOffline => 6,
        _ => 7,
    };

    private async Task ShowAsync(int serviceId)
    {
        _service = _service == serviceId ? null : serviceId;
        _message = null;
        _choices.Clear();
        await ReloadAsync();
    }

    private Task TransferAsync(long ticketId) => Choice(ticketId).ToService is var to && to == 0 ? Say(L.T("请选择要转到的业务", "Choose the service")) :
        PressAsync(ticketId, $"transfer:{ticketId}:{to}", id => Queue.TransferAsync(_actor, new(id, null, ticketId, to, null), CancellationToken.None), L.T("已转办", "Transferred"));

    private Task CallAsync(long ticketId) => Choice(ticketId).ToWindow is var to && to == 0 ? Say(L.T("请选择窗口", "Choose the window")) :
        PressAsync(ticketId, $"call:{ticketId}:{to}", id => Queue.CallTicketAsync(_actor, new(id, to, ticketId), CancellationToken.None), L.T("已呼叫", "Called"));

    private Task CancelAsync(long ticketId) => Choice(ticketId).Reason is not { } reason || string.IsNullOrWhiteSpace(reason) ? Say(L.T("请填写作废原因", "Give the reason")) :
        PressAsync(ticketId, $"cancel:{ticketId}:{reason.Trim()}", id => Queue.CancelAsync(_actor, new(id, ticketId, reason.Trim()), CancellationToken.None), L.T("已作废", "Cancelled"));

    /// <summary>
    /// Sends one press's command. Its id is kept until an answer comes back: pressing again after a lost answer sends the same
    /// command, which the server applies once.
    /// </summary>
    private async Task PressAsync<T>(long ticketId, string press, Func<Guid, Task<Reply<T>>> command, string done)
    {
        if (!_pressIds.TryGetValue(press, out var id))
        {
            _pressIds[press] = id = Guid.NewGuid();
        }
        Reply<T> reply;
        try
        {
            reply = await command(id);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LogWarning(ex, "Wall command {Press} failed", press);
            await Say(L.T("服务器暂时无法处理，请再按一次（不会重复执行）", "The server did not answer; press again (it will not be applied twice)"));
            return;
        }
        _pressIds.Remove(press);
        await ShowReplyAsync(ticketId, reply.Ok, reply.Error, done);
    }

    private async Task ShowReplyAsync(long ticketId, bool ok, HallError? error, string done)
    {
        _error = !ok;
        _message = ok ? done : L.T(error!.MessageZh, error.MessageEn);
        if (ok)
        {
            _choices.Remove(ticketId);
        }
        await ReloadAsync();
    }

    private Task Say(string message)
    {
        (_message, _error) = (message, true);
        return Task.CompletedTask;
    }

    private string TileStatus(WindowTile w) => w.Status switch
    {
        WindowStatus.Open when w.CurrentState == TicketState.Serving => L.T("办理中", "Serving"),
        WindowStatus.Open when w.CurrentState == TicketState.Called => L.T("已叫号", "Called"),
        WindowStatus.Open => L.T("空闲", "Idle"),
        WindowStatus.Paused => L.T($"暂停（{w.PauseReason}）{Since(w.Since)}", $"Paused ({w.PauseReason}) {Since(w.Since)}"),
        WindowStatus.Closed => L.T("未开窗", "Closed"),
    };

    private string Since(DateTimeOffset? at) => at is { } a ? Span(Now - a) : "";

    private string KindText(AlertKind kind) => kind switch
    {
        AlertKind.LongWait => L.T("等候超时", "Long wait"),
        AlertKind.QueueLong => L.T("排队过长", "Long queue"),
        AlertKind.WindowUnstaffed => L.T("窗口无人", "Unstaffed"),
        AlertKind.LongPause => L.T("暂停过长", "Long pause"),
        AlertKind.DeviceOffline => L.T("设备离线", "Device offline"),
        AlertKind.DeviceFault => L.T("设备故障", "Device fault"),
        AlertKind.BadRating => L.T("差评", "Bad rating"),
        AlertKind.FollowUpLate => L.T("回访逾期", "Follow-up late"),
        _ => kind.ToString(),
    };

    private string RoleText(DeviceRole role) => role switch
    {
        DeviceRole.Kiosk => L.T("取号机", "Kiosk"),
        DeviceRole.Display => L.T("大屏", "Display"),
        DeviceRole.Evaluator => L.T("评价器", "Evaluator"),
        DeviceRole.CaseSystem => L.T("对接系统（办件编号）", "Case system (case numbers)"),
        _ => role.ToString(),
    };

    private string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, _view?.Zone ?? TimeZoneInfo.Utc).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    private static string Span(TimeSpan span) => Durations.Format(span);

    public void Dispose()
    {
        Feed.QueueChanged -= OnHallChanged;
        Feed.AlertsChanged -= OnAlertsChanged;
        _tick?.Dispose();
    }
}
