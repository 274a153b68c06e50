using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Data;
using Peercall.Server.Signaling;

namespace Peercall.Server.Presence;

/// <summary>Keeps presence current as connections open and close and calls start and end, and tells every
/// connected user about each change.</summary>
public sealed class PresenceService(
    PresenceTracker tracker,
    IHubContext<SignalingHub, ISignalingClient> hub,
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILogger<PresenceService> logger)
{
    public async Task ConnectedAsync(RealtimeConnection connection)
    {
        if (tracker.Add(connection) is { } presence)
            await BroadcastAsync(connection.UserId, presence, lastSeenAt: null);
    }

    /// <summary>Forgets a connection; returns it, or null when it was not known.</summary>
    public async Task<RealtimeConnection?> DisconnectedAsync(string connectionId)
    {
        if (tracker.Remove(connectionId) is not var (connection, changed)) return null;
        if (changed is { } presence)
        {
            DateTime? lastSeen = null;
            if (presence == Contracts.Contacts.Presence.Offline)
                lastSeen = await RecordLastSeenAsync(connection.UserId);
            await BroadcastAsync(connection.UserId, presence, lastSeen);
        }
        return connection;
    }

    public async Task SetInCallAsync(Guid userId, bool inCall)
    {
        if (tracker.SetInCall(userId, inCall) is { } presence)
            await BroadcastAsync(userId, presence, lastSeenAt: null);
    }

    private async Task<DateTime> RecordLastSeenAsync(Guid userId)
    {
        var now = time.GetUtcNow().UtcDateTime;
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
