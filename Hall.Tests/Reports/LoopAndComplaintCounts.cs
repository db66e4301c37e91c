using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using ComplaintVerdict = Hall.Server.Complaints.CallBackVerdict;
using LoopVerdict = Hall.Server.Ratings.CallBackVerdict;

namespace Hall.Tests.Reports;

/// <summary>差评闭环 of a period worked out from the follow-up cases in the database with DEFINITIONS.md's words, not with the report's code.</summary>
public sealed record LoopCounts(int Cases, int Due, int OnTime, int Reached, int Satisfied, int Unreachable, int Filed, int Upheld, int Rejected, int Pending)
{
    public static async Task<LoopCounts> OfAsync(HallApp app, int hallId, TimeZoneInfo zone, DateOnly from, DateOnly to, DateOnly today)
    {
        await using var db = app.Db();
        var all = await db.FollowUpCases.AsNoTracking().Where(f => f.HallId == hallId).ToListAsync();
        var ticketDates = await db.Tickets.AsNoTracking().Where(t => t.HallId == hallId).ToDictionaryAsync(t => t.Id, t => t.BusinessDate);
        bool In(DateTimeOffset? at) => at is { } a && HallClock.BusinessDate(a, zone) is var d && d >= from && d <= to;
        var due = all.Where(f => f.DueDate >= from && f.DueDate <= to && f.AppealUpheld != true && (f.ClosedAt is not null || f.DueDate < today)).ToList();
        var reached = all.Where(f => In(f.CalledBackAt) && f.CallBackVerdict != LoopVerdict.Unreachable).ToList();
        return new LoopCounts(
            all.Count(f => ticketDates[f.TicketId] >= from && ticketDates[f.TicketId] <= to),
            due.Count,
            due.Count(f => f.ClosedAt is { } closed && HallClock.BusinessDate(closed, zone) <= f.DueDate),
            reached.Count,
            reached.Count(f => f.CallBackVerdict is LoopVerdict.Satisfied or LoopVerdict.Basic),
            all.Count(f => In(f.CalledBackAt) && f.CallBackVerdict == LoopVerdict.Unreachable),
            all.Count(f => In(f.AppealFiledAt)),
            all.Count(f => In(f.AppealDecidedAt) && f.AppealUpheld == true),
            all.Count(f => In(f.AppealDecidedAt) && f.AppealUpheld == false),
            all.Count(f => In(f.AppealFiledAt) && f.AppealDecidedAt == null));
    }
}

/// <summary>有诉即办 of the complaints received in a period (of a category, or all), from the database with DEFINITIONS.md's words.</summary>
public sealed record ComplaintCounts(int Received, int Closed, int OnTime, int Overdue, int CalledBack, int Satisfied)
{
    public static async Task<ComplaintCounts> OfAsync(HallApp app, int hallId, TimeZoneInfo zone, DateOnly from, DateOnly to, DateOnly today,
        Hall.Server.Complaints.ComplaintCategory? category = null)
    {
        await using var db = app.Db();
        var received = (await db.Complaints.AsNoTracking().Where(c => c.HallId == hallId && c.BusinessDate >= from && c.BusinessDate <= to).ToListAsync())
            .Where(c => category is null || c.Category == category).ToList();
        var closed = received.Where(c => c.ClosedAt is not null).ToList();
        return new ComplaintCounts(received.Count, closed.Count, closed.Count(c => HallClock.BusinessDate(c.ClosedAt!.Value, zone) <= c.DueDate),
            received.Count(c => c.ClosedAt is null && today > c.DueDate), received.Count(c => c.Verdict is not null),
            received.Count(c => c.Verdict is ComplaintVerdict.Satisfied or ComplaintVerdict.Basic));
    }

    /// <summary>The row a person reads: 受理 | 办结 | 办结率 | 按期办结 | 逾期办结 | 逾期未办结 | 办理中 | 按期办结率 | 已回访 | 回访满意 | 回访满意率.</summary>
    public string[] Row(string name) =>
        [name, $"{Received}", $"{Closed}", Rate(Closed, Received), $"{OnTime}", $"{Closed - OnTime}", $"{Overdue}", $"{Received - Closed - Overdue}",
            Rate(OnTime, Closed + Overdue), $"{CalledBack}", $"{Satisfied}", Rate(Satisfied, CalledBack)];

    public static string Rate(int part, int whole) => whole == 0 ? Hall.Server.Reports.ReportFormat.None : Hall.Server.Reports.ReportFormat.Percent((double)part / whole).Text;
}
