using Hall.Server.Contracts;
using Hall.Server.Queue;
using static Hall.Tests.Queue.QueueFixtures;

namespace Hall.Tests.Queue;

/// <summary>The rules a kiosk meets: voiding an unprinted ticket, the mobile number for the notice.</summary>
public sealed class KioskRulesTests
{
    private const int Kiosk = 41;

    [Test]
    public void A_kiosk_voids_a_waiting_ticket_it_issued_that_nobody_called() =>
        Assert.That(TicketRules.Void(Ticket(1, TicketState.Waiting), Kiosk, Kiosk, "print_failed: PaperOut", everCalled: false), Is.Null);

    [Test]
    public void Another_kiosks_ticket_is_not_voided() =>
        Assert.That(TicketRules.Void(Ticket(1, TicketState.Waiting), 42, Kiosk, "print_failed", everCalled: false), Is.EqualTo(Refusal.NotIssuedHere));

    [Test]
    public void A_ticket_issued_by_staff_is_not_voided_by_a_kiosk() =>
        Assert.That(TicketRules.Void(Ticket(1, TicketState.Waiting), null, Kiosk, "print_failed", everCalled: false), Is.EqualTo(Refusal.NotIssuedHere));

    [TestCase(TicketState.Called)]
    [TestCase(TicketState.Serving)]
    [TestCase(TicketState.NoShow)]
    public void A_ticket_that_was_called_is_no_longer_voided(TicketState state) =>
        Assert.That(TicketRules.Void(Ticket(1, state, windowId: 3, callCount: 1), Kiosk, Kiosk, "print_failed", everCalled: true), Is.EqualTo(Refusal.TicketAlreadyCalled));

    [Test]
    public void A_requeued_no_show_waiting_again_is_not_voided() =>
        Assert.That(TicketRules.Void(Ticket(1, TicketState.Waiting), Kiosk, Kiosk, "print_failed", everCalled: true), Is.EqualTo(Refusal.TicketAlreadyCalled));

    [TestCase(TicketState.Finished)]
    [TestCase(TicketState.Cancelled)]
    [TestCase(TicketState.Voided)]
    public void A_closed_ticket_is_not_voided(TicketState state) =>
        Assert.That(TicketRules.Void(Ticket(1, state), Kiosk, Kiosk, "print_failed", everCalled: false), Is.EqualTo(Refusal.TicketClosed));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void Voiding_needs_a_reason(string? reason) =>
        Assert.That(TicketRules.Void(Ticket(1, TicketState.Waiting), Kiosk, Kiosk, reason, everCalled: false), Is.EqualTo(Refusal.ReasonRequired));

    [TestCase(null, null)]
    [TestCase("", null)]
    [TestCase("13812345678", "13812345678")]
    [TestCase(" 19912345678 ", "19912345678")]
    public void A_mobile_number_is_optional_and_kept_as_digits(string? given, string? kept) =>
        Assert.That(TicketRules.CheckMobile(given), Is.EqualTo(new Decision<string?>(kept, null)));

    [TestCase("1381234567")]
    [TestCase("138123456789")]
    [TestCase("23812345678")]
    [TestCase("11812345678")]
    [TestCase("1381234567x")]
    [TestCase("１３８１２３４５６７８")]
    public void A_malformed_mobile_number_is_refused(string given) =>
        Assert.That(TicketRules.CheckMobile(given).Refusal, Is.EqualTo(Refusal.InvalidMobile));

    [Test]
    public void A_mobile_number_shows_masked() => Assert.That(TicketRules.MaskMobile("13812345678"), Is.EqualTo("138****5678"));
}
