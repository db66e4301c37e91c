using Hall.Server.Data;
using Hall.Server.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Staff;

public sealed record LoginRequest(string Login, string Password);

public sealed record LoginResult(string Token, int StaffId, int HallId, string Name, string Role, DateTimeOffset ExpiresAt);

/// <summary>Staff logins: passwords hashed with ASP.NET Core Identity's hasher; a login is a revocable session row.</summary>
public sealed class StaffLogin(IDbContextFactory<HallDb> dbFactory, TimeProvider clock)
{
    public static readonly TimeSpan SessionLength = TimeSpan.FromHours(12);
    private static readonly PasswordHasher<StaffMember> Hasher = new();

    public static string HashPassword(string password) => Hasher.HashPassword(null!, password);

    public async Task<LoginResult?> LoginAsync(LoginRequest request, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.Login) || string.IsNullOrEmpty(request.Password) || request.Login.Length > 64 || request.Password.Length > 200)
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = await db.Staff.FirstOrDefaultAsync(s => s.Login == request.Login && s.Active, ct);
        if (member is null || Hasher.VerifyHashedPassword(member, member.PasswordHash, request.Password) == PasswordVerificationResult.Failed)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var secret = Secrets.New();
        var session = new StaffSession { StaffId = member.Id, SecretHash = Secrets.Hash(secret), CreatedAt = now, ExpiresAt = now + SessionLength };
        db.StaffSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return new LoginResult(Secrets.Token(HallAuth.StaffPrefix, session.Id, secret), member.Id, member.HallId, member.Name, member.Role.ToString(), session.ExpiresAt);
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
        }
    }
}
