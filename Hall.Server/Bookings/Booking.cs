namespace Hall.Server.Bookings;

/// <summary>
/// 号源设置: how a service is booked — slots of <see cref="SlotMinutes"/> over the service's opening hours (the hall's hours,
/// lunch break and calendar decide which exist), each holding <see cref="Capacity"/> bookings, bookable up to
/// <see cref="DaysAhead"/> business days ahead; a new day is released daily at <see cref="ReleaseAt"/> (hall-local).
/// </summary>
public sealed class SlotSchedule
{
    public int Id { get; set; }
    public int HallId { get; set; }
    public int ServiceId { get; set; }
    public int SlotMinutes { get; set; } = 30;
    public int Capacity { get; set; } = 5;
    public int DaysAhead { get; set; } = 7;
    public TimeOnly ReleaseAt { get; set; } = new(8, 0);
    /// <summary>Whether the service takes bookings at all (a schedule may be kept while paused).</summary>
    public bool Active { get; set; } = true;
    /// <summary>线上取号: whether the phone page may take a number of this service into today's queue.</summary>
    public bool RemoteTickets { get; set; }
}

public enum BookingState
{
    /// <summary>Booked, not yet checked in.</summary>
    Booked,
    /// <summary>签到: a ticket was issued for it at the kiosk.</summary>
    CheckedIn,
    /// <summary>Cancelled by the citizen (or because its slot went away), its place free again.</summary>
    Cancelled,
    /// <summary>爽约: neither checked in nor cancelled before the check-in window closed.</summary>
    Missed,
}

/// <summary>
/// 预约: a citizen's booking of a slot. The citizen is kept as the tickets keep them — the ID number only as a keyed hash and
/// masked, the mobile number masked and encrypted only until the booking is over (then the cipher is erased), the name masked.
/// </summary>
public sealed class Booking
{
    public long Id { get; set; }
    public int HallId { get; set; }
    public int ServiceId { get; set; }
    public int? ServiceItemId { get; set; }
    public DateOnly Date { get; set; }
    public TimeOnly Start { get; set; }
    public TimeOnly End { get; set; }
    /// <summary>The booking code the citizen types or shows as a QR at the kiosk: random, 8 characters of <see cref="BookingCodes.Alphabet"/>.</summary>
    public required string Code { get; set; }
    /// <summary>The caller's request id: the same request sent twice books once.</summary>
    public Guid RequestId { get; set; }
    public required string NameMasked { get; set; }
    public required byte[] IdHmac { get; set; }
    public required string IdMasked { get; set; }
    public required byte[] MobileHmac { get; set; }
    public required string MobileMasked { get; set; }
    /// <summary>The mobile number encrypted (for the confirmation and the reminder); erased once the booking is over.</summary>
    public string? MobileCipher { get; set; }
    public BookingState State { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public DateTimeOffset? CheckedInAt { get; set; }
    /// <summary>When 爽约 was recorded.</summary>
    public DateTimeOffset? MissedAt { get; set; }
    public long? TicketId { get; set; }
    /// <summary>When the booking's confirmation SMS went out (null: not yet; it is sent by <see cref="BookingNotices"/>).</summary>
    public DateTimeOffset? ConfirmationSentAt { get; set; }
    /// <summary>When the reminder before the slot went out.</summary>
    public DateTimeOffset? ReminderSentAt { get; set; }
    /// <summary>Set when a schedule change leaves the booking outside the new slots or places: a notice is owed since then.</summary>
    public DateTimeOffset? ChangeNoticeDueAt { get; set; }
    /// <summary>When the last schedule-change notice went out.</summary>
    public DateTimeOffset? ChangeNoticeSentAt { get; set; }
    /// <summary>A server sending one of its notices holds the booking until then; after a failed send, the next try waits until then.</summary>
    public DateTimeOffset? NoticeLeaseUntil { get; set; }
    /// <summary>Failed sends in a row (reset by a good one): the wait before the next try doubles with each.</summary>
    public int NoticeFailures { get; set; }
}

/// <summary>The number of bookings a slot holds now: raised and lowered in the same transaction as the booking, never past the capacity.</summary>
public sealed class BookingSlot
{
    public int HallId { get; set; }
    public int ServiceId { get; set; }
    public DateOnly Date { get; set; }
    public TimeOnly Start { get; set; }
    public int Booked { get; set; }
}

/// <summary>The hall's booking rules (all configurable on the admin's page).</summary>
public sealed record BookingRules
{
    /// <summary>At most this many open bookings (booked, slot not yet over) per person.</summary>
    public int MaxOpenPerPerson { get; init; } = 2;
    /// <summary>Booking a slot closes this many minutes before it starts.</summary>
    public int CloseMinutesBefore { get; init; } = 30;
    /// <summary>爽约: this many missed bookings within <see cref="MissWindowDays"/> days …</summary>
    public int MissLimit { get; init; } = 3;
    public int MissWindowDays { get; init; } = 90;
    /// <summary>… and the person cannot book for this many days after the last one.</summary>
    public int BanDays { get; init; } = 30;
    /// <summary>Check-in at the kiosk is open from this many minutes before the slot's start …</summary>
    public int CheckInEarlyMinutes { get; init; } = 30;
    /// <summary>… to this many minutes after it.</summary>
    public int CheckInLateMinutes { get; init; } = 15;
    /// <summary>Too late for check-in: a walk-in ticket (true) or refused with the reason (false).</summary>
    public bool LateAsWalkIn { get; init; } = true;
    /// <summary>The reminder SMS goes this many minutes before the slot starts (0: no reminder); not for a booking made later than that.</summary>
    public int ReminderMinutesBefore { get; init; } = 120;
}
