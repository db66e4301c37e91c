using Hall.Server.Contracts;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Hall.Server.Web.Components.Pages;

/// <summary>
/// The clerk's console: every queue command one click or one key away, the current ticket with its timers, the
/// window's waiting list and today's counts. It reads the window again whenever a committed change touches the
/// window or one of its services, so two consoles on one window — or a refreshed page — always show the true state.
/// A command keeps its command id until it got an answer: pressed twice, it is applied once.
/// </summary>
public sealed partial class Console
{
    private enum Dialog
    {
        None,
        Finish,
        FinishDetails,
        Pause,
        Transfer,
        CallNumber,
        NoShow,
    }

    [Parameter]
    public int? WindowId { get; set; }

    [CascadingParameter]
    private Lang L { get; set; } = Lang.Chinese;

    [Inject]
    private ConsoleData Data { get; set; } = null!;

    [Inject]
    private QueueService Queue { get; set; } = null!;

    [Inject]
    private ChangeFeed Feed { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Auth { get; set; } = null!;

    [Inject]
    private TimeProvider Clock { get; set; } = null!;

    [Inject]
    private IConfiguration Config { get; set; } = null!;

    [Inject]
    private ILogger<Console> Log { get; set; } = null!;

    private Actor _actor = null!;
    private List<WindowStateMessage> _windows = [];
    private ConsoleView? _view;
    private bool _missing;
    private bool _busy;
    private string? _message;
    private bool _messageIsError;
    private Dialog _dialog;
    private int _transferServiceId;
    private int _transferWindowId;
    private string? _transferNote;
    private string? _finishOutcome;
    private AcceptanceMode _acceptance;
    private string? _missingMaterials;
    private DateOnly? _deadline;
    private string? _finishNote;
    private string? _caseNumber;
    private string? _callNumber;
    private Guid? _pending;
    private string? _pendingKind;
    private ITimer? _tick;
    private int _reloading;

    private DateTimeOffset Now => Clock.GetUtcNow();

    protected override async Task OnInitializedAsync()
    {
        _actor = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        Feed.QueueChanged += OnChanged;
        // The timers on screen move every second; nothing is read for them.
        _tick = Clock.CreateTimer(_ => _ = InvokeAsync(StateHasChanged), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    protected override async Task OnParametersSetAsync()
    {
        _dialog = Dialog.None;
        _message = null;
        await TryReloadAsync();
    }

    /// <summary>Reads the window again; with the database unreachable the page keeps what it showed and says so plainly.</summary>
    private async Task TryReloadAsync()
    {
        try
        {
            await ReloadAsync();
        }
        catch (Exception ex) when (CommandRunner.IsUnavailable(ex))
        {
            Log.LogWarning(ex, "Console could not read window {WindowId}", WindowId);
            _message = L.T(Refusal.Unavailable.MessageZh, Refusal.Unavailable.MessageEn);
            _messageIsError = true;
        }
    }

    private async Task ReloadAsync()
    {
        if (WindowId is { } windowId)
        {
            _view = await Data.ReadAsync(_actor.HallId, windowId, CancellationToken.None);
            _missing = _view is null;
        }
        else
        {
            _windows = await Data.WindowsAsync(_actor.HallId, CancellationToken.None);
        }
    }

    private void OnChanged(int hallId, HallChanges changes)
    {
        if (hallId != _actor.HallId)
        {
            return;
        }
        var concerns = WindowId is not { } id || _view is null || changes.All
            || changes.Windows.Any(w => w.WindowId == id)
            || changes.Services.Any(s => _view.WindowServices.Any(ws => ws.Id == s.ServiceId));
        // Changes arrive in bursts; one read catches up with all of them.
        if (concerns && Interlocked.Exchange(ref _reloading, 1) == 0)
        {
            _ = InvokeAsync(async () =>
            {
                Interlocked.Exchange(ref _reloading, 0);
                try
                {
                    await ReloadAsync();
                    StateHasChanged();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.LogWarning(ex, "Console could not read window {WindowId}", WindowId);
                }
            });
        }
    }

    private void Open(Dialog dialog)
    {
        _dialog = dialog;
        _transferServiceId = 0;
        _transferWindowId = 0;
        _transferNote = null;
        _callNumber = null;
        _finishOutcome = null;
        _acceptance = AcceptanceMode.Normal;
        _missingMaterials = null;
        _deadline = null;
        _finishNote = null;
        _caseNumber = null;
    }

    /// <summary>Runs one command: one at a time, its id kept until an answer came back (a retry after a lost answer is applied once).</summary>
    private async Task RunAsync<T>(string kind, Func<Guid, Task<Reply<T>>> command, Func<T, string>? done = null)
    {
        if (_busy)
        {
            return;
        }
        _busy = true;
        if (_pendingKind != kind)
        {
            _pending = null;
        }
        _pendingKind = kind;
        _pending ??= Guid.NewGuid();
        try
        {
            var reply = await command(_pending.Value);
            _pending = null;
            if (reply.Ok)
            {
                _dialog = Dialog.None;
                _message = done?.Invoke(reply.Value!);
                _messageIsError = false;
            }
            else
            {
                _message = L.T(reply.Error!.MessageZh, reply.Error.MessageEn);
                _messageIsError = true;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // No answer: the same command id is sent again on the next press.
            Log.LogWarning(ex, "Console command {Kind} failed", kind);
            _message = L.T("服务器暂时无法处理，请再按一次（不会重复执行）", "The server did not answer; press again (it will not be applied twice)");
            _messageIsError = true;
        }
        finally
        {
            _busy = false;
        }
        await TryReloadAsync();
    }

    private int Window => WindowId!.Value;

    private long CurrentId => _view?.Current?.Id ?? 0;

    private Task OpenAsync() => RunAsync("open", id => Queue.OpenWindowAsync(_actor, new(id, Window), default));

    private Task TakeOverAsync() => RunAsync("take_over", id => Queue.TakeOverWindowAsync(_actor, new(id, Window), default), _ => L.T("已接管窗口", "You have the window now"));

    private Task CallNextAsync() => RunAsync("call_next", id => Queue.CallNextAsync(_actor, new(id, Window), default), c => L.T($"已呼叫 {c.Ticket.Number}", $"Called {c.Ticket.Number}"));

    private Task RecallAsync() => RunAsync("recall", id => Queue.RecallAsync(_actor, new(id, Window, CurrentId), default), c => L.T($"已重呼 {c.Ticket.Number}", $"Recalled {c.Ticket.Number}"));

    /// <summary>
    /// 过号 at once when the citizen has had their chance — called as often as the hall allows, or called long enough
    /// ago (<c>Hall:Console:NoShowWithoutAskingMinutes</c>, 5 by default); right after a call, the clerk confirms first.
    /// </summary>
    private Task NoShowOrAskAsync()
    {
        if (_view?.Current is { } t && t.CallCount <= _view.MaxRecalls && (t.CalledAt is not { } called || Now - called < NoShowWithoutAsking))
        {
            Open(Dialog.NoShow);
            return Task.CompletedTask;
        }
        return NoShowAsync();
    }

    private TimeSpan NoShowWithoutAsking => TimeSpan.FromMinutes(Config.GetValue("Hall:Console:NoShowWithoutAskingMinutes", 5));

    private Task NoShowAsync() => RunAsync("no_show", id => Queue.NoShowAsync(_actor, new(id, Window, CurrentId), default), t => L.T($"{t.Number} 已过号", $"{t.Number} marked no-show"));

    private Task StartAsync() => RunAsync("start", id => Queue.StartServiceAsync(_actor, new(id, Window, CurrentId), default));

    /// <summary>The finish dialog's keys for how the case was accepted: Z 正常受理 (chosen when it opens), R 容缺受理, C 告知承诺.</summary>
    private static readonly (string Key, AcceptanceMode Mode)[] AcceptanceKeys =
        [("z", AcceptanceMode.Normal), ("r", AcceptanceMode.MaterialsToFollow), ("c", AcceptanceMode.OnPromise)];

    private void ChooseAcceptance(AcceptanceMode mode)
    {
        _acceptance = mode;
        _message = null;
    }

    /// <summary>
    /// With 容缺受理 or 告知承诺 chosen, an outcome that accepts a case opens the detail form (materials, deadline, note) and
    /// one that accepts none is refused at once; with 正常受理 every outcome finishes at once.
    /// </summary>
    private Task FinishOrAskAsync(string outcome)
    {
        // A missing or malformed 办件编号 is said at once, before any detail form: the field to fix it is right here.
        if (TicketRules.CaseNumber(_caseNumber, _view?.Current?.CaseNumberRequired == true, outcome) is { } badCase)
        {
            _message = L.T(badCase.MessageZh, badCase.MessageEn);
            _messageIsError = true;
            return Task.CompletedTask;
        }
        if (TicketRules.NeedsDetails(_acceptance))
        {
            if (!TicketRules.AcceptsCase(outcome))
            {
                _message = L.T(Refusal.AcceptanceWithoutCase.MessageZh, Refusal.AcceptanceWithoutCase.MessageEn);
                _messageIsError = true;
                return Task.CompletedTask;
            }
            var (acceptance, caseNumber) = (_acceptance, _caseNumber);
            Open(Dialog.FinishDetails);
            (_acceptance, _finishOutcome, _caseNumber, _message) = (acceptance, outcome, caseNumber, null);
            return Task.CompletedTask;
        }
        return FinishAsync(outcome, null);
    }

    private Task FinishWithDetailsAsync() => FinishAsync(_finishOutcome!, new FinishDetails(_missingMaterials, _deadline, _finishNote));

    private Task FinishAsync(string outcome, FinishDetails? details)
    {
        var (acceptance, caseNumber) = (_acceptance, TicketRules.CaseNumberOf(_caseNumber));
        var shown = acceptance == AcceptanceMode.Normal ? outcome : $"{TicketRules.Name(acceptance)} · {outcome}";
        return RunAsync($"finish:{outcome}:{acceptance}:{details}:{caseNumber}", id => Queue.FinishAsync(_actor, new(id, Window, CurrentId, outcome, null, details, acceptance, caseNumber), default),
            t => t.CaseNumber is { } number
                ? L.T($"{t.Number} {shown} · 办件编号 {number}", $"{t.Number} finished: {shown} · case number {number}")
                : L.T($"{t.Number} {shown}", $"{t.Number} finished: {shown}"));
    }

    private Task InviteRatingAsync() => _view?.LastFinished is not { } last ? Task.CompletedTask
        : RunAsync("invite_rating:" + last.Id, id => Queue.InviteRatingAsync(_actor, new(id, Window, last.Id), default),
            t => L.T($"已请 {t.Number} 在评价器上评价", $"{t.Number} is invited to rate on the evaluator"));

    private Task PauseAsync(string reason) => RunAsync("pause:" + reason, id => Queue.PauseWindowAsync(_actor, new(id, Window, reason), default));

    private Task ResumeAsync() => RunAsync("resume", id => Queue.ResumeWindowAsync(_actor, new(id, Window), default));

    private Task CloseAsync() => RunAsync("close", id => Queue.CloseWindowAsync(_actor, new(id, Window), default));

    private Task RequeueAsync(long ticketId) => RunAsync("requeue:" + ticketId, id => Queue.RequeueAsync(_actor, new(id, ticketId), default), t => L.T($"{t.Number} 已顺延回队", $"{t.Number} is back in the queue"));

    private Task TransferAsync() =>
        RunAsync($"transfer:{_transferServiceId}:{_transferWindowId}:{_transferNote}", id => Queue.TransferAsync(_actor,
            new(id, Window, CurrentId, _transferServiceId == 0 ? null : _transferServiceId, _transferWindowId == 0 ? null : _transferWindowId, _transferNote), default),
            t => L.T($"{t.Number} 已转办", $"{t.Number} transferred"));

    private async Task CallNumberAsync()
    {
        var number = (_callNumber ?? "").Trim().ToUpperInvariant();
        var ticket = _view?.Waiting.FirstOrDefault(t => t.Number == number);
        if (ticket is null)
        {
            _message = L.T($"等候队列中没有 {number}", $"{number} is not waiting here");
            _messageIsError = true;
            return;
        }
        await RunAsync("call_ticket:" + ticket.Id, id => Queue.CallTicketAsync(_actor, new(id, Window, ticket.Id), default), c => L.T($"已呼叫 {c.Ticket.Number}", $"Called {c.Ticket.Number}"));
    }

    private string StatusText(WindowStatus status, string? reason) => status switch
    {
        WindowStatus.Open => L.T("服务中", "Open"),
        WindowStatus.Paused => L.T($"暂停（{reason}）", $"Paused ({reason})"),
        WindowStatus.Closed => L.T("未开窗", "Closed"),
    };

    private string StateText(TicketState state) => state switch
    {
        TicketState.Called => L.T("已呼叫，等候到窗", "Called, on the way"),
        TicketState.Serving => L.T("办理中", "Serving"),
        TicketState.Waiting => L.T("等候中", "Waiting"),
        TicketState.NoShow => L.T("过号", "No-show"),
        _ => state.ToString(),
    };

    private string PriorityText(PriorityClass priority) => priority switch
    {
        PriorityClass.Elderly => L.T("老年人优先", "Elderly"),
        PriorityClass.Disabled => L.T("残疾人优先", "Disabled"),
        PriorityClass.Military => L.T("军人优先", "Military"),
        PriorityClass.Pregnant => L.T("孕妇优先", "Pregnant"),
        _ => L.T("优先", "Priority"),
    };

    private static string Span(TimeSpan span) => Durations.Format(span);

    public void Dispose()
    {
        Feed.QueueChanged -= OnChanged;
        _tick?.Dispose();
    }
}
