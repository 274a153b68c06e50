using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Peercall.Server.Cluster;

/// <summary>This node's connection to Redis for the state and the messages the nodes share. It connects on first
/// use and reconnects by itself.</summary>
public sealed class ClusterConnection : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;

    public ClusterConnection(IOptions<ClusterOptions> options, ILogger<ClusterConnection> logger)
    {
        Configuration = ClusterSetup.RedisConfiguration(options.Value.ConnectionString!);
        _multiplexer = new(() => Connect(logger));
    }

    private ConnectionMultiplexer Connect(ILogger logger)
    {
        var multiplexer = ConnectionMultiplexer.Connect(Configuration.Clone());
        multiplexer.ConnectionFailed += (_, e) =>
            logger.LogWarning(e.Exception, "Lost the connection to Redis ({FailureType}); retrying", e.FailureType);
        multiplexer.ConnectionRestored += (_, _) => logger.LogInformation("Connected to Redis again");
        return multiplexer;
    }

    /// <summary>The settings every connection of this node to Redis uses.</summary>
    public ConfigurationOptions Configuration { get; }

    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;
    public IDatabase Database => Multiplexer.GetDatabase();
    public ISubscriber Subscriber => Multiplexer.GetSubscriber();

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated) _multiplexer.Value.Dispose();
    }
}
