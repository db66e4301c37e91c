using Hall.Server.Contracts;
using Microsoft.AspNetCore.SignalR.Client;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>Transfers, returning no-shows and the items a finish records, through the hub on a real database.</summary>
[TestFixture]
public sealed class QueueScenarioTests() : HallFixture("scenarios")
{
    [Test]
    public async Task A_client_learns_from_the_snapshot_and_each_window_change_which_services_a_window_takes_in_its_order()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var snapshot = await kiosk.Connection.InvokeAsync<HallSnapshot>(nameof(IHallHub.GetSnapshot));
        // Window 13 of the demo hall: 综合受理, then 交通, 医保, 社保 — the order call-next serves them in.
        var expected = new List<int>();
        foreach (var code in new[] { "zonghe", "jiaotong", "yibao", "shebao" })
        {
            expected.Add(await App.ServiceIdAsync(Seeded.HallId, code));
        }
        Assert.That(snapshot.Windows.Single(w => w.Number == 13).ServiceIds, Is.EqualTo(expected));
        Assert.That(snapshot.Windows.Single(w => w.Number == 1).ServiceIds, Is.EqualTo(new[] { await App.ServiceIdAsync(Seeded.HallId, "shebao") }));

        var clerk = await Seeded.ClerkAsync(13);
        var opened = (await clerk.OpenAsync(await App.WindowIdAsync(Seeded.HallId, 13))).Ok();
        Assert.That(opened.ServiceIds, Is.EqualTo(expected), "the same in WindowChanged and in each window reply");
    }

    [Test]
    public async Task A_ticket_transferred_to_another_service_is_called_there_before_the_people_already_waiting()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk1 = await Seeded.ClerkAsync(1);
        var clerk3 = await Seeded.ClerkAsync(3);
        var (window1, window3) = (await App.WindowIdAsync(Seeded.HallId, 1), await App.WindowIdAsync(Seeded.HallId, 3));
        var (shebao, yibao) = (await App.ServiceIdAsync(Seeded.HallId, "shebao"), await App.ServiceIdAsync(Seeded.HallId, "yibao"));
        var moved = (await kiosk.IssueAsync(shebao)).Ok();
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        var waitingAtMedical = (await kiosk.IssueAsync(yibao)).Ok();
        (await clerk1.OpenAsync(window1)).Ok();
        (await clerk3.OpenAsync(window3)).Ok();
        (await clerk1.CallNextAsync(window1)).Ok();

        var transferred = (await clerk1.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Transfer), new TransferCommand(Guid.NewGuid(), window1, moved.Ticket.TicketId, yibao, null))).Ok();
        Assert.That((transferred.State, transferred.ServiceId), Is.EqualTo((TicketState.Waiting, yibao)));

        var call = (await clerk3.CallNextAsync(window3)).Ok();
        Assert.That(call.Ticket.TicketId, Is.EqualTo(moved.Ticket.TicketId), "the transferred citizen goes first, ahead of " + waitingAtMedical.Ticket.Number);
        Assert.That(call.Reason, Is.EqualTo(CallReason.Transferred));
        Assert.That(call.Ticket.Number, Is.EqualTo(moved.Ticket.Number), "the ticket keeps its number");
        Assert.That((await clerk1.CallNextAsync(window1)).Error?.Code, Is.EqualTo("nobody_waiting"), "window 1 is free again and its queue is empty");
    }

    [Test]
    public async Task A_ticket_transferred_to_a_window_is_called_only_by_that_window()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk4 = await Seeded.ClerkAsync(4);
        var clerk5 = await Seeded.ClerkAsync(5);
        var (window4, window5) = (await App.WindowIdAsync(Seeded.HallId, 4), await App.WindowIdAsync(Seeded.HallId, 5));
        var budongchan = await App.ServiceIdAsync(Seeded.HallId, "budongchan");
        var ticket = (await kiosk.IssueAsync(budongchan)).Ok();
        (await clerk4.OpenAsync(window4)).Ok();
        (await clerk5.OpenAsync(window5)).Ok();
        (await clerk4.CallNextAsync(window4)).Ok();

        (await clerk4.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Transfer), new TransferCommand(Guid.NewGuid(), window4, ticket.Ticket.TicketId, null, window5))).Ok();

        Assert.That((await clerk4.CallNextAsync(window4)).Error?.Code, Is.EqualTo("nobody_waiting"), "window 4 serves the same service but the ticket was sent to window 5");
        Assert.That((await clerk5.CallNextAsync(window5)).Ok().Ticket.TicketId, Is.EqualTo(ticket.Ticket.TicketId));
    }

    [Test]
    public async Task A_no_show_who_returns_is_put_three_places_back()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk = await Seeded.ClerkAsync(6);
        var window6 = await App.WindowIdAsync(Seeded.HallId, 6);
        var huzheng = await App.ServiceIdAsync(Seeded.HallId, "huzheng");
        var tickets = new List<TicketIssued>();
        for (var i = 0; i < 6; i++)
        {
            tickets.Add((await kiosk.IssueAsync(huzheng)).Ok());
            App.Clock.Advance(TimeSpan.FromSeconds(30));
        }
        (await clerk.OpenAsync(window6)).Ok();
        var first = (await clerk.CallNextAsync(window6)).Ok();
        (await clerk.NoShowAsync(window6, first.Ticket.TicketId)).Ok();

        var back = (await kiosk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Requeue), new RequeueCommand(Guid.NewGuid(), first.Ticket.TicketId))).Ok();
        Assert.That(back.State, Is.EqualTo(TicketState.Waiting));

        var order = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var called = (await clerk.CallNextAsync(window6)).Ok();
            order.Add(called.Ticket.Number);
            (await clerk.NoShowAsync(window6, called.Ticket.TicketId)).Ok();
        }
        Assert.That(order, Is.EqualTo(new[] { tickets[1], tickets[2], tickets[3], tickets[0], tickets[4], tickets[5] }.Select(t => t.Ticket.Number)));
    }

    [Test]
    public async Task Finish_records_the_item_chosen_at_the_kiosk_or_the_items_the_clerk_names()
    {
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var clerk = await Seeded.ClerkAsync(10);
        var window10 = await App.WindowIdAsync(Seeded.HallId, 10);
        var gongjijin = await App.ServiceIdAsync(Seeded.HallId, "gongjijin");
        await using var db = App.Db();
        var items = await db.ServiceItems.Where(i => i.HallId == Seeded.HallId && i.ServiceId == gongjijin).OrderBy(i => i.Code).Select(i => i.Id).ToListAsync();
        var withItem = (await kiosk.IssueAsync(gongjijin, itemId: items[0])).Ok();
        var other = (await kiosk.IssueAsync(gongjijin)).Ok();
        (await clerk.OpenAsync(window10)).Ok();

        (await clerk.CallNextAsync(window10)).Ok();
        (await clerk.StartAsync(window10, withItem.Ticket.TicketId)).Ok();
        (await clerk.FinishAsync(window10, withItem.Ticket.TicketId)).Ok();
        (await clerk.CallNextAsync(window10)).Ok();
        (await clerk.StartAsync(window10, other.Ticket.TicketId)).Ok();
        var foreignItem = await db.ServiceItems.Where(i => i.HallId != Seeded.HallId).Select(i => (int?)i.Id).FirstOrDefaultAsync();
        var refused = await clerk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Finish), new FinishCommand(Guid.NewGuid(), window10, other.Ticket.TicketId, "办结", [987654]));
        Assert.That(refused.Error?.Code, Is.EqualTo("unknown_service_item"));
        (await clerk.InvokeAsync<Reply<TicketView>>(nameof(IHallHub.Finish), new FinishCommand(Guid.NewGuid(), window10, other.Ticket.TicketId, "已受理", [items[0], items[1]], HubCalls.AcceptanceDetails, AcceptanceMode.MaterialsToFollow))).Ok();

        var handled = await db.Tickets.Where(t => t.Id == withItem.Ticket.TicketId || t.Id == other.Ticket.TicketId).OrderBy(t => t.Id).Select(t => t.HandledItemIds).ToListAsync();
        Assert.That(handled[0], Is.EqualTo(new[] { items[0] }), "the item chosen at the kiosk, by default");
        Assert.That(handled[1], Is.EqualTo(new[] { items[0], items[1] }), "the items the clerk named");
        Assert.That(foreignItem, Is.Null, "only one hall in this database");
    }
}
