using System.Text;
using StackExchange.Redis;

namespace Peercall.Server.Cluster;

/// <summary>Publishes on a <see cref="RedisLink"/>: the command is written on the caller's thread, which goes on
/// without waiting for Redis's answer; the link's thread reads the answers. So a hub call that relays a signal to
/// another node completes at once, as one for this node does, with no task to allocate and no thread to wake for
/// its answer: waiting for it took 1.4 KB and a thread-pool hop per signal (bench/README.md). While the link is down
/// a publication fails at once. One written just before the connection is lost is lost with it, as a signal is
/// while the receiving node's link reconnects; a refusal by Redis is logged.</summary>
public sealed class RedisChannelPublisher(ClusterConnection redis, string name, ILogger logger) : RedisLink(redis, name, logger)
{
    private bool _refusing;

    /// <summary>Publishes <paramref name="messageStart"/> followed by <paramref name="messageEnd"/> as one message on
    /// <paramref name="channel"/> (the name as Redis knows it), written to Redis's connection before this returns.</summary>
    /// <exception cref="RedisConnectionException">The link is not connected, or the write failed.</exception>
    public void Publish(string channel, ReadOnlySpan<byte> messageStart, ReadOnlySpan<byte> messageEnd)
    {
        lock (Gate)
        {
            EnsureStarted();
            if (Connection is not { } connection)
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect,
                    $"{Name} is not connected to Redis at the moment; it keeps trying.");
            try
            {
                connection.Send(["PUBLISH", channel], messageStart, messageEnd);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                throw new RedisConnectionException(ConnectionFailureType.SocketFailure, $"{Name} could not write to Redis.", e);
            }
        }
    }

    /// <summary>Logs the first of a run of refusals (an ACL without PUBLISH, Redis out of memory), not each.</summary>
    protected override void Received(ReadOnlySpan<ReadOnlyMemory<byte>> reply, bool isError)
    {
        if (isError && !_refusing)
            Logger.LogError("Redis refuses {Link}'s publications, so signals to other nodes are lost: {Refusal}",
                Name, Encoding.UTF8.GetString(reply[0].Span));
        _refusing = isError;
    }
}
