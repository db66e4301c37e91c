using System.Text.Json;
using Hall.Server.Admin;
using Hall.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Staff;

/// <summary>
/// 等保 2.0 session timeout: a staff session not used for <c>Hall:Login:IdleMinutes</c> (default 30) is over — ended
/// once, audited as <c>session.expired</c>. Use is written at most once a minute per session (no write per request).
/// </summary>
public sealed class IdleSessions(TimeProvider clock, IConfiguration config)
{
    public const string ExpiredAction = "session.expired";
    public static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    public TimeSpan IdleTimeout => TimeSpan.FromMinutes(Math.Max(1, config.GetValue("Hall:Login:IdleMinutes", 30)));

    /// <summary>Whether the session, last seen at <paramref name="lastSeen"/>, is still in use now; notes the use (or ends it).</summary>
    public async Task<bool> UseAsync(HallDb db, long sessionId, DateTimeOffset lastSeen, StaffMember member, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - lastSeen > IdleTimeout)
        {
            // Whichever request or server instance finds it first ends it and writes the one audit entry.
            var ended = await db.StaffSessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now), ct);
            if (ended == 1)
            {
                db.AuditEntries.Add(new AuditEntry
                {
                    HallId = member.HallId,
                    StaffId = member.Id,
                    StaffName = member.Name,
                    At = now,
                    Action = ExpiredAction,
                    Subject = $"staff:{member.Id}",
                    After = JsonSerializer.Serialize(new { session = sessionId, lastSeenAt = lastSeen, idleMinutes = (int)IdleTimeout.TotalMinutes }),
                });
                await db.SaveChangesAsync(ct);
            }
            return false;
        }
        if (now - lastSeen >= TouchEvery)
        {
            await db.StaffSessions.Where(s => s.Id == sessionId && s.LastSeenAt < now).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), ct);
        }
        return true;
    }
}
