using System.Diagnostics;
using System.Globalization;
using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Complaints;

/// <summary>What the clerk or supervisor fills in to register a complaint.</summary>
/// <param name="CitizenName">The name as the citizen gives it; only its masked form (张*) is kept.</param>
/// <param name="Mobile">The contact mobile; kept encrypted until the complaint is closed.</param>
/// <param name="TicketNumber">The ticket the complaint is about, by its number on <paramref name="TicketDate"/> (today when not given).</param>
/// <param name="TicketAtMyWindow">Link the ticket being served (or last served) today at the registering clerk's window.</param>
public sealed record ComplaintForm(ComplaintChannel Channel, string? CitizenName, string? Mobile, ComplaintCategory Category, string? Description,
    string? Department = null, string? TicketNumber = null, DateOnly? TicketDate = null, bool TicketAtMyWindow = false);

/// <summary>Which complaints the list and the export show: received from..to (hall-local dates), in a state, of a category.</summary>
/// <param name="Open">True: open ones only (not closed); false: closed ones only; null: both.</param>
public sealed record ComplaintFilter(DateOnly? From = null, DateOnly? To = null, ComplaintState? State = null, ComplaintCategory? Category = null, bool? Open = null);

/// <summary>A complaint as the list shows it: whether it is overdue, or was closed late.</summary>
public sealed record ComplaintRow(Complaint Complaint, bool Overdue, bool ClosedLate, string? WindowName);

/// <summary>What the complaints page needs of the person using it and the hall.</summary>
/// <param name="Window">The special window (办不成事反映) the clerk holds, if any.</param>
public sealed record ComplaintDesk(bool CanRegister, bool IsSupervisor, (int Id, string Name)? Window, IReadOnlyList<string> Departments,
    IReadOnlyList<(int Id, string Name)> Staff, DateOnly Today, DateOnly DueIfReceivedToday, TimeZoneInfo Zone);

/// <summary>
/// 有诉即办 / 办不成事反映: a complaint registered (登记) by the clerk holding a special window or by a supervisor, assigned
/// (交办) to the department responsible, answered (答复), called back (回访) with the citizen's verdict and closed (办结) within
/// the hall's deadline in working days. Each step is a guarded change in one transaction: a refusal says why in Chinese
/// and English and changes nothing; each change is timed and written to the audit log.
/// </summary>
public sealed class Complaints(IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock, MobileNumbers mobiles, AdminStore audit, Alerts.AlertMonitor alerts)
{
    public const int MaxText = 500;

