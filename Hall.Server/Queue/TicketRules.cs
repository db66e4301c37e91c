using Hall.Server.Contracts;

namespace Hall.Server.Queue;

/// <summary>The queue rules: given the state and <c>now</c>, what happens or why not. No I/O here.</summary>
public static class TicketRules
{
    public const int MaxTextLength = 200;

    /// <summary>Number = prefix + 3 digits, per hall, service and business date.</summary>
    public static string FormatNumber(char prefix, int sequence) => $"{prefix}{sequence:D3}";

    public static Decision<NewTicket> Issue(ServiceFacts service, PriorityClass priority, HallCalendar calendar, int lastNumberToday, int waiting, QueueRate rate, DateTimeOffset now)
    {
        if (!service.Active)
        {
            return Refusal.ServiceInactive;
        }
        if (!Enum.IsDefined(priority))
        {
            return Refusal.InvalidCommand;
        }
        if (priority != PriorityClass.Normal && !service.AcceptsPriority)
        {
            return Refusal.PriorityNotAccepted;
        }
        if (HallClock.CheckOpen(now, calendar.Zone, calendar.Hours, service.Hours, calendar.Days) is { } closed)
        {
            return closed;
        }
        var sequence = lastNumberToday + 1;
        if (sequence > service.DailyCap || sequence > 999)
        {
            return Refusal.DailyCapReached;
        }
        return new NewTicket(
            sequence,
            FormatNumber(service.Prefix, sequence),
            HallClock.BusinessDate(now, calendar.Zone),
            waiting,
            EstimateWaitMinutes(waiting, rate));
    }

    /// <summary>From the rate at which the service's tickets were taken up in the last hour; before there is one, from the default handling time spread over the open windows.</summary>
    public static int EstimateWaitMinutes(int peopleAhead, QueueRate rate)
    {
        if (peopleAhead <= 0)
        {
            return 0;
        }
        if (rate.StartedLastHour >= 3)
        {
            return (int)Math.Ceiling(peopleAhead * 60.0 / rate.StartedLastHour);
        }
        return (int)Math.Ceiling(peopleAhead * (double)rate.DefaultHandlingMinutes / Math.Max(1, rate.OpenWindows));
    }

    /// <summary>Whether the ticket is in this window's queue today: sent to this window, or in one of its services and not sent to another window.</summary>
    public static bool IsForWindow(TicketFacts t, WindowFacts window, DateOnly today) =>
        t.State == TicketState.Waiting
        && t.BusinessDate == today
        && (t.TargetWindowId == window.Id || (t.TargetWindowId is null && window.ServiceIds.Contains(t.ServiceId)));

    /// <summary>
    /// Transferred tickets first; then tickets past the ageing bound, oldest first; then priority and normal tickets
    /// interleaved at the policy's ratio counted per window; then the window's services in its order, first come first served within each.
    /// </summary>
    public static Decision<CallChoice> CallNext(WindowFacts window, IReadOnlyList<TicketFacts> waiting, CallPolicy policy, DateOnly today, DateTimeOffset now)
    {
        if (CheckCanCall(window, policy) is { } refusal)
        {
            return refusal;
        }
        var autoNoShow = window.Current;
        var mine = waiting.Where(t => IsForWindow(t, window, today)).ToList();
        if (mine.Count == 0)
        {
            return Refusal.NobodyWaiting;
        }
        var (chosen, reason) = Choose(window, mine, policy, now);
        return new CallChoice(chosen, reason, NextStreak(window.NormalsSincePriority, chosen), autoNoShow);
    }

    private static (TicketFacts, CallReason) Choose(WindowFacts window, List<TicketFacts> mine, CallPolicy policy, DateTimeOffset now)
    {
        var transferred = mine.Where(t => t.Transferred).OrderBy(t => t.QueuedAt).ThenBy(t => t.Id).FirstOrDefault();
        if (transferred is not null)
        {
            return (transferred, CallReason.Transferred);
        }
        var aged = mine.Where(t => now - t.QueuedAt >= policy.AgeingBound).OrderBy(t => t.QueuedAt).ThenBy(t => t.Id).FirstOrDefault();
        if (aged is not null)
        {
            return (aged, CallReason.Aged);
        }
        int Rank(TicketFacts t)
        {
            var i = IndexOf(window.ServiceIds, t.ServiceId);
            return i < 0 ? int.MaxValue : i;
        }
        var ordered = mine.OrderBy(Rank).ThenBy(t => t.QueuedAt).ThenBy(t => t.Id).ToList();
        var priority = ordered.FirstOrDefault(t => t.IsPriority);
        var normal = ordered.FirstOrDefault(t => !t.IsPriority);
        if (priority is not null && (normal is null || window.NormalsSincePriority >= policy.NormalPerPriority))
        {
            return (priority, CallReason.Priority);
        }
        return (normal ?? priority!, CallReason.InOrder);
    }

