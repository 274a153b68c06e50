using System.Collections.Concurrent;
using Peercall.Contracts.Signaling;
using Peercall.Server.Calls;
using Peercall.Server.Cluster;
using Peercall.Server.Realtime;
using StackExchange.Redis;

namespace Peercall.Server.Signaling;

/// <summary>
/// Carries a signal for a connection on another node on that node's own Redis channel, already written as the hub
/// frame the connection receives; that node only looks the connection up and writes the bytes to it (bench/README.md,
/// "Cross-node signals on each node's own channel"). A signal for a connection on this node, or on a node not
/// known, is delivered here as on a single server.
/// </summary>
/// <remarks>Channels, under the prefix: <c>signals:{node}</c>, one for every identity this node has had, since
/// another node may still know one of its connections under an older one. A message is a <see cref="RoutedFrame"/>
/// for the connection id.</remarks>
public sealed class RedisSignalRoute(
    ClusterConnection redis,
    NodeIdentity node,
    LocalConnections local,
    NodeSignalRoute here,
    ILogger<RedisSignalRoute> logger) : ISignalRoute
{
    private readonly ConcurrentDictionary<string, ChannelMessageQueue> _listening = new();

    /// <summary>Listens on the channel of this node's current identity (again after it took a new one).</summary>
    public async Task ListenAsync()
    {
        var id = node.Id;
        if (_listening.ContainsKey(id)) return;
        var subscription = await redis.Subscriber.SubscribeAsync(ChannelOf(id));
        // One queue, read in order, so a call's signals keep theirs; a write never waits for a slow connection.
        subscription.OnMessage(message =>
        {
            try
            {
                Deliver((ReadOnlyMemory<byte>)message.Message);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "A signal from another node could not be delivered");
            }
        });
        _listening[id] = subscription;
    }

    public async Task DeliverAsync(CallPeer peer, byte[] frame)
    {
        if (peer.Node is null || _listening.ContainsKey(peer.Node))
        {
            await here.DeliverAsync(peer, frame);
            return;
        }
        await redis.Subscriber.PublishAsync(ChannelOf(peer.Node), RoutedFrame.Pack(peer.ConnectionId, frame));
    }

    private void Deliver(ReadOnlyMemory<byte> routed)
    {
        var (connectionId, frame) = RoutedFrame.Unpack(routed);
        if (local.Find(connectionId) is { } session) _ = session.SendAsync(frame);
    }

    private RedisChannel ChannelOf(string nodeId) => RedisChannel.Literal(node.Key($"signals:{nodeId}"));
}
