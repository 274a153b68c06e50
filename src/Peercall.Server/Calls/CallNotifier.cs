using Microsoft.AspNetCore.SignalR;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Server.Presence;
using Peercall.Server.Signaling;

namespace Peercall.Server.Calls;

/// <summary>Tells the parties' devices about a call: every device of the callee rings, and every transition
/// reaches both sides with its reason.</summary>
public sealed class CallNotifier(IHubContext<SignalingHub, ISignalingClient> hub, IPresenceDirectory presence)
{
    public Task RingAsync(Call call) => hub.Clients.User(call.Callee.Id.ToString()).IncomingCall(call);

    /// <param name="actingConnection">The callee device that accepted or declined; its sibling devices are told
    /// it happened elsewhere.</param>
    public async Task StateChangedAsync(Call call, string? actingConnection)
    {
        var elsewhere = call.State switch
        {
            CallState.Accepted => CallReason.AnsweredElsewhere,
            CallState.Declined => CallReason.DeclinedElsewhere,
            _ => (CallReason?)null,
        };
        var changed = new CallStateChange(call, call.Reason);
        var caller = hub.Clients.User(call.Caller.Id.ToString());
        if (elsewhere is null || actingConnection is null)
        {
            await Task.WhenAll(caller.CallStateChanged(changed), hub.Clients.User(call.Callee.Id.ToString()).CallStateChanged(changed));
            return;
        }

        var others = (await presence.ConnectionsOfAsync(call.Callee.Id)).Select(c => c.Id).Where(id => id != actingConnection).ToList();
        await Task.WhenAll(caller.CallStateChanged(changed),
            hub.Clients.Client(actingConnection).CallStateChanged(changed),
            hub.Clients.Clients(others).CallStateChanged(new CallStateChange(call, elsewhere.Value)));
    }
}
