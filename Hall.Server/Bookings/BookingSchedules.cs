using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Bookings;

/// <summary>A service's booking settings as the admin's page edits them.</summary>
public sealed record ScheduleForm(bool Active, int SlotMinutes, int Capacity, int DaysAhead, TimeOnly ReleaseAt, bool RemoteTickets);

/// <summary>A service with its schedule (null: it takes no bookings).</summary>
public sealed record ScheduleRow(int ServiceId, string ServiceName, char Prefix, SlotSchedule? Schedule);

/// <summary>A booking a schedule change leaves outside the new slots or capacity: it stands, and the citizen gets an SMS saying so.</summary>
public sealed record AffectedBooking(string Code, DateOnly Date, TimeOnly Start, string NameMasked, string MobileMasked);

/// <summary>
/// The admin's 号源 settings: per service the slot length, places per slot, how far ahead and when a day is released, and
/// 线上取号; and the hall's booking rules. A change never drops a booking: those it leaves outside the new slots (or over a
/// lowered capacity) stand as booked and are listed for the hall to call.
/// </summary>
public sealed class BookingSchedules(IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock, Admin.AdminStore audit)
{
    public static readonly Refusal InvalidSchedule = new("invalid_slot_schedule", "号源设置有误：时段 5–240 分钟，每时段 1–500 个号，提前 0–60 天",
        "Invalid slot schedule: slots of 5–240 minutes, 1–500 places each, 0–60 days ahead.");
    public static readonly Refusal InvalidRules = new("invalid_booking_rules", "预约规则有误：每人 1–10 个，截止 0–1440 分钟，爽约 1–10 次 / 1–365 天，限约 1–365 天，签到提前 0–240、迟到 0–120 分钟，提前 0–1440 分钟短信提醒（0 为不提醒）",
        "Invalid booking rules: 1–10 per person, closing 0–1440 minutes before, 1–10 misses in 1–365 days, a ban of 1–365 days, check-in 0–240 minutes early and 0–120 late, a reminder 0–1440 minutes before (0: none).");

    public async Task<List<ScheduleRow>> ListAsync(int hallId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var schedules = await db.SlotSchedules.AsNoTracking().Where(s => s.HallId == hallId).ToDictionaryAsync(s => s.ServiceId, ct);
        return [.. (await db.Services.AsNoTracking().Where(s => s.HallId == hallId && s.Active).OrderBy(s => s.SortOrder).ThenBy(s => s.Id).ToListAsync(ct))
            .Select(s => new ScheduleRow(s.Id, s.Name, s.Prefix, schedules.GetValueOrDefault(s.Id)))];
    }

