using Hall.Server.Contracts;
using Hall.Server.Queue;
using static Hall.Tests.Queue.QueueFixtures;

namespace Hall.Tests.Queue;

public sealed class WindowRulesTests
{
    private const int Clerk = 7;
    private const int OtherClerk = 8;

    private static readonly IReadOnlyList<string> PauseReasons = ["午休", "临时离开", "系统故障"];

    [Test]
    public void A_clerk_opens_a_closed_window()
    {
        Assert.That(WindowRules.Open(Window(status: WindowStatus.Closed), Clerk), Is.Null);
    }

    [Test]
    public void Opening_a_window_twice_is_refused_as_already_open()
    {
        Assert.That(WindowRules.Open(Window(status: WindowStatus.Open, staffId: Clerk), Clerk), Is.EqualTo(Refusal.WindowAlreadyOpen));
    }

    [Test]
    public void Opening_ones_own_paused_window_is_refused_as_already_open()
    {
        Assert.That(WindowRules.Open(Window(status: WindowStatus.Paused, staffId: Clerk), Clerk), Is.EqualTo(Refusal.WindowAlreadyOpen));
    }

    [Test]
    public void A_clerk_cannot_open_a_window_another_clerk_has_open()
    {
        Assert.That(WindowRules.Open(Window(status: WindowStatus.Open, staffId: OtherClerk), Clerk), Is.EqualTo(Refusal.WindowOpenedByOther));
    }

    [Test]
    public void An_idle_open_window_pauses_with_a_reason_from_the_list()
    {
        Assert.That(WindowRules.Pause(Window(), "午休", PauseReasons), Is.Null);
    }

    [Test]
    public void Pause_refuses_a_reason_not_in_the_list()
    {
        Assert.That(WindowRules.Pause(Window(), "想休息", PauseReasons), Is.EqualTo(Refusal.UnknownPauseReason));
    }

    [Test]
    public void Pause_refuses_without_a_reason()
    {
        Assert.That(WindowRules.Pause(Window(), null, PauseReasons), Is.EqualTo(Refusal.UnknownPauseReason));
    }

    [Test]
    public void Pause_refuses_while_a_ticket_is_called()
    {
        Assert.That(WindowRules.Pause(Window(current: Called(4, windowId: 1)), "午休", PauseReasons), Is.EqualTo(Refusal.WindowBusy));
    }

    [Test]
    public void Pause_refuses_while_a_ticket_is_served()
    {
        Assert.That(WindowRules.Pause(Window(current: Serving(4, windowId: 1)), "午休", PauseReasons), Is.EqualTo(Refusal.WindowBusy));
    }

    [Test]
    public void Pause_refuses_a_window_already_paused()
    {
        Assert.That(WindowRules.Pause(Window(status: WindowStatus.Paused), "午休", PauseReasons), Is.EqualTo(Refusal.WindowPaused));
    }

    [Test]
    public void Pause_refuses_a_closed_window()
    {
        Assert.That(WindowRules.Pause(Window(status: WindowStatus.Closed), "午休", PauseReasons), Is.EqualTo(Refusal.WindowClosed));
    }

    [Test]
    public void A_paused_window_resumes()
    {
        Assert.That(WindowRules.Resume(Window(status: WindowStatus.Paused)), Is.Null);
    }

    [Test]
    public void Resume_refuses_a_window_that_is_not_paused()
    {
        Assert.That(WindowRules.Resume(Window(status: WindowStatus.Open)), Is.EqualTo(Refusal.WindowNotPaused));
    }

    [Test]
    public void Resume_refuses_a_closed_window()
    {
        Assert.That(WindowRules.Resume(Window(status: WindowStatus.Closed)), Is.EqualTo(Refusal.WindowClosed));
    }

    [Test]
    public void An_idle_open_window_closes()
    {
        Assert.That(WindowRules.Close(Window(status: WindowStatus.Open)), Is.Null);
    }

    [Test]
    public void A_paused_window_closes()
    {
        Assert.That(WindowRules.Close(Window(status: WindowStatus.Paused)), Is.Null);
    }

    [Test]
    public void Close_refuses_while_a_ticket_is_served()
    {
        Assert.That(WindowRules.Close(Window(current: Serving(4, windowId: 1))), Is.EqualTo(Refusal.WindowBusy));
    }

    [Test]
    public void Close_refuses_a_window_already_closed()
    {
        Assert.That(WindowRules.Close(Window(status: WindowStatus.Closed)), Is.EqualTo(Refusal.WindowClosed));
    }

    [Test]
    public void The_clerk_who_opened_the_window_operates_it()
    {
        Assert.That(WindowRules.CheckOperator(Window(staffId: Clerk), Clerk), Is.Null);
    }

    [Test]
    public void The_clerk_who_paused_the_window_still_operates_it()
    {
        Assert.That(WindowRules.CheckOperator(Window(status: WindowStatus.Paused, staffId: Clerk), Clerk), Is.Null);
    }

    [Test]
    public void Another_clerk_cannot_operate_the_window()
    {
        Assert.That(WindowRules.CheckOperator(Window(staffId: OtherClerk), Clerk), Is.EqualTo(Refusal.NotYourWindow));
    }

    [Test]
    public void Nobody_operates_a_closed_window()
    {
        Assert.That(WindowRules.CheckOperator(Window(status: WindowStatus.Closed), Clerk), Is.EqualTo(Refusal.WindowClosed));
    }

    [TestCase(WindowStatus.Open, null)]
    [TestCase(WindowStatus.Paused, "window_paused")]
    [TestCase(WindowStatus.Closed, "window_closed")]
    public void Only_an_open_window_can_call(WindowStatus status, string? expectedCode)
    {
        Assert.That(WindowRules.CheckOpen(Window(status: status))?.Code, Is.EqualTo(expectedCode));
    }
}
