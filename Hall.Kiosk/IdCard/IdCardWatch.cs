using Hall.Kiosk.Agent;
using Microsoft.Extensions.Options;

namespace Hall.Kiosk.IdCard;

/// <summary>A card read for the touch page: a new placement has a new sequence number.</summary>
public sealed record IdCardOffer(long Seq, string IdNumber, DateTimeOffset ReadAt)
{
    public override string ToString() => $"IdCardOffer {Seq} {ResidentIdNumber.Mask(IdNumber)}";
}

/// <summary>
/// Polls the reader and offers each new placement of a card to the touch page once (a sequence number the page keeps),
/// for <see cref="IdCardReaderOptions.HoldSeconds"/> or until a ticket is taken with it. A card left lying on the reader
/// is the same placement however often it is read again: only "no card" twice running (or a reader gone) ends it, so a
/// reader that misses the card for one poll does not turn one card into two tickets. Only the number is kept.
/// </summary>
public sealed class IdCardWatch(IIdCardReader reader, IOptions<KioskOptions> options, TimeProvider time, ILogger<IdCardWatch> log) : BackgroundService
{
    private const int AbsentPollsToLift = 2;
    private readonly Lock _lock = new();
    private string? _lying;
    private int _absentPolls;
    private long _seq;
    private IdCardOffer? _offer;

    public IdCardReaderStatus Status => reader.Status;

    /// <summary>The card the page may take now, or null.</summary>
    public IdCardOffer? Offer
    {
        get
        {
            lock (_lock)
            {
                if (_offer is { } o && time.GetUtcNow() - o.ReadAt > TimeSpan.FromSeconds(options.Value.IdCardReader.HoldSeconds))
                {
                    _offer = null;
                }
                return _offer;
            }
        }
    }

    /// <summary>A ticket was taken with this number: the offer is done with.</summary>
    public void Taken(string? idNumber)
    {
        lock (_lock)
        {
            if (_offer is { } o && o.IdNumber == idNumber)
            {
                _offer = null;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (reader.Status == IdCardReaderStatus.Disabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.IdCardReader.PollMs), time);
        do
        {
            try
            {
                Apply(await reader.PollAsync(stoppingToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever the reader does, the kiosk keeps issuing tickets (an unhandled error here would stop the agent).
                log.LogWarning("ID card reader poll failed: {Error}", ex.Message);
                Apply(new IdCardPoll(IdCardPollOutcome.NoAnswer));
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Takes one poll's outcome: a new placement becomes an offer.</summary>
    public void Apply(IdCardPoll poll)
    {
        lock (_lock)
        {
            switch (poll.Outcome)
            {
                case IdCardPollOutcome.Card:
                    var id = poll.Card!.IdNumber;
                    _absentPolls = 0;
                    if (_lying == id)
                    {
                        return;
                    }
                    _lying = id;
                    _offer = new IdCardOffer(++_seq, id, time.GetUtcNow());
                    log.LogInformation("ID card {IdNumber} read (offer {Seq})", ResidentIdNumber.Mask(id), _seq);
                    break;
                case IdCardPollOutcome.NoCard:
                    if (++_absentPolls >= AbsentPollsToLift)
                    {
                        _lying = null;
                    }
                    break;
                case IdCardPollOutcome.Disabled or IdCardPollOutcome.NoAnswer or IdCardPollOutcome.Unplugged:
                    _lying = null;
                    break;
                case IdCardPollOutcome.ReadFailed or IdCardPollOutcome.Garbled or IdCardPollOutcome.InvalidIdNumber:
                    // The card may still lie there: the placement goes on.
                    break;
            }
        }
    }
}
