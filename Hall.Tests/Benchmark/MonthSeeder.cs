using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Media;
using Hall.Server.Queue;
using Hall.Server.Ratings;
using Hall.Server.Tickets;
using Hall.Server.Windows;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Benchmark;

/// <summary>
/// A busy month for the report benchmark, written in bulk through the same entity methods and event-log entries the queue
/// commands write (Ticket.Issue / Call / Start / Finish …, TicketEvent.Of, WindowEvent.Of) — not through 600,000 hub calls.
/// Every window is staffed each working day with a morning break; tickets arrive over the opening hours.
/// </summary>
public static class MonthSeeder
{
    public sealed record Seeded(int Tickets, int Events, int WindowEvents, int Ratings, int Plays, TimeSpan Took);

    public static async Task<Seeded> SeedAsync(string connectionString, int hallId, int year, int month, int tickets, int seed = 20261129)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var random = new Random(seed);
        HallSite hall;
        List<Window> windows;
        Dictionary<int, List<int>> itemsByService;
        Dictionary<int, char> prefixes;
        List<(int Id, string Name)> clerks;
        List<MediaItem> legal = [];
        int kioskId;
        int displayId;
        await using (var db = PostgresContext(connectionString))
        {
            hall = await db.Halls.AsNoTracking().Include(h => h.Calendar).SingleAsync(h => h.Id == hallId);
            windows = await db.Windows.AsNoTracking().Include(w => w.Services).Where(w => w.HallId == hallId && w.Active).OrderBy(w => w.Number).ToListAsync();
            itemsByService = (await db.ServiceItems.AsNoTracking().Where(i => i.HallId == hallId).ToListAsync())
                .GroupBy(i => i.ServiceId).ToDictionary(g => g.Key, g => g.Select(i => i.Id).ToList());
            prefixes = await db.Services.Where(s => s.HallId == hallId).ToDictionaryAsync(s => s.Id, s => s.Prefix);
            clerks = [.. (await db.Staff.AsNoTracking().Where(s => s.HallId == hallId && s.Role == StaffRole.Clerk).OrderBy(s => s.Id).ToListAsync()).Select(s => (s.Id, s.Name))];
            kioskId = await db.Devices.Where(d => d.HallId == hallId && d.Role == DeviceRole.Kiosk).Select(d => d.Id).FirstAsync();
            displayId = await db.Devices.Where(d => d.HallId == hallId && d.Role == DeviceRole.Display).Select(d => d.Id).FirstAsync();
            for (var i = 1; i <= 6; i++)
            {
                var item = new MediaItem
                {
                    HallId = hallId,
                    Title = $"普法短片第{i}集",
                    Kind = MediaKind.Video,
                    ContentType = "video/mp4",
                    Size = 1,
                    Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(seed + i))),
                    Legal = true,
                    UploadedAt = DateTimeOffset.UnixEpoch,
                };
                db.MediaItems.Add(item);
                legal.Add(item);
            }
            await db.SaveChangesAsync();
        }
        var kiosk = new Actor(ActorKind.Device, kioskId, hallId, "kiosk", null, DeviceRole.Kiosk, null);
        var zone = hall.Zone;
        var days = Enumerable.Range(0, DateTime.DaysInMonth(year, month)).Select(d => new DateOnly(year, month, d + 1))
            .Select(d => (Day: d, Ranges: HallClock.RangesOn(d, hall.Hours, null, [.. hall.Calendar.Select(c => c.ToCalendarDay())])))
            .Where(d => d.Ranges.Count > 0).ToList();
        var outcomes = hall.Outcomes;
        var counts = (Tickets: 0, Events: 0, WindowEvents: 0, Ratings: 0, Plays: 0);
        foreach (var (index, (day, ranges)) in days.Index())
        {
            var perDay = (tickets / days.Count) + (index < tickets % days.Count ? 1 : 0);
            DateTimeOffset At(TimeOnly t) => new DateTimeOffset(day.ToDateTime(t), zone.GetUtcOffset(day.ToDateTime(t))).ToUniversalTime();
            var open = At(ranges[0].From);
            var close = At(ranges[^1].To);
            await using var db = PostgresContext(connectionString);

            // Every window staffed from opening to closing, with a ten-minute break in the morning.
            var sessions = windows.Select((w, i) => (Window: w, Session: WindowSession.Open(hallId, w.Id, clerks[i % clerks.Count].Id, open.AddMinutes(-5)))).ToList();
            foreach (var (_, s) in sessions)
            {
                s.Close(close.AddMinutes(5));
            }
            db.WindowSessions.AddRange(sessions.Select(s => s.Session));
            await db.SaveChangesAsync();
            foreach (var (w, s) in sessions)
            {
                var pause = open.AddMinutes(60 + random.Next(60));
                db.WindowEvents.AddRange(
                    WindowEvent.Of(w, s, WindowEventKind.Opened, null, s.OpenedAt, null),
                    WindowEvent.Of(w, s, WindowEventKind.Paused, "休息", pause, null),
                    WindowEvent.Of(w, s, WindowEventKind.Resumed, null, pause.AddMinutes(10), null),
                    WindowEvent.Of(w, s, WindowEventKind.Closed, null, s.ClosedAt!.Value, null));
                counts.WindowEvents += 4;
            }

            // The day's tickets, each through its whole life, spread over the opening hours.
            var sequence = new Dictionary<int, int>();
            var span = ranges.Sum(r => (r.To - r.From).TotalMinutes);
            var made = new List<(Ticket Ticket, Window Window, int Staff, DateTimeOffset Issued)>();
            for (var n = 0; n < perDay; n++)
            {
                var minute = random.NextDouble() * span;
                var range = ranges[0];
                foreach (var r in ranges)
                {
                    range = r;
                    if (minute < (r.To - r.From).TotalMinutes)
                    {
                        break;
                    }
                    minute -= (r.To - r.From).TotalMinutes;
                }
                var issued = At(range.From).AddMinutes(minute);
                var wi = random.Next(windows.Count);
                var window = windows[wi];
                var serviceId = window.Services[random.Next(window.Services.Count)].ServiceId;
                var seq = sequence[serviceId] = sequence.GetValueOrDefault(serviceId) + 1;
                var items = itemsByService.GetValueOrDefault(serviceId) ?? [];
                var ticket = Ticket.Issue(hallId, serviceId, new NewTicket(seq, TicketRules.FormatNumber(prefixes[serviceId], seq % 1000), day, 0, 0), PriorityClass.Normal,
                    items.Count > 0 ? items[random.Next(items.Count)] : null, kioskId, issued);
                made.Add((ticket, window, clerks[wi % clerks.Count].Id, issued));
            }
            db.Tickets.AddRange(made.Select(m => m.Ticket));
            await db.SaveChangesAsync();

            foreach (var (ticket, window, staffId, issued) in made)
            {
                var clerk = new Actor(ActorKind.Staff, staffId, hallId, "", StaffRole.Clerk, null, null);
                void Log(TicketEventKind kind, TicketState? from, DateTimeOffset at, string? detail = null)
                {
                    db.TicketEvents.Add(TicketEvent.Of(ticket, kind, from, window.Id, kind == TicketEventKind.Issued ? kiosk : clerk, detail, at, null));
                    counts.Events++;
                }
                Log(TicketEventKind.Issued, null, issued);
                var called = issued.AddMinutes(random.NextDouble() * random.NextDouble() * 75);
                ticket.Call(window.Id, staffId, called);
                Log(TicketEventKind.Called, TicketState.Waiting, called);
                if (random.NextDouble() < 0.05)
                {
                    ticket.MarkNoShow();
                    Log(TicketEventKind.NoShow, TicketState.Called, called.AddMinutes(3));
                    continue;
                }
                var started = called.AddMinutes(0.5 + random.NextDouble() * 2);
                ticket.Start(started);
                Log(TicketEventKind.Started, TicketState.Called, started);
                var finished = started.AddMinutes(3 + random.NextDouble() * 20);
                var outcome = outcomes[random.Next(outcomes.Count)];
                // About one case in ten accepted with materials to follow or on a promise, as the county's report has it.
                var acceptance = TicketRules.AcceptsCase(outcome) ? random.Next(20) switch { 0 => AcceptanceMode.MaterialsToFollow, 1 => AcceptanceMode.OnPromise, _ => AcceptanceMode.Normal } : AcceptanceMode.Normal;
                ticket.Finish(outcome, [], finished, TicketRules.NeedsDetails(acceptance) ? new FinishDetails("户口簿复印件", DateOnly.FromDateTime(finished.UtcDateTime).AddDays(7), null) : null, acceptance);
                Log(TicketEventKind.Finished, TicketState.Serving, finished);
                if (random.NextDouble() < 0.4)
                {
                    var level = (RatingLevel)(random.NextDouble() switch { < 0.55 => 5, < 0.85 => 4, < 0.95 => 3, < 0.98 => 2, _ => 1 });
                    db.Ratings.Add(new Rating { HallId = hallId, TicketId = ticket.Id, WindowId = window.Id, StaffId = staffId, Level = level, At = finished.AddMinutes(1) });
                    Log(TicketEventKind.Rated, TicketState.Finished, finished.AddMinutes(1), level.ToString());
                    counts.Ratings++;
                    if (level <= RatingLevel.Dissatisfied)
                    {
                        db.FollowUpCases.Add(new FollowUpCase
                        {
                            HallId = hallId,
                            TicketId = ticket.Id,
                            TicketNumber = ticket.Number,
                            WindowId = window.Id,
                            StaffId = staffId,
                            Level = level,
                            OpenedAt = finished.AddMinutes(1),
                            DueDate = HallClock.AddWorkingDays(day, hall.FollowUpWorkingDays, hall.Hours, []),
                            ClosedAt = random.NextDouble() < 0.8 ? finished.AddDays(random.Next(1, 7)) : null,
                        });
                    }
                }
            }
            counts.Tickets += made.Count;

            // The lobby screen plays the 普法 videos back to back through the day.
            foreach (var screen in new[] { displayId })
            {
                for (var at = open; at < close; at = at.AddMinutes(5))
                {
                    db.MediaPlays.Add(new MediaPlay { PlayId = Guid.NewGuid(), HallId = hallId, DeviceId = screen, MediaId = legal[random.Next(legal.Count)].Id, StartedAt = at, EndedAt = at.AddMinutes(5), Completed = true, ReceivedAt = at.AddMinutes(5) });
                    counts.Plays++;
                }
            }
            await db.SaveChangesAsync();
        }
        return new Seeded(counts.Tickets, counts.Events, counts.WindowEvents, counts.Ratings, counts.Plays, clock.Elapsed);
    }

    private static HallDb PostgresContext(string connectionString) => Support.PostgresCluster.Context(connectionString);
}
