using System.Globalization;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Reports;
using Hall.Server.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Web.Components.Pages;

/// <summary>The supervisor's reports: generate one for a date with its progress, and the hall's stored reports to download.</summary>
public sealed partial class ReportsPage : IDisposable
{
    [CascadingParameter]
    private Lang L { get; set; } = Lang.Chinese;

    [Inject]
    private ReportJobs Jobs { get; set; } = null!;

    [Inject]
    private ReportStore Store { get; set; } = null!;

    [Inject]
    private Reports.Pdf.ReportFont Font { get; set; } = null!;

    [Inject]
    private IDbContextFactory<HallDb> DbFactory { get; set; } = null!;

    [Inject]
    private HallSettings Halls { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Auth { get; set; } = null!;

    [Inject]
    private TimeProvider Clock { get; set; } = null!;

    [Inject]
    private Hall.Server.Admin.AdminStore AdminStore { get; set; } = null!;

    /// <summary>A county admin may look at a township site's reports (<c>?hall=</c>, as on the admin pages).</summary>
    [SupplyParameterFromQuery(Name = "hall")]
    public int? HallParameter { get; set; }

    private readonly CancellationTokenSource _gone = new();
    private Actor _actor = null!;
    private string _hallName = "";
    private int _ownHallId;
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;
    private string _today = "";
    private ReportKind _kind = ReportKind.DailyPatrol;
    private DateOnly _date;
    private string _filter = "";
    private List<StoredReportView> _reports = [];
    private ReportJobView? _job;
    private string? _message;
    private bool _error;
    private bool _loaded;
    private bool _fontMissing;

    private bool Running => _job is { State: "running" };

    protected override async Task OnInitializedAsync()
    {
        var me = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        _actor = HallParameter is { } id && id != me.HallId && me.StaffRole == StaffRole.Admin
            ? await AdminStore.ActingForAsync(me, id, _gone.Token) ?? me
            : me;
        _ownHallId = me.HallId;
        await using (var db = await DbFactory.CreateDbContextAsync(_gone.Token))
        {
            var hall = await Halls.GetAsync(db, _actor.HallId, Clock.GetUtcNow(), _gone.Token);
            (_zone, _hallName) = (hall.Zone, hall.Name);
        }
        var today = HallClock.BusinessDate(Clock.GetUtcNow(), _zone);
        _today = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        _date = today;
        _fontMissing = Font.Fonts is null;
        await LoadAsync();
        _loaded = true;
    }

    private async Task LoadAsync() =>
        _reports = await Store.ListAsync(_actor.HallId, ReportEndpoints.ParseKind(_filter), null, _gone.Token);

    private async Task GenerateAsync()
    {
        if (Running)
        {
            return;
        }
        (_message, _error) = (null, false);
        var today = HallClock.BusinessDate(Clock.GetUtcNow(), _zone);
        var day = _date;
        if (day > today)
        {
            Refuse(ReportEndpoints.FutureDate);
            return;
        }
        if (_fontMissing = Font.Fonts is null)
        {
            Refuse(Reports.Pdf.ReportFont.Missing);
            return;
        }
        // The job may run on another server (the same report asked for there): followed through the table then.
        var (id, refused) = await Jobs.StartAsync(_actor, _kind, day, _gone.Token);
        if (refused is not null || id is null)
        {
            Refuse(refused ?? ReportJobs.Failed);
            return;
        }
        for (_job = await Jobs.ViewAsync(id.Value, _actor.HallId, _gone.Token); _job is { State: "running" }; _job = await Jobs.ViewAsync(id.Value, _actor.HallId, _gone.Token))
        {
            StateHasChanged();
            await Task.Delay(150, _gone.Token);
        }
        if (_job is null)
        {
            Refuse(ReportJobs.Failed);
            return;
        }
        if (_job.Error is { } error)
        {
            (_message, _error) = (L.T(error.MessageZh, error.MessageEn), true);
            return;
        }
        _message = L.T($"已生成：{ReportNames.Chinese(_job.Kind)} {ReportNames.Period(_job.Kind, _job.PeriodFrom, _job.PeriodTo)}",
            $"Generated: {ReportNames.English(_job.Kind)} {ReportNames.Period(_job.Kind, _job.PeriodFrom, _job.PeriodTo)}");
        await LoadAsync();
    }

    /// <summary>The download links name the hall when it is not the person's own.</summary>
    private string HallQuery => _actor.HallId == _ownHallId ? "" : string.Create(CultureInfo.InvariantCulture, $"?hall={_actor.HallId}");

    private void Refuse(Refusal refusal) => (_message, _error) = (L.T(refusal.MessageZh, refusal.MessageEn), true);

    private string KindText(ReportKind kind) => L.T(ReportNames.Chinese(kind), ReportNames.English(kind));

    /// <summary>When the report was made before its period was over: up to when its figures go ("12-04 10:15"); else null.</summary>
    private string? Partial(StoredReportView r)
    {
        var made = TimeZoneInfo.ConvertTime(r.GeneratedAt, _zone);
        return DateOnly.FromDateTime(made.DateTime) <= r.PeriodTo ? made.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture) : null;
    }

    private string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, _zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Size(int bytes) => bytes < 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB");

    public void Dispose()
    {
        _gone.Cancel();
        _gone.Dispose();
    }
}
