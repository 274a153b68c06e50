using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Server.Presence;
using Peercall.Server.Realtime;
using Peercall.Server.Signaling;

namespace Peercall.Server.Calls;

/// <summary>Tells the parties' devices about a call: every device of the callee rings, and every transition
/// reaches both sides with its reason.</summary>
public sealed class CallNotifier(IHubClients clients, IPresenceDirectory presence)
{
    public Task RingAsync(Call call) => clients.ToUserAsync(call.Callee.Id, HubWire.Invocation(nameof(ISignalingClient.IncomingCall), call));

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
        var changed = StateChange(call, call.Reason);
        if (elsewhere is null || actingConnection is null)
        {
            await Task.WhenAll(clients.ToUserAsync(call.Caller.Id, changed), clients.ToUserAsync(call.Callee.Id, changed));
            return;
        }

        var others = (await presence.ConnectionsOfAsync(call.Callee.Id)).Select(c => c.Id).Where(id => id != actingConnection).ToList();
        await Task.WhenAll(clients.ToUserAsync(call.Caller.Id, changed),
            clients.ToConnectionsAsync([actingConnection], changed),
            clients.ToConnectionsAsync(others, StateChange(call, elsewhere.Value)));
    }

    private static byte[] StateChange(Call call, CallReason reason) =>
        HubWire.Invocation(nameof(ISignalingClient.CallStateChanged), new CallStateChange(call, reason));
}
