using Hall.Server.Hub;
using Hall.Server.Queue;
using Hall.Server.Ratings;
using Hall.Server.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Hall.Server.Web.Components.Pages;

/// <summary>The supervisor's list of bad-rating follow-up cases: overdue ones first and marked, notes, closing.</summary>
public sealed partial class FollowUpCases
{
    [CascadingParameter]
    private Lang L { get; set; } = Lang.Chinese;

    [Inject]
    private FollowUps Cases { get; set; } = null!;

    [Inject]
    private ChangeFeed Feed { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Auth { get; set; } = null!;

    private Actor _actor = null!;
    private List<FollowUpRow> _rows = [];
    private readonly Dictionary<long, string?> _texts = [];
    private readonly Dictionary<long, string> _opened = [];
    private string? _message;
    private bool _error;
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;
    private readonly Dictionary<(long, string), string?> _inputs = [];
    private const string BoxFinding = "finding";
    private const string BoxFounded = "founded";
    private const string BoxPlan = "plan";
    private const string BoxDays = "days";
    private const string BoxRemedy = "remedy";
    private const string BoxVerdict = "verdict";
    private const string BoxCallback = "callback";
    private const string BoxDecision = "decision";
    private int _workingDays;

    protected override async Task OnInitializedAsync()
    {
        _actor = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        _zone = await Cases.ZoneOfAsync(_actor.HallId, CancellationToken.None);
        _workingDays = await Cases.WorkingDaysOfAsync(_actor.HallId, CancellationToken.None);
        Feed.QueueChanged += OnChanged;
        await ReloadAsync();
    }

    private async Task ReloadAsync() => _rows = await Cases.ListAsync(_actor.HallId, CancellationToken.None);

    // A rating changes no window or service message; any change in the hall is a good moment to look again.
    private void OnChanged(int hallId, HallChanges changes)
    {
        if (hallId == _actor.HallId)
        {
            _ = InvokeAsync(async () =>
            {
                await ReloadAsync();
                StateHasChanged();
            });
        }
    }

    /// <summary>The full number, for this page only, once the opening is in the audit log.</summary>
    private async Task OpenContactAsync(long id)
    {
        var (mobile, refusal) = await Cases.OpenContactAsync(_actor, id, CancellationToken.None);
        _error = refusal is not null;
        _message = refusal is null ? null : L.T(refusal.MessageZh, refusal.MessageEn);
        if (mobile is not null)
        {
            _opened[id] = mobile;
        }
    }

    private string? In(long id, string box) => _inputs.GetValueOrDefault((id, box));

    private void Set(long id, string box, ChangeEventArgs e) => _inputs[(id, box)] = e.Value?.ToString();

    private string T((string Zh, string En) text) => L.T(text.Zh, text.En);

    private string StepText(FollowUpCase f) => f.AppealUpheld == true ? L.T(FollowUpCase.AppealClosing, "Appeal upheld") : f.NextStep switch
    {
        FollowUpStep.Verify => L.T("待核实", "To verify"),
        FollowUpStep.PlanRemedy => L.T("待整改", "To fix"),
        FollowUpStep.FinishRemedy => L.T("整改中", "Fixing"),
        FollowUpStep.CallBack => L.T("待回访", "To call back"),
        FollowUpStep.Close => L.T("待办结", "To close"),
        FollowUpStep.Closed => L.T("已办结", "Closed"),
        _ => f.NextStep.ToString(),
    };

    private Task VerifyAsync(long id) =>
        StepAsync(id, () => Cases.VerifyAsync(_actor, id, In(id, BoxFinding), bool.TryParse(In(id, BoxFounded), out var founded) ? founded : null, CancellationToken.None), L.T("已核实", "Verified"));

    private Task PlanAsync(long id) =>
        StepAsync(id, () => Cases.PlanRemedyAsync(_actor, id, In(id, BoxPlan), int.TryParse(In(id, BoxDays), out var days) ? days : null, CancellationToken.None), L.T("已制定整改措施", "Fix planned"));

    private Task RemediedAsync(long id) =>
        StepAsync(id, () => Cases.FinishRemedyAsync(_actor, id, In(id, BoxRemedy), CancellationToken.None), L.T("已记录整改结果", "Fix recorded"));

    private Task CallBackAsync(long id) =>
        StepAsync(id, () => Cases.CallBackAsync(_actor, id, Enum.TryParse<CallBackVerdict>(In(id, BoxVerdict), out var v) ? v : null, In(id, BoxCallback), CancellationToken.None), L.T("已记录回访", "Call-back recorded"));

    private Task DecideAsync(long id, bool upheld) =>
        StepAsync(id, () => Cases.DecideAppealAsync(_actor, id, upheld, In(id, BoxDecision), CancellationToken.None), upheld ? L.T("已采纳申诉，该评价不再计入", "Appeal upheld: the rating no longer counts") : L.T("已驳回申诉", "Appeal rejected"));

    private async Task StepAsync(long id, Func<Task<Refusal?>> step, string done)
    {
        var refusal = await step();
        _error = refusal is not null;
        _message = refusal is null ? done : L.T(refusal.MessageZh, refusal.MessageEn);
        if (refusal is null)
        {
            foreach (var key in _inputs.Keys.Where(k => k.Item1 == id).ToList())
            {
                _inputs.Remove(key);
            }
        }
        await ReloadAsync();
    }

    private Task NoteAsync(long id) => ApplyAsync(id, text => Cases.AddNoteAsync(_actor, id, text, CancellationToken.None), L.T("已记录", "Noted"));

    private Task CloseAsync(long id) => ApplyAsync(id, text => Cases.CloseAsync(_actor, id, text, CancellationToken.None), L.T("已办结", "Closed"));

    private async Task ApplyAsync(long id, Func<string?, Task<Refusal?>> change, string done)
    {
        var refusal = await change(_texts.GetValueOrDefault(id));
        _error = refusal is not null;
        _message = refusal is null ? done : L.T(refusal.MessageZh, refusal.MessageEn);
        if (refusal is null)
        {
            _texts.Remove(id);
        }
        await ReloadAsync();
    }

    private string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, _zone).ToString("MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose() => Feed.QueueChanged -= OnChanged;
}
