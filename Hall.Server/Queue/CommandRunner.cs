using System.Text.Json;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Hub;
using Hall.Server.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hall.Server.Queue;

/// <summary>
/// What every queue command goes through, whoever sends it (the hub or a staff page): the role table, the command id
/// (claimed first in the transaction; a retry with the same id gets the first reply), retries on contention, the state
/// messages read under the command's own locks, the commit, and only then the notification.
/// </summary>
public sealed class CommandRunner(IDbContextFactory<HallDb> dbFactory, TimeProvider clock, HallSettings halls, HallNotifier notifier, PrivacyKeys privacy, ILogger<CommandRunner> log)
{
    private const int MaxAttempts = 6;

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    internal HallNotifier Notifier => notifier;

    /// <summary>Runs one command as one transaction in two round trips (see <see cref="CommandContext"/>), then notifies.</summary>
    internal Task<Reply<T>> RunAsync<T>(Actor actor, Guid commandId, object payload, string kind, CancellationToken ct, Func<CommandContext, Task<Decision<T>>> body) =>
        RetryAsync(actor, commandId, payload, kind, ct, payloadHash => RunOnceAsync(actor, commandId, payloadHash, kind, body, ct));

    /// <summary>The role table's answer for this command: a refusal when the actor may not run it.</summary>
    internal static Reply<T>? Forbidden<T>(string kind, Actor actor) =>
        CommandRoles.Allows(kind, actor) ? null : Reply<T>.Refused(Refusal.Forbidden.ToError());

    /// <summary>Runs one attempt after another while the database reports contention; an unreachable database is a plain refusal.</summary>
    internal async Task<Reply<T>> RetryAsync<T>(Actor actor, Guid commandId, object payload, string kind, CancellationToken ct, Func<byte[], Task<Reply<T>>> once)
    {
        if (Forbidden<T>(kind, actor) is { } forbidden)
        {
            return forbidden;
        }
        if (commandId == Guid.Empty)
        {
            return Reply<T>.Refused(Refusal.InvalidCommand.ToError());
        }
        // Keyed with a key outside the database: a plain hash of arguments holding a mobile gives the number back in 10⁴ tries.
        var payloadHash = System.Security.Cryptography.HMACSHA256.HashData(privacy.Current.CommandHashKey, JsonSerializer.SerializeToUtf8Bytes(payload, payload.GetType(), JsonOptions));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await once(payloadHash);
            }
            catch (Exception ex) when (IsRetryable(ex) && attempt < MaxAttempts)
            {
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), ct);
            }
            catch (Exception ex) when (IsRetryable(ex))
            {
                log.LogWarning(ex, "Command {Kind} {CommandId} gave up after {Attempts} attempts", kind, commandId, attempt);
                return Reply<T>.Refused(Refusal.Busy.ToError());
            }
            catch (Exception ex) when (IsUnavailable(ex) && !ct.IsCancellationRequested)
            {
                log.LogWarning(ex, "Command {Kind} {CommandId}: database unavailable", kind, commandId);
                return Reply<T>.Refused(Refusal.Unavailable.ToError());
            }
        }
    }

    private async Task<Reply<T>> RunOnceAsync<T>(Actor actor, Guid commandId, byte[] payloadHash, string kind, Func<CommandContext, Task<Decision<T>>> body, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var hall = await halls.GetAsync(db, actor.HallId, now, ct);
        await db.Database.OpenConnectionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var context = new CommandContext(db, conn, hall, actor, commandId, now, ct) { Claim = new(kind, payloadHash) };
        try
        {
            var decision = await body(context);
            if (decision.Refusal is { } refusal)
            {
                if (context.Begun)
                {
                    await RollbackAsync(conn);
                }
                return Reply<T>.Refused(refusal.ToError());
            }
            var reply = Reply<T>.Success(decision.Value!);
            // A window command answers with the window's new state.
            if (reply.Value is WindowStateMessage state && context.WindowState(state.WindowId) is { } after)
            {
                reply = Reply<T>.Success((T)(object)after);
            }
            var changes = await context.CommitAsync(JsonSerializer.Serialize(reply, JsonOptions));
            // Nothing leaves the server before the commit.
            await notifier.PublishAsync(hall.Id, changes);
            return reply;
        }
        catch (AlreadyClaimedException)
        {
            await RollbackAsync(conn);
            return await ReplayAsync<T>(db, commandId, payloadHash, kind, actor, ct);
        }
        catch
        {
            if (context.Begun)
            {
                await RollbackAsync(conn);
            }
            throw;
        }
    }

    /// <summary>The first reply of a command id already taken; a different command under the same id is refused.</summary>
    internal static async Task<Reply<T>> ReplayAsync<T>(HallDb db, Guid commandId, byte[] payloadHash, string kind, Actor actor, CancellationToken ct)
    {
        var first = await db.Commands.AsNoTracking().FirstAsync(c => c.CommandId == commandId, ct);
        if (first.Kind != kind || first.Actor != actor.ToString() || first.Result is null || first.PayloadHash is null || !first.PayloadHash.AsSpan().SequenceEqual(payloadHash))
        {
            return Reply<T>.Refused(Refusal.CommandIdReused.ToError());
        }
        return JsonSerializer.Deserialize<Reply<T>>(first.Result, JsonOptions)!;
    }

    /// <summary>Ends a transaction begun by hand; on a broken connection there is nothing left to end.</summary>
    internal static async Task RollbackAsync(NpgsqlConnection conn)
    {
        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", conn);
            await rollback.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // Broken (the database restarted) or already closed by Npgsql after the failure: the server rolled it back.
        }
    }

    private static bool IsRetryable(Exception ex) => ex switch
    {
        RetryException => true,
        DbUpdateConcurrencyException => true,
        DbUpdateException { InnerException: PostgresException pg } => IsRetryableState(pg),
        PostgresException pg => IsRetryableState(pg),
        InvalidOperationException { InnerException: { } inner } => IsRetryable(inner),
        _ => false,
    };

    // Serialization failure and deadlock. A unique violation is not retried: the locks make it impossible, so it is a bug to surface.
    private static bool IsRetryableState(PostgresException pg) => pg.SqlState is "40001" or "40P01";

    /// <summary>Whether the database could not be reached. EF wraps a broken connection twice over (the execution strategy's InvalidOperationException around a DbUpdateException around it).</summary>
    public static bool IsUnavailable(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException or TimeoutException)
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>Thrown inside a command when what was read moved under it; the command runs again from the start.</summary>
internal sealed class RetryException : Exception
{
}
