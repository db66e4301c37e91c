using System.Globalization;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Reports;
using Hall.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using static Hall.Server.Reports.ReportFormat;

namespace Hall.Server.Complaints;

/// <summary>The supervisor's Excel export of complaints (received from..to, state, category), through the reports' Excel writer.</summary>
public static class ComplaintEndpoints
{
    public static readonly Refusal InvalidDate = new("invalid_complaint_filter_date", "日期格式应为 yyyy-MM-dd", "The date is written yyyy-MM-dd.");
    public static readonly Refusal InvalidState = new("invalid_complaint_filter_state", "状态应为 open、Registered、Assigned、Answered、CalledBack 或 Closed",
        "The state is open, Registered, Assigned, Answered, CalledBack or Closed.");
    public static readonly Refusal InvalidCategory = new("invalid_complaint_filter_category", "类别不在诉求类别列表中", "The category is not one of the complaint categories.");

    public static void MapComplaintEndpoints(this WebApplication app)
    {
        var staff = new AuthorizeAttribute { AuthenticationSchemes = HallAuth.SchemeName };
        app.MapGet("/api/complaints/export.xlsx", async (string? from, string? to, string? state, string? category, HttpContext http, Complaints complaints,
            IDbContextFactory<HallDb> dbFactory, HallSettings halls, TimeProvider clock, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            if (!actor.IsSupervisor)
            {
                return Error(403, Refusal.Forbidden);
            }
            if (!TryDay(from, out var fromDay) || !TryDay(to, out var toDay))
            {
                return Error(400, InvalidDate);
            }
            ComplaintState? chosenState = null;
            bool? open = null;
            if (state == "open")
            {
                open = true;
            }
            else if (!string.IsNullOrEmpty(state))
            {
                if (!char.IsAsciiLetter(state[0]) || !Enum.TryParse<ComplaintState>(state, ignoreCase: true, out var s) || !Enum.IsDefined(s))
                {
                    return Error(400, InvalidState);
                }
                chosenState = s;
            }
            ComplaintCategory? chosenCategory = null;
            if (!string.IsNullOrEmpty(category))
            {
                if (!char.IsAsciiLetter(category[0]) || !Enum.TryParse<ComplaintCategory>(category, ignoreCase: true, out var c) || !Enum.IsDefined(c))
                {
                    return Error(400, InvalidCategory);
                }
                chosenCategory = c;
            }
            var rows = await complaints.ListAsync(actor.HallId, new ComplaintFilter(fromDay, toDay, chosenState, chosenCategory, open), ct);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var hall = await halls.GetAsync(db, actor.HallId, clock.GetUtcNow(), ct);
            var bytes = ExcelReportWriter.Write(Sheet(hall.Name, hall.Zone, rows), overview: false);
            var name = $"{hall.Name}群众诉求{(fromDay is { } f ? f.ToString("yyyyMMdd", CultureInfo.InvariantCulture) : "")}-{(toDay is { } t ? t.ToString("yyyyMMdd", CultureInfo.InvariantCulture) : "")}.xlsx";
            return Results.File(bytes, ReportEndpoints.XlsxContentType, name);
        }).RequireAuthorization(staff);
    }

    /// <summary>One row per complaint with its steps and times; the contact only masked.</summary>
    public static ReportDocument Sheet(string hallName, TimeZoneInfo zone, IReadOnlyList<ComplaintRow> rows)
    {
        string At(DateTimeOffset? at) => at is { } a ? Stamp(a, zone) : "";
        var table = new ReportTable("群众诉求", $"{hallName}群众诉求（有诉即办）",
            [
                new("编号", 1.6), new("受理时间", 1.4), new("渠道", 0.7), new("群众", 0.8), new("联系电话", 1.2), new("类别", 1), new("反映问题", 3),
                new("责任部门", 1.4), new("承办人", 0.9), new("关联号码", 1.2), new("办理期限", 1.1), new("状态", 0.9), new("逾期", 0.9),
                new("登记人", 0.9), new("交办时间", 1.4), new("答复", 3), new("答复时间", 1.4), new("回访结果", 1), new("回访说明", 2), new("回访时间", 1.4), new("办结时间", 1.4),
            ],
            [.. rows.Select(r => r.Complaint is var c ? (IReadOnlyList<ReportCell>)
            [
                Text(c.Number), Text(At(c.ReceivedAt)), Text(ComplaintNames.Zh(c.Channel)), Text(c.CitizenMasked ?? ""), Text(c.MobileMasked ?? ""),
                Text(ComplaintNames.Zh(c.Category)), Text(c.Description), Text(c.Department ?? ""), Text(c.AssigneeName ?? ""),
                Text(c.TicketNumber is { } n ? $"{n}（{Date(c.TicketDate!.Value)}）" : ""), Text(Date(c.DueDate)), Text(ComplaintNames.Zh(c.State)),
                Text(r.Overdue ? "逾期未办结" : r.ClosedLate ? "逾期办结" : c.ClosedAt is null ? "" : "按期办结", r.Overdue || r.ClosedLate), Text(c.RegisteredByName),
                Text(At(c.AssignedAt)), Text(c.Answer ?? ""), Text(At(c.AnsweredAt)), Text(c.Verdict is { } v ? ComplaintNames.Zh(v) : ""), Text(c.CallBackNote ?? ""),
                Text(At(c.CalledBackAt)), Text(At(c.ClosedAt)),
            ] : [])]);
        return new ReportDocument($"{hallName}群众诉求", "", [table]);
    }

    private static bool TryDay(string? text, out DateOnly? day)
    {
        day = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            day = d;
            return true;
        }
        return false;
    }

    private static IResult Error(int status, Refusal refusal) =>
        Results.Json(new { code = refusal.Code, messageZh = refusal.MessageZh, messageEn = refusal.MessageEn }, statusCode: status);
}