    public static readonly Refusal NotAtSpecialWindow = new("complaint_not_special_window", "只有办不成事反映窗口的工作人员或值班长可以登记诉求，未作任何更改",
        "Only the clerk holding a special (办不成事反映) window or a supervisor can register a complaint. Nothing was changed.");
    public static readonly Refusal DescriptionRequired = new("complaint_description_required", "请填写反映的问题，未作任何更改", "Write what happened first. Nothing was changed.");
    public static readonly Refusal UnknownCategory = new("complaint_unknown_category", "诉求类别不在列表中，未作任何更改", "The category is not one of the list. Nothing was changed.");
    public static readonly Refusal UnknownChannel = new("complaint_unknown_channel", "反映渠道应为窗口、电话或现场，未作任何更改", "The channel is window, phone or in person. Nothing was changed.");
    public static readonly Refusal UnknownDepartment = new("complaint_unknown_department", "没有这个部门（以事项目录为准），未作任何更改", "No such department in the hall's catalogue. Nothing was changed.");
    public static readonly Refusal DepartmentRequired = new("complaint_department_required", "请选择责任部门，未作任何更改", "Choose the department responsible first. Nothing was changed.");
    public static readonly Refusal UnknownAssignee = new("complaint_unknown_assignee", "本大厅没有这位工作人员，未作任何更改", "No such staff member in this hall. Nothing was changed.");
    public static readonly Refusal UnknownTicket = new("complaint_unknown_ticket", "该日期没有这个号码，未作任何更改", "No ticket with that number on that date in this hall. Nothing was changed.");
    public static readonly Refusal NoTicketAtWindow = new("complaint_no_ticket_at_window", "本窗口今天还没有办理过号码，未作任何更改", "Your window has served no ticket today. Nothing was changed.");
    public static readonly Refusal NameTooLong = new("complaint_name_too_long", "姓名过长，未作任何更改", "The name is too long. Nothing was changed.");
    public static readonly Refusal TextTooLong = new("complaint_text_too_long", $"文字过长（最多 {MaxText} 字），未作任何更改", $"The text is too long (at most {MaxText} characters). Nothing was changed.");
    public static readonly Refusal UnknownComplaint = new("unknown_complaint", "没有这件诉求", "No such complaint in this hall.");
    public static readonly Refusal ComplaintClosed = new("complaint_closed", "该诉求已办结，未作任何更改", "The complaint is already closed. Nothing was changed.");
    public static readonly Refusal AlreadyAnswered = new("complaint_already_answered", "该诉求已答复，不能再交办，未作任何更改", "The complaint is already answered and can no longer be reassigned. Nothing was changed.");
    public static readonly Refusal NotAssigned = new("complaint_not_assigned", "请先交办，再答复，未作任何更改", "Assign the complaint before answering it. Nothing was changed.");
    public static readonly Refusal NotYourComplaint = new("complaint_not_assignee", "只有承办人或值班长可以答复，未作任何更改", "Only the assignee or a supervisor can answer. Nothing was changed.");
    public static readonly Refusal AnswerRequired = new("complaint_answer_required", "请填写答复（办理情况），未作任何更改", "Write the answer (what was done) first. Nothing was changed.");
    public static readonly Refusal NotAnswered = new("complaint_not_answered", "答复后才能回访，未作任何更改", "The complaint must be answered before the call-back. Nothing was changed.");
    public static readonly Refusal AlreadyCalledBack = new("complaint_already_called_back", "该诉求已回访，未作任何更改", "The citizen was already called back. Nothing was changed.");
    public static readonly Refusal UnknownVerdict = new("complaint_unknown_verdict", "回访结果应为满意、基本满意或不满意，未作任何更改", "The verdict is satisfied, basically satisfied or dissatisfied. Nothing was changed.");
    public static readonly Refusal NotCalledBack = new("complaint_not_called_back", "回访后才能办结，未作任何更改", "Call the citizen back before closing. Nothing was changed.");
    public static readonly Refusal ContactGone = new("complaint_contact_gone", "群众未留联系方式，或诉求已办结、号码不再保存", "The citizen left no number, or the complaint is closed and the number is no longer kept.");

