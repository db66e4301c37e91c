using System.Globalization;
using System.Net;
using Hall.Server.Contracts;
using Hall.Server.Ratings;
using Hall.Tests.Reports;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// The supervisor's Excel of individual ratings: rated on the windows' evaluators, downloaded with each filter, read back cell by
/// cell; text that starts like a formula is inert; a clerk may not download it.
/// </summary>
[TestFixture]
public sealed class RatingExportTests() : HallFixture("rating-export")
{
    private const string Injected = "=HYPERLINK(\"http://x\",\"y\")";
    private int _window1;
    private int _window3;
    private int _clerk1;
    private DateOnly _today;
    private long _appealed;
    private readonly List<string> _times = [];

    [OneTimeSetUp]
    public async Task RateAsync()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk1 = await Seeded.ClerkAsync(1);
        var clerk3 = await Seeded.ClerkAsync(3);
        var evaluator1 = await Seeded.EvaluatorAsync(1);
        var evaluator3 = await Seeded.EvaluatorAsync(3);
        _window1 = await App.WindowIdAsync(Seeded.HallId, 1);
        _window3 = await App.WindowIdAsync(Seeded.HallId, 3);
        var shebao = await App.ServiceIdAsync(Seeded.HallId, "shebao");
        var yibao = await App.ServiceIdAsync(Seeded.HallId, "yibao");
        await using (var db = App.Db())
        {
            // What an admin typed: a service name and a clerk's name that start like formulas.
            await db.Services.Where(s => s.Id == yibao).ExecuteUpdateAsync(s => s.SetProperty(x => x.Name, Injected));
            await db.Staff.Where(m => m.HallId == Seeded.HallId && m.Login.EndsWith("-clerk03")).ExecuteUpdateAsync(s => s.SetProperty(m => m.Name, "@SUM(1)"));
            _clerk1 = await db.Staff.Where(m => m.HallId == Seeded.HallId && m.Login.EndsWith("-clerk01")).Select(m => m.Id).SingleAsync();
        }
        (await clerk1.OpenAsync(_window1)).Ok();
        (await clerk3.OpenAsync(_window3)).Ok();

