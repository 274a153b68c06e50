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

/// <summary>Sent to every connected user when someone's presence changes.</summary>
public sealed record PresenceChange(Guid UserId, Presence Presence, DateTimeOffset? LastSeenAt);
