using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Hall.Tests.Faults;

/// <summary>A lobby display's acknowledgements while the database is stopped: refused in words, none taken, none lost.</summary>
[TestFixture, NonParallelizable]
public sealed class AckDatabaseDownTests
{
    [Test]
    public async Task With_the_database_down_acknowledgements_are_refused_as_unavailable_and_the_call_is_sent_again_once_it_returns()
    {
        var cluster = await PostgresCluster.PrivateClusterAsync("acksdown");
        try
        {
            var cs = cluster.ConnectionString();
            await using var server = await ServerProcess.StartAsync(cs);
            var hall = await FaultHall.SeedAsync(cs, kiosks: 0, windows: 1);
            var (token, window) = (await hall.OpenWindowsAsync(server.BaseAddress)).Single();
            await using var clerk = await HubClient.ConnectAsync(server.BaseAddress, token);
            await using var kiosk = await HubClient.ConnectAsync(server.BaseAddress, hall.Credentials.DeviceKeys["kiosk"]);
            (await kiosk.IssueAsync(hall.Services[0])).Ok();
            var call = (await clerk.CallNextAsync(window)).Ok();
            var display = await HubClient.ConnectAsync(server.BaseAddress, hall.Credentials.DeviceKeys["display"]);
            await display.WaitForAsync(d => d.Calls.Any(c => c.CallId == call.CallId), "the call on the screen");
            // An answered call means the server has finished greeting the display (its greeting reads the database).
            await display.Connection.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot));

            await cluster.StopAsync();
            NpgsqlConnection.ClearAllPools();
            // Several at once, so that they wait together for the same failed write: each is told, none hangs.
            var acks = Enumerable.Range(0, 8).Select(_ => display.Connection.InvokeAsync(nameof(IHallHub.AckCall), call.CallId)).ToList();
            foreach (var ack in acks)
            {
                var refused = Assert.ThrowsAsync<HubException>(() => ack);
                Assert.That(refused!.Message, Does.EndWith("unavailable"));
            }
            await display.DisposeAsync();

            cluster = await EmbeddedPostgres.StartAsync(cluster.Folder);
            await FaultHall.WaitForAsync(async () =>
            {
                try
                {
                    await kiosk.Connection.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot));
                    return true;
                }
                catch (HubException)
                {
                    return false;
                }
            }, "the server reaching its database again");

            // The refused acknowledgement was not recorded: the call is sent again, and acknowledged now.
            await using (var again = await HubClient.ConnectAsync(server.BaseAddress, hall.Credentials.DeviceKeys["display"]))
            {
                await again.WaitForAsync(d => d.Calls.Any(c => c.CallId == call.CallId), "the call sent again after the reconnect");
                await again.Connection.InvokeAsync(nameof(IHallHub.AckCall), call.CallId);
            }
            await using (var third = await HubClient.ConnectAsync(server.BaseAddress, hall.Credentials.DeviceKeys["display"]))
            {
                await third.Connection.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot));
                Assert.That(third.Calls, Is.Empty, "an acknowledged call is not sent again");
            }
        }
        finally
        {
            await PostgresCluster.DropPrivateClusterAsync(cluster);
        }
    }
}
