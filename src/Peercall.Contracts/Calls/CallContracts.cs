using System.Text.Json.Serialization;

namespace Peercall.Contracts.Calls;

[JsonConverter(typeof(JsonStringEnumConverter<CallMedia>))]
public enum CallMedia
{
    [JsonStringEnumMemberName("audio")] Audio,
    [JsonStringEnumMemberName("video")] Video,
}

[JsonConverter(typeof(JsonStringEnumConverter<CallState>))]
public enum CallState
{
    [JsonStringEnumMemberName("ringing")] Ringing,
    [JsonStringEnumMemberName("accepted")] Accepted,
    [JsonStringEnumMemberName("declined")] Declined,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    [JsonStringEnumMemberName("missed")] Missed,
    [JsonStringEnumMemberName("busy")] Busy,
    [JsonStringEnumMemberName("ended")] Ended,
}

/// <summary>Why a call reached its state. Clients branch on these codes and show them to both parties.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CallReason>))]
public enum CallReason
{
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("answered")] Answered,
    [JsonStringEnumMemberName("declined")] Declined,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    [JsonStringEnumMemberName("no-answer")] NoAnswer,
    [JsonStringEnumMemberName("callee-offline")] CalleeOffline,
    [JsonStringEnumMemberName("callee-busy")] CalleeBusy,
    [JsonStringEnumMemberName("hung-up")] HungUp,
    [JsonStringEnumMemberName("connection-lost")] ConnectionLost,
    [JsonStringEnumMemberName("glare")] Glare,
    [JsonStringEnumMemberName("media-failed")] MediaFailed,
    [JsonStringEnumMemberName("media-lost")] MediaLost,
    [JsonStringEnumMemberName("server-restarted")] ServerRestarted,
    [JsonStringEnumMemberName("answered-elsewhere")] AnsweredElsewhere,
    [JsonStringEnumMemberName("declined-elsewhere")] DeclinedElsewhere,
}

[JsonConverter(typeof(JsonStringEnumConverter<CallDirection>))]
public enum CallDirection
{
    [JsonStringEnumMemberName("outgoing")] Outgoing,
    [JsonStringEnumMemberName("incoming")] Incoming,
}

public sealed record CallParty(Guid Id, string Username, string DisplayName);

/// <param name="Media">Whether the call starts with cameras on ("video") or off ("audio"). Either side may turn
/// its camera on or off during the call whatever this says; it is what the call is remembered as.</param>
/// <param name="ConnectionId">The realtime connection this device will use for the call's signals.
/// When omitted, the caller's most recently opened connection is used.</param>
public sealed record PlaceCallRequest(Guid CalleeId, CallMedia Media = CallMedia.Audio, string? ConnectionId = null);

/// <param name="ConnectionId">The realtime connection that answers; when omitted, the most recently opened one.</param>
public sealed record AcceptCallRequest(string? ConnectionId = null);

/// <param name="Reason">Why the party ends the call; only <see cref="CallReason.HungUp"/>,
/// <see cref="CallReason.MediaFailed"/> (media could not be set up) and <see cref="CallReason.MediaLost"/> (media
/// stopped and did not come back in time) may be given by a client.</param>
public sealed record EndCallRequest(CallReason Reason = CallReason.HungUp);

public sealed record Call(
    Guid Id,
    CallParty Caller,
    CallParty Callee,
    CallMedia Media,
    CallState State,
    CallReason Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? EndedAt);

/// <summary>A call as one user sees it in their history.</summary>
public sealed record CallHistoryEntry(
    Guid CallId,
    CallParty OtherParty,
    CallDirection Direction,
    CallMedia Media,
    CallState State,
    CallReason Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? EndedAt,
    double? DurationSeconds,
    bool Seen);

public sealed record MissedCallsSummary(int UnseenCount);

/// <summary>
/// Sent to the parties' devices on every transition. <see cref="Reason"/> is the call's reason, except for a
/// callee's other devices, which get <see cref="CallReason.AnsweredElsewhere"/> or
/// <see cref="CallReason.DeclinedElsewhere"/> so they can stop ringing with the right words.
/// </summary>
public sealed record CallStateChange(Call Call, CallReason Reason);

public sealed record IceServer(IReadOnlyList<string> Urls, string? Username = null, string? Credential = null);

/// <summary>What a browser passes to RTCPeerConnection: ICE servers (empty on a pure LAN) and the transport
/// policy ("all", or "relay" to force TURN). <see cref="ExpiresAt"/> says when TURN credentials must be fetched
/// again.</summary>
public sealed record RtcConfiguration(IReadOnlyList<IceServer> IceServers, string IceTransportPolicy,
    DateTimeOffset? ExpiresAt);