    /// <summary>Who is using the page and what they may do; the departments and staff to assign to.</summary>
    public async Task<ComplaintDesk> DeskAsync(Actor actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, actor.HallId, now, ct);
        var today = HallClock.BusinessDate(now, hall.Zone);
        var window = await SpecialWindowAsync(db, actor, ct);
        var staff = await db.Staff.AsNoTracking().Where(s => s.HallId == actor.HallId).OrderBy(s => s.Id).Select(s => new { s.Id, s.Name }).ToListAsync(ct);
        return new ComplaintDesk(actor.IsSupervisor || window is not null, actor.IsSupervisor, window, await DepartmentsAsync(db, actor.HallId, ct),
            [.. staff.Select(s => (s.Id, s.Name))], today, DueDate(hall, today), hall.Zone);
    }

    /// <summary>The hall's departments as its catalogue names them (ServiceItem.Department), in the order of their names.</summary>
    public static async Task<List<string>> DepartmentsAsync(HallDb db, int hallId, CancellationToken ct) =>
        (await db.ServiceItems.AsNoTracking().Where(i => i.HallId == hallId && i.Department != "").Select(i => i.Department).Distinct().ToListAsync(ct))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>The complaints the filter selects: open ones first, overdue first among them, then by due date; closed ones last, latest first.</summary>
    public async Task<List<ComplaintRow>> ListAsync(int hallId, ComplaintFilter filter, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, hallId, now, ct);
        var today = HallClock.BusinessDate(now, hall.Zone);
        var query = db.Complaints.AsNoTracking().Where(c => c.HallId == hallId);
        if (filter.From is { } from)
        {
            query = query.Where(c => c.BusinessDate >= from);
        }
        if (filter.To is { } to)
        {
            query = query.Where(c => c.BusinessDate <= to);
        }
        if (filter.State is { } state)
        {
            query = query.Where(c => c.State == state);
        }
        if (filter.Category is { } category)
        {
            query = query.Where(c => c.Category == category);
        }
        if (filter.Open is { } open)
        {
            query = open ? query.Where(c => c.ClosedAt == null) : query.Where(c => c.ClosedAt != null);
        }
        var complaints = await query.ToListAsync(ct);
        var windows = await db.Windows.AsNoTracking().Where(w => w.HallId == hallId).ToDictionaryAsync(w => w.Id, w => $"{w.Number}号 {w.Name}", ct);
        return [.. complaints
            .Select(c => new ComplaintRow(c, c.IsOverdue(today), c.ClosedAt is { } closed && HallClock.BusinessDate(closed, hall.Zone) > c.DueDate,
                c.WindowId is { } w ? windows.GetValueOrDefault(w) : null))
            .OrderBy(r => r.Complaint.ClosedAt is not null).ThenByDescending(r => r.Overdue).ThenBy(r => r.Complaint.DueDate).ThenBy(r => r.Complaint.Id)
            .ThenByDescending(r => r.Complaint.ClosedAt)];
    }

    /// <summary>登记: a new complaint, numbered TS-yyyyMMdd-NNN for the hall, due the hall's working days after today.</summary>
    public async Task<(Complaint? Complaint, Refusal? Refusal)> RegisterAsync(Actor actor, ComplaintForm form, CancellationToken ct)
    {
        if (!Enum.IsDefined(form.Channel))
        {
            return (null, UnknownChannel);
        }
        if (!Enum.IsDefined(form.Category))
        {
            return (null, UnknownCategory);
        }
        if (CheckText(form.Description, required: true, DescriptionRequired) is { } badText)
        {
            return (null, badText);
        }
        var name = string.IsNullOrWhiteSpace(form.CitizenName) ? null : form.CitizenName.Trim();
        if (name is { Length: > 40 })
        {
            return (null, NameTooLong);
        }
        if (!FreeText.IsClean(name))
        {
            return (null, Refusal.InvalidText);
        }
        var mobile = TicketRules.CheckMobile(form.Mobile);
        if (mobile.Refusal is { } badMobile)
        {
            return (null, badMobile);
        }
        Complaint? added = null;
        var refusal = await InTransactionAsync(actor.HallId, ct, async db =>
        {
            var window = await SpecialWindowAsync(db, actor, ct);
            if (!actor.IsSupervisor && window is null)
            {
                return NotAtSpecialWindow;
            }
            var department = string.IsNullOrWhiteSpace(form.Department) ? null : form.Department.Trim();
            if (department is not null && !(await DepartmentsAsync(db, actor.HallId, ct)).Contains(department))
            {
                return UnknownDepartment;
            }
            var now = clock.GetUtcNow();
            var hall = await halls.GetAsync(db, actor.HallId, now, ct);
            var today = HallClock.BusinessDate(now, hall.Zone);
            (long Id, string Number, DateOnly Date)? ticket = null;
            if (form.TicketAtMyWindow)
            {
                if (window is not { } w || await TicketAtWindowAsync(db, w.Id, ReportsMidnight(today, hall.Zone), ct) is not { } at)
                {
                    return NoTicketAtWindow;
                }
                ticket = at;
            }
            else if (!string.IsNullOrWhiteSpace(form.TicketNumber))
            {
                var number = form.TicketNumber.Trim().ToUpperInvariant();
                var date = form.TicketDate ?? today;
                var found = await db.Tickets.AsNoTracking().Where(t => t.HallId == actor.HallId && t.BusinessDate == date && t.Number == number)
                    .Select(t => new { t.Id, t.Number, t.BusinessDate }).FirstOrDefaultAsync(ct);
                if (found is null)
                {
                    return UnknownTicket;
                }
                ticket = (found.Id, found.Number, found.BusinessDate);
            }
            // The hall's row serialises two registrations at once: numbers are given without gaps or repeats.
            await db.Database.ExecuteSqlAsync($"SELECT id FROM halls WHERE id = {actor.HallId} FOR UPDATE", ct);
            var serial = await db.Complaints.CountAsync(c => c.HallId == actor.HallId && c.BusinessDate == today, ct) + 1;
            added = new Complaint
            {
                HallId = actor.HallId,
                Number = $"TS-{today.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{serial:D3}",
                BusinessDate = today,
                ReceivedAt = now,
                RegisteredByStaffId = actor.Id,
                RegisteredByName = actor.Name,
                WindowId = window?.Id,
                Channel = form.Channel,
                CitizenMasked = name is null ? null : Bookings.BookingService.MaskName(name),
                MobileCipher = mobile.Value is { } m ? mobiles.ProtectContact(m) : null,
                MobileMasked = mobile.Value is { } shown ? TicketRules.MaskMobile(shown) : null,
                Category = form.Category,
                Description = form.Description!.Trim(),
                Department = department,
                TicketId = ticket?.Id,
                TicketNumber = ticket?.Number,
                TicketDate = ticket?.Date,
                DueDate = DueDate(hall, today),
                State = ComplaintState.Registered,
            };
            db.Complaints.Add(added);
            await db.SaveChangesAsync(ct);
            db.AuditEntries.Add(audit.EntryFor(actor, "complaint.register", Subject(added), null, new
            {
                added.Number,
                Channel = ComplaintNames.Zh(added.Channel),
                Category = ComplaintNames.Zh(added.Category),
                Citizen = added.CitizenMasked,
                Mobile = added.MobileMasked,
                added.Department,
                Ticket = added.TicketNumber,
                DueDate = Day(added.DueDate),
            }));
            await PublishAsync(db, added, "complaint.registered", now, ct);
            return null;
        });
        return (refusal is null ? added : null, refusal);
    }

    /// <summary>交办: the supervisor names the department responsible and, if they wish, the person; again while not yet answered.</summary>
    public Task<Refusal?> AssignAsync(Actor actor, long id, string? department, int? assigneeStaffId, CancellationToken ct) =>
        ChangeAsync(actor, id, supervisorOnly: true, ct, async (db, c, now) =>
        {
            if (c.State is not (ComplaintState.Registered or ComplaintState.Assigned))
            {
                return AlreadyAnswered;
            }
            var chosen = string.IsNullOrWhiteSpace(department) ? null : department.Trim();
            if (chosen is null)
            {
                return DepartmentRequired;
            }
            if (!(await DepartmentsAsync(db, actor.HallId, ct)).Contains(chosen))
            {
                return UnknownDepartment;
            }
            string? assignee = null;
            if (assigneeStaffId is { } staffId
                && (assignee = await db.Staff.Where(s => s.Id == staffId && s.HallId == actor.HallId).Select(s => s.Name).FirstOrDefaultAsync(ct)) is null)
            {
                return UnknownAssignee;
            }
            var before = c.State == ComplaintState.Assigned ? new { c.Department, Assignee = c.AssigneeName } : null;
            (c.Department, c.AssigneeStaffId, c.AssigneeName, c.AssignedAt, c.AssignedByName, c.State) = (chosen, assigneeStaffId, assignee, now, actor.Name, ComplaintState.Assigned);
            db.AuditEntries.Add(audit.EntryFor(actor, "complaint.assign", Subject(c), before, new { c.Number, c.Department, Assignee = assignee }));
            await PublishAsync(db, c, "complaint.assigned", now, ct);
            return null;
        });

    /// <summary>答复: what was done, by the assignee or a supervisor, once assigned.</summary>
    public async Task<Refusal?> AnswerAsync(Actor actor, long id, string? answer, CancellationToken ct)
    {
        if (CheckText(answer, required: true, AnswerRequired) is { } bad)
        {
            return bad;
        }
        return await ChangeAsync(actor, id, supervisorOnly: false, ct, async (db, c, now) =>
        {
            if (c.State == ComplaintState.Registered)
            {
                return NotAssigned;
            }
            if (c.State != ComplaintState.Assigned)
            {
                return AlreadyAnsweredOrLater(c);
            }
            if (!actor.IsSupervisor && c.AssigneeStaffId != actor.Id)
            {
                return NotYourComplaint;
            }
            (c.Answer, c.AnsweredAt, c.AnsweredByName, c.State) = (answer!.Trim(), now, actor.Name, ComplaintState.Answered);
            db.AuditEntries.Add(audit.EntryFor(actor, "complaint.answer", Subject(c), null, new { c.Number, c.Answer }));
            await PublishAsync(db, c, "complaint.answered", now, ct);
            return null;
        });
    }

    /// <summary>回访: the supervisor records the citizen's own verdict (and a note) after the answer.</summary>
    public async Task<Refusal?> CallBackAsync(Actor actor, long id, CallBackVerdict verdict, string? note, CancellationToken ct)
    {
        if (!actor.IsSupervisor)
        {
            return Refusal.Forbidden;
        }
        if (!Enum.IsDefined(verdict))
        {
            return UnknownVerdict;
        }
        if (CheckText(note, required: false, AnswerRequired) is { } bad)
        {
            return bad;
        }
        return await ChangeAsync(actor, id, supervisorOnly: true, ct, async (db, c, now) =>
        {
            if (c.State is ComplaintState.Registered or ComplaintState.Assigned)
            {
                return NotAnswered;
            }
            if (c.State != ComplaintState.Answered)
            {
                return AlreadyCalledBack;
            }
            (c.Verdict, c.CallBackNote, c.CalledBackAt, c.CalledBackByName, c.State) =
                (verdict, string.IsNullOrWhiteSpace(note) ? null : note.Trim(), now, actor.Name, ComplaintState.CalledBack);
            db.AuditEntries.Add(audit.EntryFor(actor, "complaint.callback", Subject(c), null, new { c.Number, Verdict = ComplaintNames.Zh(verdict), Note = c.CallBackNote }));
            await PublishAsync(db, c, "complaint.called_back", now, ct);
            return null;
        });
    }

    /// <summary>办结: the supervisor closes a complaint called back; the encrypted mobile is erased, the masked one stays.</summary>
    public Task<Refusal?> CloseAsync(Actor actor, long id, CancellationToken ct) =>
        ChangeAsync(actor, id, supervisorOnly: true, ct, async (db, c, now) =>
        {
            if (c.State != ComplaintState.CalledBack)
            {
                return NotCalledBack;
            }
            (c.ClosedAt, c.ClosedByName, c.State, c.MobileCipher) = (now, actor.Name, ComplaintState.Closed, null);
            db.AuditEntries.Add(audit.EntryFor(actor, "complaint.close", Subject(c), null, new { c.Number, DueDate = Day(c.DueDate) }));
            await PublishAsync(db, c, "complaint.closed", now, ct);
            return null;
        });

    /// <summary>
    /// The citizen's full mobile for the call-back, to a supervisor of the complaint's hall while it is open; each opening is
    /// written to the audit log (who, when, which complaint) before the number is given.
    /// </summary>
    public async Task<(string? Mobile, Refusal? Refusal)> OpenContactAsync(Actor actor, long id, CancellationToken ct)
    {
        if (!actor.IsSupervisor)
        {
            return (null, Refusal.Forbidden);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await db.Complaints.AsNoTracking().Where(c => c.Id == id && c.HallId == actor.HallId).Select(c => new { c.Number, c.MobileCipher }).FirstOrDefaultAsync(ct);
        if (found is null)
        {
            return (null, UnknownComplaint);
        }
        if (found.MobileCipher is null || mobiles.UnprotectContact(found.MobileCipher) is not { } mobile)
        {
            return (null, ContactGone);
        }
        db.AuditEntries.Add(audit.EntryFor(actor, "complaint.contact.view", $"complaint:{id}", null, new { found.Number }));
        await db.SaveChangesAsync(ct);
        return (mobile, null);
    }

    /// <summary>The special window (办不成事反映) the clerk holds now (open or paused), if any.</summary>
    private static async Task<(int Id, string Name)?> SpecialWindowAsync(HallDb db, Actor actor, CancellationToken ct)
    {
        if (actor.StaffId is not { } staffId)
        {
            return null;
        }
        var held = await (from s in db.WindowSessions.AsNoTracking()
                          join w in db.Windows.AsNoTracking() on s.WindowId equals w.Id
                          where s.StaffId == staffId && s.ClosedAt == null && w.HallId == actor.HallId && w.Kind == WindowKind.Special
                          orderby w.Number
                          select new { w.Id, w.Number, w.Name }).FirstOrDefaultAsync(ct);
        return held is null ? null : (held.Id, $"{held.Number}号 {held.Name}");
    }

    /// <summary>The ticket being served at the window now, or the last it served (or called) today.</summary>
    private static async Task<(long Id, string Number, DateOnly Date)?> TicketAtWindowAsync(HallDb db, int windowId, DateTimeOffset since, CancellationToken ct)
    {
        var last = await (from e in db.TicketEvents.AsNoTracking()
                          join t in db.Tickets.AsNoTracking() on e.TicketId equals t.Id
                          where e.WindowId == windowId && e.At >= since
                          orderby e.Id descending
                          select new { t.Id, t.Number, t.BusinessDate }).FirstOrDefaultAsync(ct);
        return last is null ? null : (last.Id, last.Number, last.BusinessDate);
    }

    private static DateTimeOffset ReportsMidnight(DateOnly day, TimeZoneInfo zone) => Reports.ReportData.LocalMidnight(day, zone);

    /// <summary>The due date of a complaint received on <paramref name="received"/>: the hall's working days after it, by its calendar.</summary>
    public static DateOnly DueDate(HallSite hall, DateOnly received) =>
        HallClock.AddWorkingDays(received, hall.ComplaintWorkingDays, hall.Hours, [.. hall.Calendar.Select(d => d.ToCalendarDay())]);

    private static Refusal AlreadyAnsweredOrLater(Complaint c) => c.State == ComplaintState.Closed ? ComplaintClosed : new Refusal(
        "complaint_already_answered", "该诉求已答复，未作任何更改", "The complaint is already answered. Nothing was changed.");

    /// <summary>
    /// The step's <c>complaint.*</c> event for the hall's webhook endpoints, written in the step's own transaction so it goes
    /// out exactly when the step commits, in order per complaint. Nothing personal: no name, no contact, no description.
    /// </summary>
    private static Task<string> PublishAsync(HallDb db, Complaint complaint, string type, DateTimeOffset now, CancellationToken ct) =>
        Outbox.HallEvents.EnqueueAsync(db, complaint.HallId, type, Subject(complaint), new
        {
            complaintId = complaint.Id,
            complaint.Number,
            State = complaint.State.ToString(),
            Channel = complaint.Channel.ToString(),
            Category = complaint.Category.ToString(),
            CategoryName = ComplaintNames.Zh(complaint.Category),
            complaint.Department,
            complaint.TicketId,
            complaint.TicketNumber,
            complaint.ReceivedAt,
            DueDate = Day(complaint.DueDate),
            complaint.AnsweredAt,
            Verdict = complaint.Verdict?.ToString(),
            complaint.ClosedAt,
        }, now, ct);

    /// <summary>Load the complaint locked → refuse if not this hall's, closed, or not the actor's to change → change, with its audit entry.</summary>
    private Task<Refusal?> ChangeAsync(Actor actor, long id, bool supervisorOnly, CancellationToken ct, Func<HallDb, Complaint, DateTimeOffset, Task<Refusal?>> change)
    {
        if (supervisorOnly && !actor.IsSupervisor)
        {
            return Task.FromResult<Refusal?>(Refusal.Forbidden);
        }
        return InTransactionAsync(actor.HallId, ct, async db =>
        {
            var found = await db.Complaints.FromSql($"SELECT * FROM complaints WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);
            if (found is null || found.HallId != actor.HallId)
            {
                return UnknownComplaint;
            }
            if (found.ClosedAt is not null)
            {
                return ComplaintClosed;
            }
            return await change(db, found, clock.GetUtcNow());
        });
    }

    /// <summary>One transaction: saved and committed only when <paramref name="change"/> refuses nothing; then the wall's alerts are looked at again.</summary>
    private async Task<Refusal?> InTransactionAsync(int hallId, CancellationToken ct, Func<HallDb, Task<Refusal?>> change)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await change(db) is { } refused)
        {
            return refused;
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        alerts.Poke(hallId);
        return null;
    }

    private static string Subject(Complaint c) => $"complaint:{c.Id}";

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static Refusal? CheckText(string? text, bool required, Refusal missing)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return required ? missing : null;
        }
        return text.Trim().Length > MaxText ? TextTooLong : !FreeText.IsClean(text, multiline: true) ? Refusal.InvalidText : null;
    }
}
