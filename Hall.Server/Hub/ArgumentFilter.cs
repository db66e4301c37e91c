using System.Reflection;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.SignalR;

namespace Hall.Server.Hub;

/// <summary>
/// A hub call whose command carries a control character or a bidirectional override in any of its strings (a reason,
/// an outcome, a status …) is refused with <c>invalid_text</c> (<see cref="FreeText"/>) before the method runs.
/// A hub call whose command is <c>null</c> (a hostile or broken client) is refused with <c>invalid_command</c> before
/// the method runs, instead of failing inside it; a call that finds the database away (a display's acknowledgement, a
/// snapshot, a status report — the queue commands already answer so themselves) is refused with <c>unavailable</c>
/// instead of the hub's anonymous error. Both as a <see cref="Reply{T}"/> where the method answers with one, else as a
/// <see cref="HubException"/> whose message is the code.
/// </summary>
public sealed class ArgumentFilter : IHubFilter
{
    private static readonly NullabilityInfoContext Nullability = new();

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        // Only Hall's own hub: Blazor's circuit hub passes nulls on purpose.
        if (invocationContext.Hub is not HallHub)
        {
            return next(invocationContext);
        }
        var parameters = invocationContext.HubMethod.GetParameters();
        for (var i = 0; i < parameters.Length && i < invocationContext.HubMethodArguments.Count; i++)
        {
            if (invocationContext.HubMethodArguments[i] is null && !parameters[i].ParameterType.IsValueType
                && parameters[i].ParameterType != typeof(CancellationToken) && Nullability.Create(parameters[i]).ReadState != NullabilityState.Nullable)
            {
                return ValueTask.FromResult(Refuse(invocationContext, Refusal.InvalidCommand));
            }
        }
        if (invocationContext.HubMethodArguments.Any(a => !IsClean(a, 0)))
        {
            return ValueTask.FromResult(Refuse(invocationContext, Refusal.InvalidText));
        }
        return GuardAsync(invocationContext, next);
    }

    /// <summary>Every string in an argument — itself, a property of a command record, an item of a list — is clean single-line text.</summary>
    private static bool IsClean(object? argument, int depth) => argument switch
    {
        null => true,
        string text => FreeText.IsClean(text),
        System.Collections.IEnumerable items when depth < 4 => items.Cast<object?>().All(i => IsClean(i, depth + 1)),
        _ when depth < 4 && argument.GetType().Namespace == typeof(HallError).Namespace => StringsOf(argument.GetType()).All(p => IsClean(p.GetValue(argument), depth + 1)),
        _ => true,
    };

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>The readable properties of a contract record that hold text: strings and lists (of strings or records).</summary>
    private static PropertyInfo[] StringsOf(Type type) => Properties.GetOrAdd(type, t => [.. t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetIndexParameters().Length == 0 && (p.PropertyType == typeof(string) || (p.PropertyType != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(p.PropertyType))
            || p.PropertyType.Namespace == typeof(HallError).Namespace && !p.PropertyType.IsEnum))]);

    private static async ValueTask<object?> GuardAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (Exception e) when (e is not HubException && CommandRunner.IsUnavailable(e) && !invocationContext.Context.ConnectionAborted.IsCancellationRequested)
        {
            return Refuse(invocationContext, Refusal.Unavailable);
        }
    }

    internal static object? Refuse(HubInvocationContext invocationContext, Refusal refusal) =>
        RefusedReplyOf(invocationContext.HubMethod.ReturnType, refusal) ?? throw new HubException(refusal.Code);

    private static object? RefusedReplyOf(Type returnType, Refusal refusal)
    {
        if (!returnType.IsGenericType || returnType.GetGenericTypeDefinition() != typeof(Task<>))
        {
            return null;
        }
        var reply = returnType.GetGenericArguments()[0];
        if (!reply.IsGenericType || reply.GetGenericTypeDefinition() != typeof(Reply<>))
        {
            return null;
        }
        return reply.GetMethod(nameof(Reply<int>.Refused))!.Invoke(null, [refusal.ToError()]);
    }
}
