using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Peercall.Contracts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Calls;
using Peercall.Server.Cluster;
using Peercall.Server.Hosting;
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
/// for the connection id. They are received by a <see cref="RedisChannelListener"/>, on a thread of its own, and
/// written to the connection on that thread.</remarks>
public sealed class RedisSignalRoute : ISignalRoute, IDisposable
{
    private const int MaxChannelsKnown = 256;

    private readonly ClusterConnection _redis;
    private readonly NodeIdentity _node;
    private readonly LocalConnections _local;
    private readonly NodeSignalRoute _here;
    private readonly ActivityMeter _activity;
    private readonly RedisChannelListener _listener;
    private readonly RedisChannelPublisher _publisher;
    private readonly ConcurrentDictionary<string, bool> _listening = new();
    private readonly ConcurrentDictionary<string, string> _channels = new();

    public RedisSignalRoute(ClusterConnection redis, NodeIdentity node, LocalConnections local, NodeSignalRoute here,
        ActivityMeter activity, IOptions<ClusterOptions> options, ILogger<RedisSignalRoute> logger)
    {
        (_redis, _node, _local, _here, _activity) = (redis, node, local, here, activity);
        // Its thread only writes each frame into a connection's pipe: little work, and the one wake-up of a
        // cross-node signal that waits for a core on a busy node (bench/README.md, "The gap against the connections held").
        _listener = new RedisChannelListener(redis, "signals", Deliver, logger, options.Value.RealtimeSignalThread);
        _publisher = new RedisChannelPublisher(redis, "signals-out", logger);
    }

    /// <summary>Listens on the channel of this node's current identity (again after it took a new one).</summary>
    public async Task ListenAsync()
    {
        var id = _node.Id;
        if (_listening.ContainsKey(id)) return;
        var timeout = TimeSpan.FromMilliseconds(_redis.Configuration.ConnectTimeout);
        await _publisher.ConnectedAsync(timeout);
        await _listener.ListenAsync(ChannelOf(id), timeout);
        _listening[id] = true;
    }

    public ValueTask DeliverAsync(CallPeer peer, ReadOnlySpan<byte> frame)
    {
        if (peer.Node is null || _listening.ContainsKey(peer.Node)) return _here.DeliverAsync(peer, frame);
        try
        {
            var headLength = RoutedFrame.HeadLength(peer.ConnectionId);
            Span<byte> head = headLength <= 256 ? stackalloc byte[headLength] : new byte[headLength];
            RoutedFrame.WriteHead(peer.ConnectionId, head);
            _publisher.Publish(ChannelOf(peer.Node), head, frame);
            return ValueTask.CompletedTask;
        }
        catch (RedisConnectionException)
        {
            // The link has logged its lost connection once; each signal meanwhile is the sender's to retry.
            throw new PeercallException(503, ProblemCodes.ServerError,
                "The other party is on another server of this cluster, which this server cannot reach right now. Try again in a moment.");
        }
    }

    /// <summary>On the listener's thread: the frame goes from its read buffer straight into the connection's pipe.</summary>
    private void Deliver(ReadOnlyMemory<byte> routed)
    {
        _activity.Handled();
        var connectionId = RoutedFrame.Recipients(routed.Span, out var frame);
        if (_local.Find(connectionId) is { } session) _ = session.SendNowOrCopyAsync(frame);
    }

    /// <summary>The channel's name as Redis knows it, built once per node: a node has a new identity after each
    /// restart, so the names are forgotten now and then rather than kept for every identity ever seen.</summary>
    private string ChannelOf(string nodeId)
    {
        if (_channels.TryGetValue(nodeId, out var channel)) return channel;
        if (_channels.Count >= MaxChannelsKnown) _channels.Clear();
        return _channels[nodeId] = _redis.ChannelName(_node.Key($"signals:{nodeId}"));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _publisher.Dispose();
    }
}
