using Peercall.Server.Cluster;
using StackExchange.Redis;

namespace Peercall.Server.Signaling;

/// <summary>
/// Events for connections on other nodes (a call ringing, a call's state, a new contact) go once on a Redis
/// channel that every node listens to, and each node hands them to its own connections. A message names its
/// recipients and carries the frame as the connections receive it, so no node decodes it. A connection on this
/// node is written to directly. (Signals, the frequent kind, go only to the one node concerned: <see cref="RedisSignalRoute"/>.)
/// </summary>
/// <remarks>A message is a <see cref="RoutedFrame"/> for <c>c:{connection id}</c>, <c>u:{user id}</c> or <c>a</c> (everyone).</remarks>
public sealed class RedisHubClients(ClusterConnection redis, NodeIdentity node, LocalConnections local, NodeHubClients here,
    ILogger<RedisHubClients> logger) : IHubClients
{
    private ChannelMessageQueue? _subscription;

    private RedisChannel Events => RedisChannel.Literal(node.Key("events"));

    /// <summary>Starts listening; a node that joins again (after Redis was away) keeps its one subscription.</summary>
    public async Task JoinAsync()
    {
        if (_subscription is not null) return;
        var subscription = _subscription = await redis.Subscriber.SubscribeAsync(Events);
        // One queue, read in order, so the events for a connection keep theirs.
        subscription.OnMessage(message =>
        {
            try
            {
                Deliver((ReadOnlyMemory<byte>)message.Message);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "An event from another node could not be delivered");
            }
        });
    }

    public async Task ToConnectionsAsync(IReadOnlyCollection<string> connectionIds, byte[] frame)
    {
        var sessions = connectionIds.Select(id => (Id: id, Session: local.Find(id))).ToList();
        await Task.WhenAll(sessions.Where(c => c.Session is null).Select(c => PublishAsync($"c:{c.Id}", frame))
            .Append(NodeHubClients.SendAsync(sessions.Select(c => c.Session), frame)));
    }

    public Task ToUserAsync(Guid userId, byte[] frame) => PublishAsync($"u:{userId}", frame);

    public Task ToEveryoneAsync(byte[] frame) => PublishAsync("a", frame);

    private async Task PublishAsync(string recipients, byte[] frame) =>
        await redis.Subscriber.PublishAsync(Events, RoutedFrame.Pack(recipients, frame));

    private void Deliver(ReadOnlyMemory<byte> message)
    {
        var (recipients, frame) = RoutedFrame.Unpack(message);
        _ = recipients switch
        {
            "a" => here.ToEveryoneAsync(frame),
            _ when recipients.StartsWith("u:", StringComparison.Ordinal) && Guid.TryParse(recipients.AsSpan(2), out var user) =>
                here.ToUserAsync(user, frame),
            _ when recipients.StartsWith("c:", StringComparison.Ordinal) => here.ToConnectionsAsync([recipients[2..]], frame),
            _ => throw new FormatException($"Unknown recipients '{recipients}'."),
        };
    }
}
