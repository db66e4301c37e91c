using Hall.Server.Contracts;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Hall.Server.Ratings;
using Hall.Server.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Hall.Server.Web.Components.Pages;

/// <summary>
/// The 好差评 device facing the citizen at a window: after the clerk finishes (or invites, 邀评), the five national levels
/// with big buttons; after 不满意 / 非常不满意 the national reasons, never required. Nothing is forced: left alone on the
/// levels it goes quietly back to the welcome screen and nothing is recorded (GB/T 39734); a level already chosen is the
/// citizen's rating and is stored when the reasons screen is left alone, with the reasons touched so far.
/// </summary>
public sealed partial class Evaluator
{
    private enum Step
    {
        Idle,
        Rate,
        Reasons,
        Thanks,
    }

    public static readonly TimeSpan RateTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan ThanksShown = TimeSpan.FromSeconds(5);

    /// <summary>The five national levels, best first, each with how much its drawn face smiles (negative: frowns).</summary>
    private static readonly (RatingLevel Level, string Zh, string En, int Smile)[] Levels =
    [
        (RatingLevel.VerySatisfied, "非常满意", "Very satisfied", 12),
        (RatingLevel.Satisfied, "满意", "Satisfied", 6),
        (RatingLevel.Basic, "基本满意", "Fairly satisfied", 0),
        (RatingLevel.Dissatisfied, "不满意", "Dissatisfied", -6),
        (RatingLevel.VeryDissatisfied, "非常不满意", "Very dissatisfied", -12),
    ];

    private static IReadOnlyList<RatingReason> ReasonList => RatingReasons.National;

    [CascadingParameter]
    private Lang L { get; set; } = Lang.Chinese;

    [Inject]
    private EvaluatorData Data { get; set; } = null!;

    [Inject]
    private QueueService Queue { get; set; } = null!;

    [Inject]
    private ChangeFeed Feed { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Auth { get; set; } = null!;

    [Inject]
    private TimeProvider Clock { get; set; } = null!;

    [Inject]
    private ILogger<Evaluator> Log { get; set; } = null!;

    private Actor _actor = null!;
    private Step _step;
    private RatableTicket? _ticket;
    private WindowClerk? _clerk;
    private RatingLevel _level;
    private readonly HashSet<string> _reasons = [];
    private bool _busy;
    private Guid _commandId = Guid.NewGuid();
    private ITimer? _timeout;
    private readonly HashSet<(long Ticket, long Offer)> _offered = [];

    protected override async Task OnInitializedAsync()
    {
        _actor = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        Feed.QueueChanged += OnChanged;
        await LookAsync();
    }

    private void OnChanged(int hallId, HallChanges changes)
    {
        if (hallId == _actor.HallId && (changes.All || changes.Windows.Any(w => w.WindowId == _actor.WindowId)))
        {
            _ = InvokeAsync(async () =>
            {
                try
                {
                    await LookAsync();
                    StateHasChanged();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.LogWarning(ex, "Evaluator could not read its window");
                }
            });
        }
    }

    /// <summary>Offers the ticket just finished, if the screen is not busy with one already.</summary>
    private async Task LookAsync()
    {
        if (_step != Step.Idle || _actor.WindowId is not { } window)
        {
            return;
        }
        _clerk = await Data.WindowClerkAsync(_actor.HallId, window, CancellationToken.None);
        _ticket = await Data.PendingAsync(_actor.HallId, window, CancellationToken.None);
        // A ticket is offered once: left unrated, it is not asked about again.
        if (_ticket is not null && _offered.Add((_ticket.TicketId, _ticket.OfferKey)))
        {
            _step = Step.Rate;
            _reasons.Clear();
            _commandId = Guid.NewGuid();
            Arm(RateTimeout);
        }
    }

    /// <summary>
    /// After <paramref name="after"/> without a touch the screen goes back to welcome. On the levels nothing is recorded; on the
    /// reasons the level the citizen chose is their rating and is stored first.
    /// </summary>
    private void Arm(TimeSpan after)
    {
        _timeout?.Dispose();
        _timeout = Clock.CreateTimer(_ => _ = InvokeAsync(async () =>
        {
            if (_step == Step.Reasons)
            {
                await StoreAsync();
            }
            _step = Step.Idle;
            _ticket = null;
            await LookAsync();
            StateHasChanged();
        }), null, after, Timeout.InfiniteTimeSpan);
    }

    private async Task ChooseAsync(RatingLevel level)
    {
        _level = level;
        if (level <= RatingLevel.Dissatisfied)
        {
            _step = Step.Reasons;
            Arm(RateTimeout);
            return;
        }
        await SubmitAsync();
    }

    /// <summary>A mis-tap on a bad level is undone: back to the five levels, nothing recorded, the reasons forgotten.</summary>
    private void Back()
    {
        _reasons.Clear();
        _step = Step.Rate;
        Arm(RateTimeout);
    }

    private void Toggle(string reason)
    {
        if (!_reasons.Remove(reason))
        {
            _reasons.Add(reason);
        }
        Arm(RateTimeout);
    }

    private async Task SubmitAsync()
    {
        if (_busy || _ticket is null)
        {
            return;
        }
        await StoreAsync();
        _step = Step.Thanks;
        Arm(ThanksShown);
    }

    /// <summary>Sends the citizen's level and reasons; a refusal or failure is logged, the citizen is not troubled with it.</summary>
    private async Task StoreAsync()
    {
        if (_busy || _ticket is null)
        {
            return;
        }
        _busy = true;
        try
        {
            var reply = await Queue.RateAsync(_actor, new RateCommand(_commandId, _ticket.TicketId, _level, [.. _reasons]), CancellationToken.None);
            if (!reply.Ok)
            {
                Log.LogInformation("Rating of {Ticket} refused: {Code}", _ticket.Number, reply.Error!.Code);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The citizen is thanked all the same; the server's log says the rating was not stored.
            Log.LogWarning(ex, "Rating of {Ticket} not stored", _ticket.Number);
        }
        finally
        {
            _busy = false;
        }
    }

    public void Dispose()
    {
        Feed.QueueChanged -= OnChanged;
        _timeout?.Dispose();
    }
}
