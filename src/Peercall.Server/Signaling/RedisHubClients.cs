using System.Text;
using Peercall.Server.Cluster;
using StackExchange.Redis;

namespace Peercall.Server.Signaling;

/// <summary>
/// Events for connections on other nodes (a call ringing, a call's state, a new contact) go once on a Redis
/// channel that every node listens to, and each node hands them to its own connections. A message names its
/// recipients and carries the frame as the connections receive it, so no node decodes it. A connection on this
/// node is written to directly. (Signals, the frequent kind, go only to the one node concerned: <see cref="RedisSignalRoute"/>.)
/// </summary>
/// <remarks>A message is <c>c:{connection id}</c>, <c>u:{user id}</c> or <c>a</c> (everyone), a newline, and the frame.</remarks>
public sealed class RedisHubClients(ClusterConnection redis, NodeIdentity node, LocalConnections local, NodeHubClients here,
    ILogger<RedisHubClients> logger) : IHubClients
{
    private const byte Separator = (byte)'\n';
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
        var elsewhere = connectionIds.Where(id => local.Find(id) is null).ToList();
        await Task.WhenAll(elsewhere.Select(id => PublishAsync($"c:{id}", frame))
            .Append(here.ToConnectionsAsync(connectionIds.Except(elsewhere).ToList(), frame)));
    }

    public Task ToUserAsync(Guid userId, byte[] frame) => PublishAsync($"u:{userId}", frame);

    public Task ToEveryoneAsync(byte[] frame) => PublishAsync("a", frame);

    private async Task PublishAsync(string recipients, byte[] frame)
    {
        var message = new byte[recipients.Length + 1 + frame.Length];
        var written = Encoding.ASCII.GetBytes(recipients, message);
        message[written] = Separator;
        frame.CopyTo(message.AsSpan(written + 1));
        await redis.Subscriber.PublishAsync(Events, message);
    }

    private void Deliver(ReadOnlyMemory<byte> message)
    {
        var separator = message.Span.IndexOf(Separator);
        if (separator <= 0) throw new FormatException("An event starts with its recipients and a newline.");
        var recipients = Encoding.ASCII.GetString(message.Span[..separator]);
        var frame = message[(separator + 1)..].ToArray();
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
