using System.Text.Json.Serialization;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;

namespace Peercall.Contracts.Signaling;

[JsonConverter(typeof(JsonStringEnumConverter<SignalKind>))]
public enum SignalKind
{
    [JsonStringEnumMemberName("offer")] Offer,
    [JsonStringEnumMemberName("answer")] Answer,
    [JsonStringEnumMemberName("candidate")] Candidate,
}

/// <summary>A WebRTC signal. <see cref="Payload"/> is opaque to the server: an SDP for offers and answers, the
/// JSON of an RTCIceCandidateInit for candidates.</summary>
public sealed record Signal(Guid CallId, SignalKind Kind, string Payload);

public static class SignalLimits
{
    public const int MaxDescriptionLength = 64 * 1024;
    public const int MaxCandidateLength = 2 * 1024;
}

public static class SignalingRoutes
{
    public const string Hub = "/hubs/signaling";
}

/// <summary>What the server calls on a connected device.</summary>
public interface ISignalingClient
{
    Task PresenceChanged(PresenceChange change);
    Task IncomingCall(Call call);
    Task CallStateChanged(CallStateChange change);
    Task Signal(Signal signal);
}

/// <summary>What a connected device may call on the server. Call actions are the same as the REST ones, bound to
/// the calling connection.</summary>
public interface ISignalingHub
{
    /// <summary>The id of the calling connection, to name this device in REST call requests. Clients that skip
    /// negotiation (WebSockets only) learn it only this way.</summary>
    Task<string> GetConnectionId();

    Task<Call> PlaceCall(PlaceCallRequest request);
    Task<Call> AcceptCall(Guid callId);
    Task<Call> DeclineCall(Guid callId);
    Task<Call> CancelCall(Guid callId);
    Task<Call> EndCall(Guid callId, CallReason reason);

    /// <summary>After a reconnect, binds an accepted call to this new connection so its signals flow again.
    /// Media keeps flowing peer to peer meanwhile; without it the call ends after the reconnect grace period.</summary>
    Task<Call> ResumeCall(Guid callId);

    Task SendSignal(Signal signal);
}
