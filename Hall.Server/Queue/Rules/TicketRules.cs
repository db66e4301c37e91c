using Hall.Server.Contracts;

namespace Hall.Server.Queue;

/// <summary>The queue rules: given the state and <c>now</c>, what happens or why not. No I/O here.</summary>
public static class TicketRules
{
    public const int MaxTextLength = 200;

    /// <summary>Number = prefix + 3 digits, per hall, service and business date.</summary>
    public static string FormatNumber(char prefix, int sequence) => $"{prefix}{sequence:D3}";

    /// <param name="position">Where the new ticket stands in the call order (<see cref="Position"/>): what the citizen is told.</param>
    public static Decision<NewTicket> Issue(ServiceFacts service, PriorityClass priority, HallCalendar calendar, int lastNumberToday, QueuePosition position, QueueRate rate, DateTimeOffset now)
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
            position.CallsBefore,
            EstimateWaitMinutes(position, rate));
    }

    /// <summary>The wait for a ticket at this position: its calls before it at the service's rate, over the open windows that can take it. Null when none can.</summary>
    public static int? EstimateWaitMinutes(QueuePosition position, QueueRate rate) =>
        EstimateWaitMinutes(position.CallsBefore, rate with { OpenWindows = position.Windows });

    /// <summary>
    /// From the rate at which the service's tickets were taken up in the last hour; before there is one, from the default handling
    /// time spread over the open windows. Null (unknown: 暂无窗口办理) when no window is open: nobody can say when one will be.
    /// </summary>
    public static int? EstimateWaitMinutes(int peopleAhead, QueueRate rate)
    {
        if (rate.OpenWindows <= 0)
        {
            return null;
        }
        if (peopleAhead <= 0)
        {
            return 0;
        }
        if (rate.StartedLastHour >= 3)
        {
            return (int)Math.Ceiling(peopleAhead * 60.0 / rate.StartedLastHour);
        }
        return (int)Math.Ceiling(peopleAhead * (double)rate.DefaultHandlingMinutes / rate.OpenWindows);
    }

    /// <summary>Whether the ticket is in this window's queue today: sent to this window, or in one of its services and not sent to another window.</summary>
    public static bool IsForWindow(TicketFacts t, WindowFacts window, DateOnly today) =>
        t.State == TicketState.Waiting
        && t.BusinessDate == today
        && (t.TargetWindowId == window.Id || (t.TargetWindowId is null && window.ServiceIds.Contains(t.ServiceId)));

    /// <summary>
    /// Transferred tickets first; then tickets past the ageing bound, oldest first; then preferred tickets (priority tickets, and
    /// bookings whose slot has begun) and normal tickets interleaved at the policy's ratio counted per window; then the window's
    /// services in its order, first come first served within each (a booking among the preferred from its slot's start).
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
        return new CallChoice(chosen, reason, NextStreak(window.NormalsSincePriority, chosen, now), autoNoShow);
    }

    private static (TicketFacts, CallReason) Choose(WindowFacts window, List<TicketFacts> mine, CallPolicy policy, DateTimeOffset now)
    {
        var transferred = mine.Where(t => t.Transferred).OrderBy(t => t.QueuedAt).ThenBy(t => t.Id).FirstOrDefault();
        if (transferred is not null)
        {
            return (transferred, CallReason.Transferred);
        }
        var aged = mine.Where(t => IsAged(t, policy, now)).OrderBy(t => t.QueuedAt).ThenBy(t => t.Id).FirstOrDefault();
        if (aged is not null)
        {
            return (aged, CallReason.Aged);
        }
        var preferred = mine.Where(t => t.IsPreferred(now)).OrderBy(t => Rank(window, t)).ThenBy(t => t.PreferredSince).ThenBy(t => t.Id).FirstOrDefault();
        var normal = mine.Where(t => !t.IsPreferred(now)).OrderBy(t => Rank(window, t)).ThenBy(t => t.QueuedAt).ThenBy(t => t.Id).FirstOrDefault();
        if (preferred is not null && (normal is null || window.NormalsSincePriority >= policy.NormalPerPriority))
        {
            return (preferred, preferred.IsPriority ? CallReason.Priority : CallReason.Booked);
        }
        return (normal ?? preferred!, CallReason.InOrder);
    }

    private static bool IsAged(TicketFacts t, CallPolicy policy, DateTimeOffset now) => now - t.QueuedAt >= policy.AgeingBound;

    /// <summary>Where the ticket's service comes in the window's order (a ticket sent to the window from another service comes last).</summary>
    private static int Rank(WindowFacts window, TicketFacts t)
    {
        var i = IndexOf(window.ServiceIds, t.ServiceId);
        return i < 0 ? int.MaxValue : i;
    }

    /// <summary>
    /// How many calls come before <paramref name="ticket"/> (a waiting ticket, in <paramref name="waiting"/> or not yet):
    /// its place in <see cref="CallOrder"/>. Null when it is not waiting today.
    /// </summary>
    public static QueuePosition? Position(TicketFacts ticket, IReadOnlyList<WindowFacts> windows, IReadOnlyList<TicketFacts> waiting, CallPolicy policy, DateOnly today, DateTimeOffset now) =>
        PlayCallOrder(windows, waiting.Any(t => t.Id == ticket.Id) ? waiting : [.. waiting, ticket], policy, today, now, until: ticket.Id).GetValueOrDefault(ticket.Id);

    /// <summary>
    /// Where each waiting ticket stands in the real call order: how many calls the open windows that can take it make
    /// before one of them calls it. The calls are played forward with <see cref="CallNext"/>'s own rule (<see cref="Choose"/>
    /// and <see cref="NextStreak"/>), each window's interleave counter carried from one of its calls to the next as the queue
    /// service writes it back, on the facts as they are at <paramref name="now"/>. What is assumed of the future:
    /// <list type="bullet">
    /// <item>The open windows call in turn, one ticket each per round: first the free ones (nobody called or served there), then
    /// the busy ones, each group by window id. A window with nobody left for it drops out.</item>
    /// <item>A window serving several services takes from all of them in its own order, as CallNext does; a ticket sent to one
    /// window waits for that window only. Only calls by windows that can take the ticket are counted before it.</item>
    /// <item>Nothing else happens meanwhile: nobody arrives (a later priority or transferred ticket still goes ahead), no window
    /// opens, pauses or closes, nobody is called by number, skipped or transferred, and the clock stays at
    /// <paramref name="now"/> (a ticket that passes the ageing bound later is not foreseen).</item>
    /// </list>
    /// A ticket no open window can take gets <see cref="QueuePosition.Windows"/> 0: its wait is unknown. Its place in line is
    /// where a lone window of its service (or the window it was sent to) would call it, starting as a new window does, with a
    /// priority ticket if one waits.
    /// </summary>
    public static IReadOnlyDictionary<long, QueuePosition> CallOrder(IReadOnlyList<WindowFacts> windows, IReadOnlyList<TicketFacts> waiting, CallPolicy policy, DateOnly today, DateTimeOffset now) =>
        PlayCallOrder(windows, waiting, policy, today, now, until: null);

    /// <param name="until">Stop once this ticket is called: only its position is wanted.</param>
    private static Dictionary<long, QueuePosition> PlayCallOrder(IReadOnlyList<WindowFacts> windows, IReadOnlyList<TicketFacts> waiting, CallPolicy policy, DateOnly today, DateTimeOffset now, long? until)
    {
        var tickets = waiting.Where(t => t.State == TicketState.Waiting && t.BusinessDate == today).DistinctBy(t => t.Id).ToList();
        var open = windows.Where(w => w.Status == WindowStatus.Open).DistinctBy(w => w.Id).OrderBy(w => w.Current is not null).ThenBy(w => w.Id).ToList();
        var positions = new Dictionary<long, QueuePosition>(tickets.Count);
        if (PlayCalls(open, tickets, policy, today, now, positions, served: true, until))
        {
            return positions;
        }
        // Played to the end: whoever was not called, no open window can take.
        var stranded = tickets
            .Where(t => !positions.ContainsKey(t.Id))
            .GroupBy(t => (Window: t.TargetWindowId ?? 0, Service: t.TargetWindowId is null ? t.ServiceId : 0))
            .Where(g => until is null || g.Any(t => t.Id == until));
        foreach (var group in stranded)
        {
            var lone = new WindowFacts(group.Key.Window, WindowStatus.Open, null, group.Key.Window == 0 ? [group.Key.Service] : [], policy.NormalPerPriority, null);
            PlayCalls([lone], [.. group], policy, today, now, positions, served: false, until);
        }
        return positions;
    }

    /// <summary>
    /// Lets the windows call in turn until nobody is left for any of them (or <paramref name="until"/> is called: then true),
    /// and writes down each called ticket's position.
    /// </summary>
    private static bool PlayCalls(List<WindowFacts> windows, List<TicketFacts> tickets, CallPolicy policy, DateOnly today, DateTimeOffset now, Dictionary<long, QueuePosition> positions, bool served, long? until)
    {
        var callers = windows
            .Select(w => new CallingWindow(w with { Current = null }, [.. tickets.Where(t => IsForWindow(t, w, today))], policy, now))
            .Where(c => c.Waiting > 0)
            .ToList();
        // Which windows can take a ticket follows from the window it was sent to, or else its service: the calls are counted per such group.
        var groups = new Dictionary<(int? Window, int Service), int>();
        var takes = new List<int[]>();
        var callsBefore = new List<int>();
        int GroupOf(TicketFacts t)
        {
            var key = (t.TargetWindowId, t.TargetWindowId is null ? t.ServiceId : 0);
            if (!groups.TryGetValue(key, out var g))
            {
                g = groups[key] = takes.Count;
                takes.Add([.. callers.Select((c, i) => (c, i)).Where(x => IsForWindow(t, x.c.Window, today)).Select(x => x.i)]);
                callsBefore.Add(0);
            }
            return g;
        }
        foreach (var t in tickets)
        {
            GroupOf(t);
        }
        var groupsOfCaller = callers.Select((_, i) => Enumerable.Range(0, takes.Count).Where(g => takes[g].Contains(i)).ToArray()).ToList();
        var called = new HashSet<long>();
        for (var anyone = true; anyone;)
        {
            anyone = false;
            for (var i = 0; i < callers.Count; i++)
            {
                var caller = callers[i];
                var candidates = caller.Candidates(called);
                if (candidates.Count == 0)
                {
                    continue;
                }
                anyone = true;
                // CallNext's choice and the counter it writes back; among one candidate there is nothing to choose.
                var chosen = candidates.Count == 1 ? candidates[0] : Choose(caller.Window, candidates, policy, now).Item1;
                caller.Window = caller.Window with { NormalsSincePriority = NextStreak(caller.Window.NormalsSincePriority, chosen, now) };
                called.Add(chosen.Id);
                var group = GroupOf(chosen);
                positions[chosen.Id] = new QueuePosition(callsBefore[group], served ? takes[group].Length : 0);
                if (chosen.Id == until)
                {
                    return true;
                }
                foreach (var g in groupsOfCaller[i])
                {
                    callsBefore[g]++;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// A window playing its calls forward: its tickets in each order <see cref="Choose"/> looks at (transferred, aged, priority,
    /// normal), each with how far it has been called. Choose picks the first of one of these orders, so the first uncalled
    /// ticket of each is all it needs to be shown to choose as it would among all of them — and a call costs no sorting.
    /// </summary>
    private sealed class CallingWindow
    {
        private readonly TicketFacts[][] _orders;
        private readonly int[] _next;

        public CallingWindow(WindowFacts window, List<TicketFacts> mine, CallPolicy policy, DateTimeOffset now)
        {
            Window = window;
            Waiting = mine.Count;
            _orders =
            [
                [.. mine.Where(t => t.Transferred).OrderBy(t => t.QueuedAt).ThenBy(t => t.Id)],
                [.. mine.Where(t => IsAged(t, policy, now)).OrderBy(t => t.QueuedAt).ThenBy(t => t.Id)],
                [.. mine.Where(t => t.IsPreferred(now)).OrderBy(t => Rank(window, t)).ThenBy(t => t.PreferredSince).ThenBy(t => t.Id)],
                [.. mine.Where(t => !t.IsPreferred(now)).OrderBy(t => Rank(window, t)).ThenBy(t => t.QueuedAt).ThenBy(t => t.Id)],
            ];
            _next = new int[_orders.Length];
        }

        public WindowFacts Window { get; set; }

        public int Waiting { get; }

        /// <summary>The first ticket of each order that nobody has called yet.</summary>
        public List<TicketFacts> Candidates(HashSet<long> called)
        {
            var candidates = new List<TicketFacts>(_orders.Length);
            for (var o = 0; o < _orders.Length; o++)
            {
                var order = _orders[o];
                while (_next[o] < order.Length && called.Contains(order[_next[o]].Id))
                {
                    _next[o]++;
                }
                if (_next[o] < order.Length && !candidates.Contains(order[_next[o]]))
                {
                    candidates.Add(order[_next[o]]);
                }
            }
            return candidates;
        }
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

    /// <summary>Normal tickets called since the window's last preferred ticket (priority, or a booking whose slot has begun).</summary>
    public static int NextStreak(int streak, TicketFacts called, DateTimeOffset now) => called.IsPreferred(now) ? 0 : Math.Min(streak + 1, 1000);

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
    public static Decision<CallChoice> CallTicket(WindowFacts window, TicketFacts ticket, CallPolicy policy, DateOnly today, DateTimeOffset now)
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
        return new CallChoice(ticket, CallReason.Specific, NextStreak(window.NormalsSincePriority, ticket, now), window.Current);
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

    public static Refusal? Finish(WindowFacts window, TicketFacts ticket, string outcome, AcceptanceMode acceptance, IReadOnlyList<string> outcomes)
    {
        if (!Enum.IsDefined(acceptance))
        {
            return Refusal.InvalidCommand;
        }
        if (ticket.State != TicketState.Serving || ticket.WindowId != window.Id)
        {
            return Refusal.TicketNotServing;
        }
        if (!outcomes.Contains(outcome))
        {
            return Refusal.UnknownOutcome;
        }
        return acceptance != AcceptanceMode.Normal && !AcceptsCase(outcome) ? Refusal.AcceptanceWithoutCase : null;
    }

    /// <summary>The outcome 咨询: a question answered, no case.</summary>
    public const string Consultation = "咨询";

    /// <summary>The outcome 办结: the case finished on the spot.</summary>
    public const string Completed = "办结";

    /// <summary>Outcomes that accept no case: a consultation, a case returned for correction, a case refused.</summary>
    public static readonly IReadOnlyList<string> NoCaseOutcomes = [Consultation, "退回补正", "不予受理"];

    /// <summary>Whether the outcome is a case accepted (办结, 已受理 or any the hall added), so that 容缺受理 or 告知承诺 can go with it.</summary>
    public static bool AcceptsCase(string outcome) => !NoCaseOutcomes.Contains(outcome);

    /// <summary>The Chinese name of an acceptance mode: 正常受理, 容缺受理, 告知承诺.</summary>
    public static string Name(AcceptanceMode mode) => mode switch
    {
        AcceptanceMode.MaterialsToFollow => "容缺受理",
        AcceptanceMode.OnPromise => "告知承诺",
        _ => "正常受理",
    };

    /// <summary>A returning no-show goes back into the queue <c>placesBack</c> places behind the head of its service; its new place is expressed as a queue time.</summary>
    /// <summary>Whether a case accepted so needs <see cref="FinishDetails"/> (a deadline; for 容缺受理 the missing materials too).</summary>
    public static bool NeedsDetails(AcceptanceMode acceptance) => acceptance is AcceptanceMode.MaterialsToFollow or AcceptanceMode.OnPromise;

    /// <summary>
    /// The details a 容缺受理 or 告知承诺 finish needs: the missing materials (容缺受理), a deadline not before today, texts clean and
    /// short. Other outcomes take none (details sent with them are ignored).
    /// </summary>
    public static Refusal? FinishDetails(AcceptanceMode acceptance, FinishDetails? details, DateOnly today)
    {
        if (!NeedsDetails(acceptance))
        {
            return null;
        }
        if (acceptance == AcceptanceMode.MaterialsToFollow && CheckText(details?.MissingMaterials, required: true) is { } materials)
        {
            return materials == Refusal.ReasonRequired ? Refusal.MissingMaterialsRequired : materials;
        }
        if (details?.Deadline is not { } deadline)
        {
            return acceptance == AcceptanceMode.MaterialsToFollow ? Refusal.CorrectionDeadlineRequired : Refusal.PromiseDeadlineRequired;
        }
        if (deadline < today)
        {
            return Refusal.DeadlineInThePast;
        }
        return CheckText(details.Note, required: false);
    }

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

    /// <summary>A rating is taken only within the hall's limit after the service finished: a later one cannot be the citizen's fresh judgement (and could inflate figures).</summary>
    public static Refusal? RatingInTime(DateTimeOffset? finishedAt, DateTimeOffset now, TimeSpan limit) =>
        finishedAt is { } finished && now - finished > limit ? Refusal.RatingTooLate : null;

    /// <summary>
    /// 邀评: the clerk may only invite the citizen to rate — the ticket finished at the clerk's window, not rated yet, within the
    /// hall's time limit. The evaluator then shows the rating screen; the level is still the citizen's to choose, or not.
    /// </summary>
    public static Refusal? InviteRating(TicketFacts ticket, int windowId, bool alreadyRated, DateTimeOffset? finishedAt, DateTimeOffset now, TimeSpan limit) =>
        ticket.State != TicketState.Finished || ticket.WindowId != windowId ? Refusal.NothingToRate
        : alreadyRated ? Refusal.AlreadyRated
        : RatingInTime(finishedAt, now, limit);

    /// <summary>At most one rating per ticket (the first stands, whichever channel it came by), only after finish, one of the five levels, reasons only from the national list and only for a bad one.</summary>
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
        if (reasons is { Count: > 0 } && level > RatingLevel.Dissatisfied)
        {
            return Refusal.ReasonsOnlyForBadRating;
        }
        if (reasons?.Any(r => !RatingReasons.IsNational(r)) == true)
        {
            return Refusal.UnknownRatingReason;
        }
        if (ticket.State != TicketState.Finished)
        {
            return Refusal.TicketNotFinished;
        }
        return alreadyRated ? Refusal.AlreadyRated : null;
    }

    /// <summary>The longest 办件编号 kept (the column's length).</summary>
    public const int MaxCaseNumberLength = 64;

    /// <summary>A 办件编号 as typed or scanned, trimmed; null when none was given.</summary>
    public static string? CaseNumberOf(string? typed) => string.IsNullOrWhiteSpace(typed) ? null : typed.Trim();

    /// <summary>
    /// A 办件编号: 1–64 ASCII letters, digits, '-', '_' or '/' (what the 一窗受理 system prints on its barcodes and what a scanner
    /// acting as a keyboard types), after trimming. <paramref name="required"/>: the service requires one at finish; an outcome that
    /// accepts no case (咨询, 退回补正, 不予受理) has none to give, so it is not required then.
    /// </summary>
    public static Refusal? CaseNumber(string? caseNumber, bool required, string? outcome = null)
    {
        if (CaseNumberOf(caseNumber) is not { } number)
        {
            return required && (outcome is null || AcceptsCase(outcome)) ? Refusal.CaseNumberRequired : null;
        }
        return number.Length <= MaxCaseNumberLength && number.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '/') ? null : Refusal.InvalidCaseNumber;
    }

    /// <summary>
    /// The case-handling system attaches a 办件编号 to a finished ticket: the same number again is no change (null, and nothing to
    /// write), a different one is refused.
    /// </summary>
    public static Refusal? AttachCaseNumber(TicketFacts ticket, string? current, string? caseNumber)
    {
        if (CaseNumber(caseNumber, required: true) is { } bad)
        {
            return bad == Refusal.CaseNumberRequired ? Refusal.InvalidCaseNumber : bad;
        }
        if (ticket.State != TicketState.Finished)
        {
            return Refusal.CaseNumberBeforeFinish;
        }
        return current is null || current == CaseNumberOf(caseNumber) ? null : Refusal.CaseNumberDiffers;
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
