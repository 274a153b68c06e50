using Microsoft.AspNetCore.SignalR;
using Peercall.Contracts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Calls;
using Peercall.Server.Hosting;

namespace Peercall.Server.Signaling;

/// <summary>Passes offers, answers and ICE candidates between the two bound connections of an accepted call,
/// and nowhere else. The bindings are read from memory (on a cluster, from each node's cached copy), so relaying
/// stays cheap under load; SignalR (with its Redis backplane on a cluster) takes the signal to the node that holds
/// the peer's connection.</summary>
public sealed class SignalRelay(ICallBindings bindings, IHubContext<SignalingHub, ISignalingClient> hub)
{
    public async Task RelayAsync(string fromConnection, Signal? signal)
    {
        if (signal is not { Payload: { } payload } || !Enum.IsDefined(signal.Kind))
            throw new PeercallException(400, ProblemCodes.BadRequest, "A signal needs a callId, a kind (offer, answer or candidate) and a payload.");
        var limit = signal.Kind == SignalKind.Candidate ? SignalLimits.MaxCandidateLength : SignalLimits.MaxDescriptionLength;
        if (payload.Length > limit)
            throw new PeercallException(413, ProblemCodes.SignalTooLarge,
                $"A {signal.Kind.ToString().ToLowerInvariant()} may be at most {limit} characters long.");

        var peer = await bindings.PeerOfAsync(signal.CallId, fromConnection)
                   ?? throw new PeercallException(409, ProblemCodes.SignalRefused,
                       "Signals go only between the two connected devices of an accepted call of yours.");
        await hub.Clients.Client(peer).Signal(signal);
    }
}
