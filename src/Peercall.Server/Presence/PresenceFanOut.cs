using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Realtime;
using Peercall.Server.Signaling;

namespace Peercall.Server.Presence;

/// <summary>Carries a presence change to every connection that watches the user: on this node alone
/// (<see cref="NodePresenceFanOut"/>), or on every node of a cluster (<see cref="RedisPresenceFanOut"/>).</summary>
public interface IPresenceFanOut
{
    Task PublishAsync(PresenceChange change);
}

/// <summary>Delivers a change to the watchers connected to this node, written once for all of them.</summary>
public sealed class NodePresenceFanOut(PresenceWatchers watchers, LocalConnections local) : IPresenceFanOut
{
    public Task PublishAsync(PresenceChange change)
    {
        var connections = watchers.WatchersOf(change.UserId);
        if (connections.Length == 0) return Task.CompletedTask;
        return NodeHubClients.SendAsync(connections.Select(local.Find), HubWire.Invocation(nameof(ISignalingClient.PresenceChanged), change));
    }
}
