using Hall.Server.Contracts;
using Hall.Server.Queue;
using static Hall.Tests.Queue.QueueFixtures;

namespace Hall.Tests.Queue;

/// <summary>The 办件编号 rules: what a clerk may type or scan at finish, and what the case system may attach afterwards.</summary>
public sealed class CaseNumberRulesTests
{
    [TestCase("YC-2026/000123_a")]
    [TestCase("  YC2026000123  ")]
    [TestCase("1")]
    [TestCase("-2026-0001")]
    public void A_case_number_of_letters_digits_and_dash_underscore_slash_is_taken(string typed) =>
        Assert.That(TicketRules.CaseNumber(typed, required: true), Is.Null);

    [TestCase("YC 2026")]
    [TestCase("医保2026001")]
    [TestCase("YC+2026")]
    [TestCase("=HYPERLINK(1)")]
    [TestCase("ＹＣ２０２６")]
    [TestCase("YC\u202E2026")]
    public void Anything_else_is_an_invalid_case_number(string typed) =>
        Assert.That(TicketRules.CaseNumber(typed, required: false), Is.EqualTo(Refusal.InvalidCaseNumber));

    [Test]
    public void A_case_number_is_at_most_64_characters_after_trimming()
    {
        Assert.That(TicketRules.CaseNumber(" " + new string('7', 64) + " ", required: true), Is.Null);
        Assert.That(TicketRules.CaseNumber(new string('7', 65), required: true), Is.EqualTo(Refusal.InvalidCaseNumber));
    }

    [TestCase(null, "办结", true)]
    [TestCase("  ", "已受理", true)]
    [TestCase(null, "咨询", false)]
    [TestCase(null, "退回补正", false)]
    [TestCase(null, "不予受理", false)]
    public void A_service_that_requires_it_refuses_a_case_accepted_without_one(string? typed, string outcome, bool refused) =>
        Assert.That(TicketRules.CaseNumber(typed, required: true, outcome), Is.EqualTo(refused ? Refusal.CaseNumberRequired : null));

    [Test]
    public void An_optional_case_number_may_be_left_empty() =>
        Assert.That(TicketRules.CaseNumber(null, required: false, "办结"), Is.Null);

    [Test]
    public void The_case_system_attaches_once_to_a_finished_ticket_and_the_same_number_again_is_no_change()
    {
        var finished = Ticket(4, TicketState.Finished);
        Assert.Multiple(() =>
        {
            Assert.That(TicketRules.AttachCaseNumber(finished, null, "YC-1"), Is.Null);
            Assert.That(TicketRules.AttachCaseNumber(finished, "YC-1", " YC-1 "), Is.Null);
            Assert.That(TicketRules.AttachCaseNumber(finished, "YC-1", "YC-2"), Is.EqualTo(Refusal.CaseNumberDiffers));
            Assert.That(TicketRules.AttachCaseNumber(Ticket(4, TicketState.Serving), null, "YC-1"), Is.EqualTo(Refusal.CaseNumberBeforeFinish));
            Assert.That(TicketRules.AttachCaseNumber(finished, null, null), Is.EqualTo(Refusal.InvalidCaseNumber));
            Assert.That(TicketRules.AttachCaseNumber(finished, null, "YC 1"), Is.EqualTo(Refusal.InvalidCaseNumber));
        });
    }
}
