using System.Reflection;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Microsoft.AspNetCore.SignalR;

namespace Hall.Server.Hub;

/// <summary>
/// A hub call whose command is <c>null</c> (a hostile or broken client) is refused with <c>invalid_command</c> before
/// the method runs, instead of failing inside it: as a <see cref="Reply{T}"/> where the method answers with one.
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
                return ValueTask.FromResult<object?>(RefusedReplyOf(invocationContext.HubMethod.ReturnType) ?? throw new HubException(Refusal.InvalidCommand.Code));
            }
        }
        return next(invocationContext);
    }

    private static object? RefusedReplyOf(Type returnType)
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
        return reply.GetMethod(nameof(Reply<int>.Refused))!.Invoke(null, [Refusal.InvalidCommand.ToError()]);
    }
}
