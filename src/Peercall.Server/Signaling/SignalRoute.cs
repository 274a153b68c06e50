using Peercall.Contracts.Signaling;
using Peercall.Server.Calls;
using Peercall.Server.Realtime;

namespace Peercall.Server.Signaling;

/// <summary>How a relayed signal reaches the connection it is for: on this node (<see cref="NodeSignalRoute"/>),
/// or straight to the node that holds it on a cluster (<see cref="RedisSignalRoute"/>).</summary>
public interface ISignalRoute
{
    Task DeliverAsync(CallPeer peer, Signal signal);
}

public sealed class NodeSignalRoute(LocalConnections local) : ISignalRoute
{
    public Task DeliverAsync(CallPeer peer, Signal signal) =>
        local.Find(peer.ConnectionId) is { } session
            ? session.SendAsync(HubWire.Invocation(nameof(ISignalingClient.Signal), signal)).AsTask()
            : Task.CompletedTask;
}
