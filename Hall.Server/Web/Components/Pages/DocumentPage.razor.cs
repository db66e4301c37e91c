using System.Globalization;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Server.Reports;
using Hall.Server.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Hall.Server.Web.Components.Pages;

/// <summary>A bulletin or year view before it is issued: the supervisor's three sections, saving the draft, issuing (numbered, then frozen).</summary>
public sealed partial class DocumentPage : IDisposable
{
    [CascadingParameter]
    private Lang L { get; set; } = Lang.Chinese;

    [Parameter]
    public long Id { get; set; }

    /// <summary>A county admin may work on a township site's bulletin (<c>?hall=</c>, as on the reports page).</summary>
    [SupplyParameterFromQuery(Name = "hall")]
    public int? HallParameter { get; set; }

    [Inject]
    private ReportIssuing Issuing { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Auth { get; set; } = null!;

    [Inject]
    private Hall.Server.Admin.AdminStore AdminStore { get; set; } = null!;

    [Inject]
    private Halls.HallSettings Halls { get; set; } = null!;

    [Inject]
    private Microsoft.EntityFrameworkCore.IDbContextFactory<Data.HallDb> DbFactory { get; set; } = null!;

    [Inject]
    private TimeProvider Clock { get; set; } = null!;

    private readonly CancellationTokenSource _gone = new();
    private Actor _actor = null!;
    private int _ownHallId;
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;
    private DocumentView? _view;
    private string? _problems, _praise, _requirements;
    private string? _message;
    private bool _error, _loaded, _busy, _confirming;

    protected override async Task OnInitializedAsync()
    {
        var me = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        _actor = HallParameter is { } id && id != me.HallId && me.StaffRole == StaffRole.Admin
            ? await AdminStore.ActingForAsync(me, id, _gone.Token) ?? me
            : me;
        _ownHallId = me.HallId;
        await using (var db = await DbFactory.CreateDbContextAsync(_gone.Token))
        {
            _zone = (await Halls.GetAsync(db, _actor.HallId, Clock.GetUtcNow(), _gone.Token)).Zone;
        }
        await LoadAsync();
        (_problems, _praise, _requirements) = (_view?.Problems, _view?.Praise, _view?.Requirements);
        _loaded = true;
    }

    private async Task LoadAsync() => _view = await Issuing.ViewAsync(_actor.HallId, Id, _gone.Token);

    private async Task SaveAsync()
    {
        await RunAsync(() => Issuing.SaveAsync(_actor, Id, new DocumentSections(_problems, _praise, _requirements), _gone.Token),
            L.T("草稿已保存并重新生成", "The draft is saved and drawn again"));
    }

    private async Task IssueAsync()
    {
        // What is in the boxes is what gets issued: saved first, then numbered.
        if (_problems != _view?.Problems || _praise != _view?.Praise || _requirements != _view?.Requirements)
        {
            if (!await RunAsync(() => Issuing.SaveAsync(_actor, Id, new DocumentSections(_problems, _praise, _requirements), _gone.Token), null))
            {
                return;
            }
        }
        if (await RunAsync(() => Issuing.IssueAsync(_actor, Id, _gone.Token), null))
        {
            _message = L.T($"已印发：{_view?.Number}", $"Issued: {_view?.Number}");
        }
        _confirming = false;
    }

    /// <summary>Runs a change, shows its refusal or <paramref name="done"/>, and reads the document again; true when it went through.</summary>
    private async Task<bool> RunAsync(Func<Task<Refusal?>> change, string? done)
    {
        _busy = true;
        (_message, _error) = (L.T("正在生成，请稍候…", "Drawing the document…"), false);
        StateHasChanged();
        try
        {
            var refused = await change();
            (_message, _error) = refused is null ? (done, false) : (L.T(refused.MessageZh, refused.MessageEn), true);
            await LoadAsync();
            return refused is null;
        }
        finally
        {
            _busy = false;
        }
    }

    private string HallQuery => _actor.HallId == _ownHallId ? "" : string.Create(CultureInfo.InvariantCulture, $"?hall={_actor.HallId}");

    private string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, _zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _gone.Cancel();
        _gone.Dispose();
    }
}
