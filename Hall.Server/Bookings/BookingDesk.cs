using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Bookings;

/// <summary>Where a booking stands for the supervisor: its own state, and once checked in, its ticket's.</summary>
public enum DeskState
{
    /// <summary>已预约: booked, not yet checked in.</summary>
    Booked,
    /// <summary>已签到: checked in, its ticket waiting.</summary>
    CheckedIn,
    /// <summary>已叫号: its ticket called to a window.</summary>
    Called,
    /// <summary>办理中: being served.</summary>
    Serving,
    /// <summary>已办结: its ticket finished.</summary>
    Finished,
    /// <summary>过号: checked in, called, and did not come.</summary>
    NoShow,
    /// <summary>号已取消: checked in, its ticket cancelled or voided.</summary>
    TicketCancelled,
    /// <summary>爽约.</summary>
    Missed,
    /// <summary>已取消: the booking cancelled.</summary>
    Cancelled,
}

/// <summary>A booking as the supervisor's list shows it: only the masked forms of the person.</summary>
public sealed record DeskBooking(long Id, TimeOnly Start, TimeOnly End, int ServiceId, string ServiceName, string? ServiceNameEn, string? ItemName, string Code,
    string NameMasked, string IdMasked, string MobileMasked, DeskState State, string? TicketNumber);

/// <summary>The supervisor's list of a day's bookings (/bookings).</summary>
public sealed class BookingDesk(IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock)
{
    public static readonly IReadOnlyList<DeskState> States = Enum.GetValues<DeskState>();

    /// <summary>The hall's business date now.</summary>
    public async Task<DateOnly> TodayAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        return HallClock.BusinessDate(now, (await halls.GetAsync(db, hallId, now, ct)).Zone);
    }

    /// <summary>The hall's bookings of slots on <paramref name="date"/>, by slot, then service, then when they were made.</summary>
    public async Task<List<DeskBooking>> ListAsync(int hallId, DateOnly date, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await (from b in db.Bookings.AsNoTracking()
                          where b.HallId == hallId && b.Date == date
                          join s in db.Services on b.ServiceId equals s.Id
                          join i in db.ServiceItems on b.ServiceItemId equals i.Id into items
                          from i in items.DefaultIfEmpty()
                          join t in db.Tickets on b.TicketId equals t.Id into tickets
                          from t in tickets.DefaultIfEmpty()
                          orderby b.Start, s.SortOrder, s.Id, b.CreatedAt, b.Id
                          select new
                          {
                              b.Id,
                              b.Start,
                              b.End,
                              b.ServiceId,
                              ServiceName = s.Name,
                              ServiceNameEn = s.NameEn,
                              ItemName = i == null ? null : i.Name,
                              b.Code,
                              b.NameMasked,
                              b.IdMasked,
                              b.MobileMasked,
                              b.State,
                              TicketState = t == null ? (TicketState?)null : t.State,
                              TicketNumber = t == null ? null : t.Number,
                          }).ToListAsync(ct);
        return [.. rows.Select(r => new DeskBooking(r.Id, r.Start, r.End, r.ServiceId, r.ServiceName, r.ServiceNameEn, r.ItemName, r.Code,
            r.NameMasked, r.IdMasked, r.MobileMasked, StateOf(r.State, r.TicketState), r.TicketNumber))];
    }

    /// <summary>A checked-in booking stands where its ticket stands.</summary>
    public static DeskState StateOf(BookingState booking, TicketState? ticket) => booking switch
    {
        BookingState.Booked => DeskState.Booked,
        BookingState.Missed => DeskState.Missed,
        BookingState.Cancelled => DeskState.Cancelled,
        BookingState.CheckedIn => ticket switch
        {
            TicketState.Called => DeskState.Called,
            TicketState.Serving => DeskState.Serving,
            TicketState.Finished => DeskState.Finished,
            TicketState.NoShow => DeskState.NoShow,
            TicketState.Cancelled or TicketState.Voided => DeskState.TicketCancelled,
            TicketState.Waiting or null => DeskState.CheckedIn,
        },
    };

    public static (string Zh, string En) Name(DeskState state) => state switch
    {
        DeskState.Booked => ("已预约", "Booked"),
        DeskState.CheckedIn => ("已签到", "Checked in"),
        DeskState.Called => ("已叫号", "Called"),
        DeskState.Serving => ("办理中", "Being served"),
        DeskState.Finished => ("已办结", "Finished"),
        DeskState.NoShow => ("过号", "Did not come"),
        DeskState.TicketCancelled => ("号已取消", "Ticket cancelled"),
        DeskState.Missed => ("爽约", "Missed"),
        DeskState.Cancelled => ("已取消", "Cancelled"),
    };
}
