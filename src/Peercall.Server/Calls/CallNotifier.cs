using Microsoft.AspNetCore.SignalR;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Server.Presence;
using Peercall.Server.Signaling;

namespace Peercall.Server.Calls;

/// <summary>Tells the participants' devices about a call: every device of an invitee rings, and every transition
/// reaches everyone in the call with its reason.</summary>
public sealed class CallNotifier(IHubContext<SignalingHub, ISignalingClient> hub, IPresenceDirectory presence)
{
    public Task RingAsync(Call call, IEnumerable<Guid> invitees) =>
        hub.Clients.Users(invitees.Select(id => id.ToString()).ToList()).IncomingCall(call);

    /// <param name="actor">Who made the change. When they answered or declined on one device
    /// (<paramref name="actingConnection"/>), their other devices are told it happened elsewhere.</param>
    public async Task StateChangedAsync(Call call, IReadOnlyList<Guid> recipients, Guid? actor, string? actingConnection)
    {
        var changed = new CallStateChange(call, call.Reason);
        var elsewhere = call.Participants.SingleOrDefault(p => p.Party.Id == actor)?.State switch
        {
            ParticipantState.Joined => CallReason.AnsweredElsewhere,
            ParticipantState.Declined => CallReason.DeclinedElsewhere,
            _ => (CallReason?)null,
        };
        if (elsewhere is null || actingConnection is null || actor is not { } actorId)
        {
            await hub.Clients.Users(recipients.Select(id => id.ToString()).ToList()).CallStateChanged(changed);
            return;
        }

        var others = (await presence.ConnectionsOfAsync(actorId)).Select(c => c.Id).Where(id => id != actingConnection).ToList();
        await Task.WhenAll(
            hub.Clients.Users(recipients.Where(id => id != actorId).Select(id => id.ToString()).ToList()).CallStateChanged(changed),
            hub.Clients.Client(actingConnection).CallStateChanged(changed),
            hub.Clients.Clients(others).CallStateChanged(new CallStateChange(call, elsewhere.Value)));
    }
}
