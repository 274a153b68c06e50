using Peercall.Contracts.Signaling;
using Peercall.Server.Calls;
using Peercall.Server.Realtime;

namespace Peercall.Server.Signaling;

/// <summary>How a relayed signal reaches the connection it is for: on this node (<see cref="NodeSignalRoute"/>),
/// or straight to the node that holds it on a cluster (<see cref="RedisSignalRoute"/>).</summary>
public interface ISignalRoute
{
    /// <param name="frame">The signal as the hub message the peer's connection receives; the caller reuses the
    /// buffer once this returns, so a route that cannot pass it on at once copies it.</param>
    ValueTask DeliverAsync(CallPeer peer, ReadOnlySpan<byte> frame);
}

public sealed class NodeSignalRoute(LocalConnections local) : ISignalRoute
{
    public ValueTask DeliverAsync(CallPeer peer, ReadOnlySpan<byte> frame) =>
        local.Find(peer.ConnectionId) is { } session ? session.SendNowOrCopyAsync(frame) : ValueTask.CompletedTask;
}
