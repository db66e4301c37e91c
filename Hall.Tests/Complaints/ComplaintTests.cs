using Hall.Server.Alerts;
using Hall.Server.Complaints;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Tests.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ComplaintSteps = Hall.Server.Complaints.Complaints;

namespace Hall.Tests.Complaints;

/// <summary>
/// 有诉即办 / 办不成事反映 (issue 20) on the real server and database: the clerk of the special window registers a complaint with
/// the ticket just served there; the supervisor assigns it, the assignee answers, the supervisor calls back (opening the
/// number is audited) and closes it, which erases the encrypted number. Every refusal says why in Chinese and English and
/// leaves every table byte-equal; an overdue complaint is an alert on the wall until it is closed.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ComplaintTests
{
    private HallApp _app = null!;
    private MonthScenario _hall = null!;
    private ComplaintSteps _complaints = null!;
    private Actor _supervisor = null!;
    private Actor _specialClerk = null!;
    private Actor _clerk1 = null!;
    private Actor _clerk3 = null!;
    private string _department = "";
    private string _ticketNumber = "";
    private long _first;
    private long _second;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // Monday 30 November 2026, 08:00 in the hall.
        _app = await HallApp.StartAsync("complaints", new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.FromHours(8)));
        _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: false, 1, 3, 14);
        _complaints = _app.Services.GetRequiredService<ComplaintSteps>();
        _supervisor = _hall.Supervisor;
        _specialClerk = Clerk(14);
        _clerk1 = Clerk(1);
        _clerk3 = Clerk(3);
        await using var db = _app.Db();
        _department = (await ComplaintSteps.DepartmentsAsync(db, _hall.HallId, default))[0];
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private Actor Clerk(int n) => new(ActorKind.Staff, _hall.ClerkId(n), _hall.HallId, _hall.ClerkName(n), StaffRole.Clerk, null, null);

    private static void Ok(Refusal? refusal) => Assert.That(refusal?.MessageEn, Is.Null);

    [Test, Order(1)]
    public async Task A_complaint_goes_from_the_special_window_to_closure_each_step_timed_and_audited()
    {
        // The citizen was just served at window 14 (办不成事反映) and complains there.
        _hall.At(11, 30, 9, 30);
        var ticket = await _hall.IssueAsync("fanying");
        await _hall.OpenAsync(14, 14);
        await _hall.CallAsync(14, 14, ticket);
        await _hall.StartAsync(14, 14, ticket);
        _hall.At(11, 30, 9, 40);
        await _hall.FinishAsync(14, 14, ticket, "咨询");
        await using (var db = _app.Db())
        {
            _ticketNumber = await db.Tickets.Where(t => t.Id == ticket).Select(t => t.Number).SingleAsync();
        }
        _hall.At(11, 30, 9, 45);
        var (first, refused) = await _complaints.RegisterAsync(_specialClerk,
            new ComplaintForm(ComplaintChannel.Window, "张三", "13812345678", ComplaintCategory.CouldNotGetDone, "跑了三次仍办不成，窗口说缺材料但说不清缺什么", TicketAtMyWindow: true), default);
        Ok(refused);
        _first = first!.Id;
        // A phone complaint taken by the supervisor is the day's second.
        var (second, refused2) = await _complaints.RegisterAsync(_supervisor,
            new ComplaintForm(ComplaintChannel.Phone, "欧阳娜娜", null, ComplaintCategory.Waiting, "上午等候一个多小时", TicketNumber: _ticketNumber), default);
        Ok(refused2);
        _second = second!.Id;

        await using (var db = _app.Db())
        {
            var c = await db.Complaints.AsNoTracking().SingleAsync(x => x.Id == _first);
            Assert.That((c.Number, c.CitizenMasked, c.MobileMasked, c.DueDate, c.TicketNumber, c.TicketId, c.State, c.RegisteredByName, c.Channel),
                Is.EqualTo(("TS-20261130-001", "张*", "138****5678", new DateOnly(2026, 12, 3), _ticketNumber, (long?)ticket, ComplaintState.Registered, _specialClerk.Name, ComplaintChannel.Window)));
            Assert.That(c.WindowId, Is.EqualTo(_hall.WindowId(14)));
            Assert.That(c.MobileCipher, Is.Not.Null.And.Not.Contains("13812345678"), "the number is kept encrypted");
            var raw = await db.Database.SqlQuery<string>($"SELECT t::text AS \"Value\" FROM complaints t").ToListAsync();
            Assert.That(raw.Any(r => r.Contains("13812345678", StringComparison.Ordinal) || r.Contains("张三", StringComparison.Ordinal)), Is.False, "neither the number nor the name is stored in clear");
            var s = await db.Complaints.AsNoTracking().SingleAsync(x => x.Id == _second);
            Assert.That((s.Number, s.CitizenMasked, s.MobileCipher, s.MobileMasked, s.TicketNumber, s.WindowId), Is.EqualTo(("TS-20261130-002", "欧**娜", (string?)null, (string?)null, _ticketNumber, (int?)null)));
        }

        // 交办 to the department and clerk 1; 答复 by clerk 1 in the afternoon.
        _hall.At(11, 30, 10, 0);
        Ok(await _complaints.AssignAsync(_supervisor, _first, _department, _clerk1.Id, default));
        _hall.At(11, 30, 15, 0);
        Ok(await _complaints.AnswerAsync(_clerk1, _first, "已电话告知所缺材料清单，并预约周三办理", default));
        // 回访 on Tuesday: the full number is opened for the call, and that is in the audit log.
        _hall.At(12, 1, 9, 30);
        var (mobile, noNumber) = await _complaints.OpenContactAsync(_supervisor, _first, default);
        Assert.That((mobile, noNumber), Is.EqualTo(("13812345678", (Refusal?)null)));
        Ok(await _complaints.CallBackAsync(_supervisor, _first, CallBackVerdict.Satisfied, "群众表示满意", default));
        _hall.At(12, 1, 9, 35);
        Ok(await _complaints.CloseAsync(_supervisor, _first, default));

        await using var check = _app.Db();
        var closed = await check.Complaints.AsNoTracking().SingleAsync(x => x.Id == _first);
        Assert.That((closed.State, closed.Department, closed.AssigneeName, closed.Answer, closed.AnsweredByName, closed.Verdict, closed.CallBackNote, closed.ClosedByName),
            Is.EqualTo((ComplaintState.Closed, _department, _clerk1.Name, "已电话告知所缺材料清单，并预约周三办理", _clerk1.Name, (CallBackVerdict?)CallBackVerdict.Satisfied, "群众表示满意", _supervisor.Name)));
        Assert.That((closed.AssignedAt, closed.AnsweredAt, closed.CalledBackAt, closed.ClosedAt),
            Is.EqualTo(((DateTimeOffset?)_hall.Local(new DateTime(2026, 11, 30, 10, 0, 0)), (DateTimeOffset?)_hall.Local(new DateTime(2026, 11, 30, 15, 0, 0)),
                (DateTimeOffset?)_hall.Local(new DateTime(2026, 12, 1, 9, 30, 0)), (DateTimeOffset?)_hall.Local(new DateTime(2026, 12, 1, 9, 35, 0)))));
        Assert.That((closed.MobileCipher, closed.MobileMasked), Is.EqualTo(((string?)null, "138****5678")), "closing erases the encrypted number; the masked one stays");
        var (after, gone) = await _complaints.OpenContactAsync(_supervisor, _first, default);
        Assert.That((after, gone?.MessageZh), Is.EqualTo(((string?)null, "群众未留联系方式，或诉求已办结、号码不再保存")));
        var audit = await check.AuditEntries.AsNoTracking().Where(a => a.HallId == _hall.HallId && a.Subject == $"complaint:{_first}").OrderBy(a => a.Id)
            .Select(a => new { a.Action, a.StaffName }).ToListAsync();
        Assert.That(audit.Select(a => $"{a.Action} {a.StaffName}"), Is.EqualTo(new[]
        {
            $"complaint.register {_specialClerk.Name}", $"complaint.assign {_supervisor.Name}", $"complaint.answer {_clerk1.Name}",
            $"complaint.contact.view {_supervisor.Name}", $"complaint.callback {_supervisor.Name}", $"complaint.close {_supervisor.Name}",
        }));
    }

    [Test, Order(2)]
    public async Task Every_refused_step_says_why_in_both_languages_and_changes_nothing()
    {
        _hall.At(12, 1, 10, 0);
        await _hall.OpenAsync(1, 1);
        var form = new ComplaintForm(ComplaintChannel.OnSite, "李四", "13900001111", ComplaintCategory.Attitude, "窗口人员态度生硬", _department);
        var cases = new (string What, Func<Task<Refusal?>> Step, string Zh, string En)[]
        {
            ("a clerk at a regular window registers", async () => (await _complaints.RegisterAsync(_clerk1, form, default)).Refusal,
                "只有办不成事反映窗口的工作人员或值班长可以登记诉求，未作任何更改", "Only the clerk holding a special (办不成事反映) window or a supervisor can register a complaint. Nothing was changed."),
            ("nothing written", async () => (await _complaints.RegisterAsync(_specialClerk, form with { Description = "  " }, default)).Refusal,
                "请填写反映的问题，未作任何更改", "Write what happened first. Nothing was changed."),
            ("a bad mobile", async () => (await _complaints.RegisterAsync(_specialClerk, form with { Mobile = "1380013" }, default)).Refusal,
                "手机号码格式不正确", "The mobile number is not valid (11 digits starting with 1)."),
            ("a department the catalogue does not know", async () => (await _complaints.RegisterAsync(_specialClerk, form with { Department = "不存在局" }, default)).Refusal,
                "没有这个部门（以事项目录为准），未作任何更改", "No such department in the hall's catalogue. Nothing was changed."),
            ("a ticket that was not issued that day", async () => (await _complaints.RegisterAsync(_specialClerk, form with { TicketNumber = "Z999" }, default)).Refusal,
                "该日期没有这个号码，未作任何更改", "No ticket with that number on that date in this hall. Nothing was changed."),
            ("the window's ticket when the window served none today", async () => (await _complaints.RegisterAsync(_specialClerk, form with { TicketAtMyWindow = true }, default)).Refusal,
                "本窗口今天还没有办理过号码，未作任何更改", "Your window has served no ticket today. Nothing was changed."),
            ("a clerk assigns", () => _complaints.AssignAsync(_clerk1, _second, _department, null, default), "无权执行此操作", "You may not do this."),
            ("assigned without a department", () => _complaints.AssignAsync(_supervisor, _second, " ", null, default), "请选择责任部门，未作任何更改", "Choose the department responsible first. Nothing was changed."),
            ("answered before it is assigned", () => _complaints.AnswerAsync(_supervisor, _second, "已处理", default), "请先交办，再答复，未作任何更改", "Assign the complaint before answering it. Nothing was changed."),
            ("called back before it is answered", () => _complaints.CallBackAsync(_supervisor, _second, CallBackVerdict.Satisfied, null, default), "答复后才能回访，未作任何更改",
                "The complaint must be answered before the call-back. Nothing was changed."),
            ("closed before the call-back", () => _complaints.CloseAsync(_supervisor, _second, default), "回访后才能办结，未作任何更改", "Call the citizen back before closing. Nothing was changed."),
            ("a closed complaint answered again", () => _complaints.AnswerAsync(_supervisor, _first, "再答复", default), "该诉求已办结，未作任何更改", "The complaint is already closed. Nothing was changed."),
            ("a complaint of no such id", () => _complaints.CloseAsync(_supervisor, 999_999, default), "没有这件诉求", "No such complaint in this hall."),
        };
        foreach (var (what, step, zh, en) in cases)
        {
            var before = await TableDump.AllAsync(_app.ConnectionString);
            var refusal = await step();
            Assert.That((refusal?.MessageZh, refusal?.MessageEn), Is.EqualTo(((string?)zh, (string?)en)), what);
            Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(before), $"{what}: nothing changed");
        }

        // Assigned to clerk 1: clerk 3 may not answer it.
        Ok(await _complaints.AssignAsync(_supervisor, _second, _department, _clerk1.Id, default));
        var dump = await TableDump.AllAsync(_app.ConnectionString);
        var notYours = await _complaints.AnswerAsync(_clerk3, _second, "我来答复", default);
        Assert.That(notYours?.MessageZh, Is.EqualTo("只有承办人或值班长可以答复，未作任何更改"));
        Assert.That(await TableDump.AllAsync(_app.ConnectionString), Is.EqualTo(dump));
    }

    [Test, Order(3)]
    public async Task An_overdue_complaint_is_an_alert_on_the_wall_until_it_is_closed()
    {
        var monitor = _app.Services.GetRequiredService<AlertMonitor>();
        // Thursday 3 December is the last day on time: no alert yet.
        _hall.At(12, 3, 16, 0);
        await monitor.EvaluateAsync(_hall.HallId, default);
        await using (var db = _app.Db())
        {
            Assert.That(await db.Alerts.CountAsync(a => a.HallId == _hall.HallId && a.Kind == AlertKind.ComplaintOverdue), Is.Zero);
        }
        // Friday: overdue, and the wall says which and since when.
        _hall.At(12, 4, 9, 0);
        await monitor.EvaluateAsync(_hall.HallId, default);
        await using (var db = _app.Db())
        {
            var alert = await db.Alerts.AsNoTracking().SingleAsync(a => a.HallId == _hall.HallId && a.Kind == AlertKind.ComplaintOverdue);
            Assert.That((alert.Subject, alert.TextZh, alert.ClearedAt), Is.EqualTo(($"complaint:{_second}", $"诉求逾期：TS-20261130-002（{_department}）期限 12-03", (DateTimeOffset?)null)));
        }
        // The list puts the overdue one first, then the open ones by due date, the closed ones last; the filters select.
        var (third, refused) = await _complaints.RegisterAsync(_supervisor, new ComplaintForm(ComplaintChannel.OnSite, null, null, ComplaintCategory.Materials, "材料要求重复提交"), default);
        Ok(refused);
        var list = await _complaints.ListAsync(_hall.HallId, new ComplaintFilter(), default);
        Assert.That(list.Select(r => (r.Complaint.Number, r.Overdue)), Is.EqualTo(new[] { ("TS-20261130-002", true), ("TS-20261204-001", false), ("TS-20261130-001", false) }));
        Assert.That(third!.DueDate, Is.EqualTo(new DateOnly(2026, 12, 9)));
        Assert.That((await _complaints.ListAsync(_hall.HallId, new ComplaintFilter(Category: ComplaintCategory.Waiting), default)).Select(r => r.Complaint.Number), Is.EqualTo(new[] { "TS-20261130-002" }));
        Assert.That((await _complaints.ListAsync(_hall.HallId, new ComplaintFilter(From: new DateOnly(2026, 12, 1)), default)).Select(r => r.Complaint.Number), Is.EqualTo(new[] { "TS-20261204-001" }));
        Assert.That((await _complaints.ListAsync(_hall.HallId, new ComplaintFilter(Open: false), default)).Select(r => r.Complaint.Number), Is.EqualTo(new[] { "TS-20261130-001" }));
        Ok(await _complaints.AnswerAsync(_clerk1, _second, "已向群众致歉并调整叫号窗口", default));
        Ok(await _complaints.CallBackAsync(_supervisor, _second, CallBackVerdict.Basic, null, default));
        await monitor.EvaluateAsync(_hall.HallId, default);
        await using (var db = _app.Db())
        {
            Assert.That(await db.Alerts.AsNoTracking().Where(a => a.HallId == _hall.HallId && a.Kind == AlertKind.ComplaintOverdue).Select(a => a.ClearedAt).SingleAsync(), Is.Null,
                "called back but not closed: still overdue");
        }
        _hall.At(12, 4, 9, 10);
        Ok(await _complaints.CloseAsync(_supervisor, _second, default));
        await monitor.EvaluateAsync(_hall.HallId, default);
        await using var check = _app.Db();
        Assert.That(await check.Alerts.AsNoTracking().Where(a => a.HallId == _hall.HallId && a.Kind == AlertKind.ComplaintOverdue).Select(a => a.ClearedAt).SingleAsync(),
            Is.EqualTo((DateTimeOffset?)_hall.Local(new DateTime(2026, 12, 4, 9, 10, 0))));
    }

    [Test, Order(4)]
    public async Task The_export_refuses_a_filter_it_cannot_read_in_both_languages_and_lists_what_the_filter_selects()
    {
        var login = _hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-supervisor", StringComparison.Ordinal));
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await _app.LoginAsync(login, _hall.Credentials.Passwords[login]));
        foreach (var (query, code, zh, en) in new[]
        {
            ("from=2026-13-01", "invalid_complaint_filter_date", "日期格式应为 yyyy-MM-dd", "The date is written yyyy-MM-dd."),
            ("state=Lost", "invalid_complaint_filter_state", "状态应为 open、Registered、Assigned、Answered、CalledBack 或 Closed", "The state is open, Registered, Assigned, Answered, CalledBack or Closed."),
            ("category=1", "invalid_complaint_filter_category", "类别不在诉求类别列表中", "The category is not one of the complaint categories."),
        })
        {
            var response = await http.GetAsync(new Uri($"/api/complaints/export.xlsx?{query}", UriKind.Relative));
            var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.That(((int)response.StatusCode, body.GetProperty("code").GetString(), body.GetProperty("messageZh").GetString(), body.GetProperty("messageEn").GetString()),
                Is.EqualTo((400, code, zh, en)), query);
        }
        var file = await http.GetByteArrayAsync(new Uri("/api/complaints/export.xlsx?from=2026-11-30&to=2026-11-30&state=Closed", UriKind.Relative));
        var rows = ReportRendering.Sheets(file)["群众诉求"];
        Assert.That(rows.Select(r => string.Join(" | ", r.Take(13).Select(v => v?.ToString() ?? ""))), Is.EqualTo(new[]
        {
            $"TS-20261130-001 | 2026-11-30 09:45 | 窗口 | 张* | 138****5678 | 办不成事 | 跑了三次仍办不成，窗口说缺材料但说不清缺什么 | {_department} | {_clerk1.Name} | {_ticketNumber}（2026-11-30） | 2026-12-03 | 已办结 | 按期办结",
            $"TS-20261130-002 | 2026-11-30 09:45 | 电话 | 欧**娜 |  | 等候时间 | 上午等候一个多小时 | {_department} | {_clerk1.Name} | {_ticketNumber}（2026-11-30） | 2026-12-03 | 已办结 | 逾期办结",
        }));
    }
}
