extern alias kiosk;
using Hall.Tests.Support;
using kiosk::Hall.Kiosk.Agent;
using kiosk::Hall.Kiosk.IdCard;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Hall.Tests.Kiosk.SamProtocol;

namespace Hall.Tests.Kiosk;

/// <summary>The resident ID card reader's driver over a real serial port: a socat pty pair with a fake reader at the far end.</summary>
public sealed class IdCardReaderTests
{
    /// <summary>An elderly citizen whose name has a rare character (䶮, CJK extension A) and whose card never expires.</summary>
    public static readonly Citizen Elder = new(
        "欧阳䶮", "1", "01", "19490315", "北京市东城区东华门街道南池子大街11号", "11010119490315003" + CheckCharacter("11010119490315003"),
        "北京市公安局东城分局", "20090315", "长期");

    private static SerialIdCardReader ReaderOn(string path, int timeoutMs = 500) =>
        new(Options.Create(new KioskOptions { IdCardReader = new IdCardReaderOptions { PortName = path, AnswerTimeoutMs = timeoutMs } }), NullLogger<SerialIdCardReader>.Instance);

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Test]
    public void The_commands_are_the_frames_readers_document()
    {
        // As readers' manuals print them: find, select, read base information.
        Assert.That(EncodeCommand(0x20, 0x01), Is.EqualTo(Hex("AA AA AA 96 69 00 03 20 01 22")));
        Assert.That(EncodeCommand(0x20, 0x02), Is.EqualTo(Hex("AA AA AA 96 69 00 03 20 02 21")));
        Assert.That(EncodeCommand(0x30, 0x01), Is.EqualTo(Hex("AA AA AA 96 69 00 03 30 01 32")));
        Assert.That(EncodeAnswer(0x9F, [0, 0, 0, 0]), Is.EqualTo(Hex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")));
        // A whole base-information answer is 1,295 bytes.
        Assert.That(EncodeAnswer(0x90, BaseInformation(Elder, new byte[1024])), Has.Length.EqualTo(1295));
        Assert.That((SamFrame.FindCard, SamFrame.SelectCard, SamFrame.ReadBaseInformation),
            Is.EqualTo((EncodeCommand(0x20, 0x01), EncodeCommand(0x20, 0x02), EncodeCommand(0x30, 0x01))), "the driver sends the same bytes");
    }

    [Test]
    public void The_test_elder_has_a_number_with_a_correct_check_character()
    {
        // 11010119490315003: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 give 155; 155 mod 11 = 1 → check character 0.
        Assert.That(Elder.IdNumber, Is.EqualTo("110101194903150030"));
    }

    [Test]
    public async Task A_card_on_the_reader_is_read_with_the_rare_character_in_its_name()
    {
        await using var fake = await FakeIdCardReader.StartAsync();
        using var reader = ReaderOn(fake.PortPath);
        fake.Lay(Elder);

        var poll = await reader.PollAsync(CancellationToken.None);

        Assert.That(poll.Outcome, Is.EqualTo(IdCardPollOutcome.Card));
        var card = poll.Card!;
        Assert.That((card.Name, card.Sex, card.Nation, card.BirthDate, card.Address, card.IdNumber, card.Authority, card.ValidFrom, card.ValidTo),
            Is.EqualTo((Elder.Name, "1", "01", "19490315", Elder.Address, "110101194903150030", Elder.Authority, "20090315", "长期")));
        Assert.That(card.ToString(), Does.Not.Contain(Elder.IdNumber).And.Contain("1101**********0030"), "the number in full never reaches a log");
        Assert.That(reader.Status, Is.EqualTo(IdCardReaderStatus.Connected));
        Assert.That(fake.Commands.Select(c => c.Name), Is.EqualTo(new[] { "find", "select", "read" }));
        Assert.That(fake.Commands.All(c => c.ChecksumOk), Is.True, "every command's checksum is right");
    }

    [Test]
    public async Task Without_a_card_the_reader_is_asked_only_to_find_one()
    {
        await using var fake = await FakeIdCardReader.StartAsync();
        using var reader = ReaderOn(fake.PortPath);

        Assert.That((await reader.PollAsync(CancellationToken.None)).Outcome, Is.EqualTo(IdCardPollOutcome.NoCard));
        Assert.That(reader.Status, Is.EqualTo(IdCardReaderStatus.Connected));
        Assert.That(fake.Commands.Select(c => c.Name), Is.EqualTo(new[] { "find" }));
    }

    [TestCase(FakeCardState.ReadError, IdCardPollOutcome.ReadFailed)]
    [TestCase(FakeCardState.CorruptChecksum, IdCardPollOutcome.Garbled)]
    public async Task A_card_that_cannot_be_read_gives_no_number_and_is_read_once_it_can(FakeCardState trouble, IdCardPollOutcome outcome)
    {
        await using var fake = await FakeIdCardReader.StartAsync();
        using var reader = ReaderOn(fake.PortPath);
        fake.Lay(Elder);
        fake.State = trouble;

        var poll = await reader.PollAsync(CancellationToken.None);
        Assert.That((poll.Outcome, poll.Card), Is.EqualTo((outcome, (ResidentCard?)null)));
        Assert.That(reader.Status, Is.EqualTo(IdCardReaderStatus.Connected), "the reader itself answers");

        fake.State = FakeCardState.Card;
        Assert.That((await reader.PollAsync(CancellationToken.None)).Card?.IdNumber, Is.EqualTo(Elder.IdNumber));
    }

    [Test]
    public async Task A_card_whose_number_fails_the_check_is_not_used()
    {
        await using var fake = await FakeIdCardReader.StartAsync();
        using var reader = ReaderOn(fake.PortPath);
        fake.Lay(Elder with { IdNumber = "110101194903150031" });

        var poll = await reader.PollAsync(CancellationToken.None);

        Assert.That((poll.Outcome, poll.Card), Is.EqualTo((IdCardPollOutcome.InvalidIdNumber, (ResidentCard?)null)));
    }

    [Test]
    public async Task A_reader_that_answers_nothing_is_reported_as_not_answering()
    {
        await using var fake = await FakeIdCardReader.StartAsync();
        using var reader = ReaderOn(fake.PortPath, timeoutMs: 300);
        fake.State = FakeCardState.Silent;

        Assert.That((await reader.PollAsync(CancellationToken.None)).Outcome, Is.EqualTo(IdCardPollOutcome.NoAnswer));
        Assert.That(reader.Status, Is.EqualTo(IdCardReaderStatus.NoAnswer));

        fake.State = FakeCardState.NoCard;
        Assert.That((await reader.PollAsync(CancellationToken.None)).Outcome, Is.EqualTo(IdCardPollOutcome.NoCard));
        Assert.That(reader.Status, Is.EqualTo(IdCardReaderStatus.Connected));
    }

    [Test]
    public async Task An_unplugged_reader_is_seen_and_reads_again_once_plugged_back_without_a_restart()
    {
        await using var fake = await FakeIdCardReader.StartAsync();
        using var reader = ReaderOn(fake.PortPath, timeoutMs: 300);
        fake.Lay(Elder);
        Assert.That((await reader.PollAsync(CancellationToken.None)).Outcome, Is.EqualTo(IdCardPollOutcome.Card));

        await fake.UnplugAsync();
        Assert.That((await reader.PollAsync(CancellationToken.None)).Outcome, Is.EqualTo(IdCardPollOutcome.Unplugged));
        Assert.That((await reader.PollAsync(CancellationToken.None)).Outcome, Is.EqualTo(IdCardPollOutcome.Unplugged), "and stays so while unplugged");
        Assert.That(reader.Status, Is.EqualTo(IdCardReaderStatus.Unplugged));

        await fake.PlugInAsync();
        fake.Lay(Elder);
        Assert.That((await reader.PollAsync(CancellationToken.None)).Card?.IdNumber, Is.EqualTo(Elder.IdNumber));
        Assert.That(reader.Status, Is.EqualTo(IdCardReaderStatus.Connected));
    }

    [Test]
    public async Task Without_a_port_name_there_is_no_reader_and_nothing_fails()
    {
        using var reader = ReaderOn("");

        Assert.That(reader.Status, Is.EqualTo(IdCardReaderStatus.Disabled));
        Assert.That((await reader.PollAsync(CancellationToken.None)).Outcome, Is.EqualTo(IdCardPollOutcome.Disabled));
    }

    private static IdCardPoll CardPoll(string id) => new(IdCardPollOutcome.Card, new ResidentCard("王华", "1", "01", "19490315", "", id, "", "", "长期"));

    private static readonly IdCardPoll NoCard = new(IdCardPollOutcome.NoCard);

    // The watch's placements, fed polls by hand (its reader is never asked).
    private FakeTimeProvider _clock = null!;
    private SerialIdCardReader _noReader = null!;
    private IdCardWatch _watch = null!;

    [SetUp]
    public void NewWatch()
    {
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _noReader = ReaderOn("");
        var options = Options.Create(new KioskOptions { IdCardReader = new IdCardReaderOptions { HoldSeconds = 30 } });
        _watch = new IdCardWatch(_noReader, options, _clock, NullLogger<IdCardWatch>.Instance);
    }

    [TearDown]
    public void DisposeWatch()
    {
        _watch.Dispose();
        _noReader.Dispose();
    }

    /// <summary>Lifted (no card twice running) and laid again: a new placement.</summary>
    private static void LiftAndLayAgain(IdCardWatch watch)
    {
        watch.Apply(NoCard);
        watch.Apply(NoCard);
        watch.Apply(CardPoll(Elder.IdNumber));
    }

    [Test]
    public void A_card_left_lying_is_offered_once_and_laid_again_it_is_offered_anew()
    {
        _watch.Apply(CardPoll(Elder.IdNumber));
        var first = _watch.Offer;
        Assert.That(first?.IdNumber, Is.EqualTo(Elder.IdNumber));
        // Lying there: read again and again, missed once, a failed read — still the one placement.
        foreach (var poll in new[] { CardPoll(Elder.IdNumber), NoCard, CardPoll(Elder.IdNumber), new IdCardPoll(IdCardPollOutcome.ReadFailed), CardPoll(Elder.IdNumber) })
        {
            _watch.Apply(poll);
        }
        Assert.That(_watch.Offer?.Seq, Is.EqualTo(first!.Seq));

        LiftAndLayAgain(_watch);
        Assert.That(_watch.Offer?.Seq, Is.GreaterThan(first.Seq));
    }

    [Test]
    public void An_offer_is_forgotten_once_a_ticket_took_it_or_after_the_hold_time()
    {
        _watch.Apply(CardPoll(Elder.IdNumber));
        _watch.Taken("110101199001011234");
        Assert.That(_watch.Offer, Is.Not.Null, "another number's ticket leaves it");
        _watch.Taken(Elder.IdNumber);
        Assert.That(_watch.Offer, Is.Null);

        LiftAndLayAgain(_watch);
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.That(_watch.Offer, Is.Not.Null);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.That(_watch.Offer, Is.Null);
    }

    [Test]
    public async Task A_card_left_on_a_polled_reader_is_offered_once_until_it_is_lifted_and_laid_again()
    {
        await using var fake = await FakeIdCardReader.StartAsync();
        using var reader = ReaderOn(fake.PortPath);
        var options = Options.Create(new KioskOptions { IdCardReader = new IdCardReaderOptions { PortName = fake.PortPath, PollMs = 100 } });
        using var watch = new IdCardWatch(reader, options, TimeProvider.System, NullLogger<IdCardWatch>.Instance);
        await watch.StartAsync(CancellationToken.None);
        try
        {
            fake.Lay(Elder);
            var first = await OfferAsync(watch, o => o is not null);
            var reads = await ReadsAfterAsync(fake, 5);
            Assert.That(watch.Offer?.Seq, Is.EqualTo(first!.Seq), $"read {reads} more times lying there, still one placement");

            fake.Lift();
            await ReadsAfterAsync(fake, 0, finds: 3);
            fake.Lay(Elder);
            var second = await OfferAsync(watch, o => o is not null && o.Seq != first.Seq);
            Assert.That(second!.IdNumber, Is.EqualTo(Elder.IdNumber));
        }
        finally
        {
            await watch.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<IdCardOffer?> OfferAsync(IdCardWatch watch, Func<IdCardOffer?, bool> until)
    {
        for (var i = 0; i < 100 && !until(watch.Offer); i++)
        {
            await Task.Delay(50);
        }
        Assert.That(until(watch.Offer), Is.True, "the watch offered the card within 5 s");
        return watch.Offer;
    }

    /// <summary>Waits until the fake has received this many more reads (and finds), and says how many reads it got.</summary>
    private static async Task<int> ReadsAfterAsync(FakeIdCardReader fake, int reads, int finds = 0)
    {
        var readsBefore = fake.Commands.Count(c => c.Name == "read");
        var findsBefore = fake.Commands.Count(c => c.Name == "find");
        for (var i = 0; i < 100; i++)
        {
            var commands = fake.Commands;
            if (commands.Count(c => c.Name == "read") - readsBefore >= reads && commands.Count(c => c.Name == "find") - findsBefore >= finds)
            {
                break;
            }
            await Task.Delay(50);
        }
        return fake.Commands.Count(c => c.Name == "read") - readsBefore;
    }
}
