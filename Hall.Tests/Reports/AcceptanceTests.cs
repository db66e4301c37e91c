using Hall.Server.Contracts;
using Hall.Server.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Hall.Tests.Reports;

/// <summary>
/// Acceptance is not outcome (issue 18): 容缺受理 and 告知承诺 are how a case was accepted, recorded beside how it ended, so a
/// case accepted on a promise and finished on the spot is 办结; a consultation is not a case; tickets finished under the old
/// outcomes keep what they meant when the database is migrated.
/// </summary>
[TestFixture]
public sealed class AcceptanceTests
{
    private HallApp _app = null!;
    private MonthScenario _hall = null!;
    private readonly List<long> _tickets = [];

    [OneTimeSetUp]
    public async Task TellTheMorningAsync()
    {
        _app = await HallApp.StartAsync("acceptance", new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.FromHours(8)));
        _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: false, 1);
        var h = _hall;
        h.At(9, 1, 9, 0);
        await h.OpenAsync(1, 1);
        var promise = new FinishDetails(null, new DateOnly(2026, 9, 30), "申请人书面承诺");
        var materials = new FinishDetails("结婚证复印件", new DateOnly(2026, 9, 8), null);
        // 09:00 a case on a promise, finished on the spot; 09:10 a case with materials to follow, accepted; 09:20 a question
        // answered; 09:30 a case returned for correction; 09:40 an ordinary case finished.
        (string Outcome, AcceptanceMode Acceptance, FinishDetails? Details)[] story =
        [
            ("办结", AcceptanceMode.OnPromise, promise), ("已受理", AcceptanceMode.MaterialsToFollow, materials), ("咨询", AcceptanceMode.Normal, null),
            ("退回补正", AcceptanceMode.Normal, null), ("办结", AcceptanceMode.Normal, null),
        ];
        for (var i = 0; i < story.Length; i++)
        {
            h.At(9, 1, 9, i * 10);
            var ticket = await h.IssueAsync("shebao");
            await h.CallAsync(1, 1, ticket);
            h.At(9, 1, 9, (i * 10) + 1);
            await h.StartAsync(1, 1, ticket);
            h.At(9, 1, 9, (i * 10) + 6);
            var (outcome, acceptance, details) = story[i];
            if (details is null)
            {
                await h.FinishAsync(1, 1, ticket, outcome);
            }
            else
            {
                await h.FinishAsync(1, 1, ticket, outcome, acceptance, details);
            }
            _tickets.Add(ticket);
        }
        h.At(9, 1, 12, 0);
        await h.CloseAsync(1, 1);
        h.At(9, 2, 9, 0);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test, Order(1)]
    public async Task The_bulletin_counts_cases_by_outcome_and_by_acceptance_and_keeps_consultations_apart()
    {
        var r = ReportReadBack.Of(await _hall.ReportAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 1)), "bulletin-acceptance");
        // 窗口业务量: 窗口 | 办件量 | 办结 | 已受理 | 退回补正 | 不予受理 | 办结率 | 容缺受理 | 告知承诺 | 咨询 — four cases, two of them
        // 办结 (one on a promise), the consultation apart.
        r.HasRow("窗口业务量", "1号社保窗口", "4", "2", "1", "1", "0", "50.0%", "1", "1", "1");
        // 窗口效率: the consultation's five minutes are still handling time at the window.
        r.HasRow("窗口效率", "1号社保窗口", "0.0", "5.0", "0", "0", "13.9%");
    }

    [Test, Order(2)]
    public async Task The_patrol_sheet_lists_what_each_accepted_case_still_owes_with_its_outcome()
    {
        var r = ReportReadBack.Of(await _hall.ReportAsync(ReportKind.DailyPatrol, new DateOnly(2026, 9, 1)), "patrol-acceptance");
        // 容缺与承诺: 号码 | 窗口 | 工作人员 | 受理方式 | 办理结果 | 缺少材料 | 期限 | 说明
        r.HasRow("容缺与承诺", "A002", "1号社保窗口", _hall.ClerkName(1), "容缺受理", "已受理", "结婚证复印件", "2026-09-08", "—");
        r.HasRow("容缺与承诺", "A001", "1号社保窗口", _hall.ClerkName(1), "告知承诺", "办结", "—", "2026-09-30", "申请人书面承诺");
        Assert.That(r.Sheet("容缺与承诺"), Has.Count.EqualTo(2), "the other three were accepted as usual, or not at all");
    }

    /// <summary>Last: it takes the database back to the schema before and forward again.</summary>
    [Test, Order(3)]
    public async Task Tickets_finished_with_the_old_acceptance_outcomes_keep_what_they_meant_after_the_migration()
    {
        // The database as it was before: 容缺受理 and 告知承诺 were outcomes, and the halls' lists named them.
        await using (var db = _app.Db())
        {
            await db.GetService<IMigrator>().MigrateAsync("20261204235446_HoursHistory");
            var (promised, materials) = (_tickets[0], _tickets[1]);
            await db.Database.ExecuteSqlAsync($"UPDATE tickets SET outcome = CASE id WHEN {promised} THEN '告知承诺' ELSE '容缺受理' END WHERE id IN ({promised}, {materials})");
            await db.Database.ExecuteSqlAsync($"UPDATE ticket_events SET outcome = CASE ticket_id WHEN {promised} THEN '告知承诺' ELSE '容缺受理' END WHERE ticket_id IN ({promised}, {materials}) AND outcome IS NOT NULL");
            await db.Database.ExecuteSqlAsync($"UPDATE halls SET outcomes = ARRAY['办结', '容缺受理', '告知承诺', '咨询', '退回补正'] WHERE id = {_hall.HallId}");
            await db.GetService<IMigrator>().MigrateAsync();
        }

        await using (var db = _app.Db())
        {
            var rows = await db.Tickets.AsNoTracking().Where(t => _tickets.Contains(t.Id)).OrderBy(t => t.Id).Select(t => new { t.Outcome, t.Acceptance }).ToListAsync();
            Assert.That(rows.Select(t => (t.Outcome, t.Acceptance)), Is.EqualTo(new (string?, AcceptanceMode?)[]
            {
                ("办结", AcceptanceMode.OnPromise), ("已受理", AcceptanceMode.MaterialsToFollow), ("咨询", AcceptanceMode.Normal),
                ("退回补正", AcceptanceMode.Normal), ("办结", AcceptanceMode.Normal),
            }));
            var logged = await db.TicketEvents.AsNoTracking().Where(e => _tickets.Contains(e.TicketId) && e.Outcome != null).OrderBy(e => e.TicketId).Select(e => e.Outcome).ToListAsync();
            Assert.That(logged, Is.EqualTo(new[] { "办结", "已受理", "咨询", "退回补正", "办结" }));
            var outcomes = await db.Halls.Where(h => h.Id == _hall.HallId).Select(h => h.Outcomes).SingleAsync();
            Assert.That(outcomes, Is.EqualTo(new[] { "办结", "咨询", "退回补正", "已受理", "不予受理" }));
        }
    }
}
