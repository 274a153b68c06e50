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

/// <summary>A WebRTC signal between two joined participants of a call. <see cref="Payload"/> is opaque to the server:
/// an SDP for offers and answers, the JSON of an RTCIceCandidateInit for candidates.</summary>
/// <param name="To">The user it is for. It may be left out in a call of two, where there is only one.</param>
/// <param name="From">Who sent it: set by the server on the way, whatever the sender wrote.</param>
public sealed record Signal(Guid CallId, SignalKind Kind, string Payload, Guid? To = null, Guid? From = null);

public static class SignalLimits
{
    public const int MaxDescriptionLength = 64 * 1024;
    public const int MaxCandidateLength = 2 * 1024;
}

public static class SignalingRoutes
{
    public const string Hub = "/hubs/signaling";
}

/// <summary>Each side of the realtime connection pings at <see cref="Interval"/> and takes the other for gone after
/// <see cref="Timeout"/> without a message (SignalR's defaults).</summary>
public static class RealtimeKeepAlive
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
}

/// <summary>What the server calls on a connected device.</summary>
public interface ISignalingClient
{
    /// <summary>A watched user's presence changed (see <see cref="ISignalingHub.WatchPresence"/>).</summary>
    Task PresenceChanged(PresenceChange change);

    /// <summary>Someone created an account: sent to everyone, so that complete contact lists can show them.</summary>
    Task ContactAdded(Contact contact);

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

    /// <summary>Says this device is closing its connection on purpose (a sign-out, an app closing), so that its
    /// calls end at once when it does instead of waiting for it to come back. A close frame says the same, but one
    /// followed closely by the TCP reset of a client that aborts its socket can be lost in the server's read.</summary>
    Task Leaving();

    /// <summary>Replaces the users whose presence changes this connection receives, typically the contacts on
    /// screen (at most <see cref="PresenceLimits.MaxWatched"/>), and returns their presence now. A watch lasts as
    /// long as the connection: after a reconnect, watch again. Events that arrive while this call is in flight
    /// are newer than its answer.</summary>
    Task<IReadOnlyList<UserPresence>> WatchPresence(IReadOnlyList<Guid> userIds);

    Task<Call> PlaceCall(PlaceCallRequest request);
    Task<Call> AcceptCall(Guid callId);
    Task<Call> DeclineCall(Guid callId);
    Task<Call> CancelCall(Guid callId);
    Task<Call> EndCall(Guid callId, CallReason reason);

    /// <summary>Rings another person into a call this connection is in.</summary>
    Task<Call> InviteToCall(Guid callId, Guid userId);

    /// <summary>After a reconnect, binds an accepted call to this new connection so its signals flow again.
    /// Media keeps flowing peer to peer meanwhile; without it the call ends after the reconnect grace period.</summary>
    Task<Call> ResumeCall(Guid callId);

    Task SendSignal(Signal signal);
}
