using Peercall.Contracts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Calls;
using Peercall.Server.Hosting;

namespace Peercall.Server.Signaling;

/// <summary>Passes offers, answers and ICE candidates between the two bound connections of an accepted call,
/// and nowhere else. The bindings are read from memory (on a cluster, from each node's cached copy), so relaying
/// stays cheap under load; the route takes it to the node that holds the peer's connection.</summary>
public sealed class SignalRelay(ICallBindings bindings, ISignalRoute route)
{
    public async Task RelayAsync(string fromConnection, RelayedSignal? signal)
    {
        try
        {
            if (signal is not { Kind: { } kind, PayloadLength: { } length })
                throw new PeercallException(400, ProblemCodes.BadRequest, "A signal needs a callId, a kind (offer, answer or candidate) and a payload.");
            var limit = kind == SignalKind.Candidate ? SignalLimits.MaxCandidateLength : SignalLimits.MaxDescriptionLength;
            if (length > limit)
                throw new PeercallException(413, ProblemCodes.SignalTooLarge,
                    $"A {kind.ToString().ToLowerInvariant()} may be at most {limit} characters long.");

            var peer = await bindings.PeerOfAsync(signal.CallId, fromConnection)
                       ?? throw new PeercallException(409, ProblemCodes.SignalRefused,
                           "Signals go only between the two connected devices of an accepted call of yours.");
            await route.DeliverAsync(peer, signal.Frame);
        }
        finally
        {
            signal?.Release();
        }
    }
}
