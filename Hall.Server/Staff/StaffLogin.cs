using System.Collections.Concurrent;
using System.Globalization;
using Hall.Server.Admin;
using Hall.Server.Data;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Staff;

public sealed record LoginRequest(string Login, string Password);

public sealed record PasswordChange(string Current, string New);

public sealed record LoginResult(string Token, int StaffId, int HallId, string Name, string Role, DateTimeOffset ExpiresAt);

/// <summary>A person's own password change: done (no refusal), or why not; <paramref name="SessionEnded"/> when the attempt locked the account and ended the session that made it.</summary>
public sealed record PasswordChangeOutcome(Refusal? Refusal, bool SessionEnded = false);

/// <summary>A login: the session, or why not (<c>login_failed</c>, <c>account_locked</c>, <c>too_many_attempts</c>).</summary>
public sealed record LoginOutcome(LoginResult? Result, Refusal? Refusal, TimeSpan? RetryAfter = null);

/// <summary>
/// Staff logins: passwords hashed with ASP.NET Core Identity's hasher; a login is a revocable session row.
/// 等保 2.0: an account is locked after repeated failures (counted from the audit log, so every server instance
/// agrees), and one client address is throttled after repeated failures whatever login it tries. A wrong current
/// password in a password change is such a failure too (<see cref="WrongPasswordAction"/>): someone at a console left
/// signed in cannot guess the password there without limit.
/// </summary>
public sealed class StaffLogin(IDbContextFactory<HallDb> dbFactory, TimeProvider clock, IConfiguration config, ConnectionGuard connections)
{
    public static readonly TimeSpan SessionLength = TimeSpan.FromHours(12);
    public const string FailedAction = "login.failed";
    public const string LockedAction = "login.locked";
    public const string WrongPasswordAction = "staff.password.wrong";
    public const string ChangedAction = "staff.password.change";

    /// <summary>The audit actions the lock counts: failed logins and wrong current passwords, mixed.</summary>
    private static readonly string[] FailureActions = [FailedAction, WrongPasswordAction];
    public static readonly Refusal LoginFailed = new("login_failed", "用户名或密码错误", "Wrong login or password.");
    public static readonly Refusal TooManyAttempts = new("too_many_attempts", "登录失败次数过多，请稍后再试", "Too many failed sign-ins from this address; try again shortly.");
    private static readonly PasswordHasher<StaffMember> Hasher = new();
    private readonly ConcurrentDictionary<string, List<DateTimeOffset>> _failuresByAddress = new(StringComparer.Ordinal);

    /// <summary>Failed logins within <see cref="FailureWindow"/> that lock an account (<c>Hall:Login:MaxFailures</c>, default 5).</summary>
    public int MaxFailures => config.GetValue("Hall:Login:MaxFailures", 5);

    public TimeSpan FailureWindow => TimeSpan.FromMinutes(config.GetValue("Hall:Login:FailureWindowMinutes", 15));

    /// <summary>How long a locked account stays locked (<c>Hall:Login:LockMinutes</c>, default 15).</summary>
    public TimeSpan LockDuration => TimeSpan.FromMinutes(config.GetValue("Hall:Login:LockMinutes", 15));

    /// <summary>Failed logins per minute from one client address before it gets 429 (<c>Hall:Login:FailuresPerAddressPerMinute</c>, default 10).</summary>
    public int FailuresPerAddressPerMinute => config.GetValue("Hall:Login:FailuresPerAddressPerMinute", 10);

    public static string HashPassword(string password) => Hasher.HashPassword(null!, password);

    /// <summary>A hash of a random password, checked against for logins of no (active) account.</summary>
    private static readonly string DummyHash = HashPassword(Secrets.New());

    private long _verifications;

    /// <summary>How many password hashes this server has checked (one per login that reached the database, whether the account exists or not).</summary>
    internal long Verifications => Interlocked.Read(ref _verifications);

    private bool Verify(StaffMember? member, string hash, string password)
    {
        Interlocked.Increment(ref _verifications);
        return Hasher.VerifyHashedPassword(member!, hash, password) != PasswordVerificationResult.Failed;
    }