    private static int IndexOf(IReadOnlyList<int> list, int value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Normal tickets called since the window's last priority ticket.</summary>
    public static int NextStreak(int streak, TicketFacts called) => called.IsPriority ? 0 : Math.Min(streak + 1, 1000);

    private static Refusal? CheckCanCall(WindowFacts window, CallPolicy policy)
    {
        if (WindowRules.CheckOpen(window) is { } closed)
        {
            return closed;
        }
        return window.Current switch
        {
            null => null,
            { State: TicketState.Called } c when policy.AutoNoShowAfterCalls > 0 && c.CallCount >= policy.AutoNoShowAfterCalls => null,
            _ => Refusal.WindowBusy,
        };
    }

    /// <summary>Call one waiting ticket by number, whatever its service, to this window.</summary>
    public static Decision<CallChoice> CallTicket(WindowFacts window, TicketFacts ticket, CallPolicy policy, DateOnly today)
    {
        if (CheckCanCall(window, policy) is { } refusal)
        {
            return refusal;
        }
        if (ticket.State != TicketState.Waiting)
        {
            return Refusal.TicketNotWaiting;
        }
        if (ticket.BusinessDate != today)
        {
            return Refusal.TicketFromAnotherDay;
        }
        return new CallChoice(ticket, CallReason.Specific, NextStreak(window.NormalsSincePriority, ticket), window.Current);
    }

    public static Refusal? Recall(WindowFacts window, TicketFacts ticket, CallPolicy policy)
    {
        if (WindowRules.CheckOpen(window) is { } closed)
        {
            return closed;
        }
        if (ticket.State != TicketState.Called || ticket.WindowId != window.Id)
        {
            return Refusal.TicketNotCalled;
        }
        return ticket.CallCount - 1 >= policy.MaxRecalls ? Refusal.RecallLimitReached : null;
    }

    public static Refusal? NoShow(WindowFacts window, TicketFacts ticket) =>
        ticket.State == TicketState.Called && ticket.WindowId == window.Id ? null : Refusal.TicketNotCalled;

    public static Refusal? Start(WindowFacts window, TicketFacts ticket) =>
        ticket.State == TicketState.Called && ticket.WindowId == window.Id ? null : Refusal.TicketNotCalled;

    public static Refusal? Finish(WindowFacts window, TicketFacts ticket, string outcome, IReadOnlyList<string> outcomes)
    {
        if (ticket.State != TicketState.Serving || ticket.WindowId != window.Id)
        {
            return Refusal.TicketNotServing;
        }
        return outcomes.Contains(outcome) ? null : Refusal.UnknownOutcome;
    }

    /// <summary>A returning no-show goes back into the queue <c>placesBack</c> places behind the head of its service; its new place is expressed as a queue time.</summary>
    public static Decision<DateTimeOffset> Requeue(TicketFacts ticket, IReadOnlyList<DateTimeOffset> waitingQueuedAt, int placesBack, DateOnly today, DateTimeOffset now)
    {
        if (ticket.State != TicketState.NoShow)
        {
            return Refusal.TicketNotNoShow;
        }
        if (ticket.BusinessDate != today)
        {
            return Refusal.TicketFromAnotherDay;
        }
        var ordered = waitingQueuedAt.Order().ToList();
        if (placesBack <= 0)
        {
            return ordered.Count == 0 ? now : Min(ordered[0].AddTicks(-10), now);
        }
        if (ordered.Count < placesBack)
        {
            return now;
        }
        // Behind the K-th waiting ticket (and ahead of the next one, which arrived later).
        return Min(ordered[placesBack - 1].AddTicks(10), now);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>Transfer to exactly one target: another service or a specific window. The ticket keeps its arrival and goes first there.</summary>
    public static Refusal? Transfer(WindowFacts? fromWindow, TicketFacts ticket, int? toServiceId, int? toWindowId, DateOnly today)
    {
        if (toServiceId is null == toWindowId is null)
        {
            return Refusal.TransferTargetMissing;
        }
        if (ticket.BusinessDate != today)
        {
            return Refusal.TicketFromAnotherDay;
        }
        if (fromWindow is null)
        {
            if (ticket.State != TicketState.Waiting)
            {
                return Refusal.TicketNotWaiting;
            }
        }
        else if (ticket.State is not (TicketState.Called or TicketState.Serving) || ticket.WindowId != fromWindow.Id)
        {
            return Refusal.TicketNotCalled;
        }
        if (toServiceId == ticket.ServiceId && toWindowId is null && fromWindow is null)
        {
            return Refusal.TransferToSameService;
        }
        return null;
    }

    public static Refusal? Cancel(TicketFacts ticket, string? reason)
    {
        if (CheckText(reason, required: true) is { } bad)
        {
            return bad;
        }
        return ticket.State switch
        {
            TicketState.Waiting or TicketState.Called or TicketState.NoShow => null,
            TicketState.Serving => Refusal.TicketInService,
            _ => Refusal.TicketClosed,
        };
    }

    /// <summary>A kiosk voids a ticket it issued and could not print: only its own, only while nobody has called it.</summary>
    /// <param name="everCalled">Whether the ticket was ever called (a requeued no-show is waiting again with no calls counted).</param>
    public static Refusal? Void(TicketFacts ticket, int? issuedByDeviceId, int kioskDeviceId, string? reason, bool everCalled)
    {
        if (CheckText(reason, required: true) is { } bad)
        {
            return bad;
        }
        if (issuedByDeviceId != kioskDeviceId)
        {
            return Refusal.NotIssuedHere;
        }
        return ticket.State switch
        {
            TicketState.Waiting when ticket.CallCount == 0 && !ticket.Transferred && !everCalled => null,
            TicketState.Waiting or TicketState.Called or TicketState.Serving or TicketState.NoShow => Refusal.TicketAlreadyCalled,
            _ => Refusal.TicketClosed,
        };
    }

    /// <summary>A mobile number for the notice: 11 digits starting with 1 (mainland China). Empty means none.</summary>
    public static Decision<string?> CheckMobile(string? mobile)
    {
        if (string.IsNullOrWhiteSpace(mobile))
        {
            return (string?)null;
        }
        var digits = mobile.Trim();
        if (digits.Length != 11 || digits[0] != '1' || digits[1] < '3' || !digits.All(char.IsAsciiDigit))
        {
            return Refusal.InvalidMobile;
        }
        return digits;
    }

    /// <summary>How a mobile number is shown: 138****5678.</summary>
    public static string MaskMobile(string mobile) => $"{mobile[..3]}****{mobile[^4..]}";

    private static readonly int[] IdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string IdCheckCharacters = "10X98765432";

    /// <summary>
    /// A resident ID number (居民身份证号) if given: 17 digits and a check character (a digit or X) that matches the
    /// GB 11643 checksum. Returned trimmed and upper-cased, as it is hashed.
    /// </summary>
    public static Decision<string?> CheckIdNumber(string? idNumber)
    {
        if (string.IsNullOrWhiteSpace(idNumber))
        {
            return (string?)null;
        }
        var id = idNumber.Trim().ToUpperInvariant();
        if (id.Length != 18 || !id[..17].All(char.IsAsciiDigit))
        {
            return Refusal.InvalidIdNumber;
        }
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (id[i] - '0') * IdWeights[i];
        }
        return id[17] == IdCheckCharacters[sum % 11] ? id : Refusal.InvalidIdNumber;
    }

    /// <summary>How an ID number is shown: 4101**********1234.</summary>
    public static string MaskIdNumber(string id) => $"{id[..4]}{new string('*', id.Length - 8)}{id[^4..]}";

    /// <summary>At most one rating per ticket, only after finish, one of the five levels.</summary>
    /// <summary>A rating is taken only within the hall's limit after the service finished: a later one cannot be the citizen's fresh judgement (and could inflate figures).</summary>
    public static Refusal? RatingInTime(DateTimeOffset? finishedAt, DateTimeOffset now, TimeSpan limit) =>
        finishedAt is { } finished && now - finished > limit ? Refusal.RatingTooLate : null;

    public static Refusal? Rate(TicketFacts ticket, bool alreadyRated, RatingLevel level, IReadOnlyList<string>? reasons)
    {
        if (!Enum.IsDefined(level))
        {
            return Refusal.InvalidRatingLevel;
        }
        if (reasons is { Count: > 20 })
        {
            return Refusal.TextTooLong;
        }
        if (reasons?.Select(r => CheckText(r, required: true)).FirstOrDefault(r => r is not null) is { } badReason)
        {
            return badReason;
        }
        if (ticket.State != TicketState.Finished)
        {
            return Refusal.TicketNotFinished;
        }
        return alreadyRated ? Refusal.AlreadyRated : null;
    }

    /// <summary>Free text from a person or a device: present when <paramref name="required"/>, not too long, and without control characters (newlines only when <paramref name="multiline"/>) or bidirectional overrides.</summary>
    public static Refusal? CheckText(string? text, bool required, bool multiline = false)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return required ? Refusal.ReasonRequired : null;
        }
        return text.Length > MaxTextLength ? Refusal.TextTooLong : !Security.FreeText.IsClean(text, multiline) ? Refusal.InvalidText : null;
    }
}
