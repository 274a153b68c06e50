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

    /// <summary>Where a connection of this node's own (a <see cref="RedisLink"/>) should go: the primary the
    /// multiplexer is connected to (which follows Sentinel and failovers), or the first configured endpoint while it
    /// is connected to none.</summary>
    public System.Net.EndPoint PrimaryEndPoint() =>
        Multiplexer.GetServers().FirstOrDefault(s => s.IsConnected && !s.IsReplica)?.EndPoint ?? Configuration.EndPoints[0];

    /// <summary>A channel's name as Redis knows it, after the configured channel prefix (if any).</summary>
    public string ChannelName(string channel) => $"{(string?)Configuration.ChannelPrefix}{channel}";

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated) _multiplexer.Value.Dispose();
    }
}
