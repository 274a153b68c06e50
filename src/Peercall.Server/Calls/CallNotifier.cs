using Microsoft.AspNetCore.SignalR;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Server.Presence;
using Peercall.Server.Signaling;

namespace Peercall.Server.Calls;

/// <summary>Tells the parties' devices about a call: every device of the callee rings, and every transition
/// reaches both sides with its reason.</summary>
public sealed class CallNotifier(IHubContext<SignalingHub, ISignalingClient> hub, PresenceTracker presence)
{
    public Task RingAsync(Call call) => hub.Clients.User(call.Callee.Id.ToString()).IncomingCall(call);

    /// <param name="actingConnection">The callee device that accepted or declined; its sibling devices are told
    /// it happened elsewhere.</param>
    public Task StateChangedAsync(Call call, string? actingConnection)
    {
        var toCaller = hub.Clients.User(call.Caller.Id.ToString()).CallStateChanged(new CallStateChange(call, call.Reason));
        var elsewhere = call.State switch
        {
            CallState.Accepted => CallReason.AnsweredElsewhere,
            CallState.Declined => CallReason.DeclinedElsewhere,
            _ => (CallReason?)null,
        };
        if (elsewhere is null || actingConnection is null)
            return Task.WhenAll(toCaller,
                hub.Clients.User(call.Callee.Id.ToString()).CallStateChanged(new CallStateChange(call, call.Reason)));

        var others = presence.ConnectionsOf(call.Callee.Id).Select(c => c.Id).Where(id => id != actingConnection).ToList();
        return Task.WhenAll(toCaller,
            hub.Clients.Client(actingConnection).CallStateChanged(new CallStateChange(call, call.Reason)),
            hub.Clients.Clients(others).CallStateChanged(new CallStateChange(call, elsewhere.Value)));
    }
}
