using Microsoft.AspNetCore.SignalR;
using Peercall.Contracts;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Data;
using Peercall.Server.Hosting;
using Peercall.Server.Signaling;

namespace Peercall.Server.Presence;

/// <summary>Keeps presence current as connections open and close and calls start and end, and tells the users
/// who watch someone about each change of theirs, once: only the node whose change made the difference announces
/// it. The watchers of a user are a SignalR group (<see cref="WatchersOf"/>), so a change is sent once to the
/// group, and on a cluster published once on the backplane, whatever the number of watchers.</summary>
public sealed class PresenceService(
    IPresenceDirectory directory,
    IHubContext<SignalingHub, ISignalingClient> hub,
    LastSeenRecorder lastSeen,
    TimeProvider time,
    ILogger<PresenceService> logger)
{
    private static readonly object WatchedKey = new();

    public async Task ConnectedAsync(RealtimeConnection connection) =>
        await AnnounceAsync(connection.UserId, await directory.ConnectedAsync(connection));

    /// <summary>Forgets a connection; returns it, or null when it was not known.</summary>
    public async Task<RealtimeConnection?> DisconnectedAsync(string connectionId)
    {
        if (await directory.DisconnectedAsync(connectionId) is not var (connection, changed)) return null;
        await AnnounceGoneAsync(connection.UserId, changed);
        return connection;
    }

    /// <summary>Replaces the users a connection watches and returns their presence now. The watch is recorded
    /// before presence is read, so no change in between is lost. A connection's groups go with it when it closes;
    /// the hub runs one invocation of a connection at a time, so its list of watched users needs no lock.</summary>
    public async Task<IReadOnlyList<UserPresence>> WatchAsync(HubCallerContext connection, IReadOnlyList<Guid>? userIds)
    {
        if (userIds is null)
            throw new PeercallException(400, ProblemCodes.BadRequest, "Give the ids of the users to watch (an empty list to watch no one).");
        if (userIds.Count > PresenceLimits.MaxWatched)
            throw new PeercallException(400, ProblemCodes.BadRequest,
                $"A connection may watch at most {PresenceLimits.MaxWatched} users; it asked for {userIds.Count}.");
        var watched = userIds.Distinct().ToArray();
        var before = connection.Items.TryGetValue(WatchedKey, out var items) ? (Guid[])items! : [];
        await Task.WhenAll(before.Except(watched).Select(id => hub.Groups.RemoveFromGroupAsync(connection.ConnectionId, WatchersOf(id))));
        await Task.WhenAll(watched.Except(before).Select(id => hub.Groups.AddToGroupAsync(connection.ConnectionId, WatchersOf(id))));
        connection.Items[WatchedKey] = watched;
        return await directory.PresenceOfManyAsync(watched);
    }

    /// <summary>The SignalR group of the connections that watch a user.</summary>
    public static string WatchersOf(Guid userId) => $"presence:{userId:N}";

    public async Task SetInCallAsync(Guid userId, bool inCall) =>
        await AnnounceAsync(userId, await directory.SetInCallAsync(userId, inCall));

    /// <summary>Tells the watchers about a change of presence, if there was one.</summary>
    public async Task AnnounceAsync(Guid userId, Contracts.Contacts.Presence? changed)
    {
        if (changed is { } presence) await BroadcastAsync(userId, presence, lastSeenAt: null);
    }

    /// <summary>Tells the watchers about a change after a connection went away; a user who went offline was last seen
    /// now.</summary>
    public async Task AnnounceGoneAsync(Guid userId, Contracts.Contacts.Presence? changed)
    {
        if (changed is not { } presence) return;
        DateTime? lastSeen = null;
        if (presence == Contracts.Contacts.Presence.Offline)
            lastSeen = await RecordLastSeenAsync(userId);
        await BroadcastAsync(userId, presence, lastSeen);
    }

    private async Task<DateTime> RecordLastSeenAsync(Guid userId)
    {
        var now = time.StoredUtcNow();
        await lastSeen.RecordAsync(userId, now);
        return now;
    }

    private Task BroadcastAsync(Guid userId, Contracts.Contacts.Presence presence, DateTime? lastSeenAt)
    {
        logger.LogDebug("Presence of {UserId} is now {Presence}", userId, presence);
        var seen = lastSeenAt is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : (DateTimeOffset?)null;
        return hub.Clients.Group(WatchersOf(userId)).PresenceChanged(new PresenceChange(userId, presence, seen));
    }
}
