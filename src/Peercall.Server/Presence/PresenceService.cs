using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Data;
using Peercall.Server.Signaling;

namespace Peercall.Server.Presence;

/// <summary>Keeps presence current as connections open and close and calls start and end, and tells every
/// connected user about each change, once: only the node whose change made the difference announces it.</summary>
public sealed class PresenceService(
    IPresenceDirectory directory,
    IHubContext<SignalingHub, ISignalingClient> hub,
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILogger<PresenceService> logger)
{
    public async Task ConnectedAsync(RealtimeConnection connection) =>
        await AnnounceAsync(connection.UserId, await directory.ConnectedAsync(connection));

    /// <summary>Forgets a connection; returns it, or null when it was not known.</summary>
    public async Task<RealtimeConnection?> DisconnectedAsync(string connectionId)
    {
        if (await directory.DisconnectedAsync(connectionId) is not var (connection, changed)) return null;
        await AnnounceGoneAsync(connection.UserId, changed);
        return connection;
    }

    public async Task SetInCallAsync(Guid userId, bool inCall) =>
        await AnnounceAsync(userId, await directory.SetInCallAsync(userId, inCall));

    /// <summary>Tells everyone about a change of presence, if there was one.</summary>
    public async Task AnnounceAsync(Guid userId, Contracts.Contacts.Presence? changed)
    {
        if (changed is { } presence) await BroadcastAsync(userId, presence, lastSeenAt: null);
    }

    /// <summary>Tells everyone about a change after a connection went away; a user who went offline was last seen
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
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PeercallDb>();
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastSeenAt, now));
        return now;
    }

    private Task BroadcastAsync(Guid userId, Contracts.Contacts.Presence presence, DateTime? lastSeenAt)
    {
        logger.LogDebug("Presence of {UserId} is now {Presence}", userId, presence);
        var seen = lastSeenAt is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : (DateTimeOffset?)null;
        return hub.Clients.All.PresenceChanged(new PresenceChange(userId, presence, seen));
    }
}
