using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Peercall.Server.Cluster;

/// <summary>This node's connection to Redis for the state and the messages the nodes share. It connects on first
/// use and reconnects by itself.</summary>
public sealed class ClusterConnection(IOptions<ClusterOptions> options, ILogger<ClusterConnection> logger) : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer = new(() =>
    {
        var multiplexer = ConnectionMultiplexer.Connect(ClusterSetup.RedisConfiguration(options.Value.ConnectionString!));
        multiplexer.ConnectionFailed += (_, e) =>
            logger.LogWarning(e.Exception, "Lost the connection to Redis ({FailureType}); retrying", e.FailureType);
        multiplexer.ConnectionRestored += (_, _) => logger.LogInformation("Connected to Redis again");
        return multiplexer;
    });

    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;
    public IDatabase Database => Multiplexer.GetDatabase();
    public ISubscriber Subscriber => Multiplexer.GetSubscriber();

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated) _multiplexer.Value.Dispose();
    }
}
