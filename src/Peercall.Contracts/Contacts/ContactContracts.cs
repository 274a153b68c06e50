using System.Text.Json.Serialization;

namespace Peercall.Contracts.Contacts;

[JsonConverter(typeof(JsonStringEnumConverter<Presence>))]
public enum Presence
{
    [JsonStringEnumMemberName("offline")] Offline,
    [JsonStringEnumMemberName("online")] Online,
    [JsonStringEnumMemberName("in-call")] InCall,
}

public sealed record Contact(Guid Id, string Username, string DisplayName, Presence Presence, DateTimeOffset? LastSeenAt);

public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, int TotalCount);

/// <summary>Sent to the connections that watch a user when that user's presence changes.</summary>
public sealed record PresenceChange(Guid UserId, Presence Presence, DateTimeOffset? LastSeenAt);

/// <summary>A watched user's presence at the moment the watch began.</summary>
public sealed record UserPresence(Guid UserId, Presence Presence);

public static class PresenceLimits
{
    /// <summary>How many users one connection may watch: far more than a screen shows.</summary>
    public const int MaxWatched = 1000;
}