    /// <summary>Saves a service's schedule; answers the bookings it leaves outside the new slots or capacity (kept, to be called).</summary>
    public async Task<(Refusal? Refusal, List<AffectedBooking> Affected)> SaveAsync(Actor actor, int serviceId, ScheduleForm form, CancellationToken ct)
    {
        if (form.SlotMinutes is < 5 or > 240 || form.Capacity is < 1 or > 500 || form.DaysAhead is < 0 or > 60)
        {
            return (InvalidSchedule, []);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, actor.HallId, now, ct);
        var service = await db.Services.FirstOrDefaultAsync(s => s.Id == serviceId && s.HallId == actor.HallId, ct);
        if (service is null)
        {
            return (Refusal.UnknownService, []);
        }
        var schedule = await db.SlotSchedules.FirstOrDefaultAsync(s => s.ServiceId == serviceId, ct);
        var before = schedule is null ? null : new ScheduleForm(schedule.Active, schedule.SlotMinutes, schedule.Capacity, schedule.DaysAhead, schedule.ReleaseAt, schedule.RemoteTickets);
        if (schedule is null)
        {
            schedule = new SlotSchedule { HallId = actor.HallId, ServiceId = serviceId };
            db.SlotSchedules.Add(schedule);
        }
        (schedule.Active, schedule.SlotMinutes, schedule.Capacity, schedule.DaysAhead, schedule.ReleaseAt, schedule.RemoteTickets) =
            (form.Active, form.SlotMinutes, form.Capacity, form.DaysAhead, form.ReleaseAt, form.RemoteTickets);
        // The schedule and the notices it owes the bookings it leaves outside are one change.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);

        // The open bookings of the service from today on, checked against the new slots and capacity.
        var today = HallClock.BusinessDate(now, hall.Zone);
        var open = await db.Bookings.AsNoTracking().Where(b => b.ServiceId == serviceId && b.State == BookingState.Booked && b.Date >= today)
            .OrderBy(b => b.Date).ThenBy(b => b.Start).ThenBy(b => b.CreatedAt).ToListAsync(ct);
        var calendar = hall.Calendar.Select(d => d.ToCalendarDay()).ToList();
        List<Booking> Outside(SlotSchedule plan)
        {
            var outside = new List<Booking>();
            foreach (var day in open.GroupBy(b => b.Date))
            {
                var slots = plan.Active ? SlotPlan.SlotsOn(day.Key, plan, hall.Hours, service.Hours, calendar).Select(s => s.Start).ToHashSet() : [];
                foreach (var slot in day.GroupBy(b => b.Start))
                {
                    // Outside the slots: all of them; over the capacity: the latest booked.
                    outside.AddRange(slots.Contains(slot.Key) ? slot.Skip(plan.Capacity) : slot);
                }
            }
            return outside;
        }
        var left = Outside(schedule);
        var affected = left.Select(b => new AffectedBooking(b.Code, b.Date, b.Start, b.NameMasked, b.MobileMasked)).ToList();
        // Each booking this change leaves outside is owed an SMS (BookingNotices sends it): it stands, come anyway or cancel.
        // One already outside before the change was told then.
        var wasOutside = before is null ? [] : Outside(new SlotSchedule
        {
            HallId = actor.HallId,
            ServiceId = serviceId,
            Active = before.Active,
            SlotMinutes = before.SlotMinutes,
            Capacity = before.Capacity,
            DaysAhead = before.DaysAhead,
            ReleaseAt = before.ReleaseAt,
        }).Select(b => b.Id).ToHashSet();
        // A slot already begun is the hall's to sort out at the counter: no SMS telling the citizen to come at that time.
        long[] owed = [.. left.Where(b => !wasOutside.Contains(b.Id) && SlotPlan.Local(b.Date, b.Start, hall.Zone) > now).Select(b => b.Id)];
        if (owed.Length > 0)
        {
            await db.Database.ExecuteSqlAsync($"UPDATE bookings SET change_notice_due_at = {now.ToUniversalTime()} WHERE id = ANY({owed}) AND state = 'Booked'", ct);
        }
        await tx.CommitAsync(ct);
        await audit.RecordAsync(actor, "booking.schedule", $"service:{serviceId}", before, form, ct);
        return (null, affected);
    }

    public async Task<Refusal?> SaveRulesAsync(Actor actor, BookingRules rules, CancellationToken ct)
    {
        if (rules.MaxOpenPerPerson is < 1 or > 10 || rules.CloseMinutesBefore is < 0 or > 1440 || rules.MissLimit is < 1 or > 10 || rules.MissWindowDays is < 1 or > 365
            || rules.BanDays is < 1 or > 365 || rules.CheckInEarlyMinutes is < 0 or > 240 || rules.CheckInLateMinutes is < 0 or > 120
            || rules.ReminderMinutesBefore is < 0 or > 1440)
        {
            return InvalidRules;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hall = await db.Halls.SingleAsync(h => h.Id == actor.HallId, ct);
        var before = hall.Booking;
        hall.Booking = rules;
        await db.SaveChangesAsync(ct);
        halls.Invalidate(actor.HallId);
        await audit.RecordAsync(actor, "booking.rules", $"hall:{actor.HallId}", before, rules, ct);
        return null;
    }
}
