using System.Reflection;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Microsoft.AspNetCore.SignalR;

namespace Hall.Server.Hub;

/// <summary>
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
        return GuardAsync(invocationContext, next);
    }

    private static async ValueTask<object?> GuardAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (Exception e) when (e is not HubException && QueueService.IsUnavailable(e) && !invocationContext.Context.ConnectionAborted.IsCancellationRequested)
        {
            return Refuse(invocationContext, QueueService.Unavailable);
        }
    }

    private static object? Refuse(HubInvocationContext invocationContext, Refusal refusal) =>
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
