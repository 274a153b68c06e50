using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Peercall.Contracts;
using Peercall.Server.Hosting;

namespace Peercall.Server.Signaling;

/// <summary>Guards every hub invocation: a message budget per connection (<see cref="MessageBudget"/>), and refusals
/// turned into hub errors that start with their stable code ("code: message"). Unexpected failures are logged, not
/// shown.</summary>
public sealed class HubGuard(IOptions<SignalingOptions> options, TimeProvider time, ILogger<HubGuard> logger) : IHubFilter
{
    private static readonly object BudgetKey = new();

    public Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var limits = options.Value;
        context.Context.Items[BudgetKey] = new MessageBudget(limits.MessagesPerSecond, limits.MessageBurst, time);
        return next(context);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation,
        Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (!((MessageBudget)invocation.Context.Items[BudgetKey]!).TrySpend())
            throw new HubException($"{ProblemCodes.TooManyMessages}: Too many messages on this connection; slow down.");
        try
        {
            return await next(invocation);
        }
        catch (PeercallException e)
        {
            throw new HubException($"{e.Code}: {e.Message}");
        }
        catch (Exception e) when (e is not HubException)
        {
            logger.LogError(e, "Hub method {Method} failed", invocation.HubMethodName);
            throw new HubException($"{ProblemCodes.ServerError}: Something went wrong on the server. The error has been logged.");
        }
    }
}
