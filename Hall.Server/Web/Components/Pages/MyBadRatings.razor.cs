using Hall.Server.Queue;
using Hall.Server.Ratings;
using Hall.Server.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Hall.Server.Web.Components.Pages;

/// <summary>我的差评: a clerk's own bad ratings, read-only, with the appeal (申诉) the supervisor then decides.</summary>
public sealed partial class MyBadRatings
{
    [CascadingParameter]
    private Lang L { get; set; } = Lang.Chinese;

    [Inject]
    private FollowUps Cases { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Auth { get; set; } = null!;

    private Actor _actor = null!;
    private List<FollowUpRow> _rows = [];
    private readonly Dictionary<long, string?> _kinds = [];
    private readonly Dictionary<long, string?> _reasons = [];
    private string? _message;
    private bool _error;
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;

    protected override async Task OnInitializedAsync()
    {
        _actor = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        _zone = await Cases.ZoneOfAsync(_actor.HallId, CancellationToken.None);
        await ReloadAsync();
    }

    private async Task ReloadAsync() => _rows = await Cases.ListOwnAsync(_actor, CancellationToken.None);

    private string State(FollowUpCase f) =>
        f.AppealUpheld == true ? L.T("申诉已采纳，不计入", "Appeal upheld: not counted")
        : f.AppealPending ? L.T("申诉待复核", "Appeal awaiting decision")
        : f.AppealUpheld == false ? L.T("申诉已驳回", "Appeal rejected")
        : f.ClosedAt is not null ? L.T("已办结", "Closed")
        : L.T("回访中", "In follow-up");

    private async Task AppealAsync(long id)
    {
        var kind = Enum.TryParse<AppealKind>(_kinds.GetValueOrDefault(id), out var k) ? k : (AppealKind?)null;
        var refusal = await Cases.FileAppealAsync(_actor, id, kind, _reasons.GetValueOrDefault(id), CancellationToken.None);
        _error = refusal is not null;
        _message = refusal is null ? L.T("已提出申诉，待大厅负责人复核", "Appeal filed; the supervisor will decide") : L.T(refusal.MessageZh, refusal.MessageEn);
        if (refusal is null)
        {
            _kinds.Remove(id);
            _reasons.Remove(id);
        }
        await ReloadAsync();
    }

    private string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, _zone).ToString("MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}
