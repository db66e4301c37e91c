using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>
/// 好差评 belongs to the citizen: the window's evaluator or the citizen's own phone (the ticket's tracking page) rates, within
/// the hall's time limit; the first rating stands and records where it came from; a clerk may only invite (邀评).
/// Over HTTP and the hub against the real server and PostgreSQL.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class CitizenRatingTests() : HallFixture("citizenrating")
{
    private HubClient _kiosk = null!;
    private HubClient _clerk = null!;
    private HubClient _evaluator = null!;
    private HttpClient _http = null!;
    private int _window;
    private int _shebao;

    [OneTimeSetUp]
    public async Task PrepareAsync()
    {
        _kiosk = await Seeded.DeviceAsync("kiosk");
        _clerk = await Seeded.ClerkAsync(3);
        _evaluator = await Seeded.EvaluatorAsync(3);
        _window = await App.WindowIdAsync(Seeded.HallId, 3);
        _shebao = await App.ServiceIdAsync(Seeded.HallId, "yibao");
        _http = new HttpClient { BaseAddress = App.BaseAddress };
        (await _clerk.OpenAsync(_window)).Ok();
    }

    [OneTimeTearDown]
    public void Dispose() => _http.Dispose();

    /// <summary>A citizen served and finished at window 3: the ticket and its tracking code.</summary>
    private async Task<(TicketView Ticket, string Code)> ServeAsync()
    {
        var issued = (await _kiosk.IssueAsync(_shebao)).Ok();
        var called = (await _clerk.CallNextAsync(_window)).Ok();
        Assert.That(called.Ticket.TicketId, Is.EqualTo(issued.Ticket.TicketId));
        (await _clerk.StartAsync(_window, issued.Ticket.TicketId)).Ok();
        (await _clerk.FinishAsync(_window, issued.Ticket.TicketId)).Ok();
        return (issued.Ticket, issued.TrackingCode);
    }

    private Task<HttpResponseMessage> PhoneRateAsync(string code, int level, params string[] reasons) =>
        _http.PostAsJsonAsync($"/t/{code}/rating", new { requestId = Guid.NewGuid().ToString(), level, reasons });

    private async Task<JsonElement> StateAsync(string code) => await _http.GetFromJsonAsync<JsonElement>($"/t/{code}/state");

    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString()!;

    [Test, Order(1)]
    public async Task A_citizen_rates_on_the_phone_and_the_rating_records_the_phone_channel_and_opens_the_follow_up()
    {
        var (ticket, code) = await ServeAsync();
        var offered = (await StateAsync(code)).GetProperty("rating");
        Assert.That(offered.GetProperty("canRate").GetBoolean(), Is.True);
        Assert.That(offered.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("zh").GetString()), Is.EqualTo(RatingReasons.National.Select(r => r.Zh)));

        using var response = await PhoneRateAsync(code, 1, "等候时间长", "服务态度差");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await using var db = App.Db();
        var rating = await db.Ratings.AsNoTracking().SingleAsync(r => r.TicketId == ticket.TicketId);
        Assert.That((rating.Level, rating.Channel, rating.WindowId, rating.DeviceId), Is.EqualTo((RatingLevel.VeryDissatisfied, RatingChannel.Phone, (int?)_window, (int?)null)));
        Assert.That(rating.Reasons, Is.EqualTo(new[] { "等候时间长", "服务态度差" }));
        Assert.That(await db.FollowUpCases.CountAsync(f => f.TicketId == ticket.TicketId), Is.EqualTo(1), "a bad phone rating is followed up like one on the evaluator");
        var shown = (await StateAsync(code)).GetProperty("rating");
        Assert.That((shown.GetProperty("canRate").GetBoolean(), shown.GetProperty("ratedZh").GetString()), Is.EqualTo((false, "您已评价：非常不满意（手机评价）")));
    }

    [Test, Order(2)]
    public async Task The_first_rating_stands_a_phone_rating_after_the_evaluators_is_refused_and_changes_nothing()
    {
        var (ticket, code) = await ServeAsync();
        var rated = (await _evaluator.RateAsync(ticket.TicketId, RatingLevel.Satisfied)).Ok();
        Assert.That(rated.TicketId, Is.EqualTo(ticket.TicketId));
        var shown = (await StateAsync(code)).GetProperty("rating");
        Assert.That(shown.GetProperty("ratedZh").GetString(), Is.EqualTo("您已评价：满意（窗口评价器）"));

        var before = await TableDump.AllAsync(App.ConnectionString);
        using var response = await PhoneRateAsync(code, 5);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.That((error.GetProperty("code").GetString(), error.GetProperty("zh").GetString()), Is.EqualTo(("already_rated", "该号码已评价")));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
        await using var db = App.Db();
        var rating = await db.Ratings.AsNoTracking().SingleAsync(r => r.TicketId == ticket.TicketId);
        Assert.That((rating.Level, rating.Channel), Is.EqualTo((RatingLevel.Satisfied, RatingChannel.Evaluator)));
    }

    [Test, Order(3)]
    public async Task A_reason_outside_the_national_list_or_with_a_good_level_is_refused_and_changes_nothing()
    {
        var (_, code) = await ServeAsync();
        var before = await TableDump.AllAsync(App.ConnectionString);
        using (var response = await PhoneRateAsync(code, 2, "窗口太冷"))
        {
            Assert.That((response.StatusCode, await ErrorCodeAsync(response)), Is.EqualTo((HttpStatusCode.BadRequest, "unknown_rating_reason")));
        }
        using (var response = await PhoneRateAsync(code, 5, "等候时间长"))
        {
            Assert.That((response.StatusCode, await ErrorCodeAsync(response)), Is.EqualTo((HttpStatusCode.BadRequest, "reasons_only_for_bad_rating")));
        }
        using (var response = await PhoneRateAsync(code, 9))
        {
            Assert.That((response.StatusCode, await ErrorCodeAsync(response)), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_rating_level")));
        }
        using (var response = await PhoneRateAsync("ABCDEFGHJKLMNPQR", 5))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
    }

    [Test, Order(4)]
    public async Task A_clerk_may_only_invite_a_rating_which_the_citizen_then_gives_or_not()
    {
        var (ticket, _) = await ServeAsync();
        // The clerk's own Rate is refused whatever the level: ratings come from the citizen alone.
        var before = await TableDump.AllAsync(App.ConnectionString);
        var refused = await _clerk.RateAsync(ticket.TicketId, RatingLevel.VerySatisfied);
        Assert.That(refused.Error?.Code, Is.EqualTo("forbidden"));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));

        var invited = await _clerk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.InviteRating), new TicketCommand(Guid.NewGuid(), _window, ticket.TicketId));
        Assert.That(invited.Ok().TicketId, Is.EqualTo(ticket.TicketId));
        await using var db = App.Db();
        Assert.That(await db.Ratings.AnyAsync(r => r.TicketId == ticket.TicketId), Is.False, "an invitation is not a rating");
        Assert.That(await db.TicketEvents.CountAsync(e => e.TicketId == ticket.TicketId && e.Kind == Hall.Server.Tickets.TicketEventKind.RatingInvited), Is.EqualTo(1));

        (await _evaluator.RateAsync(ticket.TicketId, RatingLevel.Basic)).Ok();
        before = await TableDump.AllAsync(App.ConnectionString);
        var again = await _clerk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.InviteRating), new TicketCommand(Guid.NewGuid(), _window, ticket.TicketId));
        Assert.That(again.Error?.Code, Is.EqualTo("already_rated"));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
    }

    [Test, Order(5)]
    public async Task Past_the_time_limit_neither_the_phone_nor_an_invitation_can_rate()
    {
        var (ticket, code) = await ServeAsync();
        // The hall's limit is 24 hours after finishing.
        App.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        var shown = (await StateAsync(code)).GetProperty("rating");
        Assert.That((shown.GetProperty("canRate").GetBoolean(), shown.GetProperty("ratedZh").GetString()), Is.EqualTo((false, "评价时限已过")));

        var before = await TableDump.SettledAsync(App.ConnectionString);
        using var response = await PhoneRateAsync(code, 4);
        Assert.That((response.StatusCode, await ErrorCodeAsync(response)), Is.EqualTo((HttpStatusCode.BadRequest, "rating_too_late")));
        var invited = await _clerk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.InviteRating), new TicketCommand(Guid.NewGuid(), _window, ticket.TicketId));
        Assert.That(invited.Error?.Code, Is.EqualTo("rating_too_late"));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
    }
}
