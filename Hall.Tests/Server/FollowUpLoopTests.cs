using Hall.Server.Alerts;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Server.Ratings;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>
/// 差评闭环 (issue 20): a bad rating's case goes 核实 → 整改 (when founded) → 回访 → 办结, each step timed and named; the window may
/// appeal (申诉), the supervisor upholds or rejects it in the audit log; steps out of order are refused in Chinese and English and
/// change nothing; lateness is an alert on the wall. Ratings come from the window's evaluator, as the citizen gives them.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class FollowUpLoopTests() : HallFixture("followup-loop")
{
    private HubClient _kiosk = null!;
    private HubClient _clerk1 = null!;
    private HubClient _evaluator = null!;
    private int _window1;
    private int _shebao;
    private Actor _supervisor = null!;
    private Actor _clerk1Actor = null!;
    private Actor _clerk6Actor = null!;
    private FollowUps Cases => App.Services.GetRequiredService<FollowUps>();

    [OneTimeSetUp]
    public async Task PrepareAsync()
    {
        _kiosk = await Seeded.DeviceAsync("kiosk");
        _clerk1 = await Seeded.ClerkAsync(1);
        _evaluator = await Seeded.EvaluatorAsync(1);
        _window1 = await App.WindowIdAsync(Seeded.HallId, 1);
        _shebao = await App.ServiceIdAsync(Seeded.HallId, "shebao");
        (await _clerk1.OpenAsync(_window1)).Ok();
        await using var db = App.Db();
        Actor Staff(string role)
        {
            var s = db.Staff.AsNoTracking().Single(m => m.HallId == Seeded.HallId && m.Login.EndsWith("-" + role));
            return new Actor(ActorKind.Staff, s.Id, Seeded.HallId, s.Name, s.Role, null, null);
        }
        (_supervisor, _clerk1Actor, _clerk6Actor) = (Staff("supervisor"), Staff("clerk01"), Staff("clerk06"));
    }

    /// <summary>A citizen served at window 1 by clerk01 who rates 不满意 on the window's evaluator: the case it opens.</summary>
    private async Task<FollowUpCase> BadRatingAsync()
    {
        var ticket = (await _kiosk.IssueAsync(_shebao)).Ok().Ticket;
        (await _clerk1.CallNextAsync(_window1)).Ok();
        (await _clerk1.StartAsync(_window1, ticket.TicketId)).Ok();
        (await _clerk1.FinishAsync(_window1, ticket.TicketId)).Ok();
        (await _evaluator.RateAsync(ticket.TicketId, RatingLevel.Dissatisfied)).Ok();
        return await CaseAsync(ticket.TicketId);
    }

    private async Task<FollowUpCase> CaseAsync(long ticketId)
    {
        await using var db = App.Db();
        return await db.FollowUpCases.AsNoTracking().SingleAsync(f => f.TicketId == ticketId);
    }

    private static void Ok(Refusal? refused) => Assert.That(refused, Is.Null, refused?.MessageEn);

    private DateTimeOffset Now => App.Clock.GetUtcNow();

    private async Task RefusedAsync(Func<Task<Refusal?>> step, string code, string zh)
    {
        var before = await TableDump.AllAsync(App.ConnectionString);
        var refused = await step();
        var after = await TableDump.AllAsync(App.ConnectionString);
        Assert.That(refused?.Code, Is.EqualTo(code));
        Assert.That((refused!.MessageZh, refused.MessageEn), Is.EqualTo((zh, refused.MessageEn)));
        Assert.That(refused.MessageEn, Does.Match("[A-Za-z]{3,}"), "an English message");
        foreach (var table in before.Keys)
        {
            Assert.That(after[table], Is.EqualTo(before[table]), $"{code}: table {table} changed");
        }
    }

    [Test, Order(1)]
    public async Task A_founded_case_goes_verify_fix_call_back_close_each_step_timed_and_named()
    {
        var opened = await BadRatingAsync();
        // Rated on Monday 2026-11-30: the hall's three working days make the case due on Thursday 12-03.
        Assert.That(opened.DueDate, Is.EqualTo(new DateOnly(2026, 12, 3)));

        App.Clock.Advance(TimeSpan.FromMinutes(20));
        var verifiedAt = Now;
        Ok(await Cases.VerifyAsync(_supervisor, opened.Id, "调取录像：群众等候42分钟，窗口未作解释", true, default));
        App.Clock.Advance(TimeSpan.FromMinutes(5));
        var plannedAt = Now;
        // No days given: the hall's 差评回访期限 (3 working days) from today.
        Ok(await Cases.PlanRemedyAsync(_supervisor, opened.Id, "高峰时段增开一个社保窗口", null, default));
        App.Clock.Advance(TimeSpan.FromMinutes(30));
        var fixedAt = Now;
        Ok(await Cases.FinishRemedyAsync(_supervisor, opened.Id, "已于午后增开3号窗口", default));
        App.Clock.Advance(TimeSpan.FromMinutes(10));
        var calledAt = Now;
        Ok(await Cases.CallBackAsync(_supervisor, opened.Id, CallBackVerdict.Basic, "群众表示理解", default));
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        var closedAt = Now;
        Ok(await Cases.CloseAsync(_supervisor, opened.Id, "已整改并回访", default));

        var f = await CaseAsync(opened.TicketId);
        var me = _supervisor.Id;
        Assert.Multiple(() =>
        {
            Assert.That((f.VerifiedAt, f.VerifiedByStaffId, f.Finding, f.Founded), Is.EqualTo(((DateTimeOffset?)verifiedAt, (int?)me, "调取录像：群众等候42分钟，窗口未作解释", (bool?)true)));
            Assert.That((f.RemedyPlannedAt, f.RemedyPlannedByStaffId, f.RemedyPlan, f.RemedyDueDate), Is.EqualTo(((DateTimeOffset?)plannedAt, (int?)me, "高峰时段增开一个社保窗口", (DateOnly?)new DateOnly(2026, 12, 3))));
            Assert.That((f.RemediedAt, f.RemediedByStaffId, f.RemedyResult), Is.EqualTo(((DateTimeOffset?)fixedAt, (int?)me, "已于午后增开3号窗口")));
            Assert.That((f.CalledBackAt, f.CalledBackByStaffId, f.CallBackVerdict, f.CallBackNote), Is.EqualTo(((DateTimeOffset?)calledAt, (int?)me, (CallBackVerdict?)CallBackVerdict.Basic, "群众表示理解")));
            Assert.That((f.ClosedAt, f.ClosedByStaffId, f.Result, f.NextStep), Is.EqualTo(((DateTimeOffset?)closedAt, (int?)me, "已整改并回访", FollowUpStep.Closed)));
        });
    }

    [Test, Order(2)]
    public async Task A_fix_due_in_the_days_the_supervisor_sets_counts_working_days_of_the_hall()
    {
        var opened = await BadRatingAsync();
        Ok(await Cases.VerifyAsync(_supervisor, opened.Id, "属实", true, default));
        // Monday 11-30 plus five working days: Monday 12-07 (the weekend does not count).
        Ok(await Cases.PlanRemedyAsync(_supervisor, opened.Id, "组织窗口服务规范培训", 5, default));
        Assert.That((await CaseAsync(opened.TicketId)).RemedyDueDate, Is.EqualTo(new DateOnly(2026, 12, 7)));
    }

    [Test, Order(3)]
    public async Task Steps_out_of_order_are_refused_in_both_languages_and_change_nothing()
    {
        var founded = await BadRatingAsync();
        var unfounded = await BadRatingAsync();
        await RefusedAsync(() => Cases.CallBackAsync(_supervisor, founded.Id, CallBackVerdict.Satisfied, null, default), "case_not_verified", "请先核实差评情况，未作任何更改");
        await RefusedAsync(() => Cases.PlanRemedyAsync(_supervisor, founded.Id, "培训", null, default), "case_not_verified", "请先核实差评情况，未作任何更改");
        await RefusedAsync(() => Cases.CloseAsync(_supervisor, founded.Id, "办结", default), "case_not_verified", "请先核实差评情况，未作任何更改");
        await RefusedAsync(() => Cases.VerifyAsync(_supervisor, founded.Id, "  ", true, default), "follow_up_text_required", "请填写核实情况，未作任何更改");
        await RefusedAsync(() => Cases.VerifyAsync(_supervisor, founded.Id, "看过录像", null, default), "founded_required", "请选择核实结论：属实或不属实，未作任何更改");
        await RefusedAsync(() => Cases.VerifyAsync(_clerk1Actor, founded.Id, "我没错", false, default), "forbidden", Refusal.Forbidden.MessageZh);

        Ok(await Cases.VerifyAsync(_supervisor, founded.Id, "属实", true, default));
        Ok(await Cases.VerifyAsync(_supervisor, unfounded.Id, "录像显示办理规范", false, default));
        await RefusedAsync(() => Cases.VerifyAsync(_supervisor, founded.Id, "再核实", false, default), "case_already_verified", "该件已核实，未作任何更改");
        await RefusedAsync(() => Cases.PlanRemedyAsync(_supervisor, unfounded.Id, "培训", null, default), "case_not_founded", "核实不属实，无需整改，未作任何更改");
        await RefusedAsync(() => Cases.FinishRemedyAsync(_supervisor, founded.Id, "已改", default), "remedy_not_planned", "请先制定整改措施，未作任何更改");
        await RefusedAsync(() => Cases.PlanRemedyAsync(_supervisor, founded.Id, "培训", 31, default), "remedy_days_out_of_range", "整改期限须在 1–30 个工作日之间，未作任何更改");
        await RefusedAsync(() => Cases.CallBackAsync(_supervisor, founded.Id, CallBackVerdict.Satisfied, null, default), "case_not_remedied", "整改尚未完成，不能回访，未作任何更改");
        await RefusedAsync(() => Cases.CallBackAsync(_supervisor, unfounded.Id, null, null, default), "verdict_required", "请选择群众回访意见：满意、基本满意、不满意或未能联系，未作任何更改");
        await RefusedAsync(() => Cases.CloseAsync(_supervisor, unfounded.Id, "办结", default), "case_not_called_back", "尚未回访群众，不能办结，未作任何更改");

        // An appeal holds up only the closing; a second one, one for another clerk's rating, or a decision with none pending is refused.
        await RefusedAsync(() => Cases.FileAppealAsync(_clerk6Actor, unfounded.Id, AppealKind.Mistaken, "不是我办的", default), "not_your_rating", "只能对计入本人的差评提出申诉，未作任何更改");
        await RefusedAsync(() => Cases.DecideAppealAsync(_supervisor, unfounded.Id, true, "采纳", default), "no_appeal_pending", "没有待复核的申诉，未作任何更改");
        await RefusedAsync(() => Cases.FileAppealAsync(_clerk1Actor, unfounded.Id, AppealKind.Malicious, " ", default), "follow_up_text_required", "请填写申诉理由，未作任何更改");
        await RefusedAsync(() => Cases.FileAppealAsync(_clerk1Actor, unfounded.Id, null, "误按", default), "appeal_kind_required", "请选择申诉类型：误评或恶意差评，未作任何更改");
        Ok(await Cases.FileAppealAsync(_clerk1Actor, unfounded.Id, AppealKind.Mistaken, "群众误按，当场表示满意", default));
        await RefusedAsync(() => Cases.FileAppealAsync(_supervisor, unfounded.Id, AppealKind.Malicious, "再申诉", default), "appeal_already_filed", "该差评已提出过申诉，未作任何更改");
        await RefusedAsync(() => Cases.DecideAppealAsync(_clerk1Actor, unfounded.Id, true, "自己采纳", default), "forbidden", Refusal.Forbidden.MessageZh);
        Ok(await Cases.CallBackAsync(_supervisor, unfounded.Id, CallBackVerdict.Satisfied, null, default));
        await RefusedAsync(() => Cases.CloseAsync(_supervisor, unfounded.Id, "办结", default), "appeal_pending", "申诉待复核，请先作出复核决定再办结，未作任何更改");
        await RefusedAsync(() => Cases.DecideAppealAsync(_supervisor, unfounded.Id, false, "", default), "follow_up_text_required", "请填写复核意见，未作任何更改");

        // The rejected appeal lets the case close; the closed case takes no further step.
        Ok(await Cases.DecideAppealAsync(_supervisor, unfounded.Id, false, "录像显示群众确有不满", default));
        Ok(await Cases.CloseAsync(_supervisor, unfounded.Id, "已回访", default));
        await RefusedAsync(() => Cases.AddNoteAsync(_supervisor, unfounded.Id, "补记", default), "case_closed", "该回访件已办结");
        await RefusedAsync(() => Cases.FileAppealAsync(_clerk1Actor, unfounded.Id, AppealKind.Mistaken, "再申诉", default), "case_closed", "该回访件已办结");
        await using var db = App.Db();
        Assert.That(await db.Ratings.AsNoTracking().Where(r => r.TicketId == unfounded.TicketId).Select(r => r.AppealUpheldAt).SingleAsync(), Is.Null, "a rejected appeal leaves the rating counting");
    }

    [Test, Order(4)]
    public async Task An_appeal_the_clerk_files_and_the_supervisor_upholds_marks_the_rating_closes_the_case_and_both_are_audited()
    {
        var opened = await BadRatingAsync();
        App.Clock.Advance(TimeSpan.FromMinutes(10));
        var filedAt = Now;
        Ok(await Cases.FileAppealAsync(_clerk1Actor, opened.Id, AppealKind.Malicious, "该群众因材料不齐被退回，离开时故意按差评", default));
        App.Clock.Advance(TimeSpan.FromMinutes(20));
        var decidedAt = Now;
        Ok(await Cases.DecideAppealAsync(_supervisor, opened.Id, true, "录像显示办理规范，差评与服务无关", default));

        await using var db = App.Db();
        var f = await db.FollowUpCases.AsNoTracking().SingleAsync(c => c.Id == opened.Id);
        var rating = await db.Ratings.AsNoTracking().SingleAsync(r => r.TicketId == opened.TicketId);
        Assert.Multiple(() =>
        {
            Assert.That((f.AppealFiledAt, f.AppealFiledByStaffId, f.AppealKind), Is.EqualTo(((DateTimeOffset?)filedAt, (int?)_clerk1Actor.Id, (AppealKind?)AppealKind.Malicious)));
            Assert.That((f.AppealDecidedAt, f.AppealDecidedByStaffId, f.AppealUpheld), Is.EqualTo(((DateTimeOffset?)decidedAt, (int?)_supervisor.Id, (bool?)true)));
            Assert.That((f.ClosedAt, f.Result), Is.EqualTo(((DateTimeOffset?)decidedAt, "申诉采纳：录像显示办理规范，差评与服务无关")));
            // The rating stays, marked.
            Assert.That((rating.Level, rating.AppealUpheldAt), Is.EqualTo((RatingLevel.Dissatisfied, (DateTimeOffset?)decidedAt)));
        });
        var audit = await db.AuditEntries.AsNoTracking().Where(a => a.Subject == $"followup:{opened.Id}").OrderBy(a => a.Id).ToListAsync();
        Assert.That(audit.Select(a => (a.Action, a.StaffId, a.At)), Is.EqualTo(new[]
        {
            ("followup.appeal.file", _clerk1Actor.Id, filedAt),
            ("followup.appeal.decide", _supervisor.Id, decidedAt),
        }));
        Assert.That(audit[0].After, Does.Contain("恶意差评").And.Contain("故意按差评"));
        Assert.That(audit[1].After, Does.Contain("采纳").And.Contain("录像显示办理规范"));
    }

    [Test, Order(10)]
    public async Task A_case_past_its_due_date_and_a_fix_past_its_own_are_alerts_on_the_wall_until_done()
    {
        var monitor = App.Services.GetRequiredService<AlertMonitor>();
        var opened = await BadRatingAsync();
        Ok(await Cases.VerifyAsync(_supervisor, opened.Id, "属实", true, default));
        Ok(await Cases.PlanRemedyAsync(_supervisor, opened.Id, "更新告知单", 1, default));
        Assert.That((await CaseAsync(opened.TicketId)).RemedyDueDate, Is.EqualTo(opened.DueDate.AddDays(-2)), "one working day: the day after the rating");

        async Task<string[]> LateAsync()
        {
            await monitor.EvaluateAsync(Seeded.HallId, default);
            await using var db = App.Db();
            return [.. (await db.Alerts.AsNoTracking().Where(a => a.HallId == Seeded.HallId && a.Kind == AlertKind.FollowUpLate && a.ClearedAt == null
                && a.Subject.StartsWith($"ticket:{opened.TicketId}")).Select(a => a.TextZh).ToListAsync()).Order(StringComparer.Ordinal)];
        }

        Assert.That(await LateAsync(), Is.Empty, "nothing is late on the day");
        // Wednesday 12-02 in Shanghai: the fix (due Tuesday) is late; the case (due Thursday) is not.
        App.Clock.Advance(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.FromHours(8)) - Now);
        Assert.That(await LateAsync(), Is.EqualTo(new[] { $"整改逾期：{opened.TicketNumber}（1号窗口）整改期限 2026-12-01，尚未完成" }));
        // Friday 12-04: both.
        App.Clock.Advance(TimeSpan.FromDays(2));
        Assert.That(await LateAsync(), Is.EqualTo(new[]
        {
            $"差评回访逾期：{opened.TicketNumber}（1号窗口）期限 2026-12-03，尚未办结",
            $"整改逾期：{opened.TicketNumber}（1号窗口）整改期限 2026-12-01，尚未完成",
        }.Order(StringComparer.Ordinal)));
        Ok(await Cases.FinishRemedyAsync(_supervisor, opened.Id, "告知单已更新", default));
        Assert.That(await LateAsync(), Is.EqualTo(new[] { $"差评回访逾期：{opened.TicketNumber}（1号窗口）期限 2026-12-03，尚未办结" }), "the fix done clears its alert");
        Ok(await Cases.CallBackAsync(_supervisor, opened.Id, CallBackVerdict.Unreachable, "两次拨打无人接听", default));
        Ok(await Cases.CloseAsync(_supervisor, opened.Id, "整改完毕，回访未接通", default));
        Assert.That(await LateAsync(), Is.Empty, "closing clears the case's alert");
    }
}
