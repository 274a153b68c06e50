using Microsoft.AspNetCore.SignalR;
using Peercall.Contracts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Calls;
using Peercall.Server.Hosting;

namespace Peercall.Server.Signaling;

/// <summary>Passes offers, answers and ICE candidates between the bound connections of two joined participants of
/// an accepted call, and nowhere else, marked with who sent them. The bindings are read from memory (on a cluster,
/// from each node's cached copy), so relaying stays cheap under load; SignalR (with its Redis backplane on a
/// cluster) takes the signal to the node that holds the addressee's connection.</summary>
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

        var route = await bindings.RouteAsync(signal.CallId, fromConnection, signal.To)
                    ?? throw new PeercallException(409, ProblemCodes.SignalRefused, signal.To is null
                        ? "Signals go only between connected participants of an accepted call of yours; in a call of more than two, name the participant (to)."
                        : "Signals go only between connected participants of an accepted call of yours.");
        await hub.Clients.Client(route.ToConnection).Signal(signal with { From = route.From, To = route.To });
    }
}
