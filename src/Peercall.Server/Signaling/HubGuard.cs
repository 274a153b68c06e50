using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Peercall.Contracts;
using Peercall.Server.Hosting;

namespace Peercall.Server.Signaling;

/// <summary>Guards every hub invocation: a message rate per connection (a token bucket of the built-in rate
/// limiter, one per connection id), and refusals turned into hub errors that start with their stable code
/// ("code: message"). Unexpected failures are logged, not shown.</summary>
public sealed class HubGuard : IHubFilter, IDisposable
{
    private readonly PartitionedRateLimiter<string> _messages;
    private readonly ILogger<HubGuard> _logger;

    public HubGuard(IOptions<SignalingOptions> options, ILogger<HubGuard> logger)
    {
        _logger = logger;
        var limits = options.Value;
        // Refilled in small steps (at most ten a second) so that a burst spent is back within a second, not at once.
        var period = TimeSpan.FromSeconds(Math.Max(0.1, 1.0 / limits.MessagesPerSecond));
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.MessageBurst,
            TokensPerPeriod = Math.Max(1, (int)Math.Round(limits.MessagesPerSecond * period.TotalSeconds)),
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = false,
        };
        // A connection's bucket is dropped once it has been full and unused for a while, so idle connections
        // hold none.
        _messages = PartitionedRateLimiter.Create<string, string>(connectionId =>
            RateLimitPartition.GetTokenBucketLimiter(connectionId, _ => bucket));
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation,
        Func<HubInvocationContext, ValueTask<object?>> next)
    {
        using (var lease = _messages.AttemptAcquire(invocation.Context.ConnectionId))
            if (!lease.IsAcquired)
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
            _logger.LogError(e, "Hub method {Method} failed", invocation.HubMethodName);
            throw new HubException($"{ProblemCodes.ServerError}: Something went wrong on the server. The error has been logged.");
        }
    }

    /// <summary>A refusal for an invocation whose argument was null.</summary>
    public static PeercallException MissingArgument(string what) => new(400, ProblemCodes.BadRequest, $"Give {what}.");

    public void Dispose() => _messages.Dispose();
}
