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

    protected override async Task OnInitializedAsync()
    {
        _actor = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        _zone = await Cases.ZoneOfAsync(_actor.HallId, CancellationToken.None);
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