    public static Refusal AccountLocked(TimeSpan remaining)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(remaining.TotalMinutes)).ToString(CultureInfo.InvariantCulture);
        return new("account_locked", $"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试", $"Too many failed sign-ins: the account is locked; try again in {minutes} minutes.");
    }

    public async Task<LoginOutcome> LoginAsync(LoginRequest request, string? address, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        address ??= "unknown";
        if (AddressBlocked(address, now) is { } wait)
        {
            return new(null, TooManyAttempts, wait);
        }
        if (string.IsNullOrEmpty(request.Login) || string.IsNullOrEmpty(request.Password) || request.Login.Length > 64 || request.Password.Length > 200)
        {
            NoteFailure(address, now);
            return new(null, LoginFailed);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = await db.Staff.FirstOrDefaultAsync(s => s.Login == request.Login && s.Active, ct);
        if (member is null)
        {
            // As long as a wrong password for a real account: the answer's time does not tell which logins exist.
            Verify(null, DummyHash, request.Password);
            NoteFailure(address, now);
            return new(null, LoginFailed);
        }
        if (await LockedUntilAsync(db, member, now, ct) is { } until)
        {
            db.AuditEntries.Add(Audit(member, LockedAction, now, address));
            await db.SaveChangesAsync(ct);
            return new(null, AccountLocked(until - now), until - now);
        }
        if (!Verify(member, member.PasswordHash, request.Password))
        {
            NoteFailure(address, now);
            db.AuditEntries.Add(Audit(member, FailedAction, now, address));
            await db.SaveChangesAsync(ct);
            // The failure that reaches the limit is answered as the lock it starts.
            return await LockedUntilAsync(db, member, now, ct) is { } locked
                ? new(null, AccountLocked(locked - now), locked - now)
                : new(null, LoginFailed);
        }
        var secret = Secrets.New();
        var session = new StaffSession { StaffId = member.Id, SecretHash = Secrets.Hash(secret), CreatedAt = now, LastSeenAt = now, ExpiresAt = now + SessionLength };
        db.StaffSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return new(new LoginResult(Secrets.Token(HallAuth.StaffPrefix, session.Id, secret), member.Id, member.HallId, member.Name, member.Role.ToString(), session.ExpiresAt), null);
    }

    /// <summary>
    /// When the account's lock ends, if it is locked now: <see cref="MaxFailures"/> failures (wrong logins and wrong
    /// current passwords) within <see cref="FailureWindow"/>, counted since the last successful login or password
    /// change and since the previous lock ended.
    /// </summary>
    private async Task<DateTimeOffset?> LockedUntilAsync(HallDb db, StaffMember member, DateTimeOffset now, CancellationToken ct)
    {
        var since = now - FailureWindow - LockDuration;
        var subject = Subject(member);
        var lastLogin = await db.StaffSessions.Where(s => s.StaffId == member.Id).MaxAsync(s => (DateTimeOffset?)s.CreatedAt, ct);
        var lastChange = await db.AuditEntries.Where(a => a.HallId == member.HallId && a.Subject == subject && a.Action == ChangedAction && a.At > since)
            .MaxAsync(a => (DateTimeOffset?)a.At, ct);
        foreach (var proof in new[] { lastLogin, lastChange })
        {
            if (proof > since)
            {
                since = proof.Value;
            }
        }
        var failures = await db.AuditEntries.AsNoTracking()
            .Where(a => a.HallId == member.HallId && a.Subject == subject && FailureActions.Contains(a.Action) && a.At > since)
            .OrderBy(a => a.At).Select(a => a.At).ToListAsync(ct);
        var max = Math.Max(1, MaxFailures);
        DateTimeOffset? lockedUntil = null;
        var start = 0;
        for (var i = max - 1; i < failures.Count; i++)
        {
            if (i - start + 1 >= max && failures[i] - failures[i - max + 1] <= FailureWindow)
            {
                lockedUntil = failures[i] + LockDuration;
                // Failures during a lock are not counted (they are refused before the password is checked).
                start = i + 1;
                while (start < failures.Count && failures[start] < lockedUntil)
                {
                    start++;
                }
                i = start + max - 2;
            }
        }
        return lockedUntil > now ? lockedUntil : null;
    }

    private static string Subject(StaffMember member) => $"staff:{member.Id}";

    private static AuditEntry Audit(StaffMember member, string action, DateTimeOffset now, string address, long? session = null) => new()
    {
        HallId = member.HallId,
        StaffId = member.Id,
        StaffName = member.Name,
        At = now,
        Action = action,
        Subject = Subject(member),
        After = session is null
            ? System.Text.Json.JsonSerializer.Serialize(new { login = member.Login, address })
            : System.Text.Json.JsonSerializer.Serialize(new { login = member.Login, address, session }),
    };

    private TimeSpan? AddressBlocked(string address, DateTimeOffset now)
    {
        if (!_failuresByAddress.TryGetValue(address, out var failures))
        {
            return null;
        }
        lock (failures)
        {
            failures.RemoveAll(at => at <= now - TimeSpan.FromMinutes(1));
            return failures.Count >= FailuresPerAddressPerMinute ? failures[0] + TimeSpan.FromMinutes(1) - now : null;
        }
    }

    private void NoteFailure(string address, DateTimeOffset now)
    {
        var failures = _failuresByAddress.GetOrAdd(address, _ => []);
        lock (failures)
        {
            failures.Add(now);
        }
    }

    public static readonly Refusal WrongPassword = new("wrong_password", "当前密码不正确", "The current password is wrong.");

    public static readonly Refusal SessionOver = new("session_ended", "登录已失效，请重新登录", "Your sign-in has ended; sign in again.");

    /// <summary>
    /// A person changes their own password: the current one is checked, the new one must meet <see cref="PasswordRules"/>;
    /// their other sessions end (this one goes on) and the change is audited (without either password).
    /// A wrong current password is audited (<see cref="WrongPasswordAction"/>) and counts towards the lock like a failed
    /// login; the one that starts the lock also ends the session that made it (等保 2.0: 登录失败处理——结束会话), and
    /// while the account is locked every change is refused with <c>account_locked</c>.
    /// </summary>
    public async Task<PasswordChangeOutcome> ChangePasswordAsync(int staffId, long? keepSession, PasswordChange change, string? address, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        address ??= "-";
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = await db.Staff.FirstOrDefaultAsync(s => s.Id == staffId && s.Active, ct);
        if (member is null)
        {
            return new(WrongPassword);
        }
        // A page open in a browser keeps its circuit after its session ended (elsewhere, or idle): that is no sign-in.
        if (keepSession is { } current && !await db.StaffSessions.AnyAsync(s => s.Id == current && s.StaffId == staffId && s.RevokedAt == null && s.ExpiresAt > now, ct))
        {
            return new(SessionOver, true);
        }
        if (await LockedUntilAsync(db, member, now, ct) is { } until)
        {
            db.AuditEntries.Add(Audit(member, LockedAction, now, address, keepSession));
            await db.SaveChangesAsync(ct);
            return new(AccountLocked(until - now));
        }
        if (string.IsNullOrEmpty(change.Current) || change.Current.Length > 200
            || !Verify(member, member.PasswordHash, change.Current))
        {
            db.AuditEntries.Add(Audit(member, WrongPasswordAction, now, address, keepSession));
            await db.SaveChangesAsync(ct);
            if (await LockedUntilAsync(db, member, now, ct) is not { } locked)
            {
                return new(WrongPassword);
            }
            var ended = keepSession is { } session
                && await db.StaffSessions.Where(s => s.Id == session && s.StaffId == staffId && s.RevokedAt == null)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now), ct) == 1;
            return new(AccountLocked(locked - now), ended);
        }
        if (change.New is not { Length: <= 200 } password || !PasswordRules.IsStrong(password, member.Login))
        {
            return new(PasswordRules.Weak);
        }
        member.PasswordHash = HashPassword(password);
        db.AuditEntries.Add(Audit(member, ChangedAction, now, address, keepSession));
        await db.SaveChangesAsync(ct);
        await db.StaffSessions.Where(s => s.StaffId == staffId && s.RevokedAt == null && s.Id != keepSession)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now), ct);
        await connections.EndedAsync();
        return new(null);
    }

    public async Task LogoutAsync(string? token, CancellationToken ct)
    {
        if (token is null || !Secrets.TryParse(token, HallAuth.StaffPrefix, out var id, out var secret))
        {
            return;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var session = await db.StaffSessions.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (session is not null && Secrets.Matches(secret, session.SecretHash))
        {
            session.RevokedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(ct);
            await connections.EndedAsync();
        }
    }
}
