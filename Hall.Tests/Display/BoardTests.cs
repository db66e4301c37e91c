extern alias display;
using display::Hall.Display.Agent;
using display::Hall.Server.Contracts;

namespace Hall.Tests.Display;

/// <summary>The display agent's board: what it lists and what it still has to say.</summary>
public sealed class BoardTests
{
    private static CallMessage Call(long id, string number, bool recall = false) =>
        new(id, id * 10, number, 3, 3, "医保窗口", "医保业务", recall, DateTimeOffset.UnixEpoch.AddSeconds(id));

    [Test]
    public void A_call_sent_again_after_a_reconnect_is_announced_once()
    {
        var board = new Board(8);
        board.Called(Call(5, "B001"));
        board.Called(Call(5, "B001"));

        Assert.That(board.PendingAfter(0).Select(a => a.Call.CallId), Is.EqualTo(new[] { 5L }));
        var seq = board.PendingAfter(0)[0].Seq;
        Assert.That(board.Done(seq), Is.EqualTo(5));
        board.Called(Call(5, "B001"));
        Assert.That(board.PendingAfter(0), Is.Empty, "already announced, waiting only for its acknowledgement");
        Assert.That(board.Unacknowledged, Is.EqualTo(new[] { 5L }));
        board.Acknowledged(5);
        Assert.That(board.Unacknowledged, Is.Empty);
    }

    private static WindowStateMessage Window(int id, long? ticketId, TicketState? state, long version) =>
        new(id, id, "医保窗口", WindowStatus.Open, null, "王晓华", ticketId, ticketId is null ? null : "B001", state, version);

    [Test]
    public void The_newest_call_is_being_called_until_its_window_moves_on()
    {
        var board = new Board(8);
        board.Called(Call(5, "B001"));
        board.Apply(Window(3, 50, TicketState.Called, 1));
        Assert.That(board.Calling?.TicketNumber, Is.EqualTo("B001"), "called, the citizen not at the window yet");
        board.Apply(Window(3, 50, TicketState.Serving, 2));
        Assert.That(board.Calling, Is.Null, "the citizen reached the window");
        Assert.That(board.RecentCalls.Select(c => c.TicketNumber), Is.EqualTo(new[] { "B001" }), "still listed");
    }

    [Test]
    public void A_window_that_finished_its_ticket_leaves_the_newest_card_to_the_call_still_waiting_at_another()
    {
        var board = new Board(8);
        board.Called(new(1, 10, "A001", 1, 1, "社保窗口", "社保业务", false, DateTimeOffset.UnixEpoch));
        board.Called(Call(5, "B001"));
        Assert.That(board.Calling?.TicketNumber, Is.EqualTo("B001"));
        board.Apply(Window(3, null, null, 3));
        Assert.That(board.Calling?.TicketNumber, Is.EqualTo("A001"));
        // A snapshot after a reconnect decides the same way.
        board.Apply(new HallSnapshot(1, "市民之家", new DateOnly(2026, 12, 4), [], [Window(1, null, null, 4), Window(3, null, null, 4)], [], 4));
        Assert.That(board.Calling, Is.Null);
    }

    [Test]
    public void A_recall_has_its_own_call_id_and_is_announced_again()
    {
        var board = new Board(8);
        board.Called(Call(5, "B001"));
        board.Called(Call(9, "B001", recall: true));

        Assert.That(board.PendingAfter(0).Select(a => (a.Call.TicketNumber, a.Call.IsRecall)), Is.EqualTo(new[] { ("B001", false), ("B001", true) }));
    }

    [Test]
    public void Announcements_keep_their_arrival_order_and_numbers_grow_across_agent_restarts()
    {
        var first = new Board(8);
        first.Called(Call(7, "B002"));
        first.Called(Call(6, "B001"));
        var pending = first.PendingAfter(0);
        Assert.That(pending.Select(a => a.Call.TicketNumber), Is.EqualTo(new[] { "B002", "B001" }), "in the order they came, not by id");
        Assert.That(first.PendingAfter(pending[0].Seq).Select(a => a.Call.TicketNumber), Is.EqualTo(new[] { "B001" }));

        Thread.Sleep(2);
        var restarted = new Board(8);
        restarted.Called(Call(8, "B003"));
        Assert.That(restarted.PendingAfter(0)[0].Seq, Is.GreaterThan(pending[^1].Seq), "a page polling after its last number still sees the restarted agent's calls");
    }

    [Test]
    public void The_board_lists_the_newest_calls_first_up_to_its_size()
    {
        var board = new Board(3);
        foreach (var id in new long[] { 1, 4, 2, 5, 3 })
        {
            board.Called(Call(id, $"A00{id}"));
        }

        Assert.That(board.RecentCalls.Select(c => c.CallId), Is.EqualTo(new long[] { 5, 4, 3 }));
    }

    [Test]
    public void An_older_service_state_does_not_replace_a_newer_one()
    {
        var board = new Board(8);
        board.Apply(new ServiceStateMessage(1, "shebao", "社保业务", 'A', 5, 10, true, false, 20));
        board.Apply(new ServiceStateMessage(1, "shebao", "社保业务", 'A', 9, 10, true, false, 12));

        Assert.That(board.Services.Single().Waiting, Is.EqualTo(5));
    }
}
