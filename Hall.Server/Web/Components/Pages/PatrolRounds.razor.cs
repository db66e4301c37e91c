using Hall.Server.Hub;
using Hall.Server.Patrol;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Hall.Server.Web.Components.Pages;

/// <summary>
/// The patrol on a tablet (日巡查): start today's round, mark each category, record findings with their due date, sign off;
/// below, the findings of earlier rounds (overdue first) to close with their result. What was typed stays after each action.
/// </summary>
public sealed partial class PatrolRounds
{
    [CascadingParameter]
    private Lang L { get; set; } = Lang.Chinese;

    [Inject]
    private Patrols Patrols { get; set; } = null!;

    [Inject]
    private ChangeFeed Feed { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Auth { get; set; } = null!;

    /// <summary>The new-finding form; its due date starts at the hall's default.</summary>
    private sealed class Form
    {
        public PatrolCategory Category { get; set; }
        public int? WindowId { get; set; }
        public string? Description { get; set; }
        public string? Requirement { get; set; }
        public DateOnly? DueDate { get; set; }
    }

    private Actor _actor = null!;
    private PatrolDay? _day;
    private Form _form = new();
    private readonly Dictionary<PatrolCategory, string?> _notes = [];
    private readonly Dictionary<long, string?> _results = [];
    private string? _message;
    private bool _error;
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;

    protected override async Task OnInitializedAsync()
    {
        _actor = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        _zone = await Patrols.ZoneOfAsync(_actor.HallId, CancellationToken.None);
        Feed.QueueChanged += OnChanged;
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        _day = await Patrols.DayAsync(_actor.HallId, CancellationToken.None);
        _form.DueDate ??= _day.DefaultDueDate;
    }

    // Another supervisor may close a finding meanwhile; any change in the hall is a good moment to look again.
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

    private async Task StartAsync()
    {
        var (_, refusal) = await Patrols.StartAsync(_actor, CancellationToken.None);
        await ShowAsync(refusal, L.T("已开始巡查", "Round started"));
    }

    private async Task CheckAsync(long roundId, PatrolCategory category, bool problem)
    {
        var refusal = await Patrols.CheckAsync(_actor, roundId, category, problem, _notes.GetValueOrDefault(category), CancellationToken.None);
        await ShowAsync(refusal, L.T($"已记录：{PatrolCategories.Zh(category)}", $"Recorded: {PatrolCategories.En(category)}"));
    }

    private async Task AddFindingAsync(long roundId)
    {
        var (_, refusal) = await Patrols.AddFindingAsync(_actor, roundId,
            new FindingForm(_form.Category, _form.WindowId, _form.Description, _form.Requirement, _form.DueDate), CancellationToken.None);
        if (refusal is null)
        {
            _form = new() { Category = _form.Category };
        }
        await ShowAsync(refusal, L.T("已登记问题", "Finding recorded"));
    }

    private async Task SignAsync(long roundId)
    {
        var refusal = await Patrols.SignAsync(_actor, roundId, CancellationToken.None);
        if (refusal is null)
        {
            _notes.Clear();
        }
        await ShowAsync(refusal, L.T("已签字确认，本次巡查已完成", "Signed off: the round is complete"));
    }

    private async Task CloseAsync(long findingId)
    {
        var refusal = await Patrols.CloseFindingAsync(_actor, findingId, _results.GetValueOrDefault(findingId), CancellationToken.None);
        if (refusal is null)
        {
            _results.Remove(findingId);
        }
        await ShowAsync(refusal, L.T("已整改完毕", "Closed"));
    }

    private async Task ShowAsync(Refusal? refusal, string done)
    {
        _error = refusal is not null;
        _message = refusal is null ? done : L.T(refusal.MessageZh, refusal.MessageEn);
        await ReloadAsync();
    }

    private string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, _zone).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    private static string Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "";

    public void Dispose() => Feed.QueueChanged -= OnChanged;
}
