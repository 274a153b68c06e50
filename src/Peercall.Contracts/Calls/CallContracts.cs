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

/// <summary>One person's place in a call. The person who places a call is joined from the start; each invitee
/// rings, then joins, declines, or is missed (no answer, offline, or the call stopped ringing them) or busy (in
/// another call). A joined person leaves once. Ringing starts the moment an invitation is stored.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ParticipantState>))]
public enum ParticipantState
{
    [JsonStringEnumMemberName("ringing")] Ringing,
    [JsonStringEnumMemberName("joined")] Joined,
    [JsonStringEnumMemberName("left")] Left,
    [JsonStringEnumMemberName("declined")] Declined,
    [JsonStringEnumMemberName("missed")] Missed,
    [JsonStringEnumMemberName("busy")] Busy,
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
/// <param name="AlsoInvite">More people to ring at once, for a group call; each may join on their own.</param>
public sealed record PlaceCallRequest(Guid CalleeId, CallMedia Media = CallMedia.Audio, string? ConnectionId = null,
    IReadOnlyList<Guid>? AlsoInvite = null);

/// <summary>Rings someone into a call the sender is in.</summary>
public sealed record InviteRequest(Guid UserId);

/// <param name="ConnectionId">The realtime connection that answers; when omitted, the most recently opened one.</param>
public sealed record AcceptCallRequest(string? ConnectionId = null);

/// <param name="Reason">Why the party ends the call; only <see cref="CallReason.HungUp"/>,
/// <see cref="CallReason.MediaFailed"/> (media could not be set up) and <see cref="CallReason.MediaLost"/> (media
/// stopped and did not come back in time) may be given by a client.</param>
public sealed record EndCallRequest(CallReason Reason = CallReason.HungUp);

/// <summary>One person in a call: their state, why they reached it, and when they joined and left.</summary>
public sealed record CallParticipant(
    CallParty Party,
    ParticipantState State,
    CallReason Reason,
    DateTimeOffset InvitedAt,
    DateTimeOffset? JoinedAt,
    DateTimeOffset? LeftAt);

/// <param name="Caller">Who placed the call.</param>
/// <param name="Callee">The first person rung; in a call between two people, the other party.</param>
/// <param name="State">The call's own state: ringing until a second person joins, accepted while two or more are
/// joined, ended when fewer than two are left; or declined, cancelled, missed or busy if no one ever answered.</param>
/// <param name="Participants">Everyone ever invited into the call, the caller first, in the order they were
/// invited.</param>
public sealed record Call(
    Guid Id,
    CallParty Caller,
    CallParty Callee,
    CallMedia Media,
    CallState State,
    CallReason Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? EndedAt,
    IReadOnlyList<CallParticipant> Participants)
{
    // A record compares lists by reference; two copies of one call are equal when their participants are.
    public bool Equals(Call? other) =>
        other is not null && (Id, Caller, Callee, Media, State, Reason, CreatedAt, AnsweredAt, EndedAt)
        == (other.Id, other.Caller, other.Callee, other.Media, other.State, other.Reason, other.CreatedAt, other.AnsweredAt, other.EndedAt)
        && Participants.SequenceEqual(other.Participants);

    public override int GetHashCode() => HashCode.Combine(Id, State, Reason, Participants.Count);
}

/// <summary>A call as one user sees it in their history. <see cref="OtherParty"/> is the callee for the caller and
/// the caller for everyone else; <see cref="Participants"/> says who else was in it and who joined.</summary>
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
    bool Seen,
    IReadOnlyList<CallParticipant> Participants)
{
    // A record compares lists by reference; two copies of one entry are equal when their participants are.
    public bool Equals(CallHistoryEntry? other) =>
        other is not null && (CallId, OtherParty, Direction, Media, State, Reason, CreatedAt, AnsweredAt, EndedAt, DurationSeconds, Seen)
        == (other.CallId, other.OtherParty, other.Direction, other.Media, other.State, other.Reason, other.CreatedAt,
            other.AnsweredAt, other.EndedAt, other.DurationSeconds, other.Seen)
        && Participants.SequenceEqual(other.Participants);

    public override int GetHashCode() => HashCode.Combine(CallId, State, Reason, Participants.Count);
}

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
