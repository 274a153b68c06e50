using System.Text.Json;
using Peercall.Contracts.Contacts;
using Peercall.Server.Cluster;
using StackExchange.Redis;

namespace Peercall.Server.Presence;

/// <summary>Publishes each presence change once on a Redis channel that every node listens to; each node then
/// delivers it to its own watchers. Sending it to each watcher's connection through Redis would carry one message per watcher.</summary>
public sealed class RedisPresenceFanOut(ClusterConnection redis, NodeIdentity node, NodePresenceFanOut local,
    ILogger<RedisPresenceFanOut> logger) : IPresenceFanOut
{
    private ChannelMessageQueue? _subscription;

    private RedisChannel Changes => RedisChannel.Literal(node.Key("presence"));

    /// <summary>Starts listening; a node that joins again (after Redis was away) keeps its one subscription.</summary>
    public async Task JoinAsync()
    {
        if (_subscription is not null) return;
        var subscription = _subscription = await redis.Subscriber.SubscribeAsync(Changes);
        subscription.OnMessage(async message =>
        {
            try
            {
                if (JsonSerializer.Deserialize<PresenceChange>(message.Message.ToString()) is { } change)
                    await local.PublishAsync(change);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "A presence change from the cluster could not be delivered");
            }
        });
    }

    public async Task PublishAsync(PresenceChange change) =>
        await redis.Subscriber.PublishAsync(Changes, JsonSerializer.Serialize(change));
}
