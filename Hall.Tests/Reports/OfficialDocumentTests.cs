using Hall.Server.Contracts;
using Hall.Server.Reports;
using Hall.Tests.Support;
using Hall.Tests.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using UglyToad.PdfPig;

namespace Hall.Tests.Reports;

/// <summary>
/// The bulletin as a 公文 (GB/T 9704): 红头 and 主送 from the hall's settings, the supervisor's sections written on a page,
/// a draft until issued, then numbered per year (新政数〔2026〕1号) and frozen; the body on the standard's 22 × 28 grid.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class OfficialDocumentTests
{
    private const string Authority = "新县政务服务和数据管理局";

    private HallApp _app = null!;
    private MonthScenario _hall = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_playwright, _browser) = await Browser.LaunchAsync();
        _app = await HallApp.StartAsync("documents", new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.FromHours(8)));
        _hall = await MonthScenario.CreateAsync(_app, "xinxian", openAllDay: false, 1);
        var h = _hall;
        h.At(9, 1, 8, 55);
        await h.OpenAsync(1, 1);
        h.At(9, 1, 9, 0);
        var ticket = await h.IssueAsync("shebao", "SB001");
        await h.CallAsync(1, 1, ticket);
        await h.StartAsync(1, 1, ticket);
        h.At(9, 1, 9, 20);
        await h.FinishAsync(1, 1, ticket, "办结");
        await h.RateAsync(ticket, RatingLevel.VerySatisfied);
        // The bulletins are written and issued on 1 October.
        h.At(10, 1, 9, 0);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _app.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private ReportIssuing Issuing => _app.Services.GetRequiredService<ReportIssuing>();

    private Task<long> DrawAsync(ReportKind kind, DateOnly day) =>
        _app.Services.GetRequiredService<ReportStore>().ReplaceAsync(_hall.HallId, kind, day, _hall.Supervisor.Id, null, default);

    private async Task<StoredReport> RowAsync(long id)
    {
        await using var db = _app.Db();
        return await db.Reports.AsNoTracking().SingleAsync(r => r.Id == id);
    }

    private static ILocator By(IPage page, string testId) => page.Locator($"[data-testid=\"{testId}\"]");

    [Test, Order(1)]
    public async Task Issuing_is_refused_with_the_reason_until_the_sections_and_the_prefix_are_there_and_nothing_changes()
    {
        var september = await DrawAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 15));
        var before = await RowAsync(september);
        var draft = PdfText.Pages(before.Pdf).SelectMany(p => p).Select(r => string.Concat(string.Concat(r).Where(c => c is not (' ' or '\u3000')))).ToList();
        Assert.That(draft, Does.Contain("草稿"), "a draft says so on its first page");
        Assert.That(draft, Does.Contain("（草稿，印发时编号）"));
        Assert.That(draft.Count(l => l.Contains(OfficialDocument.ToBeWritten, StringComparison.Ordinal)), Is.EqualTo(3), "the three sections still to write are marked");

        Assert.That(await Issuing.IssueAsync(_hall.Supervisor, september, default), Is.EqualTo(ReportIssuing.SectionsRequired));
        Assert.That(await Issuing.SaveAsync(_hall.Supervisor, september, new DocumentSections(new string('问', 4001), "好", "要"), default), Is.EqualTo(ReportIssuing.SectionTooLong));
        Assert.That(await Issuing.SaveAsync(_hall.Supervisor, september, new DocumentSections("问题\u0007", "好", "要"), default), Is.EqualTo(Hall.Server.Queue.Refusal.InvalidText));
        var patrol = await DrawAsync(ReportKind.DailyPatrol, new DateOnly(2026, 9, 1));
        Assert.That(await Issuing.SaveAsync(_hall.Supervisor, patrol, new DocumentSections("问", "好", "要"), default), Is.EqualTo(ReportIssuing.NotADocument));
        // October is not over on 1 October.
        var october = await DrawAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 10, 1));
        Assert.That(await Issuing.SaveAsync(_hall.Supervisor, october, new DocumentSections("问", "好", "要"), default), Is.Null);
        Assert.That(await Issuing.IssueAsync(_hall.Supervisor, october, default), Is.EqualTo(ReportIssuing.PeriodNotOver));
        Assert.That(await Issuing.IssueAsync(_hall.Supervisor, october, default) is { } r && r.MessageZh.Length > 0 && r.MessageEn.Length > 0, "said in Chinese and English");

        // With its sections but no 发文字号代字 in the hall settings, it cannot be numbered.
        var july = await DrawAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 7, 1));
        Assert.That(await Issuing.SaveAsync(_hall.Supervisor, july, new DocumentSections("问", "好", "要"), default), Is.Null);
        Assert.That(await Issuing.IssueAsync(_hall.Supervisor, july, default), Is.EqualTo(ReportIssuing.PrefixMissing));

        var after = await RowAsync(september);
        Assert.That(after.Pdf, Is.EqualTo(before.Pdf), "nothing refused drew the bulletin again");
        Assert.That((after.Problems, after.DocumentNumber, after.IssuedAt), Is.EqualTo(((string?)null, (string?)null, (DateTimeOffset?)null)));
        Assert.That((await RowAsync(july)).DocumentNumber, Is.Null);
    }

    [Test, Order(2)]
    public async Task The_admin_names_the_authority_and_the_supervisor_writes_and_issues_the_bulletin_on_its_page()
    {
        var admin = await StaffPages.SignInAsync(_browser, _app.BaseAddress, _hall.Credentials, "admin", "/admin/hall");
        await By(admin, "issuing-authority").FillAsync(Authority);
        await By(admin, "document-prefix").FillAsync("新政数〔");
        await By(admin, "save").ClickAsync();
        await Assertions.Expect(By(admin, "message")).ToContainTextAsync("发文字号代字");
        await By(admin, "document-prefix").FillAsync("新政数");
        await By(admin, "addressee").FillAsync("各进驻部门、各窗口、各乡镇便民服务中心");
        await By(admin, "save").ClickAsync();
        await Assertions.Expect(By(admin, "message")).ToHaveTextAsync("已保存");
        await admin.Context.CloseAsync();

        var page = await StaffPages.SignInAsync(_browser, _app.BaseAddress, _hall.Credentials, "supervisor", "/reports");
        var row = page.Locator("tr[data-kind=\"MonthlyBulletin\"][data-from=\"2026-09-01\"]");
        await Assertions.Expect(row.Locator("[data-testid=\"document-link\"]")).ToHaveTextAsync("草稿 · 填写并印发");
        await row.Locator("[data-testid=\"document-link\"]").ClickAsync();
        await Assertions.Expect(By(page, "document")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(By(page, "state")).ToContainTextAsync("草稿（未印发）");
        await By(page, "problems").FillAsync("个别窗口午间交接不及时，群众等候偏长。\n2号窗口排班空档两次。");
        await By(page, "praise").FillAsync("1号社保窗口王晓华本月好评率100%，予以表扬。");
        await By(page, "requirements").FillAsync("各窗口严格执行首问负责制和一次性告知制度。");
        await By(page, "save").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("草稿已保存并重新生成");
        var draft = await _hall.StoredAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 1), "document-draft-2026-09");
        draft.Shows(Authority);
        draft.Shows("个别窗口午间交接不及时，群众等候偏长。");
        draft.Shows("（草稿，印发时编号）");
        await Browser.Screenshot(page, "document-1-draft");

        await By(page, "issue").ClickAsync();
        await Assertions.Expect(By(page, "issue-confirmation")).ToContainTextAsync("新政数〔年份〕N号");
        await By(page, "issue-confirm").ClickAsync();
        await Assertions.Expect(By(page, "message")).ToHaveTextAsync("已印发：新政数〔2026〕1号", new() { Timeout = 20_000 });
        await Assertions.Expect(By(page, "state")).ToContainTextAsync("已印发：新政数〔2026〕1号，2026-10-01 09:00 由 马主任 印发");
        await Assertions.Expect(By(page, "problems")).ToHaveCountAsync(0);
        await Assertions.Expect(By(page, "praise-text")).ToHaveTextAsync("1号社保窗口王晓华本月好评率100%，予以表扬。");
        await Browser.Screenshot(page, "document-2-issued");
        await page.GotoAsync(new Uri(_app.BaseAddress, "/reports").ToString());
        await Assertions.Expect(row.Locator("[data-testid=\"document-link\"]")).ToHaveTextAsync("新政数〔2026〕1号");

        var issued = await _hall.StoredAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 1), "document-issued-2026-09");
        var lines = issued.PdfLines.Select(l => string.Concat(l.Where(c => c is not (' ' or '|' or '\u3000')))).ToList();
        Assert.That(lines.Take(6), Is.EqualTo(new[] { Authority, "新政数〔2026〕1号", "关于新县市民之家2026年9月工作情况的通报", "统计期间2026年9月1日至2026年9月30日", "各进驻部门、各窗口、各乡镇便民服务中心：", "一、总体情况" }),
            "红头, 发文字号, title, period, 主送 and the first heading, top to bottom");
        Assert.That(lines, Does.Not.Contain("草稿"));
        Assert.That(lines, Does.Contain("2号窗口排班空档两次。"), "each line the supervisor wrote is a paragraph of its own");
        var signature = lines.IndexOf("2026年10月1日");
        Assert.That(signature, Is.GreaterThan(0), "成文日期 is the day it was issued");
        Assert.That(lines[signature - 1], Is.EqualTo(Authority), "署名 stands over the date");

        await using var db = _app.Db();
        var audit = await db.AuditEntries.AsNoTracking().Where(a => a.HallId == _hall.HallId && a.Action == "report.issue").ToListAsync();
        Assert.That(audit, Has.Count.EqualTo(1));
    }

    [Test, Order(3)]
    public async Task An_issued_bulletin_is_frozen_against_edits_and_regeneration()
    {
        await using (var db = _app.Db())
        {
            var id = await db.Reports.Where(r => r.HallId == _hall.HallId && r.Kind == ReportKind.MonthlyBulletin && r.PeriodFrom == new DateOnly(2026, 9, 1)).Select(r => r.Id).SingleAsync();
            var before = await RowAsync(id);
            Assert.That(await Issuing.SaveAsync(_hall.Supervisor, id, new DocumentSections("改", "改", "改"), default), Is.EqualTo(ReportIssuing.AlreadyIssued));
            Assert.That(await Issuing.IssueAsync(_hall.Supervisor, id, default), Is.EqualTo(ReportIssuing.AlreadyIssued));
            var (job, refused) = await _app.Services.GetRequiredService<ReportJobs>().StartAsync(_hall.Supervisor, ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 20), default);
            Assert.That((job, refused), Is.EqualTo(((Guid?)null, ReportIssuing.AlreadyIssued)));
            Assert.ThrowsAsync<ReportIssuedException>(() => DrawAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 9, 1)));
            var after = await RowAsync(id);
            Assert.That((after.Pdf, after.Problems, after.DocumentNumber, after.GeneratedAt), Is.EqualTo((before.Pdf, before.Problems, before.DocumentNumber, before.GeneratedAt)));
        }
    }

    [Test, Order(4)]
    public async Task Two_bulletins_issued_at_once_get_the_next_two_numbers_of_the_year()
    {
        var july = await DrawAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 7, 1));
        var august = await DrawAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 8, 1));
        Assert.That(await Issuing.SaveAsync(_hall.Supervisor, august, new DocumentSections("问", "好", "要"), default), Is.Null);
        var results = await Task.WhenAll(Issuing.IssueAsync(_hall.Supervisor, july, default), Issuing.IssueAsync(_hall.Supervisor, august, default));
        Assert.That(results, Is.EqualTo(new Hall.Server.Queue.Refusal?[] { null, null }));
        var numbers = new[] { (await RowAsync(july)).DocumentNumber, (await RowAsync(august)).DocumentNumber };
        Assert.That(numbers.Order(), Is.EqualTo(new[] { "新政数〔2026〕2号", "新政数〔2026〕3号" }));
    }

    [Test, Order(5)]
    public async Task The_body_is_set_on_the_standards_grid_of_22_lines_of_28_characters()
    {
        // A long 存在问题 in characters only (no digits or Latin, which are narrower) fills whole body pages.
        var june = await DrawAsync(ReportKind.MonthlyBulletin, new DateOnly(2026, 6, 1));
        var problems = string.Concat(Enumerable.Repeat("窗口人员离岗未挂暂停服务牌群众反映等候时间较长须整改", 40));
        Assert.That(await Issuing.SaveAsync(_hall.Supervisor, june, new DocumentSections(problems, "好", "要"), default), Is.Null);
        var pdf = (await RowAsync(june)).Pdf;
        ReportReadBack.OfStored("June", pdf, (await RowAsync(june)).Xlsx, "document-grid-2026-06");
        using var document = PdfDocument.Open(pdf);
        // Page 2 is body only: its lines of 三号 text, top to bottom.
        var page = document.GetPage(2);
        var body = page.Letters.Where(l => l.Value.Trim().Length > 0 && l.PointSize is > 15 and < 17).GroupBy(l => Math.Round(l.StartBaseLine.Y, 1))
            .OrderByDescending(g => g.Key).Select(g => (Y: g.Key, Text: string.Concat(g.OrderBy(l => l.StartBaseLine.X).Select(l => l.Value)))).ToList();
        Assert.That(body, Has.Count.EqualTo(22), "22 lines a page");
        Assert.That(body.Select(l => l.Text.Length).Distinct(), Is.EqualTo(new[] { 28 }), "28 characters a line");
        var pitch = (body[0].Y - body[^1].Y) / 21;
        Assert.That(pitch * 22, Is.EqualTo(225 * 72 / 25.4).Within(0.5), "the 22 lines fill the 225 mm of the 版心");
        Assert.That(page.Letters.Where(l => l.PointSize is > 15 and < 17).Min(l => l.StartBaseLine.X), Is.EqualTo(28 * 72 / 25.4).Within(0.5), "the left margin is 28 mm");
    }
}
