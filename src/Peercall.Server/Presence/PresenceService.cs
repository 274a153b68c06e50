using Peercall.Contracts;
using Peercall.Contracts.Contacts;
using Peercall.Server.Data;
using Peercall.Server.Hosting;

namespace Peercall.Server.Presence;

/// <summary>Keeps presence current as connections open and close and calls start and end, and tells the users
/// who watch someone about each change of theirs, once: only the node whose change made the difference announces
/// it.</summary>
public sealed class PresenceService(
    IPresenceDirectory directory,
    PresenceWatchers watchers,
    IPresenceFanOut fanOut,
    LastSeenRecorder lastSeen,
    TimeProvider time,
    ILogger<PresenceService> logger)
{
    public async Task ConnectedAsync(RealtimeConnection connection) =>
        await AnnounceAsync(connection.UserId, await directory.ConnectedAsync(connection));

    /// <summary>Forgets a connection; returns it, or null when it was not known.</summary>
    public async Task<RealtimeConnection?> DisconnectedAsync(string connectionId)
    {
        watchers.Forget(connectionId);
        if (await directory.DisconnectedAsync(connectionId) is not var (connection, changed)) return null;
        await AnnounceGoneAsync(connection.UserId, changed);
        return connection;
    }

    /// <summary>Replaces the users a connection watches and returns their presence now. The watch is recorded
    /// before presence is read, so no change in between is lost.</summary>
    public async Task<IReadOnlyList<UserPresence>> WatchAsync(string connectionId, IReadOnlyList<Guid>? userIds)
    {
        if (userIds is null)
            throw new PeercallException(400, ProblemCodes.BadRequest, "Give the ids of the users to watch (an empty list to watch no one).");
        if (userIds.Count > PresenceLimits.MaxWatched)
            throw new PeercallException(400, ProblemCodes.BadRequest,
                $"A connection may watch at most {PresenceLimits.MaxWatched} users; it asked for {userIds.Count}.");
        var watched = watchers.Watch(connectionId, userIds);
        return await directory.PresenceOfManyAsync(watched);
    }

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
        return fanOut.PublishAsync(new PresenceChange(userId, presence, seen));
    }
}
