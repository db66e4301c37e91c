using Hall.Server.Contracts;
using Hall.Server.Halls;

namespace Hall.Tests.Support;

/// <summary>A seeded hall on a running server, with connected clients for its people and devices.</summary>
public sealed class SeededHall : IAsyncDisposable
{
    public required HallApp App { get; init; }
    public required DemoCredentials Credentials { get; init; }
    private readonly List<HubClient> _clients = [];

    public int HallId => Credentials.HallId;

    public static async Task<SeededHall> CreateAsync(HallApp app, string code = DemoHall.Code, bool openAllDay = false) =>
        new() { App = app, Credentials = await app.SeedHallAsync(code, openAllDay) };

    public async Task<HubClient> StaffAsync(string role)
    {
        var login = Credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));
        var client = await App.ConnectAsync(await App.LoginAsync(login, Credentials.Passwords[login]));
        _clients.Add(client);
        return client;
    }

    public Task<HubClient> ClerkAsync(int window) => StaffAsync($"clerk{window:D2}");

    /// <summary>An HTTP client of <paramref name="server"/> (the hall's own server by default) signed in as the hall's <paramref name="role"/>.</summary>
    public async Task<HttpClient> HttpAsync(string role, HallApp? server = null)
    {
        server ??= App;
        var login = Credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));
        var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await server.LoginAsync(login, Credentials.Passwords[login]));
        return http;
    }

    public async Task<HubClient> DeviceAsync(string name)
    {
        var client = await App.ConnectAsync(Credentials.DeviceKeys[name]);
        _clients.Add(client);
        return client;
    }

    public async Task<HubClient> EvaluatorAsync(int windowNumber)
    {
        var key = await App.CreateDeviceAsync(HallId, $"{windowNumber}号窗口评价器", DeviceRole.Evaluator, await App.WindowIdAsync(HallId, windowNumber));
        var client = await App.ConnectAsync(key);
        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients)
        {
            await c.DisposeAsync();
        }
    }
}

/// <summary>Typed calls of the hub methods, each with a fresh command id unless one is given.</summary>
public static class HubCalls
{
    public static Task<Reply<TicketIssued>> IssueAsync(this HubClient c, int serviceId, PriorityClass priority = PriorityClass.Normal, Guid? id = null, int? itemId = null, string? idNumber = null) =>
        c.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(id ?? Guid.NewGuid(), serviceId, null, itemId, priority, IdNumber: idNumber));

    public static Task<Reply<WindowStateMessage>> OpenAsync(this HubClient c, int windowId) =>
        c.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.OpenWindow), new WindowCommand(Guid.NewGuid(), windowId));

    public static Task<Reply<WindowStateMessage>> PauseAsync(this HubClient c, int windowId, string reason) =>
        c.InvokeAsync<Reply<WindowStateMessage>>(nameof(IHallHub.PauseWindow), new PauseWindowCommand(Guid.NewGuid(), windowId, reason));

    public static Task<Reply<TicketCalled>> CallNextAsync(this HubClient c, int windowId, Guid? id = null) =>
        c.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.CallNext), new WindowCommand(id ?? Guid.NewGuid(), windowId));

    public static Task<Reply<TicketCalled>> RecallAsync(this HubClient c, int windowId, long ticketId) =>
        c.InvokeAsync<Reply<TicketCalled>>(nameof(IHallHub.Recall), new TicketCommand(Guid.NewGuid(), windowId, ticketId));

    public static Task<Reply<TicketView>> StartAsync(this HubClient c, int windowId, long ticketId) =>
        c.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.StartService), new TicketCommand(Guid.NewGuid(), windowId, ticketId));

    public static Task<Reply<TicketView>> NoShowAsync(this HubClient c, int windowId, long ticketId) =>
        c.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.NoShow), new TicketCommand(Guid.NewGuid(), windowId, ticketId));

    /// <summary>Finishes with the outcome; a case accepted by 容缺受理 or 告知承诺 with <see cref="AcceptanceDetails"/> unless others are given.</summary>
    public static Task<Reply<TicketView>> FinishAsync(this HubClient c, int windowId, long ticketId, string outcome = "办结", FinishDetails? details = null,
        AcceptanceMode acceptance = AcceptanceMode.Normal) =>
        c.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Finish), new FinishCommand(Guid.NewGuid(), windowId, ticketId, outcome, null, details ?? DetailsFor(acceptance), acceptance));

    /// <summary>Details a 容缺受理 or 告知承诺 finish accepts on any date (the deadline is never in the past).</summary>
    public static readonly FinishDetails AcceptanceDetails = new("户口簿复印件", DateOnly.MaxValue, null);

    public static FinishDetails? DetailsFor(AcceptanceMode acceptance) => Hall.Server.Queue.TicketRules.NeedsDetails(acceptance) ? AcceptanceDetails : null;

    public static Task<Reply<TicketView>> RateAsync(this HubClient c, long ticketId, RatingLevel level) =>
        c.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Rate), new RateCommand(Guid.NewGuid(), ticketId, level, null));

    public static T Ok<T>(this Reply<T> reply)
    {
        Assert.That(reply.Error, Is.Null, () => $"refused: {reply.Error?.Code} {reply.Error?.MessageEn}");
        return reply.Value!;
    }
}

/// <summary>The kiosk's own hub calls.</summary>
public static class KioskCalls
{
    public static Task<Reply<TicketIssued>> IssueWithMobileAsync(this HubClient c, int serviceId, string? mobile, Guid? id = null) =>
        c.InvokeAsync<Reply<TicketIssued>>(nameof(IHallHub.IssueTicket), new IssueTicketCommand(id ?? Guid.NewGuid(), serviceId, null, null, PriorityClass.Normal, mobile));

    public static Task<Reply<TicketView>> VoidAsync(this HubClient c, long ticketId, string reason) =>
        c.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.VoidTicket), new VoidTicketCommand(Guid.NewGuid(), ticketId, reason));
}
