using Microsoft.AspNetCore.SignalR;
using Peercall.Contracts.Signaling;
using Peercall.Server.Calls;

namespace Peercall.Server.Signaling;

/// <summary>How a relayed signal reaches the connection it is for: through the hub on a single server
/// (<see cref="HubSignalRoute"/>), or straight to the node that holds it on a cluster (<see cref="RedisSignalRoute"/>).</summary>
public interface ISignalRoute
{
    Task DeliverAsync(CallPeer peer, Signal signal);
}

public sealed class HubSignalRoute(IHubContext<SignalingHub, ISignalingClient> hub) : ISignalRoute
{
    public Task DeliverAsync(CallPeer peer, Signal signal) => hub.Clients.Client(peer.ConnectionId).Signal(signal);
}
