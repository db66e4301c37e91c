using System.Globalization;
using Hall.Server.Bookings;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Hall.Server.Web.Components.Pages;

/// <summary>
/// The supervisor's list of a day's bookings of their hall: slot, service, code, the person masked, and where each stands —
/// a checked-in booking where its ticket stands (called, being served, finished). Updated as the hall's queue changes.
/// </summary>
public sealed partial class BookingList
{
    [CascadingParameter]
    private Lang L { get; set; } = Lang.Chinese;

    [Inject]
    private BookingDesk Desk { get; set; } = null!;

    [Inject]
    private BookingService Bookings { get; set; } = null!;

    [Inject]
    private ChangeFeed Feed { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Auth { get; set; } = null!;

    private Actor _actor = null!;
    private DateOnly _today;
    private DateOnly _date;
    private int? _serviceId;
    private List<DeskBooking> _rows = [];
    private List<BookableService> _bookable = [];

    private List<DeskBooking> Shown => _serviceId is { } id ? [.. _rows.Where(r => r.ServiceId == id)] : _rows;

    /// <summary>For the filter: the services taking bookings, and any other booked on the date.</summary>
    private IEnumerable<(int Id, string Name)> Services =>
        _bookable.Select(s => (s.Id, L.IsEnglish && s.NameEn is { } en ? en : s.Name))
            .Concat(_rows.Select(r => (r.ServiceId, L.IsEnglish && r.ServiceNameEn is { } en ? en : r.ServiceName))).DistinctBy(s => s.Item1);

    protected override async Task OnInitializedAsync()
    {
        _actor = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        _today = _date = await Desk.TodayAsync(_actor.HallId, CancellationToken.None);
        _bookable = await Bookings.ServicesAsync(_actor.HallId, CancellationToken.None);
        Feed.QueueChanged += OnChanged;
        await ReloadAsync();
    }

    private async Task ReloadAsync() => _rows = await Desk.ListAsync(_actor.HallId, _date, CancellationToken.None);

    private async Task DateChangedAsync(ChangeEventArgs e)
    {
        if (DateOnly.TryParseExact(e.Value?.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            _date = date;
            await ReloadAsync();
        }
    }

    private async Task TodayAsync()
    {
        _date = _today = await Desk.TodayAsync(_actor.HallId, CancellationToken.None);
        await ReloadAsync();
    }

    private void ServiceChanged(ChangeEventArgs e) =>
        _serviceId = int.TryParse(e.Value?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    private string StateName(DeskState state) => BookingDesk.Name(state) is var (zh, en) ? L.T(zh, en) : "";

    // A check-in, call, start or finish is a queue change of the hall: the list looks again.
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

    public void Dispose() => Feed.QueueChanged -= OnChanged;
}
