using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Server.Security;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>
/// An open hub connection lives no longer than the right it was opened with (issue 15): after signing out, deactivating
/// the account or revoking or rotating a device key, the connection is closed within seconds — on every server — and a
/// command it still manages to send is refused with <c>credential_ended</c> and changes nothing.
/// </summary>
[TestFixture]
public sealed class ConnectionLifetimeTests
{
    private static async Task<Actor> AdminAsync(HallApp app, int hallId)
    {
        await using var db = app.Db();
        var admin = await db.Staff.AsNoTracking().FirstAsync(s => s.HallId == hallId && s.Role == StaffRole.Admin);
        return new Actor(ActorKind.Staff, admin.Id, hallId, admin.Name, StaffRole.Admin, null, null);
    }

    private static int DeviceIdOf(string key) => int.Parse(key.Split('_')[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The connection is closed by the server within a few seconds (the guard sweeps every two).</summary>
    private static async Task ClosedAsync(HubClient client, string what)
    {
        var until = Environment.TickCount64 + 10_000;
        while (client.Connection.State != HubConnectionState.Disconnected)
        {
            if (Environment.TickCount64 > until)
            {
                Assert.Fail($"{what}: the connection is still open after 10 s");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>A command on a connection whose right ended: refused with credential_ended, or the connection is already gone.</summary>
    private static async Task<string> TryAsync<T>(Func<Task<Reply<T>>> command)
    {
        try
        {
            var reply = await command();
            return reply.Ok ? "done" : reply.Error!.Code;
        }
        catch (Exception ex) when (ex is InvalidOperationException or Microsoft.AspNetCore.SignalR.HubException or TaskCanceledException or OperationCanceledException)
        {
            return "closed";
        }
    }

    [Test]
    public async Task After_signing_out_the_clerks_open_connection_is_closed_and_opens_no_window()
    {
        await using var app = await HallApp.StartAsync("lifetime-logout");
        await using var hall = await SeededHall.CreateAsync(app);
        var login = hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-clerk06", StringComparison.Ordinal));
        var token = await app.LoginAsync(login, hall.Credentials.Passwords[login]);
        await using var clerk = await app.ConnectAsync(token);
        var window = await app.WindowIdAsync(hall.HallId, 6);

        using var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.That((await http.PostAsync(new Uri("/api/auth/logout", UriKind.Relative), null)).IsSuccessStatusCode);

        Assert.That(await TryAsync(() => clerk.OpenAsync(window)), Is.AnyOf("credential_ended", "closed"));
        await ClosedAsync(clerk, "signed out");
        await using var db = app.Db();
        Assert.That(await db.WindowSessions.CountAsync(s => s.WindowId == window), Is.Zero, "no window was opened");
    }

    [Test]
    public async Task A_device_key_revoked_on_one_server_closes_the_kiosks_connection_on_the_other_and_it_issues_nothing()
    {
        await using var app = await HallApp.StartAsync("lifetime-revoke");
        await using var second = HallApp.StartAlongside(app);
        await using var hall = await SeededHall.CreateAsync(app);
        var key = hall.Credentials.DeviceKeys["kiosk"];
        await using var kiosk = await second.ConnectAsync(key);
        var service = await app.ServiceIdAsync(hall.HallId, "huzheng");
        (await kiosk.IssueAsync(service)).Ok();

        Assert.That(await app.Services.GetRequiredService<AdminStore>().RevokeDeviceAsync(await AdminAsync(app, hall.HallId), DeviceIdOf(key), CancellationToken.None), Is.Null);
        await ClosedAsync(kiosk, "revoked on the other server");
        Assert.That(await TryAsync(() => kiosk.IssueAsync(service)), Is.EqualTo("closed"));
        await using var db = app.Db();
        Assert.That(await db.Tickets.CountAsync(), Is.EqualTo(1), "only the ticket from before the revocation");
    }

    [Test]
    public async Task A_rotated_key_ends_the_connection_opened_with_the_old_one_and_the_new_key_connects()
    {
        await using var app = await HallApp.StartAsync("lifetime-rotate");
        await using var hall = await SeededHall.CreateAsync(app);
        var key = hall.Credentials.DeviceKeys["kiosk"];
        await using var old = await app.ConnectAsync(key);
        var (newKey, refusal) = await app.Services.GetRequiredService<AdminStore>().RotateDeviceAsync(await AdminAsync(app, hall.HallId), DeviceIdOf(key), CancellationToken.None);
        Assert.That(refusal, Is.Null);
        await ClosedAsync(old, "rotated");
        await using var renewed = await app.ConnectAsync(newKey!);
        (await renewed.IssueAsync(await app.ServiceIdAsync(hall.HallId, "huzheng"))).Ok();
        // Still open a few sweeps later: only the old key's connections end.
        await Task.Delay(ConnectionGuard.SweepEvery * 2);
        Assert.That(renewed.Connection.State, Is.EqualTo(HubConnectionState.Connected));
    }

    [Test]
    public async Task A_deactivated_account_loses_its_open_connection_on_every_server()
    {
        await using var app = await HallApp.StartAsync("lifetime-deactivate");
        await using var second = HallApp.StartAlongside(app);
        await using var hall = await SeededHall.CreateAsync(app);
        var login = hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-clerk06", StringComparison.Ordinal));
        await using var onSecond = await second.ConnectAsync(await second.LoginAsync(login, hall.Credentials.Passwords[login]));
        await using var onFirst = await app.ConnectAsync(await app.LoginAsync(login, hall.Credentials.Passwords[login]));
        await using var supervisor = await hall.StaffAsync("supervisor");
        int staffId;
        await using (var db = app.Db())
        {
            staffId = await db.Staff.Where(s => s.Login == login).Select(s => s.Id).SingleAsync();
        }
        Assert.That(await app.Services.GetRequiredService<AdminStore>().UpdateStaffAsync(await AdminAsync(app, hall.HallId), staffId, StaffRole.Clerk, active: false, CancellationToken.None), Is.Null);
        await ClosedAsync(onFirst, "deactivated (same server)");
        await ClosedAsync(onSecond, "deactivated (other server)");
        // Another person's connection is untouched.
        Assert.That(supervisor.Connection.State, Is.EqualTo(HubConnectionState.Connected));
    }
}
