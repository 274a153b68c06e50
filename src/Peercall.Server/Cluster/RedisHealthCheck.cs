using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Peercall.Server.Cluster;

/// <summary>A node that cannot reach Redis cannot reach the other nodes' users: /healthz says so, and a load
/// balancer takes it out of rotation.</summary>
public sealed class RedisHealthCheck(ClusterConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.Database.PingAsync();
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0.#} ms");
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer", e);
        }
    }
}