        async Task<long> ServeAsync(HubClient clerk, int window, int service, string? caseNumber)
        {
            var ticket = (await kiosk.IssueAsync(service)).Ok().Ticket;
            (await clerk.CallNextAsync(window)).Ok();
            (await clerk.StartAsync(window, ticket.TicketId)).Ok();
            (await clerk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Finish), new FinishCommand(Guid.NewGuid(), window, ticket.TicketId, "办结", null, CaseNumber: caseNumber))).Ok();
            App.Clock.Advance(TimeSpan.FromMinutes(7));
            return ticket.TicketId;
        }

        var a = await ServeAsync(clerk1, _window1, shebao, "YC-2026-0001");
        (await evaluator1.RateAsync(a, RatingLevel.VerySatisfied)).Ok();
        var b = await ServeAsync(clerk3, _window3, yibao, "-2026-0002");
        (await evaluator3.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Rate), new RateCommand(Guid.NewGuid(), b, RatingLevel.Dissatisfied, ["服务态度差", "等候时间长"]))).Ok();
        _appealed = await ServeAsync(clerk3, _window3, yibao, null);
        (await evaluator3.RateAsync(_appealed, RatingLevel.VeryDissatisfied)).Ok();
        await using (var db = App.Db())
        {
            // The phone channel and the supervisor's decision on an appeal are other parts' commands; here they are set as those would.
            await db.Ratings.Where(r => r.TicketId == _appealed).ExecuteUpdateAsync(s => s.SetProperty(r => r.Channel, RatingChannel.Phone).SetProperty(r => r.AppealUpheldAt, App.Clock.GetUtcNow()));
            var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
            _times.AddRange((await db.Ratings.Where(r => r.HallId == Seeded.HallId).OrderBy(r => r.At).Select(r => r.At).ToListAsync())
                .Select(at => TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)));
            _today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(App.Clock.GetUtcNow(), zone).DateTime);
        }
        Assert.That(_times, Has.Count.EqualTo(3));
    }

    private string[] Row1 => [_times[0], "A001", "社保业务", "1号社保窗口", "王晓华（ZW0101）", "非常满意", "", "现场评价器", "YC-2026-0001", ""];

    private string[] Row2 => [_times[1], "B001", "'" + Injected, "3号医保窗口", "'@SUM(1)（ZW0103）", "不满意", "服务态度差、等候时间长", "现场评价器", "'-2026-0002", ""];

    private string[] Row3 => [_times[2], "B002", "'" + Injected, "3号医保窗口", "'@SUM(1)（ZW0103）", "非常不满意", "", "手机", "", "申诉已采纳（不计入统计）"];

    private async Task<HttpResponseMessage> DownloadAsync(string role, string query)
    {
        using var http = await Seeded.HttpAsync(role);
        return await http.GetAsync("/api/ratings/xlsx?" + query);
    }

    /// <summary>The sheet's caption, headers and data rows, each cell as a person reads it (the time as yyyy-MM-dd HH:mm).</summary>
    private async Task<(string Caption, List<string[]> Rows)> ReadAsync(string query)
    {
        var response = await DownloadAsync("supervisor", query);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        using var book = new StyledWorkbook(await response.Content.ReadAsByteArrayAsync());
        var sheet = book.Sheet(RatingExport.SheetName);
        var rows = sheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.Row>().ToList();
        string Shown(DocumentFormat.OpenXml.Spreadsheet.Cell c) => book.Text(c)
            ?? (c.CellValue is null ? "" : DateTime.FromOADate(StyledWorkbook.Number(c)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        Assert.That(rows[1].Descendants<DocumentFormat.OpenXml.Spreadsheet.Cell>().Select(Shown), Is.EqualTo(RatingExport.Headers));
        Assert.That(book.Document.WorkbookPart!.WorksheetParts.SelectMany(p => p.Worksheet!.Descendants<DocumentFormat.OpenXml.Spreadsheet.CellFormula>()), Is.Empty);
        return (Shown(rows[0].Descendants<DocumentFormat.OpenXml.Spreadsheet.Cell>().First()), [.. rows.Skip(2).Select(r => r.Descendants<DocumentFormat.OpenXml.Spreadsheet.Cell>().Select(Shown).ToArray())]);
    }

    private string Day => _today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Test]
    public async Task The_day_lists_every_rating_with_its_window_clerk_level_reasons_channel_case_number_and_appeal()
    {
        var (caption, rows) = await ReadAsync($"from={Day}&to={Day}");

        Assert.That(caption, Is.EqualTo($"新县市民之家 好差评评价明细（{Day} 至 {Day}，共 3 条）"));
        Assert.That(rows, Is.EqualTo(new[] { Row1, Row2, Row3 }));
    }

    [Test]
    public async Task Each_filter_keeps_only_its_ratings()
    {
        Assert.That((await ReadAsync($"from={Day}&to={Day}&window={_window3}")).Rows, Is.EqualTo(new[] { Row2, Row3 }));
        Assert.That((await ReadAsync($"from={Day}&to={Day}&staff={_clerk1}")).Rows, Is.EqualTo(new[] { Row1 }));
        Assert.That((await ReadAsync($"from={Day}&to={Day}&level=Dissatisfied")).Rows, Is.EqualTo(new[] { Row2 }));
        Assert.That((await ReadAsync($"from={Day}&to={Day}&channel=Phone")).Rows, Is.EqualTo(new[] { Row3 }));
        Assert.That((await ReadAsync($"from={Day}&to={Day}&channel=Evaluator&window={_window3}")).Rows, Is.EqualTo(new[] { Row2 }));
        var (caption, none) = await ReadAsync($"from={_today.AddDays(-3):yyyy-MM-dd}&to={_today.AddDays(-1):yyyy-MM-dd}");
        Assert.That((caption, none.Count), Is.EqualTo(($"新县市民之家 好差评评价明细（{_today.AddDays(-3):yyyy-MM-dd} 至 {_today.AddDays(-1):yyyy-MM-dd}，共 0 条）", 0)));
    }

    [Test]
    public async Task A_clerk_may_not_download_it_and_a_bad_filter_is_refused()
    {
        Assert.That((await DownloadAsync("clerk01", $"from={Day}&to={Day}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        foreach (var query in new[] { "", $"from={Day}", $"from={Day}&to={_today.AddDays(-1):yyyy-MM-dd}", $"from={_today.AddDays(-400):yyyy-MM-dd}&to={Day}" })
        {
            var response = await DownloadAsync("supervisor", query);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), query);
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("invalid_rating_period"));
        }
        foreach (var query in new[] { "level=3", "level=Great", "channel=2", "window=x", "staff=-1" })
        {
            var response = await DownloadAsync("supervisor", $"from={Day}&to={Day}&{query}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), query);
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("invalid_rating_filter"), query);
        }
    }
}
