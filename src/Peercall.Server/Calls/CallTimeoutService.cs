using Microsoft.Extensions.Options;

namespace Peercall.Server.Calls;

/// <summary>
/// Ends calls nobody ends: ringing past the ring timeout (missed), and accepted calls whose party stayed away
/// longer than the reconnect grace (ended). Transitions are conditional, so this may run on every node at once.
/// </summary>
public sealed class CallTimeoutService(
    IServiceScopeFactory scopes,
    IOptions<CallOptions> options,
    TimeProvider time,
    ILogger<CallTimeoutService> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<CallService>().RecoverAfterRestartAsync();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var calls = scope.ServiceProvider.GetRequiredService<CallService>();
                await calls.ExpireRingingAsync(options.Value.RingTimeout);
                await calls.EndAbandonedAsync(options.Value.ReconnectGrace);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Call timeout sweep failed; it runs again at the next tick");
            }
        }
    }
}
